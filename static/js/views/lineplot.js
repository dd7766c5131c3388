// @ts-check
// Line plot: a few series of numbers over a shared x (values or step numbers) on one canvas, with the
// axis ends printed and an optional vertical marker; symlog squeezes values that span many magnitudes.

import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

const PAD = { left: 64, right: 10, top: 10, bottom: 26 };
const FONT = "13px system-ui, sans-serif";

/** sign(v) · log10(1 + |v|): monotone, defined at 0 and for negative values. */
export const symlog = (v) => Math.sign(v) * Math.log10(1 + Math.abs(v));
const unsymlog = (s) => Math.sign(s) * (10 ** Math.abs(s) - 1);

/** Mount an empty plot into `el`; `label` names it for screen readers. */
export function mount(el, { label = "", height = 200 } = {}) {
  const canvas = element("canvas", "lineplot-canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const root = element("div", "lineplot", canvas);
  el.append(root);
  const view = { root, canvas, height, props: null };
  view.resize = new ResizeObserver(() => view.props && draw(view));
  view.resize.observe(root);
  return view;
}

/**
 * Draw `series` [{values, color, width?}] over `x` (an array, or null for 0, 1, 2…), the y axis in
 * symlog when `log`, and a vertical line at `marker` (an x value) when given.
 */
export function update(view, props) {
  view.props = props;
  draw(view);
}

/** Remove the plot. */
export function destroy(view) {
  view.resize.disconnect();
  view.root.remove();
}

function draw(view) {
  const { canvas } = view;
  const { x = null, series, log = false, marker = null } = view.props;
  const width = view.root.clientWidth || 320;
  const ratio = devicePixelRatio || 1;
  canvas.width = width * ratio;
  canvas.height = view.height * ratio;
  canvas.style.height = `${view.height}px`;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, view.height);
  const ys = (v) => (log ? symlog(v) : v);
  const count = Math.max(0, ...series.map((s) => s.values.length));
  const xAt = (i) => (x ? x[i] : i);
  const xs = x ? [x[0], x[x.length - 1]] : [0, Math.max(1, count - 1)];
  const all = series.flatMap((s) => Array.from(s.values, ys)).filter(Number.isFinite);
  if (all.length === 0) return;
  let [low, high] = [Math.min(...all), Math.max(...all)];
  if (low === high) [low, high] = [low - 1, high + 1];
  const px = (v) => PAD.left + ((v - xs[0]) / (xs[1] - xs[0] || 1)) * (width - PAD.left - PAD.right);
  const py = (v) => PAD.top + ((high - ys(v)) / (high - low)) * (view.height - PAD.top - PAD.bottom);
  axes(context, width, view.height, { xs, low: log ? unsymlog(low) : low, high: log ? unsymlog(high) : high, py });
  if (marker !== null) {
    context.strokeStyle = "#999";
    context.beginPath();
    context.moveTo(px(marker), PAD.top);
    context.lineTo(px(marker), view.height - PAD.bottom);
    context.stroke();
  }
  for (const { values, color, width: lineWidth = 2 } of series) {
    context.strokeStyle = color;
    context.lineWidth = lineWidth;
    context.beginPath();
    Array.from(values).forEach((v, i) => (i ? context.lineTo(px(xAt(i)), py(v)) : context.moveTo(px(xAt(i)), py(v))));
    context.stroke();
  }
  context.lineWidth = 1;
}

function axes(context, width, height, { xs, low, high, py }) {
  context.strokeStyle = "#bbb";
  context.strokeRect(PAD.left, PAD.top, width - PAD.left - PAD.right, height - PAD.top - PAD.bottom);
  context.fillStyle = "#222";
  context.font = FONT;
  context.textAlign = "right";
  context.fillText(formatValue(high), PAD.left - 6, PAD.top + 10);
  context.fillText(formatValue(low), PAD.left - 6, height - PAD.bottom);
  if (low < 0 && high > 0) {
    context.strokeStyle = "#ddd";
    context.beginPath();
    context.moveTo(PAD.left, py(0));
    context.lineTo(width - PAD.right, py(0));
    context.stroke();
  }
  context.textAlign = "left";
  context.fillText(formatValue(xs[0]), PAD.left, height - 8);
  context.textAlign = "right";
  context.fillText(formatValue(xs[1]), width - PAD.right, height - 8);
}
