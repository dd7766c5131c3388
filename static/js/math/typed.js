// @ts-check
// Numbers typed by hand: tolerant parsing (the typographic minus −, a decimal comma) and nesting
// a flat list into the [C][H][W] arrays that the protocol's typed inputs take.

/**
 * The number in `text` ("0.5", "−2", "1,5", "3e-2"), or null when it is not one or not finite.
 * @param {unknown} text
 * @returns {number | null}
 */
export function parseNumber(text) {
  const cleaned = String(text).trim().replace(/[−–]/g, "-").replace(",", ".");
  if (cleaned === "") return null;
  const value = Number(cleaned);
  return Number.isFinite(value) ? value : null;
}

/**
 * Flat row-major `values` as nested arrays of `shape` ([C, H, W] → C planes of H rows of W).
 * @param {number[]} values
 * @param {number[]} shape
 * @returns {any[]}
 */
export function nest(values, shape) {
  if (shape.length === 1) return Array.from(values.slice(0, shape[0]));
  const size = shape.slice(1).reduce((n, d) => n * d, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(values.slice(i * size, (i + 1) * size), shape.slice(1)));
}
