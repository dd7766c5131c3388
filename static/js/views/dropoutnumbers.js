// @ts-check
// Dropout's numbers, side by side: the scale factor 1/(1 − p) with the ratio y ÷ x measured on the
// kept units of the frame, the fraction of units kept against 1 − p, and three means — of the
// input, of this mask's output, and of the output averaged over many masks.

import { setText } from "../ui/i18n.js";
import { formatPercent, formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

/** A labelled big number: `{root, label, value, note}`. */
function figure(className) {
  const label = element("span", "dropoutnumbers-label");
  const value = element("span", "dropoutnumbers-value");
  const note = element("span", "dropoutnumbers-note");
  return { root: element("div", `dropoutnumbers-figure ${className}`, label, value, note), label, value, note };
}

/**
 * Mount the empty numbers into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const parts = {
    scale: figure("scale"),
    kept: figure("kept"),
    meanInput: figure("mean-input"),
    meanOutput: figure("mean-output"),
    meanOverMasks: figure("mean-masks"),
  };
  const means = element("div", "dropoutnumbers-means", parts.meanInput.root, parts.meanOutput.root, parts.meanOverMasks.root);
  const root = element("div", "dropoutnumbers", parts.scale.root, parts.kept.root, means);
  el.append(root);
  setText(parts.meanInput.label, "dropout.mean_input");
  setText(parts.meanOutput.label, "dropout.mean_output");
  return { root, ...parts };
}

/** The change from `base` to `value` as a signed percentage ("+3.1%"), or "" when base is 0. */
function relative(value, base) {
  if (base === 0) return "";
  const change = (value - base) / Math.abs(base);
  return `${change >= 0 ? "+" : "−"}${formatPercent(Math.abs(change))}`;
}

/**
 * Show one frame's numbers.
 * @param {object} view
 * @param {{mode: string, p: number, kept: number, units: number, meanInput: number, meanOutput: number,
 *   meanOverMasks: number, masks: number, ratio: number[]|null}} numbers
 *   the frame header's fields, the number of units, the masks averaged, y ÷ x over kept units.
 */
export function update(view, { mode, p, kept, units, meanInput, meanOutput, meanOverMasks, masks, ratio }) {
  const train = mode === "train";
  view.root.dataset.mode = mode;
  setText(view.scale.label, train ? "dropout.scale_label" : "dropout.scale_label_eval");
  view.scale.value.textContent = train ? `1 / (1 − ${formatValue(p)}) = ${formatValue(1 / (1 - p))}` : "1";
  if (ratio === null) setText(view.scale.note, "dropout.ratio_none");
  else {
    const [low, high] = ratio.map(formatValue);
    setText(view.scale.note, low === high ? "dropout.ratio" : "dropout.ratio_range", { low, high });
  }
  setText(view.kept.label, "dropout.kept_label");
  view.kept.value.textContent = formatPercent(kept);
  const count = { n: Math.round(kept * units), units };
  if (train) setText(view.kept.note, "dropout.kept_note", { ...count, expected: formatPercent(1 - p) });
  else setText(view.kept.note, "dropout.kept_note_eval", count);
  view.meanInput.value.textContent = formatValue(meanInput);
  view.meanOutput.value.textContent = formatValue(meanOutput);
  view.meanOutput.note.textContent = relative(meanOutput, meanInput);
  setText(view.meanOverMasks.label, "dropout.mean_over_masks", { masks });
  view.meanOverMasks.value.textContent = formatValue(meanOverMasks);
  view.meanOverMasks.note.textContent = relative(meanOverMasks, meanInput);
}

/**
 * Remove the numbers.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
