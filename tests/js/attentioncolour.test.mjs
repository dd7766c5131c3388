// How /transformer paints attention weights: as they are, each head on its own scale, or their root.
import assert from "node:assert/strict";
import { test } from "node:test";

import { colouring, WEIGHT_SCALE } from "../../static/js/math/attentioncolour.js";

const weights = Float32Array.from([0.5, 0.5, 0.25, 0.75, 0.04, 0.01, 0.0, 0.09]); // two heads of 2×2

test("absolute keeps the weights on 0–1 for every head", () => {
  const { values, scales } = colouring("absolute", weights, 4);
  assert.equal(values, weights);
  assert.deepEqual(scales, [WEIGHT_SCALE, WEIGHT_SCALE]);
});

test("each head on its own scale runs from 0 to that head's largest weight", () => {
  const { values, scales } = colouring("head", weights, 4);
  assert.equal(values, weights);
  assert.deepEqual(scales.map((s) => s.max), [0.75, Math.fround(0.09)]);
});

test("square root brightens small weights and keeps 0 and 1", () => {
  const { values } = colouring("sqrt", weights, 4);
  assert.ok(Math.abs(values[4] - 0.2) < 1e-6);
  assert.equal(values[6], 0);
});
