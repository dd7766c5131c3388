// @ts-check
// One fully connected layer as matrix × vector with the current numbers: the input x as a strip
// along the top, W under it as a heatmap (row j, column k is W[j, k]: a row lines up with x), and
// the layer's output as the server computed it in a column at the right. Unit j — pinned by a
// click, or the one under the pointer — is written out: its row's products W[j, k]·x[k] (the
// largest few, and all of them as a strip), their sum, + b[j], the activation, and the server's value.

import { scaleFor } from "../math/colormap.js";
import { agrees, largestTerms, unitSum } from "../math/headmath.js";
import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import * as legend from "./legend.js";
import { paintRaster } from "./parts/raster.js";

const SHOWN_TERMS = 3;
const MATRIX_MAX_PX = 360;
const ROW_MAX_PX = 18;

function canvas(className) {
  const node = element("canvas", className);
  node.width = 1;
  node.height = 1;
  return node;
}

/** A text span with an i18n key. */
function label(key, className = "") {
  const span = element("span", className);
  setText(span, key);
  return span;
}

/**
 * Mount an empty layer into `el`.
 * @param {HTMLElement} el
 * @param {{name: string, layer: string, activation: ((z: number) => number)|null, activationName: string,
 *   selected: number, onPick: (j: number) => void}} opts name: the output's label ("C5"); layer: its
 *   key (data-layer); activation: applied to z (null for logits); selected: the pinned unit.
 */
export function mount(el, { name, layer, activation, activationName, selected, onPick }) {
  const parts = {
    x: canvas("headmatvec-x"),
    w: canvas("headmatvec-w"),
    out: canvas("headmatvec-out"),
    products: canvas("headmatvec-products"),
    rowMark: element("div", "headmatvec-row"),
    outMark: element("div", "headmatvec-row"),
    formula: element("p", "headmatvec-formula"),
    termsLabel: element("p", "headmatvec-terms-label"),
    terms: element("ul", "headmatvec-terms"),
    sum: element("b"),
    bias: element("b"),
    total: element("b", "headmatvec-total"),
    value: element("b", "headmatvec-value"),
    server: element("b", "headmatvec-server"),
    check: element("span", "headmatvec-check"),
    wLegend: element("div"),
  };
  const matrix = element("div", "headmatvec-matrix", parts.w, parts.rowMark);
  const column = element("div", "headmatvec-column", parts.out, parts.outMark);
  const figure = element(
    "div",
    "headmatvec-figure",
    element("span", "headmatvec-tag", "x"),
    parts.x,
    element("span"),
    element("span", "headmatvec-tag", "W"),
    matrix,
    column,
  );
  const sumLine = element(
    "p",
    "headmatvec-sum",
    label("head.sum_label"),
    " Σ = ",
    parts.sum,
    ", + b = ",
    parts.bias,
    " → z = ",
    parts.total,
  );
  const resultLine = element(
    "p",
    "headmatvec-result",
    activation ? `${activationName}(z) = ` : "z = ",
    parts.value,
    " · ",
    label(activation ? "head.server_value" : "head.server_logit"),
    " ",
    parts.server,
    " ",
    parts.check,
  );
  const detail = element("div", "headmatvec-detail", parts.formula, parts.termsLabel, parts.terms, parts.products, sumLine, resultLine);
  const root = element("div", "headmatvec", figure, parts.wLegend, detail);
  root.dataset.layer = layer;
  el.append(root);
  const view = { root, parts, name, activation, activationName, selected, hover: null, data: null, key: legend.mount(parts.wLegend) };
  for (const target of [matrix, column]) {
    target.addEventListener("pointermove", (event) => setHover(view, rowAt(view, target, event)));
    target.addEventListener("pointerleave", () => setHover(view, null));
    target.addEventListener("click", (event) => {
      const row = rowAt(view, target, event);
      if (row === null) return;
      view.selected = row;
      onPick(row);
      showUnit(view);
    });
  }
  return view;
}

