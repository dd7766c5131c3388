// @ts-check
// Convolution grid: the planes of a [N, H, W] tensor drawn on canvases, one cell per value,
// sized to fill the box (numbers to 3 decimals inside the cells when they are large enough to
// read, colour alone when not). For the convolution it can also show a ring of zero padding (grey, hatched,
// "0"), the padded rows/columns the kernel never reaches (orange), the kernel window with its
// dilated taps, cells not computed yet (blank) and the current cell, plus indices along the edges.

import { colorOf, inkOn } from "../math/colormap.js";
import { setText } from "../ui/i18n.js";
import { formatFixed } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import { attachReadout } from "./parts/readout.js";

const MAX_CELL_PX = 64;
const NUMBERS_MIN_CELL_PX = 30;
const LABELS_MIN_CELL_PX = 16;
const LABEL_MARGIN_PX = 18;
// Room around the cells for outlines that straddle the grid's edge.
const EDGE_PX = 3;
const PLANE_GAP_PX = 12;
// Okabe–Ito orange: the rows and columns the kernel never reaches (also in static/css/conv.css).
const UNREACHED = "#E69F00";
const PAD_FILL = "#d9d9d9";
const PAD_HATCH = "#9a9a9a";
const GRID_LINE = "rgba(0, 0, 0, 0.18)";
const FONT = "system-ui, -apple-system, 'Segoe UI', sans-serif";

/**
 * Mount an empty grid into `el`.
 * @param {HTMLElement} el
 * @param {{label?: string, caption?: Function, onPick?: Function, describe?: Function}} opts
 *   label: the tensor's name (data-tensor, for tests and styling); caption(plane) → {key, params}:
 *   the i18n text under each plane; onPick(plane, row, col) and describe(plane, row, col) → text:
 *   a click and the hover readout on a cell (padded coordinates).
 */
export function mount(el, { label = "", caption = null, onPick = null, describe = null } = {}) {
  const planes = element("div", "convgrid-planes");
  const root = element("div", "convgrid", planes);
  if (label) root.dataset.tensor = label;
  if (onPick) root.classList.add("pickable");
  el.append(root);
  const view = { root, planes, caption, onPick, describe, figures: [], state: null, layout: null };
  view.resize = new ResizeObserver(() => view.state && draw(view));
  view.resize.observe(root);
  return view;
}

/**
 * Draw `values` (flat, row-major) of `shape` [N, H, W] on a scale from scaleFor.
 * @param {object} state
 * @param {number} [state.padding] zero padding drawn around every plane
 * @param {[number[], number[]]} [state.unreached] padded rows and columns never reached
 * @param {(plane: number) => {window?: {top: number, left: number, span: number, taps: {row: number, col: number}[]},
 *   filled?: number, current?: {row: number, col: number}}} [state.marks] per plane: the kernel window
 *   (padded coordinates), how many cells (row by row) are computed so far, the current cell.
 */
export function update(view, { values, shape, scale, padding = 0, unreached = [[], []], marks = () => ({}) }) {
  view.state = { values, shape, scale, padding, unreached, marks };
  view.root.dataset.unreachedRows = unreached[0].join(" ");
  view.root.dataset.unreachedCols = unreached[1].join(" ");
  draw(view);
}

/**
 * Remove the grid.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.resize.disconnect();
  view.root.remove();
}

function draw(view) {
  const [count] = view.state.shape;
  ensurePlanes(view, count);
  view.layout = layoutFor(view);
  view.planes.style.setProperty("--per-row", view.layout.perRow);
  view.figures.forEach((figure, plane) => {
    if (view.caption) {
      const { key, params } = view.caption(plane);
      setText(figure.caption, key, params);
    }
    drawPlane(view, figure.canvas, plane);
  });
}

/** One <figure> (canvas and caption) per plane, rebuilt only when the count changes. */
function ensurePlanes(view, count) {
  if (view.figures.length === count) return;
  view.figures = Array.from({ length: count }, (_, plane) => {
    const canvas = element("canvas");
    canvas.dataset.plane = plane;
    const caption = element("figcaption");
    const figure = element("figure", "convgrid-plane", canvas, caption);
    canvas.addEventListener("click", (event) => {
      const cell = cellAt(view, canvas, event);
      if (cell && view.onPick) view.onPick(plane, cell.row, cell.col);
    });
    attachReadout(view.root, canvas, (fx, fy) => {
      const cell = cellAt(view, canvas, { fx, fy });
      return cell && view.describe ? view.describe(plane, cell.row, cell.col) : null;
    });
    return { figure, canvas, caption };
  });
  view.planes.replaceChildren(...view.figures.map(({ figure }) => figure));
}

