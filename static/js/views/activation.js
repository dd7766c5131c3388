// @ts-check
// Activation: one module's output (or its gradient) drawn by rank, as the SDK streams it (batch
// axis kept): 4-D (1, C, H, W) → a grid of C feature maps; 3-D (1, T, F) → a units × time map
// (a row per unit); 2-D (B, F) → a heatmap (a row per sample); 1-D → value bars. A legend below.

import { scaleFor } from "../math/colormap.js";
import { tensorValues } from "../net/codec.js";
import * as featuremaps from "./featuremaps.js";
import * as legend from "./legend.js";
import * as valuebars from "./valuebars.js";

const KINDS = { 1: "bars", 2: "map", 3: "map", 4: "grid" };
const MAP_PX = { map: 360, grid: 120 }; // about how wide one map is drawn: a single map gets the room of a grid

/**
 * Mount an empty view into `el`, its legend into `opts.legend`.
 * @param {HTMLElement} el
 * @param {{legend: HTMLElement}} opts
 */
export function mount(el, { legend: legendEl }) {
  return { body: el, key: legend.mount(legendEl), kind: null, view: null };
}

/**
 * Draw `tensor` ({shape, data}); `signed` for gradients (a diverging scale around 0).
 * @param {ReturnType<typeof mount>} view
 * @param {{tensor: import('../net/codec.js').Tensor, signed?: boolean}} props
 */
export function update(view, { tensor, signed = false }) {
  const { shape } = tensor;
  let values = tensorValues(tensor);
  let mapShape = shape.length === 4 ? shape.slice(1) : shape;
  if (shape.length === 3) {
    values = unitsByTime(values, shape[1], shape[2]);
    mapShape = [shape[2], shape[1]];
  }
  const kind = KINDS[shape.length];
  if (view.kind !== kind) {
    view.body.replaceChildren();
    view.view = kind === "bars" ? valuebars.mount(view.body) : featuremaps.mount(view.body, { size: MAP_PX[kind] });
    view.kind = kind;
  }
  const scale = scaleFor(values, { signed });
  if (kind === "bars") valuebars.update(view.view, { values, scale });
  else featuremaps.update(view.view, { values, shape: mapShape, scale });
  legend.update(view.key, { scale });
  view.body.dataset.rank = String(shape.length);
}

/** Forget what was drawn (a module without this tensor). */
export function clear(view) {
  view.body.replaceChildren();
  view.kind = view.view = null;
}

/**
 * Remove what was drawn and the legend.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  clear(view);
  legend.destroy(view.key);
}

/** (T, F) row-major → (F, T): one row per unit, time running left to right. */
export function unitsByTime(values, steps, units) {
  const out = new Float32Array(values.length);
  for (let t = 0; t < steps; t++) for (let u = 0; u < units; u++) out[u * steps + t] = values[t * units + u];
  return out;
}
