// @ts-check
// Grid editor: typed numbers for a [C, H, W] tensor, one text box per cell laid out like the value
// grid and prefilled with the current values. Send hands the numbers over as nested [C][H][W]
// arrays; a cell that is not a number, or beyond ±limit, is marked and nothing is sent.

import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { nest, parseNumber } from "../math/typed.js";
import { element } from "./parts/dom.js";

/**
 * Mount a closed editor into `el`.
 * @param {HTMLElement} el
 * @param {{onSend: (values: number[][][]) => Promise<unknown>, limit?: number}} opts onSend's promise
 *   settles when the server has answered; the editor closes when it resolves. limit: the bound on
 *   |value| when `update` gives none.
 */
export function mount(el, { onSend, limit }) {
  const planes = element("div", "gridedit-planes");
  const message = element("p", "gridedit-message");
  message.setAttribute("role", "alert");
  message.hidden = true;
  const send = element("button", "primary");
  send.type = "submit";
  setText(send, "valuegrid.send");
  const cancel = element("button");
  cancel.type = "button";
  setText(cancel, "valuegrid.cancel");
  const hint = element("p", "hint");
  const root = element("form", "gridedit", hint, planes, message, element("div", "gridedit-buttons", send, cancel));
  root.hidden = true;
  el.append(root);
  const view = { root, hint, planes, message, inputs: [], shape: null, limit, onSend };
  root.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(view);
  });
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close(view);
  });
  cancel.addEventListener("click", () => close(view));
  return view;
}

/**
 * Open the editor on `values` (flat) of `shape` [C, H, W]; `limit` replaces the mounted bound (the session's).
 * @param {ReturnType<typeof mount>} view
 * @param {{values: ArrayLike<number>, shape: number[], limit?: number}} props
 */
export function update(view, { values, shape, limit = view.limit }) {
  const [channels, height, width] = shape;
  view.shape = [...shape];
  view.limit = limit;
  setText(view.hint, "valuegrid.edit_hint", { limit });
  view.inputs = [];
  view.message.hidden = true;
  view.planes.replaceChildren(
    ...Array.from({ length: channels }, (_, channel) => {
      const plane = element("div", "gridedit-plane");
      plane.style.setProperty("--columns", width);
      for (let i = 0; i < height * width; i++) {
        const input = element("input", "gridedit-cell");
        input.type = "text";
        input.inputMode = "decimal";
        input.value = formatValue(values[channel * height * width + i]);
        input.setAttribute("aria-label", `${channel},${Math.floor(i / width)},${i % width}`);
        view.inputs.push(input);
        plane.append(input);
      }
      return plane;
    }),
  );
  view.root.hidden = false;
  view.inputs[0]?.focus();
}

/** Close the editor without sending. */
export function close(view) {
  view.root.hidden = true;
  view.planes.replaceChildren();
  view.inputs = [];
}

/**
 * Remove the editor.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

function submit(view) {
  const values = view.inputs.map((input) => parseNumber(input.value));
  let bad = 0;
  view.inputs.forEach((input, i) => {
    const wrong = values[i] === null || Math.abs(values[i]) > view.limit;
    if (wrong) {
      input.setAttribute("aria-invalid", "true");
      bad++;
    } else input.removeAttribute("aria-invalid");
  });
  if (bad > 0) {
    setText(view.message, "valuegrid.bad_cells", { n: bad, limit: view.limit });
    view.message.hidden = false;
    return;
  }
  view.message.hidden = true;
  view.onSend(nest(values, view.shape)).then(
    () => close(view),
    () => {},
  );
}
