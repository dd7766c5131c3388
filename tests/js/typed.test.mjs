// Typed numbers: tolerant parsing and nesting into [C][H][W].
import assert from "node:assert/strict";
import { test } from "node:test";

import { nest, parseNumber } from "../../static/js/math/typed.js";

test("numbers parse with a typographic minus or a decimal comma", () => {
  assert.equal(parseNumber(" 0.5 "), 0.5);
  assert.equal(parseNumber("−2"), -2);
  assert.equal(parseNumber("1,5"), 1.5);
  assert.equal(parseNumber("3e-2"), 0.03);
});

test("anything else is not a number", () => {
  for (const text of ["", "  ", "abc", "1..2", "Infinity", "NaN"]) assert.equal(parseNumber(text), null, text);
});

test("flat values nest row-major into [C][H][W]", () => {
  const flat = Float32Array.from({ length: 12 }, (_, i) => i);
  assert.deepEqual(nest(flat, [2, 2, 3]), [
    [[0, 1, 2], [3, 4, 5]],
    [[6, 7, 8], [9, 10, 11]],
  ]);
  assert.deepEqual(nest([1, 2], [2]), [1, 2]);
});
