// @ts-check
// One step of the RNN typeset and evaluated: h_t = act(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh) with the
// step's indices, the two matrix × vector products as grids of the server's numbers, then a table of
// the terms unit by unit, their sum, the activation and the server's h_t beside it.

import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

/**
 * Mount an empty formula into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const formula = element("p", "rnn-formula");
  const note = element("p", "hint");
  const products = element("div", "rnn-products");
  const table = element("table", "rnn-terms");
  const agreement = element("p", "rnn-agreement");
  const root = element("div", "rnn-step", formula, note, products, element("div", "rnn-table-wrap", table), agreement);
  el.append(root);
  return { root, formula, note, products, table, agreement };
}

const sub = (name, index) => [name, element("sub", "", String(index))];
const symbol = (name, subscript) => element("span", "rnn-sym", name, element("sub", "", subscript));

/** The terms inside the activation, each with a function making its symbol; biases only when present. */
function termsOf(terms, t, prev) {
  const columns = [
    { symbol: () => [symbol("W", "ih"), " ", ...sub("x", t)], values: terms.wx },
    { symbol: () => [symbol("b", "ih")], values: terms.bih, bias: true },
    { symbol: () => [symbol("W", "hh"), " ", ...sub("h", prev)], values: terms.wh },
    { symbol: () => [symbol("b", "hh")], values: terms.bhh, bias: true },
  ];
  return columns.filter((column) => terms.bias || !column.bias);
}

/**
 * Show the step of `cell` ({layer, t, d}) with its `terms` (rnnmath.stepTerms).
 * @param {ReturnType<typeof mount>} view
 * @param {{cell: {layer: number, t: number, d: number}, terms: any, nonlinearity: string}} props
 */
export function update(view, { cell, terms, nonlinearity }) {
  const { layer, t, d } = cell;
  const prev = terms.prev ?? "init";
  const columns = termsOf(terms, t, prev);
  const inside = columns.flatMap((column, i) => [...(i ? [" + "] : []), ...column.symbol()]);
  view.formula.replaceChildren(
    element("span", "rnn-sym", ...sub("h", t)),
    " = ",
    element("span", "rnn-fn", nonlinearity),
    "(",
    ...inside,
    ")",
  );
  view.root.dataset.cell = `${layer}:${t}:${d}`;
  const noteKey = terms.prev === null ? "rnn.note_start" : "rnn.note_step";
  setText(view.note, noteKey, { l: layer, dir: d ? "←" : "→", t, prev });
  view.products.replaceChildren(
    product("W_ih", terms.weightIh, terms.x, terms.wx, ["x", t]),
    product("W_hh", terms.weightHh, terms.hPrev, terms.wh, ["h", prev]),
  );
  drawTable(view.table, terms, columns, nonlinearity);
  setText(view.agreement, "rnn.formula_gap", { gap: formatValue(terms.gap) });
  view.agreement.dataset.gap = terms.gap;
}

/**
 * Remove the formula.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

/** matrix × vector = result, each as a bracketed grid of numbers. */
function product(name, matrix, vector, result, [vectorName, index]) {
  const [rows, cols] = matrix.shape;
  const [letter, subscript] = name.split("_");
  return element(
    "div",
    "rnn-product",
    grid(Array.from(matrix.data), rows, cols, symbol(letter, subscript)),
    element("span", "rnn-op", "×"),
    grid(vector, vector.length, 1, element("span", "rnn-sym", ...sub(vectorName, index))),
    element("span", "rnn-op", "="),
    grid(result, result.length, 1, element("span", "rnn-sym", symbol(letter, subscript), " ", ...sub(vectorName, index))),
  );
}

function grid(values, rows, cols, caption) {
  const cells = values.map((v) => element("span", v < 0 ? "neg" : "", formatValue(v)));
  const matrix = element("div", "rnn-matrix", ...cells);
  matrix.style.gridTemplateColumns = `repeat(${cols}, auto)`;
  matrix.dataset.rows = rows;
  return element("figure", "rnn-grid", matrix, element("figcaption", "", caption));
}

/** Unit by unit: each term, the sum, act(sum), the server's h_t. */
function drawTable(table, terms, columns, nonlinearity) {
  const head = element("tr", "", element("th", "", "k"));
  for (const column of columns) head.append(element("th", "", ...column.symbol()));
  const server = element("th", "rnn-server");
  setText(server, "rnn.server_h");
  head.append(element("th", "", "Σ"), element("th", "", `${nonlinearity}(Σ)`), server);
  const rows = terms.sum.map((_, k) => {
    const values = [...columns.map((column) => column.values[k]), terms.sum[k], terms.h[k], terms.server[k]];
    return element("tr", "", element("td", "", String(k)), ...values.map((v) => element("td", "", formatValue(v))));
  });
  table.replaceChildren(element("thead", "", head), element("tbody", "", ...rows));
}
