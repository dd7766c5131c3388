// @ts-check
// Formula list: formulas with their numbers (an update rule, a loss term by term, a chain rule line by
// line). Labelled: each line's label is an i18n key, its formula literal text (a <dl>). Numbered: each
// line is one translated text with its numbers, in order (an <ol>).

import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";

/**
 * Mount an empty list into `el`; `numbered` for an ordered list of translated lines, `label` names it
 * for tests (data-view).
 * @param {HTMLElement} el
 * @param {{numbered?: boolean, label?: string | null}} [opts]
 */
export function mount(el, { numbered = false, label = null } = {}) {
  const root = element(numbered ? "ol" : "dl", numbered ? "formulalist formulalist-numbered" : "formulalist");
  if (label) root.dataset.view = label;
  el.append(root);
  return { root, numbered };
}

/**
 * Show `lines` [{key, params?, formula?}] (`formula` for a labelled list); `empty` (an i18n key) when
 * there are none.
 */
export function update(view, { lines, empty = null }) {
  const items = lines.flatMap(({ key, params, formula }) => {
    const text = element(view.numbered ? "li" : "dt");
    setText(text, key, params);
    return view.numbered ? [text] : [text, element("dd", "formula", formula)];
  });
  if (!items.length && empty) {
    const note = element("p", "hint");
    setText(note, empty);
    items.push(note);
  }
  view.root.replaceChildren(...items);
}

/** Remove the list. */
export function destroy(view) {
  view.root.remove();
}
