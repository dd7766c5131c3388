// Convolution index maths: output sizes, windows, padding and one cell's products.
import assert from "node:assert/strict";
import { test } from "node:test";

import { sideFormula } from "../../static/js/math/convformula.js";
import {
  cellProducts,
  isPadding,
  kernelSpan,
  positionAt,
  positionCount,
  positionIndex,
  windowAt,
} from "../../static/js/math/convgeometry.js";

test("a dilated kernel spans d·(f − 1) + 1", () => {
  assert.equal(kernelSpan(3, 1), 3);
  assert.equal(kernelSpan(3, 2), 5);
  assert.equal(kernelSpan(7, 3), 19);
});

test("windows step by s and taps by d, from the top-left of the padded input", () => {
  const window = windowAt(1, 2, { kernel: 3, stride: 2, dilation: 2 });
  assert.equal(window.top, 2);
  assert.equal(window.left, 4);
  assert.equal(window.span, 5);
  assert.equal(window.taps.length, 9);
  assert.deepEqual(window.taps[0], { i: 0, j: 0, row: 2, col: 4 });
  assert.deepEqual(window.taps[5], { i: 1, j: 2, row: 4, col: 8 });
});

test("padding is the frame of width p around the input", () => {
  const config = { height: 2, width: 3, padding: 1 };
  assert.ok(isPadding(0, 1, config));
  assert.ok(isPadding(1, 4, config));
  assert.ok(isPadding(3, 2, config));
  assert.ok(!isPadding(1, 1, config));
  assert.ok(!isPadding(2, 3, config));
});

test("positions run channel by channel, then row by row", () => {
  const output = [2, 3, 4];
  assert.equal(positionCount(output), 24);
  assert.deepEqual(positionAt(0, output), { o: 0, row: 0, col: 0 });
  assert.deepEqual(positionAt(13, output), { o: 1, row: 0, col: 1 });
  for (let k = 0; k < 24; k++) assert.equal(positionIndex(positionAt(k, output), output), k);
});

/** A reference convolution: pad the input into a new array, then slide over it. */
function referenceConv(input, weight, bias, config) {
  const { height: h, width: w, in_channels: c, out_channels: o, kernel: f, padding: p, stride: s, dilation: d } = config;
  const ph = h + 2 * p;
  const pw = w + 2 * p;
  const padded = new Float64Array(c * ph * pw);
  for (let ch = 0; ch < c; ch++)
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) padded[(ch * ph + y + p) * pw + x + p] = input[(ch * h + y) * w + x];
  const oh = Math.floor((ph - d * (f - 1) - 1) / s) + 1;
  const ow = Math.floor((pw - d * (f - 1) - 1) / s) + 1;
  const out = [];
  for (let k = 0; k < o; k++)
    for (let y = 0; y < oh; y++)
      for (let x = 0; x < ow; x++) {
        let total = bias ? bias[k] : 0;
        for (let ch = 0; ch < c; ch++)
          for (let i = 0; i < f; i++)
            for (let j = 0; j < f; j++)
              total += padded[(ch * ph + y * s + i * d) * pw + x * s + j * d] * weight[((k * c + ch) * f + i) * f + j];
        out.push(total);
      }
  return { out, shape: [o, oh, ow] };
}

test("a cell's products sum, over window and channels, plus bias, to the convolution", () => {
  const config = { height: 6, width: 5, in_channels: 2, out_channels: 3, kernel: 3, padding: 2, stride: 2, dilation: 2, bias: true };
  const input = Float32Array.from({ length: 2 * 6 * 5 }, (_, i) => Math.sin(i));
  const weight = Float32Array.from({ length: 3 * 2 * 3 * 3 }, (_, i) => Math.cos(i));
  const bias = Float32Array.from([0.5, -1, 2]);
  const { out, shape } = referenceConv(input, weight, bias, config);
  assert.deepEqual(shape, [3, sideFormula({ n: 6, f: 3, p: 2, s: 2, d: 2 }).size, sideFormula({ n: 5, f: 3, p: 2, s: 2, d: 2 }).size]);
  out.forEach((expected, k) => {
    const cell = cellProducts(input, weight, bias, positionAt(k, shape), config);
    assert.ok(Math.abs(cell.total - expected) < 1e-9, `cell ${k}`);
    assert.equal(cell.channels.length, 2);
    assert.equal(cell.channels[0].terms.length, 9);
  });
  const corner = cellProducts(input, weight, bias, { o: 1, row: 0, col: 0 }, config);
  assert.equal(corner.bias, -1);
  assert.ok(corner.channels[0].terms[0].padding);
  assert.equal(corner.channels[0].terms[0].x, 0);
  assert.equal(corner.channels[0].terms[4].x, input[0]);
});

test("without a bias the total is the products' sum alone", () => {
  const config = { height: 1, width: 1, in_channels: 1, out_channels: 1, kernel: 1, padding: 0, stride: 1, dilation: 1 };
  const cell = cellProducts([3], [2], null, { o: 0, row: 0, col: 0 }, config);
  assert.equal(cell.bias, null);
  assert.equal(cell.total, 6);
});
