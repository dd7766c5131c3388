// @ts-check
// Pool arithmetic: what one output cell computes, written out with the server's numbers.
// Forward: its f×f window as a small table and the line max(a, b, …) = y or (a + b + …)/f² = y.
// Backward: where that cell's upstream gradient g goes — all of it to the window's maximum, or
// g/(f·f) to every cell — as the same small table of shares.

import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

// Longer sums are cut after this many terms ("…"); the table always shows every cell.
const MAX_TERMS = 9;

/**
 * Mount an empty calculation box into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const lead = element("p", "poolcalc-lead");
  const table = element("div", "poolcalc-window");
  const line = element("p", "poolcalc-line");
  const note = element("p", "poolcalc-note hint");
  const root = element("div", "poolcalc", lead, element("div", "poolcalc-row", table, line), note);
  el.append(root);
  return { root, lead, table, line, note };
}

/**
 * Show one cell's arithmetic.
 * @param {object} view
 * @param {{lead: {key: string, params: object}, cells: {text: string, winner?: boolean, pad?: boolean}[],
 *   size: number, line: string, note?: {key: string, params?: object}|null}} content
 *   lead: the translated sentence above; cells: the f×f window row by row; line: the formula.
 */
export function update(view, { lead, cells, size, line, note = null }) {
  setText(view.lead, lead.key, lead.params);
  view.table.style.setProperty("--columns", size);
  view.table.replaceChildren(
    ...cells.map(({ text, winner = false, pad = false }) => {
      const cell = element("span", "poolcalc-cell", text);
      cell.classList.toggle("winner", winner);
      cell.classList.toggle("pad", pad);
      return cell;
    }),
  );
  view.line.textContent = line;
  view.note.hidden = !note;
  if (note) setText(view.note, note.key, note.params);
}

/**
 * "max(a, b, c) = y" or "(a + b + c) / 4 = Σ / 4 = y", cut to MAX_TERMS terms; every argument is
 * already text (the terms, the area f·f, the sum Σ and the server's result y).
 */
export function formula(op, { terms, area, sum, result }) {
  const shown = terms.length > MAX_TERMS ? [...terms.slice(0, MAX_TERMS - 1), "…"] : terms;
  if (op === "max") return `max(${shown.join(", ")}) = ${result}`;
  return `(${shown.join(" + ")}) / ${area} = ${sum} / ${area} = ${result}`;
}

/** A number as the calculation prints it; −∞ for max pooling's padding. */
export function valueText(value) {
  return value === -Infinity ? "−∞" : formatValue(value);
}

/**
 * Remove the box.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
