// @ts-check
// Formula lines: a numbered list of translated lines, each an i18n key with its numbers.

import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";

/** Mount an empty list into `el`; `label` names it for tests (data-view). */
export function mount(el, { label = "lines" } = {}) {
  const list = element("ol", "formula-lines");
  list.dataset.view = label;
  el.append(list);
  return { list };
}

/** Show `lines`: [{key, params}]. */
export function update(view, { lines }) {
  view.list.replaceChildren(
    ...lines.map(({ key, params }) => {
      const item = element("li");
      setText(item, key, params);
      return item;
    }),
  );
}

/** Remove the list. */
export function destroy(view) {
  view.list.remove();
}