/**
 * Cell size, label margin and planes per row: as many planes side by side as still leave
 * readable cells (else as many as leave cells of 8 px), the cells as large as the box allows.
 */
function layoutFor(view) {
  const { shape, padding } = view.state;
  const [count, height, width] = shape;
  const rows = height + 2 * padding;
  const cols = width + 2 * padding;
  const available = Math.max(view.root.clientWidth, 120);
  const fit = (perRow) => {
    const planeWidth = (available - PLANE_GAP_PX * (perRow - 1)) / perRow;
    const bare = Math.min(MAX_CELL_PX, Math.floor((planeWidth - 2 * EDGE_PX) / cols));
    const labelled = Math.min(MAX_CELL_PX, Math.floor((planeWidth - LABEL_MARGIN_PX - EDGE_PX) / cols));
    if (labelled >= LABELS_MIN_CELL_PX) return { cell: labelled, margin: LABEL_MARGIN_PX, labels: true };
    return { cell: Math.max(2, bare), margin: EDGE_PX, labels: false };
  };
  const choices = Array.from({ length: count }, (_, i) => count - i).map((perRow) => ({ perRow, ...fit(perRow) }));
  const best = choices.find((c) => c.cell >= NUMBERS_MIN_CELL_PX) ?? choices.find((c) => c.cell >= 8) ?? choices.at(-1);
  return { ...best, rows, cols };
}

/** The padded cell under a pointer event (or fractions {fx, fy} across the canvas), or null. */
function cellAt(view, canvas, point) {
  if (!view.layout) return null;
  const { cell, margin, rows, cols } = view.layout;
  const box = canvas.getBoundingClientRect();
  const fx = point.fx ?? (point.clientX - box.left) / box.width;
  const fy = point.fy ?? (point.clientY - box.top) / box.height;
  const col = Math.floor((fx * box.width - margin) / cell);
  const row = Math.floor((fy * box.height - margin) / cell);
  return row >= 0 && row < rows && col >= 0 && col < cols ? { row, col } : null;
}

function drawPlane(view, canvas, plane) {
  const { values, shape, scale, padding, unreached, marks } = view.state;
  const [, height, width] = shape;
  const { cell, margin, rows, cols } = view.layout;
  const ratio = window.devicePixelRatio || 1;
  const cssWidth = margin + cols * cell + EDGE_PX;
  const cssHeight = margin + rows * cell + EDGE_PX;
  canvas.style.width = `${cssWidth}px`;
  canvas.width = Math.round(cssWidth * ratio);
  canvas.height = Math.round(cssHeight * ratio);
  // Where cells lie in canvas pixels, for tests reading a cell's colour.
  Object.assign(canvas.dataset, { x0: margin * ratio, y0: margin * ratio, cell: cell * ratio });

  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, cssWidth, cssHeight);
  const { window: kernelWindow = null, filled = Infinity, current = null } = marks(plane);
  const numbers = cell >= NUMBERS_MIN_CELL_PX;
  const at = (row, col) => [margin + col * cell, margin + row * cell];
  const texts = [];

  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const [x, y] = at(row, col);
      const r = row - padding;
      const c = col - padding;
      if (r < 0 || c < 0 || r >= height || c >= width) {
        paintPadding(context, x, y, cell);
        if (numbers) texts.push({ x, y, text: "0", ink: "#333" });
        continue;
      }
      if (r * width + c >= filled) {
        context.fillStyle = "#fff";
        context.fillRect(x, y, cell, cell);
        continue;
      }
      const value = values[(plane * height + r) * width + c];
      const colour = colorOf(value, scale);
      context.fillStyle = `rgb(${colour.join(", ")})`;
      context.fillRect(x, y, cell, cell);
      if (numbers) texts.push({ x, y, text: formatFixed(value), ink: inkOn(colour) });
    }
  }
  paintGridLines(context, view.layout, padding, width, height);
  paintUnreached(context, view.layout, unreached);
  paintNumbers(context, texts, cell);
  if (view.layout.labels) paintIndices(context, view.layout, padding, height, width, unreached);
  if (kernelWindow) paintWindow(context, kernelWindow, at, cell);
  if (current) paintOutline(context, ...at(current.row, current.col), cell, cell);
}

let hatch = null;

/** Grey with diagonal hatching: a cell of zero padding. */
function paintPadding(context, x, y, cell) {
  hatch ??= hatchPattern(context);
  context.fillStyle = PAD_FILL;
  context.fillRect(x, y, cell, cell);
  context.fillStyle = hatch;
  context.fillRect(x, y, cell, cell);
}

