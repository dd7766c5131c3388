// @ts-check
// Colour maps for tensors: perceptually uniform and colour-blind safe.
//
// - viridis (matplotlib's, sampled at 32 control points and interpolated) for magnitudes, [0, max];
// - a diverging blue–white–red map (ColorBrewer RdBu, reversed: blue negative, white 0, red
//   positive) for signed values, symmetric around zero, [−max|v|, +max|v|].
// Rule (scaleFor): data with any negative value, or declared signed, → diverging; else viridis.

/** @typedef {{kind: "sequential" | "diverging", min: number, max: number}} Scale a colour scale (scaleFor) */
/** @typedef {[number, number, number]} RGB a colour, 0–255 each */
/** @typedef {ArrayLike<number>} Values numbers in a row (an array or a typed array) */

// matplotlib viridis, 32 evenly spaced samples of its 256-entry table, as 0–255 RGB.
const VIRIDIS_POINTS = [
  [68, 1, 84], [71, 13, 96], [72, 24, 106], [72, 36, 117], [71, 46, 124], [69, 56, 130],
  [66, 65, 134], [62, 76, 138], [58, 84, 140], [54, 93, 141], [50, 101, 142], [46, 109, 142],
  [43, 117, 142], [40, 125, 142], [37, 132, 142], [34, 140, 141], [31, 148, 140], [30, 156, 137],
  [32, 163, 134], [37, 171, 130], [46, 179, 124], [58, 186, 118], [72, 193, 110], [88, 199, 101],
  [105, 205, 91], [127, 211, 78], [147, 215, 65], [168, 219, 52], [189, 223, 38], [213, 226, 26],
  [234, 229, 26], [253, 231, 37],
];

// ColorBrewer RdBu (11 classes), from negative (dark blue) through white-ish to positive (dark red).
const DIVERGING_POINTS = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

/** Linear interpolation through evenly spaced RGB control points, t in [0, 1]. */
function interpolate(points, t) {
  const x = Math.min(Math.max(t, 0), 1) * (points.length - 1);
  const i = Math.min(Math.floor(x), points.length - 2);
  const f = x - i;
  return points[i].map((c, k) => Math.round(c + (points[i + 1][k] - c) * f));
}

/** A table of `size` RGB triples (flat Uint8Array) sampled evenly from the control points. */
function buildTable(points, size) {
  const table = new Uint8Array(size * 3);
  for (let i = 0; i < size; i++) table.set(interpolate(points, i / (size - 1)), i * 3);
  return table;
}

// 256 levels for [0, max]; an odd 255 for [−m, m] so that exactly 0 lands on the middle entry.
const SEQUENTIAL_LEVELS = 256;
const DIVERGING_LEVELS = 255;
const TABLES = {
  sequential: buildTable(VIRIDIS_POINTS, SEQUENTIAL_LEVELS),
  diverging: buildTable(DIVERGING_POINTS, DIVERGING_LEVELS),
};

/**
 * The colour scale for a set of values: `{kind: "diverging", min: −m, max: m}` with m = max|v| when
 * any value is negative (or `signed` is set: weights, gradients), else `{kind: "sequential", min: 0, max}`.
 * @param {Values} values
 * @param {{signed?: boolean}} [options]
 * @returns {Scale}
 */
export function scaleFor(values, { signed = false } = {}) {
  let largest = 0;
  let negative = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < 0) negative = true;
    const magnitude = Math.abs(v);
    if (magnitude > largest && Number.isFinite(magnitude)) largest = magnitude;
  }
  if (negative || signed) return { kind: "diverging", min: -largest, max: largest };
  return { kind: "sequential", min: 0, max: largest };
}

/** Index of `value` in the scale's table (values outside the scale clamp to its ends). */
function levelOf(value, scale) {
  const span = scale.max - scale.min;
  const levels = scale.kind === "diverging" ? DIVERGING_LEVELS : SEQUENTIAL_LEVELS;
  if (!(span > 0)) return scale.kind === "diverging" ? (levels - 1) / 2 : 0;
  const t = (value - scale.min) / span;
  return Math.round(Math.min(Math.max(t, 0), 1) * (levels - 1)) || 0;
}

/**
 * The [r, g, b] (0–255) colour of one value on a scale from scaleFor.
 * @param {number} value
 * @param {Scale} scale
 * @returns {RGB}
 */
export function colorOf(value, scale) {
  const table = TABLES[scale.kind];
  const i = levelOf(value, scale) * 3;
  return [table[i], table[i + 1], table[i + 2]];
}

/**
 * Paint `count` values starting at `start` into RGBA pixels (`rgba`, e.g. an ImageData's data,
 * from pixel `at`), opaque.
 * @param {Values} values
 * @param {number} start
 * @param {number} count
 * @param {Scale} scale
 * @param {Uint8ClampedArray | Uint8Array} rgba
 * @param {number} [at]
 */
export function paintValues(values, start, count, scale, rgba, at = 0) {
  const table = TABLES[scale.kind];
  for (let p = 0, o = at * 4; p < count; p++, o += 4) {
    const i = levelOf(values[start + p], scale) * 3;
    rgba[o] = table[i];
    rgba[o + 1] = table[i + 1];
    rgba[o + 2] = table[i + 2];
    rgba[o + 3] = 255;
  }
}

/**
 * Readable ink on a background colour [r, g, b]: black on light colours, white on dark ones.
 * @param {RGB} rgb
 */
export function inkOn([r, g, b]) {
  const linear = (c) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  return Math.sqrt(luminance) > 0.55 ? "#000" : "#fff";
}
