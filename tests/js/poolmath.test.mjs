// Pooling geometry and gradient routes, checked against a brute-force scatter of every window.
import assert from "node:assert/strict";
import { test } from "node:test";

import { coveringWindows, gradientTerms, poolOutputShape, windowCells, windowOf } from "../../static/js/math/poolmath.js";
import { cellOf, flatIndex } from "../../static/js/math/tensorindex.js";

test("output shape follows floor((n + 2p - f)/s) + 1", () => {
  assert.deepEqual(poolOutputShape([1, 6, 6], { kernel: 2, stride: 2, padding: 0 }), [1, 3, 3]);
  assert.deepEqual(poolOutputShape([2, 7, 5], { kernel: 3, stride: 2, padding: 1 }), [2, 4, 3]);
});

test("flat indices and cells are inverse", () => {
  assert.equal(flatIndex(1, 2, 3, 4, 5), 20 + 10 + 3);
  assert.deepEqual(cellOf(33, 4, 5), { channel: 1, row: 2, column: 3 });
});

test("a window starts at i·s − p and marks its padding cells", () => {
  const window = windowOf(0, 1, { kernel: 3, stride: 2, padding: 1 });
  assert.deepEqual(window, { top: -1, left: 1, size: 3 });
  const cells = windowCells(window, 4, 4);
  assert.equal(cells.length, 9);
  assert.deepEqual(
    cells.filter((cell) => !cell.inside).map(({ row, column }) => [row, column]),
    [[-1, 1], [-1, 2], [-1, 3]],
  );
});

/** Every (geometry, input side) pair small enough to enumerate. */
function* geometries() {
  for (const kernel of [1, 2, 3]) {
    for (const stride of [1, 2, 3]) {
      for (let padding = 0; padding <= Math.floor(kernel / 2); padding++) {
        for (const side of [3, 5]) yield { geometry: { kernel, stride, padding }, side };
      }
    }
  }
}

test("covering windows are exactly the windows whose cells include the input cell", () => {
  for (const { geometry, side } of geometries()) {
    const [, outH, outW] = poolOutputShape([1, side, side], geometry);
    for (let row = 0; row < side; row++) {
      for (let column = 0; column < side; column++) {
        const expected = [];
        for (let i = 0; i < outH; i++) {
          for (let j = 0; j < outW; j++) {
            const cells = windowCells(windowOf(i, j, geometry), side, side);
            if (cells.some((cell) => cell.row === row && cell.column === column)) expected.push({ i, j });
          }
        }
        assert.deepEqual(coveringWindows(row, column, geometry, [outH, outW]), expected, JSON.stringify({ geometry, row, column }));
      }
    }
  }
});

/** ∂L/∂x by scattering each window's upstream gradient: to its argmax (max) or evenly (avg). */
function scatter(op, geometry, shape, upstream, argmax) {
  const [channels, height, width] = shape;
  const [, outH, outW] = poolOutputShape(shape, geometry);
  const grad = new Float64Array(channels * height * width);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < outH; i++) {
      for (let j = 0; j < outW; j++) {
        const k = flatIndex(c, i, j, outH, outW);
        if (op === "max") grad[c * height * width + argmax[k]] += upstream[k];
        for (const cell of windowCells(windowOf(i, j, geometry), height, width)) {
          if (op === "avg" && cell.inside) grad[flatIndex(c, cell.row, cell.column, height, width)] += upstream[k] / geometry.kernel ** 2;
        }
      }
    }
  }
  return grad;
}

test("gradient terms add up to the scattered gradient, for max and average", () => {
  for (const { geometry, side } of geometries()) {
    const shape = [2, side, side];
    const [, outH, outW] = poolOutputShape(shape, geometry);
    const upstream = Array.from({ length: 2 * outH * outW }, (_, k) => (k % 5) - 1.5);
    // Any in-window cell will do as the argmax: take the window's last inside cell.
    const argmax = Array.from({ length: 2 * outH * outW }, (_, k) => {
      const { row: i, column: j } = cellOf(k, outH, outW);
      const inside = windowCells(windowOf(i, j, geometry), side, side).filter((cell) => cell.inside);
      const last = inside.at(-1);
      return last.row * side + last.column;
    });
    for (const op of ["max", "avg"]) {
      const expected = scatter(op, geometry, shape, upstream, argmax);
      expected.forEach((value, index) => {
        const cell = cellOf(index, side, side);
        const { terms, total } = gradientTerms(op, cell, geometry, shape, upstream, argmax);
        assert.ok(Math.abs(total - value) < 1e-12, `${op} ${JSON.stringify({ geometry, cell })}`);
        if (op === "avg") for (const term of terms) assert.equal(term.share, term.upstream / geometry.kernel ** 2);
      });
    }
  }
});
