// @ts-check
// Softmax written out: for each class its logit z, e^z, that divided by the sum of all ten, and
// the server's probability beside it (with a mark when they agree), the sum in the last row.

import { agrees, softmaxSteps } from "../math/headmath.js";
import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

const COLUMNS = ["head.softmax_class", "head.softmax_logit", "head.softmax_exp", "head.softmax_divide", "head.softmax_server"];

/**
 * Mount an empty table with one row per class (`classes`: their labels) into `el`.
 * @param {HTMLElement} el
 * @param {{classes: string[]}} opts
 */
export function mount(el, { classes }) {
  const head = element("tr", "", ...COLUMNS.map((key) => {
    const cell = element("th");
    setText(cell, key);
    return cell;
  }));
  const rows = classes.map((name) => {
    const cells = Array.from({ length: 4 }, () => element("td"));
    const check = element("span", "headsoftmax-check");
    cells[3].append(" ", check);
    const row = element("tr", "", element("th", "", name), ...cells);
    return { row, logit: cells[0], exp: cells[1], prob: cells[2], server: cells[3], check };
  });
  rows.forEach(({ prob, server }) => {
    prob.className = "headsoftmax-prob";
    server.className = "headsoftmax-server";
  });
  const sumLabel = element("th");
  setText(sumLabel, "head.softmax_sum");
  const sum = element("td", "headsoftmax-sum");
  const foot = element("tr", "", sumLabel, element("td"), sum, element("td"), element("td"));
  const table = element("table", "headsoftmax", element("thead", "", head), element("tbody", "", ...rows.map((r) => r.row)), element("tfoot", "", foot));
  el.append(table);
  return { root: table, rows, sum };
}

/**
 * Show softmax of `logits` (the server's `out`) next to the server's `probs`; `pred` is highlighted.
 * @param {ReturnType<typeof mount>} view
 * @param {{logits: ArrayLike<number>, probs: ArrayLike<number>, pred: number, dtype: string}} props
 */
export function update(view, { logits, probs, pred, dtype }) {
  const { exps, sum, probs: computed } = softmaxSteps(logits);
  const size = 1 + 4 * Math.max(...Array.from(logits, Math.abs));
  view.rows.forEach((row, i) => {
    row.logit.textContent = formatValue(logits[i]);
    row.exp.textContent = formatValue(exps[i]);
    row.prob.textContent = `${formatValue(exps[i])} / ${formatValue(sum)} = ${formatValue(computed[i])}`;
    row.server.firstChild.textContent = `${formatValue(probs[i])} `;
    const same = agrees(computed[i], probs[i], dtype, size * computed[i]);
    row.check.textContent = same ? "✓" : "≠";
    row.check.classList.toggle("agree", same);
    row.row.classList.toggle("predicted", i === pred);
  });
  view.sum.textContent = formatValue(sum);
}

/**
 * Remove the table.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
