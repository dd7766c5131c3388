// @ts-check
// The LSTM cell diagram for one step and unit: c_{t−1} → ⊙ f → + → c_t along the top, the four
// layers σ, σ, tanh, σ fed by [h_{t−1}, x_t] below, i ⊙ g joining the +, o ⊙ tanh(c_t) giving h_t;
// every node labelled with the server's value (colour from the same maps as the strips).

import { colorOf, inkOn } from "../math/colormap.js";
import { setAttributeText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";

const NS = "http://www.w3.org/2000/svg";
const UNIT = { kind: "sequential", min: 0, max: 1 };
const SIGNED = { kind: "diverging", min: -1, max: 1 };

// Nodes: id, position, symbol, the value's key in stepValues, its scale.
const NODES = [
  { id: "cPrev", x: 40, y: 50, symbol: "cₜ₋₁", scale: SIGNED },
  { id: "hPrev", x: 40, y: 290, symbol: "hₜ₋₁", scale: SIGNED },
  { id: "f", x: 150, y: 200, symbol: "σ", label: "fₜ", scale: UNIT, box: true },
  { id: "i", x: 250, y: 200, symbol: "σ", label: "iₜ", scale: UNIT, box: true },
  { id: "g", x: 340, y: 200, symbol: "tanh", label: "gₜ", scale: SIGNED, box: true },
  { id: "o", x: 440, y: 200, symbol: "σ", label: "oₜ", scale: UNIT, box: true },
  { id: "c", x: 600, y: 50, symbol: "cₜ", scale: SIGNED },
  { id: "tanhC", x: 520, y: 120, symbol: "tanh", label: "tanh cₜ", scale: SIGNED, box: true },
  { id: "h", x: 600, y: 290, symbol: "hₜ", scale: SIGNED },
];
const OPS = [
  { x: 150, y: 50, symbol: "⊙" },
  { x: 300, y: 130, symbol: "⊙" },
  { x: 300, y: 50, symbol: "+" },
  { x: 520, y: 200, symbol: "⊙" },
];
const WIRES = [
  "M60 50 H290", // c_{t−1} → ⊙ f → +
  "M310 50 H580", // + → c_t
  "M150 185 V62", // f → ⊙
  "M250 185 V130 H288", // i → ⊙
  "M340 185 V130 H312", // g → ⊙
  "M300 118 V62", // i⊙g → +
  "M520 50 V105", // c_t → tanh
  "M520 135 V188", // tanh c_t → ⊙
  "M455 200 H508", // o → ⊙
  "M520 212 V290 H580", // ⊙ → h_t
  "M60 290 H440 M150 290 V215 M250 290 V215 M340 290 V215 M440 290 V215", // [h_{t−1}, x_t] → layers
  "M100 330 V290", // x_t joins
];

/**
 * Mount the diagram into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const svg = svgElement("svg", { viewBox: "0 0 660 350", class: "lstmcell", role: "img" });
  setAttributeText(svg, "aria-label", "lstm.cell_label");
  for (const d of WIRES) svg.append(svgElement("path", { d, class: "lstmcell-wire" }));
  for (const op of OPS) {
    svg.append(svgElement("circle", { cx: op.x, cy: op.y, r: 12, class: "lstmcell-op" }));
    svg.append(text(op.x, op.y + 6, op.symbol, "lstmcell-op-symbol"));
  }
  const nodes = {};
  for (const node of NODES) {
    const group = svgElement("g", { class: "lstmcell-node" });
    group.dataset.node = node.id;
    const width = node.box ? 70 : 64;
    const shape = svgElement("rect", { x: node.x - width / 2, y: node.y - 15, width, height: 30, rx: node.box ? 6 : 15 });
    const value = text(node.x, node.y + (node.box ? 36 : -22), "", "lstmcell-value");
    group.append(shape, text(node.x, node.y + 6, node.symbol, "lstmcell-symbol"), value);
    if (node.label) group.append(text(node.x, node.y - 22, node.label, "lstmcell-label"));
    svg.append(group);
    nodes[node.id] = { node, shape, value, symbol: group.children[1] };
  }
  const input = text(100, 345, "xₜ", "lstmcell-label");
  svg.append(input);
  el.append(svg);
  return { svg, nodes, input };
}

/**
 * Show `values` (from stepValues) and the step's `token` (or null).
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ReturnType<typeof import('../math/lstmstep.js').stepValues>, token?: string | null}} props
 */
export function update(view, { values, token = null }) {
  for (const { node, shape, value, symbol } of Object.values(view.nodes)) {
    const v = values[node.id];
    const color = colorOf(v, node.scale);
    shape.setAttribute("fill", `rgb(${color.join(",")})`);
    symbol.setAttribute("fill", inkOn(color));
    value.textContent = formatValue(v);
  }
  view.input.textContent = token === null ? "xₜ" : `xₜ = “${token}”`;
}

/**
 * Remove the diagram.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.svg.remove();
}

function svgElement(tag, attributes) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  return node;
}

function text(x, y, content, className) {
  const node = svgElement("text", { x, y, "text-anchor": "middle", class: className });
  node.textContent = content;
  return node;
}
