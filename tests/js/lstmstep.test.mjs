// The selected step's numbers: [T, H] and [T, 4H] tensors indexed in PyTorch's gate order i, f, g, o.
import assert from "node:assert/strict";
import { test } from "node:test";

import { stepValues } from "../../static/js/math/lstmstep.js";

const T = 3;
const H = 2;
/** A [T, width] tensor whose value at (t, k) is base + 10·t + k: every index reads back. */
const grid = (base, width) => Float32Array.from({ length: T * width }, (_, n) => base + 10 * Math.floor(n / width) + (n % width));

const tensors = {
  f: grid(100, H), i: grid(200, H), g: grid(300, H), o: grid(400, H), c: grid(500, H), tanh_c: grid(600, H), h: grid(700, H),
  "pre.x": grid(1000, 4 * H), "pre.h": grid(2000, 4 * H), pre: grid(3000, 4 * H),
  bias: Float32Array.from({ length: 4 * H }, (_, k) => 4000 + k),
};

test("state values at the step and one step before", () => {
  const v = stepValues(tensors, H, 2, 1);
  assert.equal(v.f, 121);
  assert.equal(v.o, 421);
  assert.equal(v.tanhC, 621);
  assert.equal(v.cPrev, 511);
  assert.equal(v.hPrev, 711);
});

test("the first step starts from zero state, as nn.LSTM does", () => {
  const v = stepValues(tensors, H, 0, 0);
  assert.equal(v.cPrev, 0);
  assert.equal(v.hPrev, 0);
  assert.equal(v.c, 500);
});

test("pre-activation terms follow PyTorch's i, f, g, o blocks", () => {
  const v = stepValues(tensors, H, 1, 1);
  // unit 1 of gate k sits in column k·H + 1
  assert.deepEqual(v.terms.i, { x: 1011, h: 2011, bias: 4001, z: 3011 });
  assert.deepEqual(v.terms.f, { x: 1013, h: 2013, bias: 4003, z: 3013 });
  assert.deepEqual(v.terms.g, { x: 1015, h: 2015, bias: 4005, z: 3015 });
  assert.deepEqual(v.terms.o, { x: 1017, h: 2017, bias: 4007, z: 3017 });
});
