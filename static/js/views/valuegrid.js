// @ts-check
// Value grid: a [C, H, W] tensor as planes of square cells, each cell coloured by its value and
// showing the number itself when cells are large enough to read (colour alone when they are not).
// Optional: a ring of padding cells labelled with what padding means (−∞ for max, 0 for average),
// a window frame over f×f cells, marks (CSS classes) on chosen cells, a click callback, a hover readout.

import { colorOf, inkOn } from "../math/colormap.js";
import { element } from "./parts/dom.js";
import { attachReadout } from "./parts/readout.js";

// Below this many CSS pixels per cell the numbers are hidden and only the colours remain.
const NUMBERS_MIN_CELL_PX = 30;

/**
 * Mount an empty grid into `el`.
 * @param {HTMLElement} el
 * @param {{onPick?: (index: number) => void, onHover?: (index: number|null) => void,
 *   describe?: (index: number) => string|null, label?: string}} opts
 *   onPick: a cell was clicked (flat index into [C, H, W]); onHover: the pointer is over a cell
 *   (null: over none); describe: the readout text of the cell under the pointer; label: the
 *   tensor's name (data-tensor, for tests and styling).
 */
export function mount(el, { onPick = null, onHover = null, describe = null, label = "" } = {}) {
  const planes = element("div", "valuegrid-planes");
  const root = element("div", "valuegrid", planes);
  if (label) root.dataset.tensor = label;
  if (onPick) root.classList.add("pickable");
  el.append(root);
  const view = { root, planes, onPick, onHover, describe, shape: null, padding: -1, cells: [], planeElements: [], windowBox: null, marks: new Map() };
  view.resize = new ResizeObserver(() => fitNumbers(view));
  view.resize.observe(planes);
  return view;
}

/**
 * Show `values` (flat, row-major) of `shape` [C, H, W] on a scale from scaleFor. `padding` cells
 * ring each plane, labelled `padText`. Cells are rebuilt only when the shape or padding change.
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, shape: number[], scale: import('../math/colormap.js').Scale, padding?: number, padText?: string}} props
 */
export function update(view, { values, shape, scale, padding = 0, padText = "" }) {
  if (!sameShape(view.shape, shape) || view.padding !== padding) build(view, shape, padding, padText);
  view.values = values;
  view.cells.forEach((cell, index) => {
    const value = values[index];
    const rgb = colorOf(value, scale);
    cell.style.backgroundColor = `rgb(${rgb.join(" ")})`;
    cell.style.color = inkOn(rgb);
    cell.textContent = cellText(value);
  });
}

/** Frame the window `{channel, top, left, size}` (top/left may be negative: padding), or none (null). */
export function setWindow(view, window) {
  view.windowBox?.remove();
  view.windowBox = null;
  if (!window || !view.shape) return;
  const box = element("div", "valuegrid-window");
  box.style.gridRow = `${window.top + view.padding + 1} / span ${window.size}`;
  box.style.gridColumn = `${window.left + view.padding + 1} / span ${window.size}`;
  view.planeElements[window.channel]?.append(box);
  view.windowBox = box;
}

/** Give exactly the cells at `indices` (flat) the CSS class `name` (others lose it). */
export function mark(view, name, indices) {
  for (const index of view.marks.get(name) ?? []) view.cells[index]?.classList.remove(name);
  const kept = [...indices].filter((index) => view.cells[index]);
  for (const index of kept) view.cells[index].classList.add(name);
  view.marks.set(name, kept);
}

/**
 * Remove the grid.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.resize.disconnect();
  view.root.remove();
}

function sameShape(a, b) {
  return a !== null && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** One plane per channel, each a CSS grid of (H + 2p) × (W + 2p) cells. */
function build(view, shape, padding, padText) {
  const [channels, height, width] = shape;
  view.shape = [...shape];
  view.padding = padding;
  view.cells = [];
  view.marks = new Map();
  view.windowBox = null;
  const side = width + 2 * padding;
  view.planeElements = Array.from({ length: channels }, (_, channel) => {
    const plane = element("div", "valuegrid-plane");
    plane.dataset.channel = channel;
    plane.style.setProperty("--columns", side);
    for (let row = -padding; row < height + padding; row++) {
      for (let column = -padding; column < width + padding; column++) {
        const inside = row >= 0 && row < height && column >= 0 && column < width;
        plane.append(inside ? valueCell(view, channel, row, column) : element("div", "valuegrid-cell pad", padText));
      }
    }
    attachReadout(view.root, plane, (fx, fy) => {
      const index = indexAt(view, channel, fx, fy);
      return index === null || !view.describe || !view.values ? null : view.describe(index);
    });
    if (view.onHover) {
      plane.addEventListener("pointermove", (event) => {
        const box = plane.getBoundingClientRect();
        view.onHover(indexAt(view, channel, (event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height));
      });
      plane.addEventListener("pointerleave", () => view.onHover(null));
    }
    return plane;
  });
  // Several channels: each plane under its channel number c.
  view.planes.replaceChildren(
    ...view.planeElements.map((plane, channel) =>
      channels > 1 ? captioned(plane, `c = ${channel}`) : plane,
    ),
  );
  fitNumbers(view);
}

function captioned(plane, caption) {
  const item = element("figure", "valuegrid-item", element("figcaption", "", caption), plane);
  item.style.setProperty("--columns", plane.style.getPropertyValue("--columns"));
  return item;
}

function valueCell(view, channel, row, column) {
  const [, height, width] = view.shape;
  const cell = element("div", "valuegrid-cell");
  const index = (channel * height + row) * width + column;
  cell.dataset.index = index;
  view.cells[index] = cell;
  if (view.onPick) cell.addEventListener("click", () => view.onPick(index));
  return cell;
}

/** The flat index of the cell at (fx, fy) across a plane (0–1 each way), or null on padding. */
function indexAt(view, channel, fx, fy) {
  const [, height, width] = view.shape;
  const side = (n) => n + 2 * view.padding;
  const row = Math.floor(fy * side(height)) - view.padding;
  const column = Math.floor(fx * side(width)) - view.padding;
  if (row < 0 || row >= height || column < 0 || column >= width) return null;
  return (channel * height + row) * width + column;
}

/** Show numbers when a cell is wide enough to read them; their size follows the cell's. */
function fitNumbers(view) {
  const plane = view.planeElements?.[0];
  if (!plane || !view.shape) return;
  const cellPx = plane.clientWidth / (view.shape[2] + 2 * view.padding);
  view.root.classList.toggle("numbers", cellPx >= NUMBERS_MIN_CELL_PX);
  view.root.style.setProperty("--cell-font", `${Math.min(22, Math.max(10, cellPx * 0.28)).toFixed(1)}px`);
}

/**
 * A value short enough for a cell (at most about five characters): two decimals below 10, one
 * below 100, whole numbers above; "≈0" for a non-zero value that rounds to 0. The readout shows the
 * full value; /pool's arithmetic prints its numbers like the cells (views/poolcalc.js).
 */
export function cellText(value) {
  if (value === 0 || !Number.isFinite(value)) return String(value === 0 ? 0 : value);
  const magnitude = Math.abs(value);
  const digits = magnitude < 10 ? 2 : magnitude < 100 ? 1 : 0;
  const text = String(Number(value.toFixed(digits)));
  return text === "0" || text === "-0" ? "≈0" : text;
}
