// Axes of the small plots: ranges that hold the values, round ticks, linear maps, log ranges of bars.
import assert from "node:assert/strict";
import { test } from "node:test";

import { linear, logRangeOf, rangeOf, ticks } from "../../static/js/math/plotaxes.js";

test("a range holds every finite value and zero, a little widened", () => {
  const [lo, hi] = rangeOf([Float32Array.from([0.5, 2]), [NaN, -1]], 0);
  assert.deepEqual([lo, hi], [-1, 2]);
  assert.deepEqual(rangeOf([[0, 0]]), [-1, 1]);
});

test("ticks are round numbers inside the range", () => {
  assert.deepEqual(ticks(-6, 6, 6), [-6, -4, -2, 0, 2, 4, 6]);
  assert.deepEqual(ticks(0, 1, 4), [0, 0.5, 1]); // a step of 0.25 is not 1, 2 or 5 × 10^k: 0.5
  assert.deepEqual(ticks(-0.3, 0.3, 3), [-0.2, 0, 0.2]);
});

test("linear maps the ends onto the ends", () => {
  const px = linear([-6, 6], [30, 330]);
  assert.equal(px(-6), 30);
  assert.equal(px(0), 180);
  assert.equal(px(6), 330);
});

test("a log range spans the positive values of every array", () => {
  const [lo, hi] = logRangeOf([[1e-10, 0.7], [2.3, 0]]);
  assert.ok(lo <= -10 && hi >= Math.log10(2.3));
  assert.deepEqual(logRangeOf([[0]]), [-1, 1]);
});
