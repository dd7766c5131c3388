// @ts-check
// Code view: the source of functions that run on the server (sent by the session, read from the
// running module), each beside the current numbers that belong to it.

import { element } from "./parts/dom.js";

/**
 * @typedef {{name: string, source: string}} Source one function's name and source text
 * @typedef {{label: string, value: string}} Note one number beside a function
 */

/**
 * Mount an empty code view into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const root = element("div", "codeview");
  el.append(root);
  return { root, /** @type {Map<string, HTMLElement>} */ notes: new Map(), shown: "" };
}

/**
 * Show `code` (rebuilt only when it changes) and each function's `notes` (by function name).
 * @param {ReturnType<typeof mount>} view
 * @param {{code: Source[], notes: Record<string, Note[]>}} props
 */
export function update(view, { code, notes }) {
  const key = code.map((c) => c.source).join("\n");
  if (key !== view.shown) {
    view.shown = key;
    view.notes.clear();
    view.root.replaceChildren(
      ...code.map(({ name, source }) => {
        const list = element("dl", "codeview-notes");
        view.notes.set(name, list);
        const pre = element("pre", "codeview-source", element("code", "", source));
        pre.tabIndex = 0; // scrollable by keyboard on a narrow screen
        return element("figure", "codeview-function", pre, list);
      }),
    );
  }
  for (const [name, list] of view.notes) {
    const rows = (notes[name] ?? []).flatMap(({ label, value }) => [element("dt", "", label), element("dd", "", value)]);
    list.replaceChildren(...rows);
  }
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
