// @ts-check
// One attention head between the tokens: as a heatmap (row = the query token, column = the key token
// it attends to, on a canvas with the tokens written along both edges) or as lines from each token on
// the left to each token on the right, a line's opacity being the weight. Hovering a token or a cell
// reports the weight; in lines mode a hovered token on the left keeps only its own lines.

import { colorOf } from "../math/colormap.js";
import { element } from "./parts/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const CELL_PX = [12, 28]; // canvas pixels per heatmap cell, shrinking for long inputs down to the first
const HEAT_PX = 560; // the heatmap's width in canvas pixels while cells stay above the smallest
const LABEL_PX = 92; // room for the tokens along the heatmap's left and top edges
const ROW_PX = 22; // lines mode: one token per row
const LINES_WIDTH = 420;
const FONT_PX = 13;
const FONT_FAMILY = "ui-monospace, Menlo, Consolas, monospace";

/**
 * Mount into `el`. `describe(query, key)` → text for the readout of one weight.
 * @param {HTMLElement} el
 * @param {{describe: (query: number, key: number) => string}} opts
 */
export function mount(el, { describe }) {
  const canvas = element("canvas", "attentionhead-heat");
  const svg = document.createElementNS(SVG, "svg");
  svg.classList.add("attentionhead-lines");
  const readout = element("output", "readout");
  const root = element("div", "attentionhead", canvas, svg, readout);
  el.append(root);
  const view = { root, canvas, svg, readout, describe, tokens: [], geometry: null };
  canvas.addEventListener("pointermove", (event) => {
    const cell = cellAt(view, event);
    readout.textContent = cell ? describe(cell[0], cell[1]) : "";
  });
  canvas.addEventListener("pointerleave", () => {
    readout.textContent = "";
  });
  return view;
}

/**
 * Draw `weights` (the T×T block starting at `start` of a flat array: row = query, column = key)
 * between `tokens`, as `mode` "heatmap" or "lines"; heatmap colours on `scale` (from colormap.js).
 * @param {ReturnType<typeof mount>} view
 * @param {{tokens: string[], weights: ArrayLike<number>, start: number, mode: string, scale: import('../math/colormap.js').Scale}} props
 */
export function update(view, { tokens, weights, start, mode, scale }) {
  view.tokens = tokens;
  view.weights = weights;
  view.start = start;
  view.canvas.hidden = mode !== "heatmap";
  view.svg.toggleAttribute("hidden", mode !== "lines");
  view.readout.textContent = "";
  if (mode === "heatmap") drawHeatmap(view, scale);
  else drawLines(view);
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

function weightAt(view, query, key) {
  return view.weights[view.start + query * view.tokens.length + key];
}

function drawHeatmap(view, scale) {
  const count = view.tokens.length;
  const cell = Math.max(CELL_PX[0], Math.min(CELL_PX[1], Math.floor(HEAT_PX / count)));
  const side = count * cell;
  view.geometry = { left: LABEL_PX, top: LABEL_PX, cell };
  const { canvas } = view;
  canvas.width = LABEL_PX + side;
  canvas.height = LABEL_PX + side;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  for (let q = 0; q < count; q++) {
    for (let k = 0; k < count; k++) {
      const [r, g, b] = colorOf(weightAt(view, q, k), scale);
      context.fillStyle = `rgb(${r}, ${g}, ${b})`;
      context.fillRect(LABEL_PX + k * cell, LABEL_PX + q * cell, cell, cell);
    }
  }
  context.font = `${Math.min(FONT_PX, cell - 1)}px ${FONT_FAMILY}`;
  context.fillStyle = "#111";
  context.textBaseline = "middle";
  context.textAlign = "right";
  for (let q = 0; q < count; q++) context.fillText(view.tokens[q], LABEL_PX - 4, LABEL_PX + q * cell + cell / 2, LABEL_PX - 6);
  for (let k = 0; k < count; k++) {
    context.save();
    context.translate(LABEL_PX + k * cell + cell / 2, LABEL_PX - 4);
    context.rotate(-Math.PI / 2);
    context.textAlign = "left";
    context.fillText(view.tokens[k], 0, 0, LABEL_PX - 6);
    context.restore();
  }
}

function cellAt(view, event) {
  if (!view.geometry) return null;
  const box = view.canvas.getBoundingClientRect();
  const x = ((event.clientX - box.left) / box.width) * view.canvas.width;
  const y = ((event.clientY - box.top) / box.height) * view.canvas.height;
  const { left, top, cell } = view.geometry;
  const key = Math.floor((x - left) / cell);
  const query = Math.floor((y - top) / cell);
  const count = view.tokens.length;
  return query >= 0 && key >= 0 && query < count && key < count ? [query, key] : null;
}

function svgElement(tag, attributes, text = "") {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  node.textContent = text;
  return node;
}

function drawLines(view) {
  const { svg, tokens } = view;
  const count = tokens.length;
  const height = count * ROW_PX + ROW_PX;
  const [x0, x1] = [LINES_WIDTH * 0.3, LINES_WIDTH * 0.7];
  const y = (i) => ROW_PX + i * ROW_PX;
  svg.setAttribute("viewBox", `0 0 ${LINES_WIDTH} ${height}`);
  svg.setAttribute("width", LINES_WIDTH);
  svg.setAttribute("height", height);
  const lines = [];
  for (let q = 0; q < count; q++) {
    for (let k = 0; k < count; k++) {
      const line = svgElement("line", { x1: x0, y1: y(q), x2: x1, y2: y(k), "stroke-opacity": weightAt(view, q, k) });
      line.dataset.query = q;
      lines.push(line);
    }
  }
  const labels = tokens.flatMap((token, i) => [
    svgElement("text", { x: x0 - 8, y: y(i), class: "attentionhead-query", "data-index": i }, token),
    svgElement("text", { x: x1 + 8, y: y(i), class: "attentionhead-key", "data-index": i }, token),
  ]);
  svg.replaceChildren(svgElement("g", { class: "attentionhead-links" }), ...labels);
  svg.firstChild.append(...lines);
  for (const label of svg.querySelectorAll(".attentionhead-query")) {
    label.addEventListener("pointerenter", () => focusQuery(view, Number(label.dataset.index)));
    label.addEventListener("pointerleave", () => focusQuery(view, null));
  }
}

/** Keep only the lines of query `q` (null: all of them) and say where it looks most. */
function focusQuery(view, q) {
  view.svg.classList.toggle("focused", q !== null);
  for (const line of view.svg.querySelectorAll("line")) line.classList.toggle("focus", Number(line.dataset.query) === q);
  if (q === null) {
    view.readout.textContent = "";
    return;
  }
  let best = 0;
  for (let k = 1; k < view.tokens.length; k++) if (weightAt(view, q, k) > weightAt(view, q, best)) best = k;
  view.readout.textContent = view.describe(q, best);
}
