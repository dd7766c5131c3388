// @ts-check
// Pooling geometry and the routes of its numbers (docs/protocol.md, pooling frames): which input
// cells one output cell's window covers, and which windows send gradient back to an input cell.
// Pure functions over the server's tensors; the page only arranges and labels what they return.

import { outputSize } from "./layers.js";
import { flatIndex } from "./tensorindex.js";

/**
 * The output shape [C, H', W'] of pooling a [C, H, W] input (floor semantics, as PyTorch).
 * @param {number[]} shape
 * @param {{kernel: number, stride: number, padding: number}} geometry
 * @returns {number[]}
 */
export function poolOutputShape([channels, height, width], { kernel, stride, padding }) {
  return [channels, outputSize(height, kernel, stride, padding), outputSize(width, kernel, stride, padding)];
}

/**
 * The window of output cell (i, j): its top-left input cell (negative inside the padding) and side f.
 * @param {number} i
 * @param {number} j
 * @param {{kernel: number, stride: number, padding: number}} geometry
 * @returns {{top: number, left: number, size: number}}
 */
export function windowOf(i, j, { kernel, stride, padding }) {
  return { top: i * stride - padding, left: j * stride - padding, size: kernel };
}

/**
 * The cells of a window row by row: `{row, column, inside}`, inside false on the padding ring.
 * @param {{top: number, left: number, size: number}} window
 * @param {number} height
 * @param {number} width
 */
export function windowCells({ top, left, size }, height, width) {
  const cells = [];
  for (let row = top; row < top + size; row++) {
    for (let column = left; column < left + size; column++) {
      cells.push({ row, column, inside: row >= 0 && row < height && column >= 0 && column < width });
    }
  }
  return cells;
}

/** Output indices along one axis whose window covers input position `x`. */
function coveringAlong(x, { kernel, stride, padding }, outSide) {
  const first = Math.max(0, Math.ceil((x + padding - kernel + 1) / stride));
  const last = Math.min(outSide - 1, Math.floor((x + padding) / stride));
  const indices = [];
  for (let i = first; i <= last; i++) indices.push(i);
  return indices;
}

/** The output cells `{i, j}` whose window covers input cell (row, column). */
export function coveringWindows(row, column, geometry, [outHeight, outWidth]) {
  const rows = coveringAlong(row, geometry, outHeight);
  const columns = coveringAlong(column, geometry, outWidth);
  return rows.flatMap((i) => columns.map((j) => ({ i, j })));
}

/**
 * What reaches input cell (channel, row, column) on the way back: one term per covering window
 * `{i, j, upstream, share}` — max pooling passes a window's whole upstream gradient to its argmax
 * cell only; average pooling gives each of the f·f cells upstream / (f·f) — and their sum.
 * `upstream` is output.grad [C, H', W'] (flat), `argmax` the int32 indices into each input plane or null.
 */
export function gradientTerms(op, { channel, row, column }, geometry, inShape, upstream, argmax) {
  const width = inShape[2];
  const [, outHeight, outWidth] = poolOutputShape(inShape, geometry);
  const area = geometry.kernel * geometry.kernel;
  const terms = [];
  for (const { i, j } of coveringWindows(row, column, geometry, [outHeight, outWidth])) {
    const k = flatIndex(channel, i, j, outHeight, outWidth);
    if (op === "max" && argmax[k] !== row * width + column) continue;
    terms.push({ i, j, upstream: upstream[k], share: op === "max" ? upstream[k] : upstream[k] / area });
  }
  return { terms, total: terms.reduce((sum, term) => sum + term.share, 0) };
}
