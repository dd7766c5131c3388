// @ts-check
// One bar per layer on a log scale (gradient norms ‖∂L/∂h_l‖ from layer 1 at the left), each bar's
// number on hover and in its accessible name; a shared [lo, hi] of log10 values lets two panels compare.

import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

/** Mount an empty bar chart into `el`; `describe(i, value, extra)` gives bar i's hover text. */
export function mount(el, { describe = (i, v) => `${i + 1}: ${formatValue(v)}` } = {}) {
  const bars = element("div", "layerbars");
  el.append(bars);
  return { root: bars, describe, items: [] };
}

/**
 * Show `values` (one per layer) against `logRange` [lo, hi] (log10); `extra[i]` goes to describe
 * (dead units of layer i); a bar of a value at or below 10^lo is empty.
 */
export function update(view, { values, logRange, extra = [] }) {
  while (view.items.length < values.length) {
    const fill = element("span", "layerbars-fill");
    const item = element("span", "layerbars-bar", fill);
    view.root.append(item);
    view.items.push({ item, fill });
  }
  while (view.items.length > values.length) view.items.pop().item.remove();
  const [lo, hi] = logRange;
  view.items.forEach(({ item, fill }, i) => {
    const level = values[i] > 0 ? (Math.log10(values[i]) - lo) / (hi - lo || 1) : 0;
    fill.style.height = `${Math.max(0, Math.min(1, level)) * 100}%`;
    const text = view.describe(i, values[i], extra[i]);
    item.title = text;
    item.setAttribute("aria-label", text);
    item.dataset.value = String(values[i]);
  });
}

/** Remove the chart. */
export function destroy(view) {
  view.root.remove();
}
