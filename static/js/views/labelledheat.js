// @ts-check
// A matrix as a heat map on a canvas with a character (or short label) per row and per column:
// seq2seq's attention (output characters × input characters) and its context vectors (output
// characters × units). Cells are square; the pointer's cell is described by `describe(row, column)`
// and a click on a row picks it (outlined).

import { colorOf } from "../math/colormap.js";
import { element } from "./parts/dom.js";

const CELL_PX = 20;
const LABEL_PX = 22; // the band of labels left of the rows and above the columns
const FONT = "13px ui-monospace, monospace";

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
  const view = { root, canvas, readout, rows: 0, columns: 0 };
  const cellAt = (event) => {
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * canvas.width - LABEL_PX;
    const y = ((event.clientY - box.top) / box.height) * canvas.height - LABEL_PX;
    const row = Math.floor(y / CELL_PX);
    const column = Math.floor(x / CELL_PX);
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

/** The canvas position (x, y) of the centre of cell (row, column): for tests and outlines. */
export function cellCentre(row, column) {
  return [LABEL_PX + (column + 0.5) * CELL_PX, LABEL_PX + (row + 0.5) * CELL_PX];
}

/**
 * Paint `values` ([rows, columns], row-major) on `scale` (colormap.js scaleFor), the labels
 * (strings, one per row and per column; null leaves a band empty) and an outline round row `picked`.
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, rows: number, columns: number, rowLabels: string[] | null, columnLabels: string[] | null, scale: import('../math/colormap.js').Scale, picked?: number | null}} props
 */
export function update(view, { values, rows, columns, rowLabels, columnLabels, scale, picked = null }) {
  Object.assign(view, { rows, columns });
  const { canvas } = view;
  canvas.width = LABEL_PX + columns * CELL_PX;
  canvas.height = LABEL_PX + rows * CELL_PX;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      context.fillStyle = `rgb(${colorOf(values[r * columns + c], scale).join(",")})`;
      context.fillRect(LABEL_PX + c * CELL_PX, LABEL_PX + r * CELL_PX, CELL_PX, CELL_PX);
    }
  }
  context.font = FONT;
  context.fillStyle = "#222";
  context.textAlign = "center";
  context.textBaseline = "middle";
  columnLabels?.forEach((label, c) => context.fillText(label, LABEL_PX + (c + 0.5) * CELL_PX, LABEL_PX / 2));
  rowLabels?.forEach((label, r) => context.fillText(label, LABEL_PX / 2, LABEL_PX + (r + 0.5) * CELL_PX));
  if (picked !== null && picked < rows) {
    context.lineWidth = 2;
    context.strokeStyle = "#000";
    context.strokeRect(LABEL_PX + 1, LABEL_PX + picked * CELL_PX + 1, columns * CELL_PX - 2, CELL_PX - 2);
  }
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
