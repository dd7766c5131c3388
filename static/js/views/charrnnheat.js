// @ts-check
// The hidden state over a generated text as a heat strip: one row per unit, one column per
// character (units × time), on a diverging scale; the chosen unit's row and the chosen position's
// column are outlined. Click picks both; the pointer's cell is described by `describe(unit, t)`.

import { paintRaster } from "./parts/raster.js";
import { element } from "./parts/dom.js";

const COLUMN_PX = 4; // canvas pixels per character
const STRIP_PX = 256; // the strip's height in canvas pixels, whatever the number of units

/**
 * Mount into `el`; `onPick(unit, t)` on click, `describe(unit, t)` → text for the readout.
 * @param {HTMLElement} el
 * @param {{onPick: (unit: number, t: number) => void, describe: (unit: number, t: number) => string}} opts
 */
export function mount(el, { onPick, describe }) {
  const canvas = element("canvas", "charrnn-heat-canvas");
  const scroller = element("div", "charrnn-heat-scroll", canvas);
  const readout = element("p", "charrnn-heat-readout");
  const root = element("div", "charrnn-heat", scroller, readout);
  root.tabIndex = 0;
  const view = { root, canvas, readout, units: 0, length: 0 };
  /** @type {(event: MouseEvent) => [number, number]} the (unit, t) under the pointer */
  const cellAt = (event) => {
    const box = canvas.getBoundingClientRect();
    const t = Math.floor(((event.clientX - box.left) / box.width) * view.length);
    const unit = Math.floor(((event.clientY - box.top) / box.height) * view.units);
    return [Math.min(Math.max(unit, 0), view.units - 1), Math.min(Math.max(t, 0), view.length - 1)];
  };
  canvas.addEventListener("click", (event) => onPick(...cellAt(event)));
  canvas.addEventListener("pointermove", (event) => {
    if (view.units) readout.textContent = describe(...cellAt(event));
  });
  el.append(root);
  return view;
}

/**
 * Paint `hidden` ([units, length], row-major) on `scale`; outline row `unit` and column `t`.
 * @param {ReturnType<typeof mount>} view
 * @param {{hidden: ArrayLike<number>, units: number, length: number, scale: import('../math/colormap.js').Scale, unit: number, t: number}} props
 */
export function update(view, { hidden, units, length, scale, unit, t }) {
  const rowPx = Math.max(1, Math.floor(STRIP_PX / units));
  Object.assign(view, { units, length });
  view.canvas.width = length * COLUMN_PX;
  view.canvas.height = units * rowPx;
  view.canvas.style.width = `max(100%, ${view.canvas.width}px)`; // stretched to the box, scrolled when longer
  view.canvas.style.height = `${view.canvas.height}px`;
  paintRaster(view.canvas, hidden, 0, length, units, scale);
  const context = view.canvas.getContext("2d");
  context.lineWidth = 2;
  context.strokeStyle = "#000";
  context.strokeRect(0, unit * rowPx, view.canvas.width, rowPx);
  context.strokeRect(t * COLUMN_PX, 0, COLUMN_PX, view.canvas.height);
  view.readout.textContent = "";
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
