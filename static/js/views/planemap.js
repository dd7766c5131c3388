// @ts-check
// A heatmap of values over the playground's square [−span, span]², optionally with the data points
// on top (class 1 dark red, class 0 dark blue, regression targets on the map's scale; test points
// ringed in black). A click reports the point of the plane under the pointer.

import { colorOf } from "../math/colormap.js";
import { paintRaster } from "./parts/raster.js";
import { element } from "./parts/dom.js";

/** Mount a `size`×`size` CSS-pixel map into `el`; `onPick({x1, x2})` gets clicks (none if absent). */
export function mount(el, { size = 300, label = "", span = 6, onPick = null } = {}) {
  const canvas = element("canvas", "planemap");
  canvas.width = canvas.height = size;
  canvas.style.width = `${size}px`; // its height follows its width (views.css): narrower on a small phone
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  el.append(canvas);
  const view = { canvas, size, span };
  if (onPick) {
    canvas.classList.add("planemap-pick");
    canvas.addEventListener("click", (event) => onPick(planePoint(view, event)));
  }
  return view;
}

/**
 * Paint the `grid`×`grid` values from `start` on `scale`; `discretize` rounds them to the scale's
 * ends; `points` {xy, targets, isTest, showTest, classify} draws the data on top.
 */
export function update(view, { values, start = 0, grid, scale, discretize = false, points = null }) {
  const shown = discretize ? rounded(values, start, grid * grid, scale) : values;
  paintRaster(view.canvas, shown, discretize ? 0 : start, grid, grid, scale);
  if (points) drawPoints(view, points, scale);
}

/** Remove the map. */
export function destroy(view) {
  view.canvas.remove();
}

/** The plane's (x1, x2) under a pointer event. */
function planePoint(view, event) {
  const box = view.canvas.getBoundingClientRect();
  const fx = (event.clientX - box.left) / box.width;
  const fy = (event.clientY - box.top) / box.height;
  return { x1: (fx * 2 - 1) * view.span, x2: (1 - fy * 2) * view.span };
}

function rounded(values, start, count, scale) {
  const middle = (scale.min + scale.max) / 2;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = values[start + i] > middle ? scale.max : scale.min;
  return out;
}

const CLASS_COLORS = ["#08306b", "#67000d"]; // class 0, class 1

function drawPoints(view, { xy, targets, isTest, showTest, classify }, scale) {
  const context = view.canvas.getContext("2d");
  const pixel = (v) => ((v / view.span + 1) / 2) * view.size;
  for (let i = 0; i < targets.length; i++) {
    const test = isTest[i] === 1;
    if (test && !showTest) continue;
    context.beginPath();
    context.arc(pixel(xy[2 * i]), view.size - pixel(xy[2 * i + 1]), 3.5, 0, 2 * Math.PI);
    context.fillStyle = classify ? CLASS_COLORS[targets[i] > 0.5 ? 1 : 0] : `rgb(${colorOf(targets[i], scale).join(",")})`;
    context.fill();
    context.lineWidth = test ? 2 : 1;
    context.strokeStyle = test ? "#000" : "#fff";
    context.stroke();
  }
}
