// @ts-check
// Pool arithmetic: what one output cell computes, written out with the server's numbers.
// Forward: its f×f window as a small table and the line max(a, b, …) = y or (a + b + …)/f² = y.
// Backward: where that cell's upstream gradient g goes — all of it to the window's maximum, or
// g/(f·f) to every cell — as the same small table of shares.

import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";
import { cellText } from "./valuegrid.js";

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
 * "max(a, b, c) = y" or "(a + b + c) / 4 = Σ / 4 = y", cut to MAX_TERMS terms. Every number is printed
 * as the value grids print it (valueText), so the shown terms add up to the shown sum; where rounding
 * to those digits makes a step disagree, it reads "≈" instead of "=".
 * @param {"max"|"avg"} op
 * @param {{values: number[], area: number, result: number}} numbers the window's values (−∞ for max
 *   pooling's padding), f·f and the server's output y
 */
export function formula(op, { values, area, result }) {
  const terms = values.map(valueText);
  const shown = terms.length > MAX_TERMS ? [...terms.slice(0, MAX_TERMS - 1), "…"] : terms;
  const y = valueText(result);
  if (op === "max") return `max(${shown.join(", ")}) = ${y}`;
  const sum = valueText(values.reduce((total, v) => total + v, 0));
  const termsTotal = terms.reduce((total, text) => total + shownNumber(text), 0);
  return `(${shown.join(" + ")}) / ${area} ${relation(termsTotal, sum)} ${sum} / ${area} ${relation(shownNumber(sum) / area, y)} ${y}`;
}

/** "g / f² = share" with the same printing and the same "≈" rule. */
export function shareLine(g, area) {
  const share = valueText(g / area);
  return `${valueText(g)} / ${area} ${relation(shownNumber(valueText(g)) / area, share)} ${share}`;
}

/** A number as the grids and the calculation print it; −∞ for max pooling's padding. */
export function valueText(value) {
  return value === -Infinity ? "−∞" : cellText(value);
}

/** The number a printed value reads as ("≈0" reads as 0). @param {string} text */
function shownNumber(text) {
  return text === "≈0" ? 0 : Number(text);
}

/** "=" when `value` rounded to the digits of `text` is what `text` shows, else "≈". */
function relation(value, text) {
  const digits = text.split(".")[1]?.length ?? (text === "≈0" ? 2 : 0);
  return Number(value.toFixed(digits)) === shownNumber(text) ? "=" : "≈";
}

/**
 * Remove the box.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
