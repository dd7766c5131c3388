// @ts-check
// Strip: a 1-D vector (C5's 120 units, F6's 84) as one row of coloured cells; hover shows a value.

import { t } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import { paintRaster } from "./parts/raster.js";
import { attachReadout } from "./parts/readout.js";

const CELL_PX = 6;
const HEIGHT_PX = 36;

/**
 * Mount an empty strip into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const canvas = element("canvas");
  canvas.height = HEIGHT_PX;
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
  if (view.canvas.width !== values.length * CELL_PX) view.canvas.width = values.length * CELL_PX;
  paintRaster(view.canvas, values, 0, values.length, 1, scale);
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
