// @ts-check
// Legend: the colour bar of a scale with its end values (and 0 in the middle of a diverging one).
// The bar's colours depend only on the scale's kind (it always spans min…max), so it is painted when
// the kind changes; the labels are written when their text changes.

import { formatValue } from "../math/numbers.js";
import { element, setTextIfChanged } from "./parts/dom.js";
import { paintRaster } from "./parts/raster.js";

const STEPS = 128;

/**
 * Mount an empty legend into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const bar = element("canvas");
  bar.width = STEPS;
  bar.height = 1;
  const [min, mid, max] = ["min", "mid", "max"].map((part) => element("span", `legend-${part}`));
  const root = element("div", "legend", bar, element("div", "legend-labels", min, mid, max));
  el.append(root);
  return { root, bar, min, mid, max, painted: "" };
}

/**
 * Show a scale from scaleFor.
 * @param {ReturnType<typeof mount>} view
 * @param {{scale: import('../math/colormap.js').Scale}} props
 */
export function update(view, { scale }) {
  const flat = !(scale.max > scale.min);
  const bar = `${scale.kind}${flat ? " flat" : ""}`;
  if (view.painted !== bar) {
    const ramp = Float32Array.from({ length: STEPS }, (_, i) => scale.min + ((scale.max - scale.min) * i) / (STEPS - 1));
    paintRaster(view.bar, ramp, 0, STEPS, 1, scale);
    view.root.dataset.kind = scale.kind;
    view.painted = bar;
  }
  setTextIfChanged(view.min, formatValue(scale.min));
  setTextIfChanged(view.mid, scale.kind === "diverging" ? "0" : "");
  setTextIfChanged(view.max, formatValue(scale.max));
}

/**
 * Remove the legend.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
