// @ts-check
// The unrolled RNN: one cell per time step and layer, each hidden state h_t a column of coloured
// units (forward, and for a bidirectional layer the reverse one beside it), arrows carrying h_(t−1)
// into step t (right to left for the reverse direction) and each layer's output into the layer above,
// the input x_t at the bottom. Clicking a state picks it; hovering a unit reports which.

import { colorOf } from "../math/colormap.js";
import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";

/**
 * Mount an empty diagram into `el`.
 * @param {HTMLElement} el
 * @param {{onPick: (cell: any) => void, onHover: (cell: any, unit?: number) => void}} opts a cell is
 *   {layer, t, d}; layer −1 is the input row.
 */
export function mount(el, { onPick, onHover }) {
  const root = element("div", "rnn-unrolled");
  root.setAttribute("role", "group");
  el.append(root);
  const view = { root, shape: "", states: new Map() };
  root.addEventListener("click", (event) => {
    const state = event.target.closest(".rnn-state");
    if (state && state.dataset.layer !== "-1") onPick(cellOf(state));
  });
  root.addEventListener("pointerover", (event) => {
    const unit = event.target.closest(".rnn-unit");
    if (unit) onHover(cellOf(unit.parentElement), Number(unit.dataset.unit));
  });
  root.addEventListener("pointerleave", () => onHover(null, 0));
  return view;
}

const cellOf = (node) => ({ layer: Number(node.dataset.layer), t: Number(node.dataset.t), d: Number(node.dataset.d) });
const keyOf = ({ layer, t, d }) => `${layer}:${t}:${d}`;

/**
 * Draw a frame. `values(cell)` gives a state's numbers (layer −1, d 0: the input x_t); `scale` colours
 * the hidden states, `inputScale` the input; `selected` is the picked cell; `dropout` marks the
 * arrows between layers.
 * @param {ReturnType<typeof mount>} view
 * @param {{steps: number, layers: number, directions: number, values: (cell: {layer: number, t: number, d: number}) => number[] | Float32Array, scale: import('../math/colormap.js').Scale, inputScale: import('../math/colormap.js').Scale, selected: {layer: number, t: number, d: number}, dropout: boolean}} props
 */
export function update(view, { steps, layers, directions, values, scale, inputScale, selected, dropout }) {
  const shape = `${steps}:${layers}:${directions}`;
  if (shape !== view.shape) build(view, steps, layers, directions);
  view.shape = shape;
  for (const [key, node] of view.states) {
    const cell = cellOf(node);
    const numbers = values(cell);
    const colours = cell.layer < 0 ? inputScale : scale;
    if (node.children.length !== numbers.length) node.replaceChildren(...numbers.map((_, k) => unitNode(k)));
    numbers.forEach((v, k) => {
      node.children[k].style.background = `rgb(${colorOf(v, colours).join(",")})`;
    });
    node.classList.toggle("selected", selected !== null && key === keyOf(selected));
    node.setAttribute("aria-pressed", String(node.classList.contains("selected")));
  }
  view.root.classList.toggle("dropout", dropout);
}

/**
 * Remove the diagram.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

function unitNode(k) {
  const unit = element("span", "rnn-unit");
  unit.dataset.unit = k;
  return unit;
}

/** The grid: a header row of steps, then per layer (top first) a row of cells and a row of arrows up. */
function build(view, steps, layers, directions) {
  view.states.clear();
  view.root.replaceChildren();
  view.root.style.setProperty("--steps", steps);
  const row = (className, label, parts) => view.root.append(element("div", `rnn-row ${className}`, label, ...parts));
  const stepLabels = Array.from({ length: steps }, (_, t) => element("span", "rnn-step-label", `t = ${t}`));
  row("rnn-steps", element("span"), interleave(stepLabels, () => element("span")));
  for (let layer = layers - 1; layer >= -1; layer--) {
    const label = element("span", "rnn-layer-label");
    if (layer < 0) setText(label, "rnn.input_row");
    else setText(label, "rnn.layer_row", { l: layer });
    const cells = Array.from({ length: steps }, (_, t) => cellNode(view, layer, t, layer < 0 ? 1 : directions));
    row(layer < 0 ? "rnn-inputs" : "rnn-layer", label, interleave(cells, () => timeArrows(layer < 0 ? 0 : directions)));
    const up = Array.from({ length: steps }, () => element("span", "rnn-arrow rnn-up", "↑"));
    if (layer >= 0) row("rnn-ups", element("span"), interleave(up, () => element("span")));
  }
}

/** A step's cell: one state column per direction, each labelled h_t (→ / ←). */
function cellNode(view, layer, t, directions) {
  const columns = Array.from({ length: directions }, (_, d) => {
    const state = element("button", "rnn-state");
    state.type = "button";
    Object.assign(state.dataset, { layer, t, d });
    view.states.set(keyOf({ layer, t, d }), state);
    const name = layer < 0 ? "x" : "h";
    const arrow = layer < 0 ? "" : d ? "←" : "→";
    state.setAttribute("aria-label", `${name}${t} ${arrow}`);
    const label = element("span", "rnn-state-label", name, element("sub", "", String(t)), arrow);
    return element("div", "rnn-state-column", label, state);
  });
  return element("div", `rnn-cell${layer < 0 ? " rnn-input-cell" : ""}`, ...columns);
}

/** The arrows between two steps: h_(t−1) → step t, and ← for the reverse direction. */
function timeArrows(directions) {
  const arrows = ["→", "←"].slice(0, directions).map((a) => element("span", "rnn-arrow", a));
  return element("div", "rnn-time-arrows", ...arrows);
}

/** items with a separator made by `between()` between each neighbouring pair. */
function interleave(items, between) {
  return items.flatMap((item, i) => (i ? [between(), item] : [item]));
}
