// @ts-check
// A generated text as coloured characters: the prompt in grey, then one cell per generated
// character with its background from a colour scale (the drawn character's probability, or one
// hidden unit), the chosen position framed. Click or arrow keys pick a position.

import { colorOf, inkOn } from "../math/colormap.js";
import { element } from "./parts/dom.js";

// In running text only the characters that would vanish get a sign; a space stays a (coloured) space.
const SIGNS = { "\n": "↵", "\t": "⇥", "\r": "␍" };

/**
 * Mount into `el`; `onPick(t)` runs when a position is clicked.
 * @param {HTMLElement} el
 * @param {{onPick: (t: number) => void}} opts
 */
export function mount(el, { onPick }) {
  const prompt = element("span", "charrnn-prompt-chars");
  const body = element("span", "charrnn-chars");
  const root = element("div", "charrnn-text", prompt, body);
  root.tabIndex = 0;
  root.addEventListener("click", (event) => {
    const cell = event.target.closest("[data-t]");
    if (cell) onPick(Number(cell.dataset.t));
  });
  el.append(root);
  return { root, prompt, body, cells: [], chars: null, selected: -1 };
}

/** A character cell: a newline or tab shown by its sign (a newline also breaks the line). */
function cell(char, t) {
  const span = element("span", "ch", SIGNS[char] ?? char);
  span.dataset.t = String(t);
  if (char in SIGNS) span.classList.add("ws");
  return span;
}

/**
 * Show `chars` after `prompt`, coloured by `values[t]` on `scale`, position `selected` framed.
 * The cells are rebuilt only when the characters change.
 * @param {ReturnType<typeof mount>} view
 * @param {{prompt: string, chars: string[], values: ArrayLike<number>, scale: import('../math/colormap.js').Scale, selected: number}} props
 */
export function update(view, { prompt, chars, values, scale, selected }) {
  if (view.chars !== chars) {
    view.chars = chars;
    view.prompt.textContent = prompt.replaceAll("\n", `${SIGNS["\n"]}\n`);
    view.cells = chars.map(cell);
    view.body.replaceChildren(...view.cells.flatMap((span, t) => (chars[t] === "\n" ? [span, element("br")] : [span])));
    view.selected = -1;
  }
  view.cells.forEach((span, t) => {
    const rgb = colorOf(values[t], scale);
    span.style.background = `rgb(${rgb.join(",")})`;
    span.style.color = inkOn(rgb);
  });
  view.cells[view.selected]?.classList.remove("selected");
  view.cells[selected]?.classList.add("selected");
  view.selected = selected;
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
