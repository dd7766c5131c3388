// The output-size formula of a convolution with the user's numbers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { sideFormula, spanFormula } from "../../static/js/math/convformula.js";

test("the formula shows symbols, the numbers, the floor and the result", () => {
  const side = sideFormula({ n: 7, f: 3, p: 1, s: 2, d: 1 });
  assert.equal(side.text, "⌊(n − f + 2p)/s⌋ + 1 = ⌊(7 − 3 + 2·1)/2⌋ + 1 = ⌊6/2⌋ + 1 = 3 + 1 = 4");
  assert.equal(side.size, 4);
  assert.deepEqual(side.spare, { text: "6 mod 2 = 0", count: 0 });
});

test("a stride that does not divide leaves a remainder: the lines never reached", () => {
  const side = sideFormula({ n: 8, f: 3, p: 0, s: 2, d: 1 });
  assert.equal(side.size, 3);
  assert.deepEqual(side.spare, { text: "5 mod 2 = 1", count: 1 });
});

test("the size is PyTorch's floor((n + 2p − span)/s) + 1", () => {
  assert.equal(sideFormula({ n: 32, f: 5, p: 0, s: 1, d: 1 }).size, 28);
  assert.equal(sideFormula({ n: 10, f: 2, p: 1, s: 4, d: 1 }).size, 3);
  assert.equal(sideFormula({ n: 9, f: 3, p: 0, s: 3, d: 2 }).size, 2);
  assert.equal(sideFormula({ n: 3, f: 7, p: 0, s: 1, d: 1 }).size, -3);
});

test("with dilation the span f′ takes the place of f", () => {
  assert.equal(spanFormula(3, 1), null);
  assert.equal(spanFormula(3, 2), "f′ = d·(f − 1) + 1 = 2·(3 − 1) + 1 = 5");
  const side = sideFormula({ n: 7, f: 3, p: 1, s: 1, d: 2 });
  assert.equal(side.text, "⌊(n − f′ + 2p)/s⌋ + 1 = ⌊(7 − 5 + 2·1)/1⌋ + 1 = ⌊4/1⌋ + 1 = 4 + 1 = 5");
});