/**
 * Draw the layer from the frame: `weight` [rows, cols], `x` [cols], `bias` [rows], `out` [rows]
 * (the server's output of this layer), `dtype` the frame's float type.
 * @param {ReturnType<typeof mount>} view
 * @param {{weight: import('../net/codec.js').Tensor, x: import('../net/codec.js').Tensor, bias: import('../net/codec.js').Tensor, out: import('../net/codec.js').Tensor, dtype: string}} props
 */
export function update(view, { weight, x, bias, out, dtype }) {
  const [rows, cols] = weight.shape;
  view.data = { weight: weight.data, x: x.data, bias: bias.data, out: out.data, rows, cols, dtype };
  const { parts } = view;
  const wScale = scaleFor(weight.data, { signed: true });
  sizeCanvas(parts.w, cols, rows);
  sizeCanvas(parts.x, cols, 1);
  sizeCanvas(parts.out, 1, rows);
  const height = Math.min(ROW_MAX_PX * rows, MATRIX_MAX_PX);
  parts.w.style.height = `${height}px`;
  parts.out.style.height = `${height}px`;
  paintRaster(parts.w, weight.data, 0, cols, rows, wScale);
  paintRaster(parts.x, x.data, 0, cols, 1, scaleFor(x.data));
  paintRaster(parts.out, out.data, 0, 1, rows, scaleFor(out.data));
  legend.update(view.key, { scale: wScale });
  showUnit(view);
}

/** Pin unit `j` (from the URL or a caller). */
export function select(view, j) {
  view.selected = j;
  showUnit(view);
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

function sizeCanvas(node, width, height) {
  if (node.width !== width) node.width = width;
  if (node.height !== height) node.height = height;
}

function rowAt(view, target, event) {
  if (!view.data) return null;
  const box = target.getBoundingClientRect();
  const row = Math.floor(((event.clientY - box.top) / box.height) * view.data.rows);
  return row >= 0 && row < view.data.rows ? row : null;
}

function setHover(view, row) {
  view.hover = row;
  showUnit(view);
}

/** Write out the hovered unit, else the pinned one: products, sum, bias, activation, server value. */
function showUnit(view) {
  if (!view.data) return;
  const { weight, x, bias, out, rows, cols, dtype } = view.data;
  const j = Math.min(view.hover ?? view.selected, rows - 1);
  const { parts, name } = view;
  view.root.dataset.unit = j;
  for (const mark of [parts.rowMark, parts.outMark]) {
    mark.style.top = `${(100 * j) / rows}%`;
    mark.style.height = `${100 / rows}%`;
    mark.classList.toggle("pinned", view.hover === null);
  }
  const unit = unitSum(weight, x, bias, j);
  setText(parts.formula, view.activation ? "head.unit_formula_act" : "head.unit_formula", { name, j, act: view.activationName });
  const terms = largestTerms(unit.products, SHOWN_TERMS).map(
    (k) => `W[${j}, ${k}]·x[${k}] = ${formatValue(weight[j * cols + k])} × ${formatValue(x[k])} = ${formatValue(unit.products[k])}`,
  );
  setText(parts.termsLabel, "head.terms", { n: cols, j, rest: cols - terms.length });
  parts.terms.replaceChildren(...terms.map((text) => element("li", "", text)));
  sizeCanvas(parts.products, cols, 1);
  paintRaster(parts.products, unit.products, 0, cols, 1, scaleFor(unit.products, { signed: true }));
  parts.sum.textContent = formatValue(unit.sum);
  parts.bias.textContent = formatValue(unit.bias);
  parts.total.textContent = formatValue(unit.z);
  const value = view.activation ? view.activation(unit.z) : unit.z;
  parts.value.textContent = formatValue(value);
  parts.server.textContent = `${name}[${j}] = ${formatValue(out[j])}`;
  const same = agrees(value, out[j], dtype, unit.size);
  parts.check.textContent = same ? "✓" : "≠";
  parts.check.classList.toggle("agree", same);
}
