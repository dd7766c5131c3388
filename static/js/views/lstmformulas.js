// @ts-check
// The four gate formulas and the two state updates, typeset in HTML and evaluated with the
// server's numbers for the selected step and unit: each pre-activation as its three terms
// (W x, U h, b) and their sum, then the activation's value; c_t and h_t from their factors.

import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

const GATES = [
  { gate: "f", act: "σ" },
  { gate: "i", act: "σ" },
  { gate: "g", act: "tanh" },
  { gate: "o", act: "σ" },
];

/**
 * Mount an empty list of formulas into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const root = element("div", "lstmformulas");
  el.append(root);
  return { root };
}

/**
 * Show the formulas for `values` (from stepValues).
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ReturnType<typeof import('../math/lstmstep.js').stepValues>}} props
 */
export function update(view, { values }) {
  const lines = GATES.map(({ gate, act }) => {
    const { x, h, bias, z } = values.terms[gate];
    const sum = [num(x), " + ", num(h), " + ", num(bias)];
    return line(gate, [
      sym(gate, "t"),
      " = ",
      `${act}(`,
      sym("W", gate),
      sym("x", "t"),
      " + ",
      sym("U", gate),
      sym("h", "t−1"),
      " + ",
      sym("b", gate),
      ")",
      br(),
      " = ",
      `${act}(`,
      ...sum,
      ") = ",
      `${act}(`,
      num(z),
      ") = ",
      result(values[gate]),
    ]);
  });
  lines.push(
    line("c", [
      sym("c", "t"), " = ", sym("f", "t"), " ⊙ ", sym("c", "t−1"), " + ", sym("i", "t"), " ⊙ ", sym("g", "t"), br(),
      " = ", num(values.f), " × ", num(values.cPrev), " + ", num(values.i), " × ", num(values.g), " = ", result(values.c),
    ]),
    line("h", [
      sym("h", "t"), " = ", sym("o", "t"), " ⊙ tanh(", sym("c", "t"), ")", br(),
      " = ", num(values.o), " × tanh(", num(values.c), ") = ", num(values.o), " × ", num(values.tanhC), " = ", result(values.h),
    ]),
  );
  view.root.replaceChildren(...lines);
}

/**
 * Remove the formulas.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

function line(name, parts) {
  const row = element("p", "lstmformulas-line", ...parts);
  row.dataset.formula = name;
  return row;
}

function sym(base, sub) {
  return element("var", "", base, element("sub", "", sub));
}

function num(v) {
  return element("span", "lstmformulas-num", v < 0 ? `(${formatValue(v)})` : formatValue(v));
}

function result(v) {
  return element("strong", "lstmformulas-result", formatValue(v));
}

function br() {
  return element("br");
}
