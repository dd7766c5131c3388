// A 32×32 drawing resized by area to the convolution's input size.
import assert from "node:assert/strict";
import { test } from "node:test";

import { resizeArea } from "../../static/js/math/resample.js";

const near = (a, b) => Math.abs(a - b) < 1e-12;

test("whole blocks average exactly", () => {
  const grid = [
    [1, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 1, 1],
    [0, 0, 1, 1],
  ];
  assert.deepEqual(resizeArea(grid, 2, 2), [
    [0.25, 0],
    [0, 1],
  ]);
});

test("fractional overlaps are weighted by area; the mean is kept", () => {
  const grid = [[0, 3, 6]];
  const [[left, right]] = resizeArea(grid, 1, 2);
  assert.ok(near(left, (0 * 1 + 3 * 0.5) / 1.5));
  assert.ok(near(right, (3 * 0.5 + 6 * 1) / 1.5));
  const big = Array.from({ length: 32 }, (_, r) => Array.from({ length: 32 }, (_, c) => (r * 7 + c * 3) % 5));
  const mean = (g) => g.flat().reduce((a, b) => a + b, 0) / g.flat().length;
  const small = resizeArea(big, 7, 5);
  assert.equal(small.length, 7);
  assert.equal(small[0].length, 5);
  assert.ok(near(mean(small), mean(big)));
});

test("the same size is the identity", () => {
  const grid = [
    [1, 2],
    [3, 4],
  ];
  assert.deepEqual(resizeArea(grid, 2, 2), grid);
});
