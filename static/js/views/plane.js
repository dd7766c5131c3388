// @ts-check
// Plane: 2-D points on a canvas over [−extent, extent]², optionally over a classifier's decision
// regions (each grid cell in its most likely class's colour, paler where the classifier is less sure)
// and with k-means centroids and the paths they took. Colours are Okabe–Ito, one per class or cluster.

import { element } from "./parts/dom.js";

export const CLASS_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
const UNLABELLED = "#b8b8b8";
const SIZE = 280;

/** Mount an empty plane into `el`; `label` names it for tests (data-view). */
export function mount(el, { label = "plane" } = {}) {
  const canvas = element("canvas", "plane-canvas");
  canvas.width = SIZE;
  canvas.height = SIZE;
  canvas.dataset.view = label;
  el.append(canvas);
  return { canvas };
}

const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** Paint `probs` ({data, shape [G, G, C]}) as decision regions, row 0 at the top. */
function paintRegions(ctx, probs) {
  const [grid, , classes] = probs.shape;
  const image = ctx.createImageData(grid, grid);
  for (let cell = 0; cell < grid * grid; cell++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs.data[cell * classes + c] > probs.data[cell * classes + best]) best = c;
    const sure = (probs.data[cell * classes + best] - 1 / classes) / (1 - 1 / classes); // 0 at chance, 1 certain
    const [r, g, b] = rgb(CLASS_COLORS[best]);
    image.data.set([r, g, b, Math.round(40 + 110 * sure)], cell * 4);
  }
  const small = new OffscreenCanvas(grid, grid);
  small.getContext("2d").putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(small, 0, 0, SIZE, SIZE);
}

/**
 * Draw the plane. `points` {data [N·2]}; `colors[n]` a class index or −1 (unlabelled, grey); `rings`
 * indices drawn larger with a black ring (labelled points); `probs` regions; `centroids` {data [k·2]}
 * and `trail` {data, shape [I, k, 2]} the centroids after each iteration.
 */
export function update(view, { extent, points, colors, rings = [], probs = null, centroids = null, trail = null }) {
  const ctx = view.canvas.getContext("2d");
  const at = (x, y) => [((x + extent) / (2 * extent)) * SIZE, ((extent - y) / (2 * extent)) * SIZE];
  ctx.clearRect(0, 0, SIZE, SIZE);
  if (probs) paintRegions(ctx, probs);
  const dot = (n, radius) => {
    const [x, y] = at(points.data[2 * n], points.data[2 * n + 1]);
    ctx.beginPath();
    ctx.arc(x, y, radius, 0, 2 * Math.PI);
    ctx.fillStyle = colors[n] >= 0 ? CLASS_COLORS[colors[n]] : UNLABELLED;
    ctx.fill();
    ctx.stroke();
  };
  ctx.strokeStyle = "rgba(0, 0, 0, 0.35)";
  ctx.lineWidth = 0.5;
  for (let n = 0; n < points.data.length / 2; n++) dot(n, 3);
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 2;
  for (const n of rings) dot(n, 6);
  if (trail) drawTrail(ctx, trail, at);
  if (centroids) drawCentroids(ctx, centroids, at);
}

function drawTrail(ctx, trail, at) {
  const [steps, k] = trail.shape;
  ctx.lineWidth = 1.5;
  for (let c = 0; c < k; c++) {
    ctx.strokeStyle = CLASS_COLORS[c % CLASS_COLORS.length];
    ctx.beginPath();
    for (let s = 0; s < steps; s++) ctx[s ? "lineTo" : "moveTo"](...at(trail.data[(s * k + c) * 2], trail.data[(s * k + c) * 2 + 1]));
    ctx.stroke();
  }
}

function drawCentroids(ctx, centroids, at) {
  ctx.lineWidth = 3;
  for (let c = 0; c < centroids.data.length / 2; c++) {
    const [x, y] = at(centroids.data[2 * c], centroids.data[2 * c + 1]);
    ctx.strokeStyle = "#000";
    ctx.beginPath();
    ctx.moveTo(x - 7, y - 7);
    ctx.lineTo(x + 7, y + 7);
    ctx.moveTo(x + 7, y - 7);
    ctx.lineTo(x - 7, y + 7);
    ctx.stroke();
  }
}

/** Remove the plane. */
export function destroy(view) {
  view.canvas.remove();
}
