// @ts-check
// A drawing (rows of ink values in [0, 1]) as short text for a lecture's view state: one hex digit
// per cell (16 levels), row after row; and back. A viewer's pad shows the presenter's strokes from it.

const LEVELS = 15;

/**
 * The drawing as text: one character 0–f per cell.
 * @param {number[][]} grid
 * @returns {string}
 */
export function encodeInk(grid) {
  return grid.map((row) => row.map((v) => Math.round(Math.min(1, Math.max(0, v)) * LEVELS).toString(16)).join("")).join("");
}

/**
 * The drawing back as `size` rows of `size` numbers in [0, 1]; null when `text` is not one.
 * @param {string|null} text @param {number} size
 * @returns {number[][]|null}
 */
export function decodeInk(text, size) {
  if (!text || text.length !== size * size || !/^[0-9a-f]+$/.test(text)) return null;
  return Array.from({ length: size }, (_, r) =>
    Array.from({ length: size }, (_, c) => parseInt(text[r * size + c], 16) / LEVELS),
  );
}
