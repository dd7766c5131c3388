// The classifier head's arithmetic: a unit's sum, its largest terms, softmax steps, agreement.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ACTIVATIONS, agrees, crossEntropySteps, largestTerms, softmaxSteps, unitSum } from "../../static/js/math/headmath.js";
import { cellOf, flatIndex } from "../../static/js/math/tensorindex.js";

test("flatten of S4: unit c·25 + row·5 + col is S4[c, row, col]", () => {
  assert.equal(flatIndex(5, 2, 3, 5, 5), 138);
  assert.deepEqual(cellOf(138, 5, 5), { channel: 5, row: 2, column: 3 });
  assert.deepEqual(cellOf(399, 5, 5), { channel: 15, row: 4, column: 4 });
});

test("a unit is the row of W times x, plus its bias", () => {
  const weight = Float32Array.of(1, 2, 3, -1, 0.5, 0);
  const x = Float32Array.of(1, 2, -1);
  const unit = unitSum(weight, x, Float32Array.of(0.5, -2), 1);
  assert.deepEqual(Array.from(unit.products), [-1, 1, -0]);
  assert.equal(unit.sum, 0);
  assert.equal(unit.z, -2);
  assert.equal(unit.size, 4);
  assert.deepEqual(largestTerms(unitSum(weight, x, Float32Array.of(0, 0), 0).products, 2), [1, 2]);
});

test("softmax: exponentials, their sum, each divided by it", () => {
  const { exps, sum, probs } = softmaxSteps([0, Math.log(3)]);
  assert.deepEqual(exps.map((e) => Number(e.toFixed(12))), [1, 3]);
  assert.equal(Number(sum.toFixed(12)), 4);
  assert.deepEqual(probs.map((p) => Number(p.toFixed(12))), [0.25, 0.75]);
});

test("activations follow LeNet's choices", () => {
  assert.equal(ACTIVATIONS.relu(-2), 0);
  assert.equal(ACTIVATIONS.tanh(0), 0);
  assert.equal(ACTIVATIONS.sigmoid(0), 0.5);
});

test("agreement allows the frame's rounding and no more", () => {
  assert.ok(agrees(1.0004, 1, "float16", 1));
  assert.ok(!agrees(1.01, 1, "float16", 1));
  assert.ok(agrees(1 + 1e-7, 1, "float32", 1));
  assert.ok(!agrees(1 + 1e-5, 1, "float32", 1));
});

test("a tiny probability agrees within float16's subnormal spacing, not only relatively", () => {
  // 1.3e-7 travels in float16 as 2 × 2⁻²⁴ ≈ 1.19e-7: 8 % off, within the spacing of subnormals.
  const travelled = 2 * 2 ** -24;
  assert.ok(agrees(1.3e-7, travelled, "float16", 1.3e-7));
  assert.ok(agrees(2e-8, 0, "float16", 2e-8), "flushed to zero");
  assert.ok(!agrees(1e-3, 1.1e-3, "float16", 1e-3), "a real difference still shows");
  assert.ok(!agrees(1.3e-7, travelled, "float32", 1.3e-7), "float32 keeps its own precision");
});

test("cross-entropy is −log p[target] and its gradient p − onehot", () => {
  const { probs } = softmaxSteps([2, 0.5, -1]);
  const { loss, grad } = crossEntropySteps(probs, 1);
  assert.ok(Math.abs(loss + Math.log(probs[1])) < 1e-15);
  assert.deepEqual(grad.map((g) => g.toFixed(12)), [probs[0], probs[1] - 1, probs[2]].map((g) => g.toFixed(12)));
  assert.ok(Math.abs(grad.reduce((a, b) => a + b, 0)) < 1e-12, "the gradient sums to 0");
});
