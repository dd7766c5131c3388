// @ts-check
// Network diagram: a column of units per layer (input first) joined by every weight, as SVG. Each
// unit shows a number (the page picks which: a, z, ∂L/∂z…) and a second one under it, labelled; a
// weight's line is blue when positive, vermillion when negative, its width growing with |w|. The active
// column and the weights into it are emphasised (the stage being written out), those weights with their
// values when there are few enough to read.

import { formatValue } from "../math/numbers.js";

const SVG = "http://www.w3.org/2000/svg";
const COLUMN = 150;
const ROW = 56;
const RADIUS = 21;
const COLORS = { positive: "#0072B2", negative: "#D55E00" };
const MAX_EDGE_LABELS = 12;

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

/** Mount an empty diagram into `el`; `label` names it for tests (data-view). */
export function mount(el, { label = "network" } = {}) {
  const root = svg("svg", { class: "netdiagram", role: "img", "data-view": label });
  el.append(root);
  return { root };
}

/**
 * Draw `sizes` units per layer. `weights[l-1]` = W_l {data, shape [out, in]}; `values[c]` the numbers
 * shown in column c (c = 0 the input), `below[c]` the second numbers with `belowLabel` ("z =");
 * `active` the emphasised column (0 for none).
 */
export function update(view, { sizes, weights, values, below = [], belowLabel = "", active = 0 }) {
  const tallest = Math.max(...sizes);
  const width = COLUMN * (sizes.length - 1) + 2 * (RADIUS + 30);
  const height = ROW * tallest + 30;
  view.root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const centre = (c, j) => ({ x: RADIUS + 30 + c * COLUMN, y: 10 + ROW * (j + 0.5) + (ROW * (tallest - sizes[c])) / 2 });
  const largest = Math.max(1e-9, ...weights.flatMap((w) => Array.from(w.data, Math.abs)));
  const edges = weights.flatMap((w, l) =>
    Array.from(w.data, (value, k) => {
      const from = centre(l, k % w.shape[1]);
      const to = centre(l + 1, Math.floor(k / w.shape[1]));
      return svg("line", {
        x1: from.x, y1: from.y, x2: to.x, y2: to.y,
        stroke: value >= 0 ? COLORS.positive : COLORS.negative,
        "stroke-width": (0.5 + 4 * Math.abs(value) / largest).toFixed(2),
        class: l + 1 === active ? "edge active" : "edge",
      });
    }),
  );
  const units = sizes.flatMap((size, c) =>
    Array.from({ length: size }, (_, j) => {
      const { x, y } = centre(c, j);
      const value = values[c]?.[j];
      const text = svg("text", { x, y: y + 5, "text-anchor": "middle" });
      text.textContent = value === undefined ? "" : formatValue(value);
      const group = svg("g", { class: c === active ? "unit active" : "unit", "data-column": c, "data-unit": j });
      group.append(svg("circle", { cx: x, cy: y, r: RADIUS }), text);
      if (below[c]?.[j] !== undefined) {
        const note = svg("text", { x, y: y + RADIUS + 12, "text-anchor": "middle", class: "below" });
        note.textContent = `${belowLabel}${formatValue(below[c][j])}`;
        group.append(note);
      }
      return group;
    }),
  );
  const into = weights[active - 1];
  const labels = into && into.data.length <= MAX_EDGE_LABELS ? edgeLabels(into, (j) => centre(active - 1, j), (j) => centre(active, j)) : [];
  view.root.replaceChildren(...edges, ...units, ...labels);
}

/**
 * W_l's values written on its lines; the lines leaving one unit carry theirs at staggered distances
 * (nearer the unit for the upper targets), so that labels of a fan of lines do not overlap.
 */
function edgeLabels(w, from, to) {
  const [outs] = w.shape;
  return Array.from(w.data, (value, k) => {
    const target = Math.floor(k / w.shape[1]);
    const a = from(k % w.shape[1]);
    const b = to(target);
    const along = 0.2 + (0.6 * (target + 0.5)) / outs;
    const label = svg("text", { x: a.x + (b.x - a.x) * along, y: a.y + (b.y - a.y) * along - 3, "text-anchor": "middle", class: "weight" });
    label.textContent = formatValue(value);
    return label;
  });
}

/** Remove the diagram. */
export function destroy(view) {
  view.root.remove();
}
