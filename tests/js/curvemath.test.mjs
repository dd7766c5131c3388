// The numbers of a training chart: TensorBoard's debiased smoothing, log-axis ticks, two runs on one
// step axis, and what changed between runs.
import assert from "node:assert/strict";
import { test } from "node:test";

import { alignRuns, changedSettings, logSafe, logTicks, overfitting, smoothEma } from "../../static/js/math/curvemath.js";

test("smoothing with weight 0 keeps the values; the first smoothed value is the first value (debiased)", () => {
  assert.deepEqual(smoothEma([3, 1, 2], 0), [3, 1, 2]);
  const smoothed = smoothEma([2, 4, 4], 0.6);
  assert.equal(smoothed[0], 2); // not 0.8 = 0.4 × 2: the bias towards the starting 0 is divided out
  // second: (0.6 · 0.8 + 0.4 · 4) / (1 − 0.36) = 2.08 / 0.64
  assert.ok(Math.abs(/** @type {number} */ (smoothed[1]) - 3.25) < 1e-12);
  const third = (0.6 * 2.08 + 0.4 * 4) / (1 - 0.6 ** 3);
  assert.ok(Math.abs(/** @type {number} */ (smoothed[2]) - third) < 1e-12);
});

test("smoothing a constant gives the constant; gaps and NaN pass through without moving the average", () => {
  for (const v of smoothEma([5, 5, 5, 5], 0.9)) assert.ok(Math.abs(/** @type {number} */ (v) - 5) < 1e-12);
  const smoothed = smoothEma([1, null, NaN, 1], 0.5);
  assert.equal(smoothed[1], null);
  assert.ok(Number.isNaN(smoothed[2]));
  assert.equal(smoothed[3], 1);
});

test("log ticks are powers of ten, with 2 and 5 between them over two decades or less", () => {
  assert.deepEqual(logTicks(0.01, 10), [0.01, 0.1, 1, 10]);
  assert.deepEqual(logTicks(0.1, 10), [0.1, 0.2, 0.5, 1, 2, 5, 10]);
  assert.deepEqual(logTicks(1e-4, 100), [1e-4, 1e-3, 0.01, 0.1, 1, 10, 100]);
  assert.deepEqual(logTicks(0.3, 0.45), [0.3, 0.45]); // no round number inside: the ends
});

test("a log axis leaves out what it cannot show", () => {
  assert.deepEqual([2, 0, -1, Infinity, null].map(logSafe), [2, null, null, null, null]);
});

test("two runs are put on their union of steps, each with gaps where it has no point", () => {
  const { steps, a, b } = alignRuns({ steps: [1, 3], columns: [[10, 30]] }, { steps: [2, 3, 4], columns: [[0.2, 0.3, 0.4]] });
  assert.deepEqual(steps, [1, 2, 3, 4]);
  assert.deepEqual(a, [[10, null, 30, null]]);
  assert.deepEqual(b, [[null, 0.2, 0.3, 0.4]]);
});

test("the settings that changed are named with the previous run's values", () => {
  assert.deepEqual(changedSettings({ optimizer: "sgd", lr: 0.1, grads: false }, { optimizer: "adam", lr: 0.1, grads: false }), ["optimizer: sgd"]);
  assert.deepEqual(changedSettings({ lr: 0.1 }, { lr: 0.1 }), []);
});

test("overfitting: validation rising above its lowest while training still falls, as word2vec's did", () => {
  // word2vec on its default corpus (seed 0), every 250 steps: validation lowest at 1250, then rising.
  const steps = [250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250, 2500, 2750, 3000];
  const train = [2.55, 2.463, 2.374, 2.37, 2.369, 2.317, 2.337, 2.307, 2.305, 2.328, 2.262, 2.296];
  const val = [2.686, 2.614, 2.609, 2.615, 2.604, 2.621, 2.625, 2.648, 2.664, 2.657, 2.676, 2.69];
  assert.equal(overfitting(steps, train, val), true);
  assert.equal(overfitting(steps.slice(0, 7), train.slice(0, 7), val.slice(0, 7)), false); // noise around the lowest: not yet
  const stillLearning = val.map((v, i) => v - 0.01 * i);
  assert.equal(overfitting(steps, train, stillLearning), false);
  const bothRise = train.map((v, i) => v + 0.1 * i); // the training loss rising too is not overfitting (a bad lr)
  assert.equal(overfitting(steps, bothRise, val), false);
});
