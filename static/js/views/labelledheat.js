// @ts-check
// A matrix as a heat map on a canvas with a character (or short label) per row and per column:
// seq2seq's attention (output characters × input characters) and its context vectors (output
// characters × units). Cells are square, as large as fit the panel's width (between MIN_CELL_PX and
// MAX_CELL_PX; a longer input scrolls); the pointer's cell is described by `describe(row, column)` and
// a click on a row picks it (outlined).

import { colorOf } from "../math/colormap.js";
import { element } from "./parts/dom.js";

const MAX_CELL_PX = 20;
const MIN_CELL_PX = 7;
const LABEL_PX = 22; // the band of labels left of the rows and above the columns

/**
 * Mount into `el`; `describe(row, column)` → the readout's text, `onPick(row)` on click.
 * @param {HTMLElement} el
 * @param {{describe: (row: number, column: number) => string, onPick?: (row: number) => void}} opts
 */
export function mount(el, { describe, onPick = () => {} }) {
  const canvas = element("canvas", "labelledheat-canvas");
  const scroller = element("div", "labelledheat-scroll", canvas);
  const readout = element("p", "labelledheat-readout");
  const root = element("div", "labelledheat", scroller, readout);
  el.append(root);
  const view = { root, canvas, readout, rows: 0, columns: 0, cell: MAX_CELL_PX };
  const cellAt = (event) => {
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * canvas.width - LABEL_PX;
    const y = ((event.clientY - box.top) / box.height) * canvas.height - LABEL_PX;
    const row = Math.floor(y / view.cell);
    const column = Math.floor(x / view.cell);
    return row >= 0 && row < view.rows && column >= 0 && column < view.columns ? [row, column] : null;
  };
  canvas.addEventListener("pointermove", (event) => {
    const cell = cellAt(event);
    readout.textContent = cell ? describe(cell[0], cell[1]) : "";
  });
  canvas.addEventListener("click", (event) => {
    const cell = cellAt(event);
    if (cell) onPick(cell[0]);
  });
  return view;
}

/**
 * The canvas position (x, y) of the centre of cell (row, column) as `view` draws it now: for tests.
 * @param {{cell: number}} view @param {number} row @param {number} column
 */
export function cellCentre(view, row, column) {
  return [LABEL_PX + (column + 0.5) * view.cell, LABEL_PX + (row + 0.5) * view.cell];
}

/**
 * Paint `values` ([rows, columns], row-major) on `scale` (colormap.js scaleFor), the labels
 * (strings, one per row and per column; null leaves a band empty) and an outline round row `picked`.
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, rows: number, columns: number, rowLabels: string[] | null, columnLabels: string[] | null, scale: import('../math/colormap.js').Scale, picked?: number | null}} props
 */
export function update(view, { values, rows, columns, rowLabels, columnLabels, scale, picked = null }) {
  const room = (view.root.clientWidth - LABEL_PX) / columns;
  const cell = Math.max(MIN_CELL_PX, Math.min(MAX_CELL_PX, Math.floor(room) || MAX_CELL_PX));
  Object.assign(view, { rows, columns, cell });
  const { canvas } = view;
  canvas.width = LABEL_PX + columns * cell;
  canvas.height = LABEL_PX + rows * cell;
  canvas.dataset.cell = String(cell); // the cell size, for tests
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      context.fillStyle = `rgb(${colorOf(values[r * columns + c], scale).join(",")})`;
      context.fillRect(LABEL_PX + c * cell, LABEL_PX + r * cell, cell, cell);
    }
  }
  context.font = `${Math.min(13, cell + 1)}px ui-monospace, monospace`;
  context.fillStyle = "#222";
  context.textAlign = "center";
  context.textBaseline = "middle";
  columnLabels?.forEach((label, c) => context.fillText(label, LABEL_PX + (c + 0.5) * cell, LABEL_PX / 2));
  rowLabels?.forEach((label, r) => context.fillText(label, LABEL_PX / 2, LABEL_PX + (r + 0.5) * cell));
  if (picked !== null && picked < rows) {
    context.lineWidth = 2;
    context.strokeStyle = "#000";
    context.strokeRect(LABEL_PX + 1, LABEL_PX + picked * cell + 1, columns * cell - 2, cell - 2);
  }
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
