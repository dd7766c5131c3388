// @ts-check
// Contour plot of a 2-D function: the server's grid of f values painted in bands of log(1 + f − min)
// with their edges drawn as contour lines, the optimizers' paths and points over it, the minima, the
// start, and an arrow along −∇f at one point. A click reports the (x, y) under it.

import { colorOf } from "../math/colormap.js";
import { element } from "./parts/dom.js";

const LEVELS = 16;
const ARROW_PX = 48;
/** @type {{kind: "sequential", min: number, max: number}} */
const SCALE = { kind: "sequential", min: 0, max: LEVELS - 1 };

/**
 * Mount into `el`; `onPick(x, y)` gets a clicked point in the function's coordinates.
 * @param {HTMLElement} el
 * @param {{label?: string, onPick?: (x: number, y: number) => void}} [opts]
 */
export function mount(el, { label = "", onPick = () => {} } = {}) {
  const canvas = element("canvas", "contour-canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const root = element("div", "contour", canvas);
  el.append(root);
  const view = { root, canvas, props: null, background: null, backgroundKey: null };
  canvas.addEventListener("click", (event) => {
    if (!view.props) return;
    const box = canvas.getBoundingClientRect();
    const [x, y] = toWorld(view.props.bounds, (event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
    onPick(x, y);
  });
  view.resize = new ResizeObserver(() => view.props && draw(view));
  view.resize.observe(root);
  return view;
}

/**
 * Draw `grid` ({data, shape: [G, G]}, row 0 at y_min) over `bounds` [x0, x1, y0, y1], `paths`
 * [{points (x, y pairs), color, diverged}], `minima` [[x, y]], `start` [x, y] and `arrow` {at, grad}.
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

/** Fractions (0–1 across, 0–1 down) of the plot → (x, y). */
function toWorld([x0, x1, y0, y1], fx, fy) {
  return [x0 + fx * (x1 - x0), y1 - fy * (y1 - y0)];
}

function draw(view) {
  const { canvas, props } = view;
  const [x0, x1, y0, y1] = props.bounds;
  const width = Math.min(view.root.clientWidth || 480, 640);
  const height = Math.round((width * (y1 - y0)) / (x1 - x0));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    view.backgroundKey = null;
  }
  const key = props.gridKey ?? props.grid.data;
  if (view.backgroundKey !== key) {
    view.background = paintBands(props.grid, width, height);
    view.backgroundKey = key;
  }
  const context = canvas.getContext("2d");
  context.putImageData(view.background, 0, 0);
  /** @param {ArrayLike<number>} p a point (x, y) → canvas pixels */
  const px = (p) => /** @type {[number, number]} */ ([((p[0] - x0) / (x1 - x0)) * width, ((y1 - p[1]) / (y1 - y0)) * height]);
  for (const minimum of props.minima) mark(context, px(minimum), "#fff", 5);
  mark(context, px(props.start), "#000", 4);
  for (const { points, color, diverged } of props.paths) drawPath(context, points, px, color, diverged);
  if (props.arrow) drawArrow(context, px(props.arrow.at), props.arrow.grad);
}

/** The grid sampled bilinearly at every pixel, banded, with band edges darkened (the contour lines). */
function paintBands(grid, width, height) {
  const [rows, cols] = grid.shape;
  const values = Array.from(grid.data);
  const min = Math.min(...values);
  const levels = values.map((v) => Math.log1p(v - min));
  const top = Math.max(...levels) || 1;
  const bandAt = new Int16Array(width * height);
  for (let py = 0; py < height; py++) {
    const gy = (1 - py / (height - 1)) * (rows - 1);
    for (let px = 0; px < width; px++) {
      const gx = (px / (width - 1)) * (cols - 1);
      bandAt[py * width + px] = Math.min(LEVELS - 1, Math.floor((bilinear(levels, cols, gx, gy) / top) * LEVELS));
    }
  }
  const image = new ImageData(width, height);
  for (let i = 0; i < bandAt.length; i++) {
    const edge = (i % width < width - 1 && bandAt[i + 1] !== bandAt[i]) || (i + width < bandAt.length && bandAt[i + width] !== bandAt[i]);
    const [r, g, b] = colorOf(bandAt[i], SCALE);
    const shade = edge ? 0.55 : 1;
    image.data.set([r * shade, g * shade, b * shade, 255], i * 4);
  }
  return image;
}

function bilinear(values, cols, gx, gy) {
  const c = Math.min(Math.floor(gx), cols - 2);
  const r = Math.min(Math.floor(gy), values.length / cols - 2);
  const fx = gx - c;
  const fy = gy - r;
  const at = (rr, cc) => values[rr * cols + cc];
  return (1 - fy) * ((1 - fx) * at(r, c) + fx * at(r, c + 1)) + fy * ((1 - fx) * at(r + 1, c) + fx * at(r + 1, c + 1));
}

function mark(context, [x, y], color, radius) {
  context.fillStyle = color;
  context.strokeStyle = "#000";
  context.beginPath();
  context.arc(x, y, radius, 0, 2 * Math.PI);
  context.fill();
  context.stroke();
}

function drawPath(context, points, px, color, diverged) {
  context.strokeStyle = color;
  context.lineWidth = 2.5;
  context.beginPath();
  for (let i = 0; i < points.length; i += 2) {
    const [x, y] = px([points[i], points[i + 1]]);
    if (i) context.lineTo(x, y);
    else context.moveTo(x, y);
  }
  context.stroke();
  context.lineWidth = 1;
  const last = px([points[points.length - 2], points[points.length - 1]]);
  if (diverged) {
    context.strokeStyle = color;
    context.lineWidth = 3;
    context.beginPath();
    context.moveTo(last[0] - 7, last[1] - 7);
    context.lineTo(last[0] + 7, last[1] + 7);
    context.moveTo(last[0] + 7, last[1] - 7);
    context.lineTo(last[0] - 7, last[1] + 7);
    context.stroke();
    context.lineWidth = 1;
  } else mark(context, last, color, 5);
}

/** An arrow of fixed length along −∇f (screen y points down, so its y flips). */
function drawArrow(context, [x, y], [gx, gy]) {
  const norm = Math.hypot(gx, gy);
  if (!(norm > 0)) return;
  const [dx, dy] = [(-gx / norm) * ARROW_PX, (gy / norm) * ARROW_PX];
  const [ex, ey] = [x + dx, y + dy];
  context.strokeStyle = "#fff";
  context.fillStyle = "#fff";
  context.lineWidth = 3;
  context.beginPath();
  context.moveTo(x, y);
  context.lineTo(ex, ey);
  context.stroke();
  const angle = Math.atan2(dy, dx);
  context.beginPath();
  context.moveTo(ex, ey);
  context.lineTo(ex - 10 * Math.cos(angle - 0.4), ey - 10 * Math.sin(angle - 0.4));
  context.lineTo(ex - 10 * Math.cos(angle + 0.4), ey - 10 * Math.sin(angle + 0.4));
  context.fill();
  context.lineWidth = 1;
}
