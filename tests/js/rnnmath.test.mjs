// One RNN step as arithmetic on a frame's tensors: slices, the previous step per direction, the terms.
import assert from "node:assert/strict";
import { test } from "node:test";

import { hiddenAt, matVec, paramName, previousStep, slice, stepTerms } from "../../static/js/math/rnnmath.js";

const tensor = (shape, values) => ({ shape, data: Float32Array.from(values) });

// A bidirectional layer, T = 2, B = 1, H = 1, I = 2: h.l0 [T, B, 2] holds (forward, reverse).
const frame = {
  "x.l0": tensor([2, 1, 2], [1, 2, 3, 4]),
  "h.l0": tensor([2, 1, 2], [Math.tanh(1 * 1 + 2 * 2 + 0.5), 0.25, 0.9, Math.tanh(3 * -1 + 4 * 0 - 0.5)]),
  weight_ih_l0: tensor([1, 2], [1, 2]),
  weight_hh_l0: tensor([1, 1], [10]),
  bias_ih_l0: tensor([1], [0.25]),
  bias_hh_l0: tensor([1], [0.25]),
  weight_ih_l0_reverse: tensor([1, 2], [-1, 0]),
  weight_hh_l0_reverse: tensor([1, 1], [2]),
  bias_ih_l0_reverse: tensor([1], [-0.5]),
  bias_hh_l0_reverse: tensor([1], [0]),
};

test("a step's vector is its [t, b] row, a direction its half", () => {
  const h = tensor([2, 3, 4], Array.from({ length: 24 }, (_, i) => i));
  assert.deepEqual(slice(h, 1, 2), [20, 21, 22, 23]);
  assert.deepEqual(slice(h, 1, 2, 2, 2), [22, 23]);
  assert.deepEqual(hiddenAt({ "h.l1": h }, { layer: 1, t: 0, b: 1, d: 1 }, 2), [6, 7]);
});

test("forward reads t − 1, reverse reads t + 1, and each starts from zeros", () => {
  assert.equal(previousStep(0, 5, false), null);
  assert.equal(previousStep(3, 5, false), 2);
  assert.equal(previousStep(4, 5, true), null);
  assert.equal(previousStep(3, 5, true), 4);
  assert.equal(paramName("bias_hh", 2, true), "bias_hh_l2_reverse");
  assert.deepEqual(matVec(tensor([2, 2], [1, 2, 3, 4]), [1, -1]), [-1, -1]);
});

test("the forward first step: W_ih x_0 + b_ih + W_hh · 0 + b_hh, then tanh, matches the server", () => {
  const terms = stepTerms(frame, { layer: 0, t: 0, b: 0, d: 0 }, { hidden: 1, nonlinearity: "tanh" });
  assert.deepEqual([terms.hPrev, terms.bias], [[0], true]);
  assert.deepEqual([terms.wx[0], terms.wh[0], terms.sum[0]], [5, 0, 5.5]);
  assert.ok(Math.abs(terms.h[0] - Math.tanh(5.5)) < 1e-12);
  assert.ok(terms.gap < 1e-7);
});

test("the reverse direction's step 0 reads h at step 1 of the reverse half", () => {
  const terms = stepTerms(frame, { layer: 0, t: 0, b: 0, d: 1 }, { hidden: 1, nonlinearity: "relu" });
  assert.equal(terms.prev, 1);
  const hNext = frame["h.l0"].data[3];
  assert.deepEqual(terms.hPrev, [hNext]);
  assert.ok(Math.abs(terms.sum[0] - (-1 - 0.5 + 2 * hNext)) < 1e-6);
  assert.equal(terms.h[0], Math.max(0, terms.sum[0]));
  assert.ok(Math.abs(terms.gap - Math.abs(terms.h[0] - 0.25)) < 1e-7); // the fixture's 0.25 is not the true h
});

test("without biases the terms are zeros", () => {
  const { bias_ih_l0: _a, bias_hh_l0: _b, ...noBias } = frame;
  const terms = stepTerms(noBias, { layer: 0, t: 0, b: 0, d: 0 }, { hidden: 1, nonlinearity: "tanh" });
  assert.deepEqual([terms.bias, terms.bih, terms.bhh], [false, [0], [0]]);
});
