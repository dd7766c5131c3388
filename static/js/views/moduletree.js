// @ts-check
// Module tree: the watched modules of a model as an indented list (depth from the dotted name),
// each with its type and output shape; clicking one selects it.

import { element } from "./parts/dom.js";

/**
 * Mount an empty list into `el`; `onSelect(name)` runs when a module is clicked.
 * @param {HTMLElement} el
 * @param {{onSelect: (name: string) => void}} opts
 */
export function mount(el, { onSelect }) {
  const list = element("ul", "moduletree");
  el.append(list);
  return { list, onSelect, rows: new Map(), signature: "" };
}

/**
 * Show `modules` ([{name, type, shape}]), `selected` highlighted; `drawn`: names with a tensor.
 * @param {ReturnType<typeof mount>} view
 * @param {{modules: {name: string, type: string, shape?: number[] | null}[], selected: string | null, drawn: Set<string>}} props
 */
export function update(view, { modules, selected, drawn }) {
  const signature = modules.map((m) => `${m.name}:${m.type}`).join("|");
  if (signature !== view.signature) rebuild(view, modules, signature);
  for (const { name, shape } of modules) {
    const row = view.rows.get(name);
    row.shape.textContent = shape ? `[${shape.join(", ")}]` : "";
    row.button.classList.toggle("selected", name === selected);
    row.button.setAttribute("aria-pressed", String(name === selected));
    row.button.classList.toggle("drawn", drawn.has(name));
  }
}

/**
 * Remove the list.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.list.remove();
}

function rebuild(view, modules, signature) {
  view.signature = signature;
  view.rows.clear();
  view.list.replaceChildren(
    ...modules.map(({ name, type }) => {
      const shape = element("span", "moduletree-shape");
      const button = element("button", "moduletree-row", element("span", "moduletree-name", name), " ", element("span", "moduletree-type", type), " ", shape);
      button.type = "button";
      button.dataset.module = name;
      button.style.setProperty("--depth", name.split(".").length - 1);
      button.addEventListener("click", () => view.onSelect(name));
      view.rows.set(name, { button, shape });
      return element("li", "", button);
    }),
  );
}
