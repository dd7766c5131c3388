// @ts-check
// The playground's network (mlpnet): one column per layer (input features, hidden layers, output), each unit a
// small heatmap of its output over the plane, and every weight a line whose width grows with |w| and
// whose colour is its sign (blue positive, orange negative). Hovering a unit or a line reports it.

import { paintRaster } from "./parts/raster.js";
import { element } from "./parts/dom.js";

const SVG = "http://www.w3.org/2000/svg";
const POSITIVE = "#0072B2";
const NEGATIVE = "#E69F00";

/** Mount an empty diagram into `el`; `onHover(item|null)` gets {kind: "unit"|"weight", …} under the pointer. */
export function mount(el, { onHover = () => {} } = {}) {
  const lines = document.createElementNS(SVG, "svg");
  lines.classList.add("net-lines");
  const columns = element("div", "net-columns");
  const root = element("div", "net", lines, columns);
  el.append(root);
  const view = { root, lines, columns, onHover, shape: "", tiles: [], edges: [] };
  view.resize = new ResizeObserver(() => placeLines(view));
  view.resize.observe(root);
  return view;
}

/**
 * Show the network: `widths` [inputs, hidden…, outputs], `labels` of the inputs, `maps[c][u]` =
 * {values, start, scale} of unit u in column c (output: the surface), `grid`, `weights[l]` = {data,
 * shape: [out, in]} and `biases[l]` (typed arrays) of layer l + 1.
 */
export function update(view, { widths, labels, maps, grid, weights, biases }) {
  const shape = `${widths.join(",")}|${labels.join(",")}|${grid}`;
  if (shape !== view.shape) build(view, widths, labels, grid, shape);
  view.tiles.forEach((column, c) =>
    column.forEach((tile, u) => {
      const map = maps[c]?.[u];
      if (map) paintRaster(tile.canvas, map.values, map.start, grid, grid, map.scale);
      tile.bias = c > 0 ? biases[c - 1][u] : null;
    }),
  );
  let largest = 1e-9;
  for (const { data } of weights) for (const w of data) largest = Math.max(largest, Math.abs(w));
  for (const edge of view.edges) {
    const w = weights[edge.layer].data[edge.to * weights[edge.layer].shape[1] + edge.from];
    edge.value = w;
    edge.line.setAttribute("stroke", w >= 0 ? POSITIVE : NEGATIVE);
    edge.line.setAttribute("stroke-width", String(0.5 + 5 * (Math.abs(w) / largest)));
  }
}

/** Remove the diagram. */
export function destroy(view) {
  view.resize.disconnect();
  view.root.remove();
}

function build(view, widths, labels, grid, shape) {
  view.shape = shape;
  view.columns.replaceChildren();
  view.lines.replaceChildren();
  view.tiles = widths.map((width, c) => {
    const column = element("div", "net-column");
    view.columns.append(column);
    return Array.from({ length: width }, (_, u) => {
      const canvas = element("canvas", "net-unit");
      canvas.width = canvas.height = grid;
      const tile = { canvas, column: c, unit: u, bias: null };
      const node = element("div", "net-node", canvas, element("span", "net-label", c === 0 ? labels[u] : ""));
      node.dataset.unit = `${c}.${u}`;
      node.addEventListener("mouseenter", () => view.onHover({ kind: "unit", layer: c, unit: u, bias: tile.bias }));
      node.addEventListener("mouseleave", () => view.onHover(null));
      column.append(node);
      tile.node = node;
      return tile;
    });
  });
  view.edges = [];
  for (let layer = 0; layer + 1 < widths.length; layer++) {
    for (let to = 0; to < widths[layer + 1]; to++) {
      for (let from = 0; from < widths[layer]; from++) {
        const line = document.createElementNS(SVG, "line");
        const edge = { layer, from, to, line, value: 0 };
        line.addEventListener("mouseenter", () => view.onHover({ kind: "weight", layer: layer + 1, from, to, value: edge.value }));
        line.addEventListener("mouseleave", () => view.onHover(null));
        view.lines.append(line);
        view.edges.push(edge);
      }
    }
  }
  placeLines(view);
}

/** Put each line between the right edge of its source unit and the left edge of its target. */
function placeLines(view) {
  const origin = view.root.getBoundingClientRect();
  view.lines.setAttribute("width", String(origin.width));
  view.lines.setAttribute("height", String(origin.height));
  const box = (tile) => tile.canvas.getBoundingClientRect();
  for (const edge of view.edges) {
    const a = box(view.tiles[edge.layer][edge.from]);
    const b = box(view.tiles[edge.layer + 1][edge.to]);
    edge.line.setAttribute("x1", String(a.right - origin.left));
    edge.line.setAttribute("y1", String(a.top + a.height / 2 - origin.top));
    edge.line.setAttribute("x2", String(b.left - origin.left));
    edge.line.setAttribute("y2", String(b.top + b.height / 2 - origin.top));
  }
}
