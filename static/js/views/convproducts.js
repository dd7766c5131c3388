// @ts-check
// Products: the arithmetic of one output cell of a convolution. Per input channel, the f×f
// element-wise products x·w of its window (padding taps grey, x = 0) and their sum; then the
// sum over channels plus the bias, next to the value PyTorch computed, and ReLU of it.

import { setText } from "../ui/i18n.js";
import { formatFixed } from "../math/numbers.js";
import { element } from "./parts/dom.js";

// Sums agree with the server's value when they differ by less than this (float32 rounding).
const TOLERANCE = 1e-4;

/**
 * Mount an empty view into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const heading = element("p", "convproducts-heading");
  const channels = element("div", "convproducts-channels");
  const sumLabel = element("span", "convproducts-label");
  setText(sumLabel, "conv.products_total");
  const sumLine = element("span", "convproducts-equation");
  const total = element("strong", "convproducts-total");
  total.dataset.role = "total";
  const serverLabel = element("span", "convproducts-label");
  const server = element("strong", "convproducts-server");
  server.dataset.role = "server";
  const verdict = element("span", "convproducts-verdict");
  const reluLabel = element("span", "convproducts-label");
  setText(reluLabel, "conv.products_relu");
  const relu = element("span", "convproducts-equation");
  relu.dataset.role = "relu";
  const summary = element(
    "dl",
    "convproducts-summary",
    element("dt", "", sumLabel),
    element("dd", "", sumLine, " = ", total),
    element("dt", "", serverLabel),
    element("dd", "", server, " ", verdict),
    element("dt", "", reluLabel),
    element("dd", "", relu),
  );
  const root = element("div", "convproducts", heading, channels, summary);
  el.append(root);
  return { root, heading, channels, sumLine, total, serverLabel, server, verdict, relu, tables: [] };
}

/**
 * Show output cell `cell` {o, row, col}: `computation` from convgeometry.cellProducts, `kernel`
 * f, and the server's `value` (pre-activation) and `relu` for that cell.
 * @param {ReturnType<typeof mount>} view
 * @param {{cell: {o: number, row: number, col: number}, computation: any, kernel: number, value: number, relu: number}} props
 */
export function update(view, { cell, computation, kernel, value, relu }) {
  const { o, row, col } = cell;
  setText(view.heading, "conv.products_heading", { o, i: row, j: col });
  ensureTables(view, computation.channels.length, kernel);
  computation.channels.forEach((channel, c) => fillTable(view.tables[c], channel, c, o));

  const symbols = computation.channels.map((_, c) => `Σ${subscript(c)}`);
  const parts = computation.channels.map((channel) => formatFixed(channel.sum));
  if (computation.bias !== null) {
    symbols.push(`b${subscript(o)}`);
    parts.push(formatFixed(computation.bias));
  }
  const numbers = parts.map((part, i) => (i > 0 && part.startsWith("-") ? `(${part})` : part));
  view.sumLine.textContent = `${symbols.join(" + ")} = ${numbers.join(" + ")}`;
  view.total.textContent = formatFixed(computation.total);
  setText(view.serverLabel, "conv.products_server", { o, i: row, j: col });
  view.server.textContent = formatFixed(value);
  const agrees = Math.abs(computation.total - value) <= TOLERANCE * Math.max(1, Math.abs(value));
  setText(view.verdict, agrees ? "conv.products_agree" : "conv.products_differ");
  view.verdict.classList.toggle("bad", !agrees);
  view.relu.textContent = `max(0, ${formatFixed(value)}) = ${formatFixed(relu)}`;
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

/** One table of f×f product cells per input channel, rebuilt only when C or f change. */
function ensureTables(view, channels, kernel) {
  if (view.tables.length === channels && view.tables[0]?.cells.length === kernel * kernel) return;
  view.tables = Array.from({ length: channels }, () => {
    const cells = [];
    const rows = Array.from({ length: kernel }, () =>
      element(
        "tr",
        "",
        ...Array.from({ length: kernel }, () => {
          const factors = element("span", "convproducts-factors");
          const product = element("span", "convproducts-product");
          const td = element("td", "", factors, product);
          cells.push({ td, factors, product });
          return td;
        }),
      ),
    );
    const caption = element("figcaption");
    const sum = element("p", "convproducts-sum");
    sum.dataset.role = "channel-sum";
    const figure = element("figure", "convproducts-channel", caption, element("table", "", element("tbody", "", ...rows)), sum);
    return { figure, caption, sum, cells };
  });
  view.channels.replaceChildren(...view.tables.map((table) => table.figure));
}

function fillTable(table, channel, c, o) {
  setText(table.caption, "conv.products_channel", { c, o });
  channel.terms.forEach((term, k) => {
    const { td, factors, product } = table.cells[k];
    td.classList.toggle("pad", term.padding);
    td.dataset.product = term.product;
    factors.textContent = `${formatFixed(term.x)} × ${formatFixed(term.w)}`;
    product.textContent = formatFixed(term.product);
  });
  setText(table.sum, "conv.products_channel_sum", { c: subscript(c), sum: formatFixed(channel.sum) });
}

/** A whole number in subscript digits: 12 → "₁₂". */
function subscript(n) {
  return String(n).replace(/\d/g, (digit) => "₀₁₂₃₄₅₆₇₈₉"[digit]);
}
