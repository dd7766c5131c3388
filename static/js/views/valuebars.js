// @ts-check
// Value bars: a 1-D tensor of any sign as one bar per value, up from a zero line (down when
// negative), coloured by the same scale as the maps. A strip's canvas and readout, drawn as bars.

import { colorOf } from "../math/colormap.js";
import * as strip from "./strip.js";

const BAR_PX = 8;
const HEIGHT_PX = 120;

/**
 * Mount an empty bar chart into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const view = strip.mount(el);
  view.canvas.height = HEIGHT_PX;
  view.root.classList.add("valuebars");
  return view;
}

/**
 * Draw `values` with a scale from scaleFor (its ends are the chart's top and bottom).
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, scale: import('../math/colormap.js').Scale}} props
 */
export function update(view, { values, scale }) {
  view.values = values;
  const { canvas } = view;
  if (canvas.width !== values.length * BAR_PX) canvas.width = values.length * BAR_PX;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const span = scale.max - scale.min || 1;
  const y = (value) => canvas.height * ((scale.max - value) / span);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = colorOf(values[i], scale);
    context.fillStyle = `rgb(${r}, ${g}, ${b})`;
    const top = y(Math.max(values[i], 0));
    context.fillRect(i * BAR_PX + 1, top, BAR_PX - 2, Math.max(1, y(Math.min(values[i], 0)) - top));
  }
  context.fillStyle = "#888";
  context.fillRect(0, Math.min(canvas.height - 1, y(0)), canvas.width, 1);
}

export { destroy } from "./strip.js";
