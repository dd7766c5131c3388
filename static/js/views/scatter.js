// @ts-check
// Scatter: words as points at their PCA coordinates, labelled, on a canvas. Two principal axes
// (x right, y up), or all three turned about the vertical axis by an angle (x' = x cos θ + z sin θ,
// nearer points larger). Both axes share one scale, so distances keep their proportions: the
// largest one that keeps the FIT_QUANTILE quantile of |x| (× MARGIN) within the half-width and that of
// |y| within the half-height, the origin in the middle. A robust fit: a few outlying words do not squeeze
// the cloud into a blob. A point beyond the frame is drawn clamped at EDGE pixels from its border, ringed,
// its label on the inner side. Marked points (the query, its neighbours, an analogy) are drawn last, in
// their colour, with their label in bold.

import { element } from "./parts/dom.js";

export const MARGIN = 1.15;
export const FIT_QUANTILE = 0.95; // the share of each axis's |coordinates| the scale fits
export const EDGE = 8; // CSS pixels between a clamped point and the canvas's border
export const POINT_RADIUS = 3.5; // CSS pixels
export const COLORS = { point: "#0072B2", query: "#D55E00", neighbour: "#009E73", analogy: "#CC79A7" };
const LABEL_COLOR = "#555";

/**
 * Mount an empty scatter into `el`; `label` names it for tests (data-view). `onDraw(beyond)` hears, after
 * each drawing (a resize included), how many points lie beyond the frame.
 * @param {HTMLElement} el
 * @param {{label?: string, height?: number, onDraw?: (clamped: number) => void}} opts
 */
export function mount(el, { label = "", height = 420, onDraw = () => {} } = {}) {
  const canvas = element("canvas", "scatter-canvas");
  const root = element("div", "scatter", canvas);
  if (label) root.dataset.view = label;
  el.append(root);
  const view = { root, canvas, height, onDraw, last: null, transform: null };
  view.resize = new ResizeObserver(() => view.last && update(view, view.last));
  view.resize.observe(root);
  return view;
}

/**
 * Draw `coords` (flat, N × k row-major) with `words`. `axes`: [i, j] for two axes, or
 * {turn: θ in degrees} for three. `marks`: Map(point index → COLORS key).
 * @param {ReturnType<typeof mount>} view
 * @param {{coords: ArrayLike<number>, k: number, words: string[], axes: [number, number] | {turn: number}, marks?: Map<number, string>}} props
 */
export function update(view, { coords, k, words, axes, marks = new Map() }) {
  view.last = { coords, k, words, axes, marks };
  const { canvas } = view;
  const ratio = window.devicePixelRatio || 1;
  const width = view.root.clientWidth || 480;
  const height = view.height;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);

  const points = project(coords, k, words.length, axes);
  const reach = (key) => Math.max(1e-12, quantile(points.map((p) => Math.abs(p[key])), FIT_QUANTILE)) * MARGIN;
  const unit = Math.min(width / 2 / reach("x"), height / 2 / reach("y"));
  const extent = Math.min(width, height) / 2 / unit; // depth's yardstick
  const transform = { cx: width / 2, cy: height / 2, unit, ratio };
  view.transform = transform;
  const clamp = (v, size) => Math.min(size - EDGE, Math.max(EDGE, v));
  const pixel = (p) => [clamp(transform.cx + p.x * unit, width), clamp(transform.cy - p.y * unit, height)];
  const depthShare = (p) => Math.max(-1, Math.min(1, p.depth / extent)); // a far point stays a dot
  const radius = (p) => POINT_RADIUS * (p.depth === undefined ? 1 : 1 + 0.35 * depthShare(p));

  ctx.strokeStyle = "#ddd";
  ctx.beginPath();
  ctx.moveTo(0, transform.cy);
  ctx.lineTo(width, transform.cy);
  ctx.moveTo(transform.cx, 0);
  ctx.lineTo(transform.cx, height);
  ctx.stroke();

  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  const order = points.map((_, i) => i).sort((a, b) => (marks.has(a) ? 1 : 0) - (marks.has(b) ? 1 : 0) || (points[a].depth ?? 0) - (points[b].depth ?? 0));
  view.pixels = points.map(pixel);
  view.clamped = points.map((p, i) => {
    const [x, y] = view.pixels[i];
    return x !== transform.cx + p.x * unit || y !== transform.cy - p.y * unit;
  });
  for (const i of order) {
    const [x, y] = view.pixels[i];
    const mark = marks.get(i);
    ctx.fillStyle = mark ? COLORS[mark] : LABEL_COLOR;
    ctx.font = mark ? "bold 12px system-ui, sans-serif" : "11px system-ui, sans-serif";
    const gap = radius(points[i]) + 2;
    const left = x + gap + ctx.measureText(words[i]).width > width; // no room on the right
    ctx.textAlign = left ? "right" : "left";
    ctx.fillText(words[i], left ? x - gap : x + gap, y);
  }
  ctx.textAlign = "left";
  for (const i of order) {
    const [x, y] = view.pixels[i];
    const r = radius(points[i]) * (marks.has(i) ? 1.4 : 1);
    ctx.fillStyle = ctx.strokeStyle = COLORS[marks.get(i) ?? "point"];
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.fill();
    if (!view.clamped[i]) continue;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.arc(x, y, r + 3, 0, 2 * Math.PI);
    ctx.stroke();
  }
  view.onDraw(view.clamped.filter(Boolean).length);
}

/** The q-quantile of `values`, interpolated linearly between the sorted neighbours (torch.quantile's rule). */
export function quantile(values, q) {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (at - below);
}

/**
 * The points in the plane: two chosen axes, or three turned by `axes.turn` degrees.
 * @returns {{x: number, y: number, depth?: number}[]}
 */
function project(coords, k, count, axes) {
  const at = (i, axis) => (axis < k ? coords[i * k + axis] : 0);
  if (Array.isArray(axes)) return Array.from({ length: count }, (_, i) => ({ x: at(i, axes[0]), y: at(i, axes[1]) }));
  const angle = (axes.turn * Math.PI) / 180;
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return Array.from({ length: count }, (_, i) => ({
    x: at(i, 0) * c + at(i, 2) * s,
    y: at(i, 1),
    depth: -at(i, 0) * s + at(i, 2) * c,
  }));
}

/**
 * Remove the scatter.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.resize.disconnect();
  view.root.remove();
}
