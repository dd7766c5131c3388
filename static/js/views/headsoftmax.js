// @ts-check
// Softmax written out: for each class its logit z, e^z, that divided by the sum of all ten, and
// the server's probability beside it (with a mark when they agree), the sum in the last row; then
// the loss the gradients start from: L = −log p[target] and ∂L/∂z = p − onehot(target) per class.

import { agrees, crossEntropySteps, softmaxSteps } from "../math/headmath.js";
import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element, setTextIfChanged } from "./parts/dom.js";

const COLUMNS = ["head.softmax_class", "head.softmax_logit", "head.softmax_exp", "head.softmax_divide", "head.softmax_server", "head.softmax_grad"];

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
    const cells = Array.from({ length: 5 }, () => element("td"));
    const check = element("span", "headsoftmax-check");
    cells[3].append(" ", check);
    const row = element("tr", "", element("th", "", name), ...cells);
    return { row, logit: cells[0], exp: cells[1], prob: cells[2], server: cells[3], check, grad: cells[4] };
  });
  rows.forEach(({ prob, server, grad }) => {
    prob.className = "headsoftmax-prob";
    server.className = "headsoftmax-server";
    grad.className = "headsoftmax-grad";
  });
  const sumLabel = element("th");
  setText(sumLabel, "head.softmax_sum");
  const sum = element("td", "headsoftmax-sum");
  const foot = element("tr", "", sumLabel, element("td"), sum, element("td"), element("td"), element("td"));
  const table = element("table", "headsoftmax", element("thead", "", head), element("tbody", "", ...rows.map((r) => r.row)), element("tfoot", "", foot));
  const target = element("p", "headsoftmax-target");
  const loss = element("p", "headsoftmax-loss");
  const root = element("div", "headsoftmax-box", table, target, loss);
  el.append(root);
  return { root, rows, sum, target, loss };
}

/**
 * Show softmax of `logits` (the server's `out`) next to the server's `probs`; `pred` is highlighted.
 * The loss is taken against `label`, or against `pred` when the input has none (a drawing), as the
 * server does for the gradients it streams.
 * @param {ReturnType<typeof mount>} view
 * @param {{logits: ArrayLike<number>, probs: ArrayLike<number>, pred: number, label?: number|null, dtype: string}} props
 */
export function update(view, { logits, probs, pred, label = null, dtype }) {
  const target = label ?? pred;
  const { exps, sum, probs: computed } = softmaxSteps(logits);
  const size = 1 + 4 * Math.max(...Array.from(logits, Math.abs));
  const loss = crossEntropySteps(computed, target);
  view.rows.forEach((row, i) => {
    row.logit.textContent = formatValue(logits[i]);
    row.exp.textContent = formatValue(exps[i]);
    row.prob.textContent = `${formatValue(exps[i])} / ${formatValue(sum)} = ${formatValue(computed[i])}`;
    row.server.firstChild.textContent = `${formatValue(probs[i])} `;
    const same = agrees(computed[i], probs[i], dtype, size * computed[i]);
    row.check.textContent = same ? "✓" : "≠";
    row.check.classList.toggle("agree", same);
    row.row.classList.toggle("predicted", i === pred);
    row.row.classList.toggle("target", i === target);
    setTextIfChanged(row.grad, formatValue(loss.grad[i]));
  });
  view.sum.textContent = formatValue(sum);
  if (label === null) setText(view.target, "head.loss_target_pred", { digit: target });
  else setText(view.target, "head.loss_target_label", { digit: target });
  const p = formatValue(computed[target]);
  setText(view.loss, "head.loss_line", { digit: target, p, loss: formatValue(loss.loss) });
}

/**
 * Remove the table.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
