// @ts-check
// Resizing a grid of numbers by area: each target cell is the mean of the source it covers.

/**
 * `grid` (rows of numbers, all of one length) resized to `height`×`width`: every target cell is
 * the mean of the source cells under it, weighted by how much of each it covers.
 * @param {number[][]} grid
 * @param {number} height
 * @param {number} width
 * @returns {number[][]}
 */
export function resizeArea(grid, height, width) {
  const rows = grid.length;
  const cols = grid[0].length;
  const spans = (count, size) =>
    Array.from({ length: count }, (_, t) => overlaps((t * size) / count, ((t + 1) * size) / count));
  const rowSpans = spans(height, rows);
  const colSpans = spans(width, cols);
  return rowSpans.map((rowParts) =>
    colSpans.map((colParts) => {
      let total = 0;
      let area = 0;
      for (const [r, wr] of rowParts) {
        for (const [c, wc] of colParts) {
          total += grid[r][c] * wr * wc;
          area += wr * wc;
        }
      }
      return total / area;
    }),
  );
}

/** The source cells under [start, end) with the length of each overlap: [[index, length], …]. */
function overlaps(start, end) {
  const parts = [];
  for (let i = Math.floor(start); i < end; i++) {
    const length = Math.min(end, i + 1) - Math.max(start, i);
    if (length > 1e-12) parts.push([i, length]);
  }
  return parts;
}
