// @ts-check
// Formula list: labelled formulas with their numbers (an update rule, a loss term by term);
// each label is an i18n key, each formula literal text.

import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";

/** Mount an empty list into `el`. */
export function mount(el) {
  const root = element("dl", "formulalist");
  el.append(root);
  return { root };
}

/** Show `lines` [{key, params?, formula}]; `empty` (an i18n key) when there are none. */
export function update(view, { lines, empty = null }) {
  const items = lines.flatMap(({ key, params, formula }) => {
    const label = element("dt");
    setText(label, key, params);
    return [label, element("dd", "formula", formula)];
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
