// @ts-check
// A function and its derivative over the same x axis, drawn together on a canvas: f in solid blue,
// f′ in dashed vermillion (Okabe–Ito), with the axes through zero and round tick labels.

import { linear, rangeOf, ticks } from "../math/plotaxes.js";
import { element } from "./parts/dom.js";

const COLORS = { y: "#0072B2", dy: "#D55E00", axis: "#888", grid: "#e6e6e6", text: "#333" };
const PAD = { left: 34, right: 8, top: 8, bottom: 20 };

/** Mount a plot of `width`×`height` CSS pixels into `el`; `label` names it for screen readers. */
export function mount(el, { label = "", width = 320, height = 200 } = {}) {
  const canvas = element("canvas", "fnplot");
  const ratio = globalThis.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`; // at most its card's width (views.css), the height following
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  el.append(canvas);
  return { canvas, width, height, ratio };
}

/**
 * Draw `y` and `dy` over `x` (typed arrays of one length); `show` picks "both", "f" or "df";
 * `range` fixes the y axis, else it fits what is shown.
 */
export function update(view, { x, y, dy, show = "both", range = null }) {
  const { canvas, width, height, ratio } = view;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  const shown = { both: [y, dy], f: [y], df: [dy] }[show];
  const [ylo, yhi] = range ?? rangeOf(shown);
  const px = linear([x[0], x[x.length - 1]], [PAD.left, width - PAD.right]);
  const py = linear([ylo, yhi], [height - PAD.bottom, PAD.top]);
  drawAxes(context, { px, py, x, ylo, yhi, width, height });
  if (show !== "f") drawLine(context, x, dy, px, py, COLORS.dy, [5, 4]);
  if (show !== "df") drawLine(context, x, y, px, py, COLORS.y, []);
}

/** Remove the plot. */
export function destroy(view) {
  view.canvas.remove();
}

function drawAxes(context, { px, py, x, ylo, yhi, width, height }) {
  context.font = "11px system-ui, sans-serif";
  context.lineWidth = 1;
  context.fillStyle = COLORS.text;
  for (const v of ticks(ylo, yhi, 4)) {
    context.strokeStyle = v === 0 ? COLORS.axis : COLORS.grid;
    horizontal(context, py(v), PAD.left, width - PAD.right);
    context.textAlign = "right";
    context.fillText(String(+v.toPrecision(3)), PAD.left - 4, py(v) + 4);
  }
  for (const v of ticks(x[0], x[x.length - 1], 6)) {
    context.strokeStyle = v === 0 ? COLORS.axis : COLORS.grid;
    context.beginPath();
    context.moveTo(px(v), PAD.top);
    context.lineTo(px(v), height - PAD.bottom);
    context.stroke();
    context.textAlign = "center";
    context.fillText(String(+v.toPrecision(3)), px(v), height - 6);
  }
}

function horizontal(context, y, x0, x1) {
  context.beginPath();
  context.moveTo(x0, y);
  context.lineTo(x1, y);
  context.stroke();
}

function drawLine(context, x, values, px, py, color, dash) {
  context.strokeStyle = color;
  context.lineWidth = 2;
  context.setLineDash(dash);
  context.beginPath();
  for (let i = 0; i < x.length; i++) {
    if (i === 0) context.moveTo(px(x[i]), py(values[i]));
    else context.lineTo(px(x[i]), py(values[i]));
  }
  context.stroke();
  context.setLineDash([]);
}
