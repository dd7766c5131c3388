// @ts-check
// Bars: the class probabilities, the predicted class highlighted, the true label marked when known.
// A bar's length is a transform (no layout); texts and classes are written only when they change.

import { setText } from "../ui/i18n.js";
import { formatPercent } from "../math/numbers.js";
import { element, setTextIfChanged } from "./parts/dom.js";

/**
 * Mount one bar per class (`classes`: their labels, e.g. the digits "0"…"9") into `el`.
 * @param {HTMLElement} el
 * @param {{classes: string[]}} opts
 */
export function mount(el, { classes }) {
  const prediction = element("span", "bars-prediction");
  const truth = element("span", "bars-truth");
  const rows = classes.map((name) => {
    const fill = element("span", "bars-fill");
    const value = element("span", "bars-value");
    const marker = element("span", "bars-marker");
    const row = element("li", "", element("span", "bars-class", name), element("span", "bars-track", fill), value, marker);
    return { row, fill, value, marker, length: "" };
  });
  const root = element(
    "div",
    "bars",
    element("p", "bars-summary", prediction, truth),
    element("ol", "bars-list", ...rows.map(({ row }) => row)),
  );
  el.append(root);
  return { root, classes, rows, prediction, truth };
}

/**
 * Show `probs` (one per class), the predicted class `pred` and the true `label` (or null).
 * @param {ReturnType<typeof mount>} view
 * @param {{probs: ArrayLike<number>, pred: number, label?: number | null}} props
 */
export function update(view, { probs, pred, label = null }) {
  view.rows.forEach((bar, i) => {
    const { row, fill, value, marker } = bar;
    const length = `scaleX(${probs[i].toFixed(4)})`;
    if (bar.length !== length) fill.style.transform = bar.length = length;
    setTextIfChanged(value, formatPercent(probs[i]));
    row.classList.toggle("predicted", i === pred);
    row.classList.toggle("truth", i === label);
    if (i === label) setText(marker, "probs.truth_marker");
    else setText(marker, "probs.no_marker");
  });
  if (view.root.dataset.pred !== String(pred)) view.root.dataset.pred = String(pred);
  if (view.root.dataset.label !== String(label ?? "")) view.root.dataset.label = String(label ?? "");
  setText(view.prediction, "probs.predicted", { digit: view.classes[pred] });
  if (label === null || label === undefined) setText(view.truth, "probs.no_label");
  else setText(view.truth, pred === label ? "probs.label_right" : "probs.label_wrong", { digit: view.classes[label] });
}

/**
 * Remove the bars.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
