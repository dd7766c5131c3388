// @ts-check
// Feature maps: a [C, H, W] tensor (or [..., H, W], e.g. C1's kernels [6, 1, 5, 5]) as a grid of
// maps on ONE canvas, one pixel per value, the maps a transparent pixel apart, shown larger by CSS
// (pixelated) so every value stays a crisp square. One canvas per tensor, not one per map: every
// canvas the page repaints costs the browser a compositor resource per frame. The canvas and its
// ImageData are made once per shape and repainted in place.
//
// Map c sits at column c % columns, row ⌊c / columns⌋: its value (y, x) is the canvas pixel
// (column·(W + GAP) + x, row·(H + GAP) + y). The canvas carries `data-columns` (tests, readers).

import { t } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { paintValues } from "../math/colormap.js";
import { element } from "./parts/dom.js";
import { attachReadout } from "./parts/readout.js";

/** Canvas pixels between two maps (left transparent). */
export const GAP = 1;

/**
 * Mount an empty grid into `el`.
 * @param {HTMLElement} el
 * @param {{size?: number, columns?: number}} opts size: about how many CSS pixels wide each map is
 *   shown at most; columns: maps per row (default ⌈√C⌉).
 */
export function mount(el, { size = 84, columns = null } = {}) {
  const canvas = /** @type {HTMLCanvasElement} */ (element("canvas"));
  const root = element("div", "featuremaps", canvas);
  el.append(root);
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  const view = { root, canvas, context, size, columns, layout: null, image: null, values: null };
  attachReadout(root, canvas, (fx, fy) => describeValue(view, fx, fy));
  return view;
}

/**
 * Draw `values` (flat, row-major) of `shape` [..., H, W] with a colour scale from scaleFor.
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, shape: number[], scale: import('../math/colormap.js').Scale}} props
 */
export function update(view, { values, shape, scale }) {
  const layout = ensureLayout(view, shape);
  const { count, height, width, columns } = layout;
  const data = view.image.data;
  view.values = values;
  for (let c = 0; c < count; c++) {
    const left = (c % columns) * (width + GAP);
    const top = Math.floor(c / columns) * (height + GAP);
    for (let y = 0; y < height; y++) {
      paintValues(values, (c * height + y) * width, width, scale, data, (top + y) * view.canvas.width + left);
    }
  }
  view.context.putImageData(view.image, 0, 0);
}

/**
 * Remove the grid.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

/** The maps' arrangement for `shape`; the canvas is sized (and its ImageData made) only when it changes. */
function ensureLayout(view, shape) {
  const [height, width] = shape.slice(-2);
  const count = shape.slice(0, -2).reduce((n, d) => n * d, 1);
  const old = view.layout;
  if (old && old.count === count && old.height === height && old.width === width) return old;
  const columns = view.columns ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  view.canvas.width = columns * (width + GAP) - GAP;
  view.canvas.height = rows * (height + GAP) - GAP;
  view.canvas.dataset.columns = String(columns);
  view.root.style.setProperty("--width", `${columns * view.size}px`);
  view.image = view.context.createImageData(view.canvas.width, view.canvas.height);
  view.layout = { count, height, width, columns };
  return view.layout;
}

/** The value under the pointer (fx, fy: 0–1 across the canvas); null over a gap. */
function describeValue(view, fx, fy) {
  if (!view.values || !view.layout) return null;
  const { count, height, width, columns } = view.layout;
  const px = Math.min(view.canvas.width - 1, Math.floor(fx * view.canvas.width));
  const py = Math.min(view.canvas.height - 1, Math.floor(fy * view.canvas.height));
  const [x, y] = [px % (width + GAP), py % (height + GAP)];
  const channel = Math.floor(py / (height + GAP)) * columns + Math.floor(px / (width + GAP));
  if (x >= width || y >= height || channel >= count) return null;
  const value = view.values[(channel * height + y) * width + x];
  return t("readout.map", { c: channel, y, x, v: formatValue(value) });
}
