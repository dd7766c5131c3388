// @ts-check
// The next-character distribution at one position: the k most likely characters with their
// probabilities as bars, the one that was drawn marked.

import { charLabel } from "../math/charrnnsample.js";
import { formatPercent } from "../math/numbers.js";
import { element } from "./parts/dom.js";

/**
 * Mount an empty list into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const list = element("ol", "charrnn-top");
  el.append(list);
  return { list };
}

/**
 * Show `[{char, p, drawn}]`.
 * @param {ReturnType<typeof mount>} view
 * @param {{top: {char: string, p: number, drawn: boolean}[]}} props
 */
export function update(view, { top }) {
  view.list.replaceChildren(
    ...top.map(({ char, p, drawn }) => {
      const bar = element("span", "charrnn-top-bar");
      bar.style.width = `${(p * 100).toFixed(1)}%`;
      const row = element(
        "li",
        drawn ? "drawn" : "",
        element("span", "charrnn-top-char", charLabel(char)),
        element("span", "charrnn-top-track", bar),
        element("span", "charrnn-top-p", formatPercent(p)),
      );
      row.dataset.char = char;
      return row;
    }),
  );
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.list.remove();
}
