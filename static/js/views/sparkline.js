// @ts-check
// Sparkline: a small line chart of a list of values (the inertia per k-means iteration, the mean
// return per training step), scaled to its own range, with the range written beside it.

import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

const WIDTH = 280;
const HEIGHT = 70;

/** Mount an empty sparkline into `el`; `label` names it for tests (data-view). */
export function mount(el, { label = "sparkline", color = "#0072B2" } = {}) {
  const canvas = element("canvas", "sparkline");
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  canvas.dataset.view = label;
  const range = element("span", "sparkline-range");
  const root = element("div", "sparkline-box", canvas, range);
  el.append(root);
  return { root, canvas, range, color };
}

/** Draw `values` (an array-like of numbers). */
export function update(view, { values }) {
  const ctx = view.canvas.getContext("2d");
  ctx.clearRect(0, 0, WIDTH, HEIGHT);
  if (values.length === 0) return;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const x = (i) => (values.length === 1 ? WIDTH / 2 : (i / (values.length - 1)) * (WIDTH - 4) + 2);
  const y = (v) => HEIGHT - 4 - ((v - lo) / span) * (HEIGHT - 8);
  ctx.strokeStyle = view.color;
  ctx.lineWidth = 2;
  ctx.beginPath();
  values.forEach((v, i) => ctx[i ? "lineTo" : "moveTo"](x(i), y(v)));
  ctx.stroke();
  view.range.textContent = `${formatValue(lo)} … ${formatValue(hi)}`;
}

/** Remove the sparkline. */
export function destroy(view) {
  view.root.remove();
}