function hatchPattern(context) {
  const tile = document.createElement("canvas");
  tile.width = 8;
  tile.height = 8;
  const g = /** @type {CanvasRenderingContext2D} */ (tile.getContext("2d"));
  g.strokeStyle = PAD_HATCH;
  g.lineWidth = 1.2;
  g.beginPath();
  g.moveTo(0, 8);
  g.lineTo(8, 0);
  g.moveTo(-2, 2);
  g.lineTo(2, -2);
  g.moveTo(6, 10);
  g.lineTo(10, 6);
  g.stroke();
  return context.createPattern(tile, "repeat");
}

/** Thin lines between cells (when there is room), a firm line around the unpadded input. */
function paintGridLines(context, { cell, margin, rows, cols }, padding, width, height) {
  if (cell >= 6) {
    context.strokeStyle = GRID_LINE;
    context.lineWidth = 1;
    context.beginPath();
    for (let row = 0; row <= rows; row++) {
      context.moveTo(margin, margin + row * cell + 0.5);
      context.lineTo(margin + cols * cell, margin + row * cell + 0.5);
    }
    for (let col = 0; col <= cols; col++) {
      context.moveTo(margin + col * cell + 0.5, margin);
      context.lineTo(margin + col * cell + 0.5, margin + rows * cell);
    }
    context.stroke();
  }
  if (padding > 0) {
    context.strokeStyle = "#333";
    context.lineWidth = 2;
    context.strokeRect(margin + padding * cell, margin + padding * cell, width * cell, height * cell);
  }
}

/** Orange wash and edge on every padded row and column the kernel never reaches. */
function paintUnreached(context, { cell, margin, rows, cols }, [unreachedRows, unreachedCols]) {
  context.fillStyle = "rgba(230, 159, 0, 0.35)";
  context.strokeStyle = UNREACHED;
  context.lineWidth = 3;
  for (const row of unreachedRows) {
    context.fillRect(margin, margin + row * cell, cols * cell, cell);
    context.strokeRect(margin + 1.5, margin + row * cell + 1.5, cols * cell - 3, cell - 3);
  }
  for (const col of unreachedCols) {
    context.fillRect(margin + col * cell, margin, cell, rows * cell);
    context.strokeRect(margin + col * cell + 1.5, margin + 1.5, cell - 3, rows * cell - 3);
  }
}

/** Values in the middle of their cells, all in one size: the largest at which the widest fits. */
function paintNumbers(context, texts, cell) {
  if (!texts.length) return;
  let size = Math.min(20, cell * 0.34);
  context.font = `600 ${size}px ${FONT}`;
  const widest = Math.max(...texts.map(({ text }) => context.measureText(text).width));
  if (widest > cell * 0.84) size *= (cell * 0.84) / widest;
  context.font = `600 ${size}px ${FONT}`;
  context.textAlign = "center";
  context.textBaseline = "middle";
  for (const { x, y, text, ink } of texts) {
    context.fillStyle = ink;
    context.fillText(text, x + cell / 2, y + cell / 2 + 0.5);
  }
}

/** Row and column indices of the unpadded input along the top and left edges. */
function paintIndices(context, { cell, margin, rows, cols }, padding, height, width, [unreachedRows, unreachedCols]) {
  context.font = `${Math.min(12, cell * 0.45)}px ${FONT}`;
  context.textAlign = "center";
  context.textBaseline = "middle";
  for (let col = 0; col < cols; col++) {
    if (col - padding < 0 || col - padding >= width) continue;
    context.fillStyle = unreachedCols.includes(col) ? "#9a5b00" : "#444";
    context.fillText(String(col - padding), margin + (col + 0.5) * cell, margin / 2);
  }
  for (let row = 0; row < rows; row++) {
    if (row - padding < 0 || row - padding >= height) continue;
    context.fillStyle = unreachedRows.includes(row) ? "#9a5b00" : "#444";
    context.fillText(String(row - padding), margin / 2, margin + (row + 0.5) * cell);
  }
}

/** The kernel window: its span outlined, and each dilated tap too when the taps are spread out. */
function paintWindow(context, { top, left, span, taps }, at, cell) {
  const [x, y] = at(top, left);
  paintOutline(context, x, y, span * cell, span * cell);
  if (taps.length && span > Math.sqrt(taps.length)) {
    for (const tap of taps) paintOutline(context, ...at(tap.row, tap.col), cell, cell, true);
  }
}

/** A black line edged with yellow on the cell boundary, visible on every colour of both maps. */
function paintOutline(context, x, y, w, h, thin = false) {
  const width = thin ? 2.5 : 5;
  context.lineWidth = width;
  context.strokeStyle = "#000";
  context.strokeRect(x, y, w, h);
  context.lineWidth = width / 2.5;
  context.strokeStyle = "#ffd400";
  context.strokeRect(x, y, w, h);
}
