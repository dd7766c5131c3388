// @ts-check
// Index maths of one 2-D convolution (nn.Conv2d with zero padding p, stride s, dilation d):
// where the kernel window sits for each output cell, which cells of the padded input are padding,
// and the element-wise products behind one output value.
//
// Coordinates on the padded input run 0 … n + 2p − 1; padded row R is input row R − p.
// `config` is the session's config: {height, width, in_channels, out_channels, kernel, padding,
// stride, dilation, bias}.

/**
 * d·(f − 1) + 1: how many input rows (and columns) a dilated f×f kernel spans.
 * @param {number} f
 * @param {number} d
 * @returns {number}
 */
export function kernelSpan(f, d) {
  return d * (f - 1) + 1;
}

/**
 * The window of output cell (row, col): its top-left corner on the padded input, its span, and
 * its f×f taps `[{i, j, row, col}]` (kernel index i, j; padded coordinates row, col).
 * @param {number} row
 * @param {number} col
 * @param {{kernel: number, stride: number, dilation: number}} config
 */
export function windowAt(row, col, { kernel: f, stride: s, dilation: d }) {
  const top = row * s;
  const left = col * s;
  const taps = [];
  for (let i = 0; i < f; i++) {
    for (let j = 0; j < f; j++) taps.push({ i, j, row: top + i * d, col: left + j * d });
  }
  return { top, left, span: kernelSpan(f, d), taps };
}

/**
 * Whether padded cell (row, col) is padding (outside the height×width input).
 * @param {number} row
 * @param {number} col
 * @param {{height: number, width: number, padding: number}} config
 * @returns {boolean}
 */
export function isPadding(row, col, { height, width, padding }) {
  const r = row - padding;
  const c = col - padding;
  return r < 0 || c < 0 || r >= height || c >= width;
}

/**
 * The computation of output cell (o, row, col) from the server's tensors (flat, row-major):
 * `input` [C, H, W], `weight` [O, C, f, f], `bias` [O] or null. Returns
 * `{channels: [{terms: [{i, j, row, col, padding, x, w, product}], sum}], bias, total}` where
 * `total` = Σ channels' sums + bias, in double precision.
 */
export function cellProducts(input, weight, bias, { o, row, col }, config) {
  const { height, width, in_channels: channels, kernel: f, padding } = config;
  const { taps } = windowAt(row, col, config);
  const result = Array.from({ length: channels }, (_, c) => {
    const terms = taps.map(({ i, j, row: r, col: k }) => {
      const pad = isPadding(r, k, config);
      const x = pad ? 0 : input[(c * height + r - padding) * width + k - padding];
      const w = weight[((o * channels + c) * f + i) * f + j];
      return { i, j, row: r, col: k, padding: pad, x, w, product: x * w };
    });
    return { terms, sum: terms.reduce((total, term) => total + term.product, 0) };
  });
  const b = bias ? bias[o] : 0;
  return { channels: result, bias: bias ? b : null, total: result.reduce((total, c) => total + c.sum, b) };
}

/**
 * How many output cells there are: O·H′·W′ for `output` [O, H′, W′].
 * @param {number[]} shape
 * @returns {number}
 */
export function positionCount([channels, rows, cols]) {
  return channels * rows * cols;
}

/**
 * Output cell number k (channel by channel, then row by row) as {o, row, col}.
 * @param {number} k
 * @param {number[]} shape
 * @returns {{o: number, row: number, col: number}}
 */
export function positionAt(k, [, rows, cols]) {
  return { o: Math.floor(k / (rows * cols)), row: Math.floor(k / cols) % rows, col: k % cols };
}

/**
 * The number of output cell {o, row, col}: the inverse of positionAt.
 * @param {{o: number, row: number, col: number}} cell
 * @param {number[]} shape
 * @returns {number}
 */
export function positionIndex({ o, row, col }, [, rows, cols]) {
  return (o * rows + row) * cols + col;
}
