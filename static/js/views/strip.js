// @ts-check
// Strip: a 1-D vector (C5's 120 units, F6's 84) as one row of coloured cells; hover shows a value.
// The canvas has one pixel per value, stretched by CSS (pixelated) into cells.

import { t } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import { putRaster } from "./parts/raster.js";
import { attachReadout } from "./parts/readout.js";


/**
 * Mount an empty strip into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const canvas = element("canvas");
  canvas.height = 1;
  const root = element("div", "strip", canvas);
  el.append(root);
  const view = { root, canvas, values: null };
  attachReadout(root, canvas, (fx) => describeValue(view, fx));
  return view;
}

/**
 * Draw `values` (any array of numbers) with a colour scale from scaleFor.
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, scale: import('../math/colormap.js').Scale}} props
 */
export function update(view, { values, scale }) {
  view.values = values;
  if (view.canvas.width !== values.length) view.canvas.width = values.length;
  putRaster(view.canvas, values, 0, values.length, 1, scale);
}

/**
 * Remove the strip.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

function describeValue(view, fx) {
  if (!view.values) return null;
  const index = Math.min(view.values.length - 1, Math.floor(fx * view.values.length));
  return t("readout.unit", { i: index, v: formatValue(view.values[index]) });
}
