// @ts-check
// One bar per layer on a log scale (gradient norms ‖∂L/∂h_l‖ from layer 1 at the left), each bar's
// number on hover and in its accessible name; a shared [lo, hi] of log10 values lets two panels compare.
// The scale's ends are written at the left, layer numbers under the bars.

import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

/** Mount an empty bar chart into `el`; `describe(i, value, extra)` gives bar i's hover text. */
export function mount(el, { describe = (i, v) => `${i + 1}: ${formatValue(v)}` } = {}) {
  const bars = element("div", "layerbars");
  const high = element("span", "layerbars-tick");
  const low = element("span", "layerbars-tick");
  const names = element("div", "layerbars-names");
  const root = element("div", "layerbars-chart", element("div", "layerbars-axis", high, low), bars, element("span"), names);
  el.append(root);
  return { root, bars, high, low, names, describe, items: [] };
}

/** Layer numbers under the bars: every one up to ten layers, else the first, every fifth and the last. */
function nameLayers(view, count) {
  const shown = (i) => count <= 10 || i === 0 || (i + 1) % 5 === 0 || i === count - 1;
  view.names.replaceChildren(...Array.from({ length: count }, (_, i) => element("span", "", shown(i) ? String(i + 1) : "")));
}

/**
 * Show `values` (one per layer) against `logRange` [lo, hi] (log10); `extra[i]` goes to describe
 * (dead units of layer i); a bar of a value at or below 10^lo is empty.
 */
export function update(view, { values, logRange, extra = [] }) {
  if (view.items.length !== values.length) nameLayers(view, values.length);
  while (view.items.length < values.length) {
    const fill = element("span", "layerbars-fill");
    const item = element("span", "layerbars-bar", fill);
    view.bars.append(item);
    view.items.push({ item, fill });
  }
  while (view.items.length > values.length) view.items.pop().item.remove();
  const [lo, hi] = logRange;
  view.high.textContent = formatValue(10 ** hi);
  view.low.textContent = formatValue(10 ** lo);
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
