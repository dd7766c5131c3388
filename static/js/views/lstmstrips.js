// @ts-check
// LSTM strips: each of f, i, g, o, c, h as a [T, H] tensor drawn with time across and units down,
// the selected step's column and unit's cell outlined, the sequence's tokens above; a click picks
// (step, unit). Gates in (0, 1) use viridis on [0, 1]; g, c and h the diverging map.

import { setText, t } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import * as legend from "./legend.js";
import { paintRaster } from "./parts/raster.js";
import { attachReadout } from "./parts/readout.js";

const CELL_PX = 18;
/**
 * The six rows: tensor name, symbol, i18n key of its name, its colour scale (null: ±max|v|).
 * @type {{name: string, symbol: string, key: string, scale: import("../math/colormap.js").Scale | null}[]}
 */
const STRIPS = [
  { name: "f", symbol: "fₜ", key: "lstm.gate_f", scale: { kind: "sequential", min: 0, max: 1 } },
  { name: "i", symbol: "iₜ", key: "lstm.gate_i", scale: { kind: "sequential", min: 0, max: 1 } },
  { name: "g", symbol: "gₜ", key: "lstm.gate_g", scale: { kind: "diverging", min: -1, max: 1 } },
  { name: "o", symbol: "oₜ", key: "lstm.gate_o", scale: { kind: "sequential", min: 0, max: 1 } },
  { name: "c", symbol: "cₜ", key: "lstm.gate_c", scale: null },
  { name: "h", symbol: "hₜ", key: "lstm.gate_h", scale: { kind: "diverging", min: -1, max: 1 } },
];

/**
 * Mount the strips into `el`; `onPick(step, unit)` runs when a cell is clicked.
 * @param {HTMLElement} el
 * @param {{onPick: (step: number, unit: number) => void}} opts
 */
export function mount(el, { onPick }) {
  const tokens = element("div", "lstmstrips-tokens");
  const rows = STRIPS.map((spec) => {
    const name = element("span", "lstmstrips-name");
    setText(name, spec.key);
    const label = element("div", "lstmstrips-label", element("span", "lstmstrips-symbol", spec.symbol), name);
    const canvas = element("canvas");
    const body = element("div", "lstmstrips-body", canvas);
    const key = element("div", "lstmstrips-legend");
    const row = element("div", "lstmstrips-row", label, body, key);
    row.dataset.tensor = spec.name;
    return { spec, canvas, body, row, legend: legend.mount(key), values: null };
  });
  const root = element("div", "lstmstrips", element("div", "lstmstrips-row", element("div"), tokens, element("div")));
  root.append(...rows.map((r) => r.row));
  el.append(root);
  const view = { root, tokens, rows, steps: 0, units: 0 };
  for (const row of rows) {
    row.canvas.addEventListener("click", (event) => {
      const [step, unit] = cellAt(view, row.canvas, event);
      onPick(step, unit);
    });
    attachReadout(row.body, row.canvas, (fx, fy) => describe(view, row, fx, fy));
  }
  return view;
}

/**
 * Draw a frame's `values` (`{f, i, …}`: flat [T, H] arrays) of `shape` [T, H], the sequence's `tokens`
 * (a string, or null for typed numbers) and the selection `step`, `unit`.
 * @param {ReturnType<typeof mount>} view
 * @param {{values: Object<string, ArrayLike<number>>, shape: number[], tokens: string | null, step: number, unit: number}} props
 */
export function update(view, { values, shape, tokens, step, unit }) {
  const [steps, units] = shape;
  view.steps = steps;
  view.units = units;
  view.tokens.style.setProperty("--steps", steps);
  view.tokens.replaceChildren(
    ...Array.from({ length: steps }, (_, k) => {
      const token = element("span", k === step ? "selected" : "", tokens ? visible(tokens[k]) : String(k));
      return token;
    }),
  );
  for (const row of view.rows) {
    const transposed = transpose(values[row.spec.name], steps, units); // (H, T): time across
    row.values = transposed;
    const scale = row.spec.scale ?? symmetric(transposed);
    // The canvas at its size on screen (cells of CELL_PX when hidden), so outlines keep their width.
    row.canvas.style.height = `${Math.max(1.2, units * 0.9)}rem`;
    row.canvas.width = Math.round(row.canvas.clientWidth) || steps * CELL_PX;
    row.canvas.height = Math.round(row.canvas.clientHeight) || units * CELL_PX;
    paintRaster(row.canvas, transposed, 0, steps, units, scale);
    outline(row.canvas, step, unit, steps, units);
    legend.update(row.legend, { scale });
  }
}

/**
 * Remove the strips.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

function transpose(values, steps, units) {
  const out = new Float32Array(steps * units);
  for (let s = 0; s < steps; s++) for (let u = 0; u < units; u++) out[u * steps + s] = values[s * units + u];
  return out;
}

/** @returns {import("../math/colormap.js").Scale} */
function symmetric(values) {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return { kind: "diverging", min: -m, max: m };
}

/** The picked step's column in black, the picked unit's cell in magenta. */
function outline(canvas, step, unit, steps, units) {
  const w = canvas.width / steps;
  const h = canvas.height / units;
  const context = canvas.getContext("2d");
  context.lineWidth = 3;
  context.strokeStyle = "#000";
  context.strokeRect(step * w + 1.5, 1.5, w - 3, canvas.height - 3);
  context.strokeStyle = "#ff00aa";
  context.strokeRect(step * w + 4, unit * h + 4, w - 8, h - 8);
}

function cellAt(view, canvas, event) {
  const box = canvas.getBoundingClientRect();
  const step = Math.floor(((event.clientX - box.left) / box.width) * view.steps);
  const unit = Math.floor(((event.clientY - box.top) / box.height) * view.units);
  return [clamp(step, view.steps), clamp(unit, view.units)];
}

function clamp(k, n) {
  return Math.min(n - 1, Math.max(0, k));
}

function describe(view, row, fx, fy) {
  if (!row.values) return null;
  const step = clamp(Math.floor(fx * view.steps), view.steps);
  const unit = clamp(Math.floor(fy * view.units), view.units);
  return t("lstm.readout", { t: step, j: unit, v: formatValue(row.values[unit * view.steps + step]) });
}

/** A character as it reads in a token cell: the space shown as ␣. */
function visible(ch) {
  return ch === " " ? "␣" : ch;
}
