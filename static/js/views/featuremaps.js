// @ts-check
// Feature maps: a [C, H, W] tensor (or [..., H, W], e.g. C1's kernels [6, 1, 5, 5]) as a grid of
// small canvases, one per map and one pixel per value, shown larger by CSS (pixelated) so every value
// stays a crisp square. The canvases are made once per shape and repainted in place.

import { t } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import { putRaster } from "./parts/raster.js";
import { attachReadout } from "./parts/readout.js";

/**
 * Mount an empty grid into `el`.
 * @param {HTMLElement} el
 * @param {{size?: number, columns?: number}} opts size: about how many CSS pixels wide each map is
 *   shown at most; columns: maps per row (default ⌈√C⌉).
 */
export function mount(el, { size = 84, columns = null } = {}) {
  const grid = element("div", "featuremaps-grid");
  const root = element("div", "featuremaps", grid);
  el.append(root);
  return { root, grid, size, columns, canvases: [], values: null, shape: null };
}

/**
 * Draw `values` (flat, row-major) of `shape` [..., H, W] with a colour scale from scaleFor.
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, shape: number[], scale: import('../math/colormap.js').Scale}} props
 */
export function update(view, { values, shape, scale }) {
  const [height, width] = shape.slice(-2);
  const count = shape.slice(0, -2).reduce((n, d) => n * d, 1);
  view.values = values;
  view.shape = shape;
  ensureCanvases(view, count, height, width);
  for (let c = 0; c < count; c++) {
    putRaster(view.canvases[c], values, c * height * width, width, height, scale);
  }
}

/**
 * Remove the grid.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

/** One canvas per map, rebuilt only when the count or map size changes. */
function ensureCanvases(view, count, height, width) {
  const first = view.canvases[0];
  if (view.canvases.length === count && first?.width === width && first?.height === height) return;
  view.grid.replaceChildren();
  view.grid.style.setProperty("--columns", view.columns ?? Math.ceil(Math.sqrt(count)));
  view.grid.style.setProperty("--cell", `${view.size}px`);
  view.canvases = Array.from({ length: count }, (_, channel) => {
    const canvas = element("canvas");
    canvas.width = width;
    canvas.height = height;
    canvas.dataset.channel = channel;
    view.grid.append(canvas);
    attachReadout(view.root, canvas, (fx, fy) => describeValue(view, channel, fx, fy));
    return canvas;
  });
}

function describeValue(view, channel, fx, fy) {
  if (!view.values) return null;
  const [height, width] = view.shape.slice(-2);
  const x = Math.min(width - 1, Math.floor(fx * width));
  const y = Math.min(height - 1, Math.floor(fy * height));
  const value = view.values[channel * height * width + y * width + x];
  return t("readout.map", { c: channel, y, x, v: formatValue(value) });
}
