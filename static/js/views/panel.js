// @ts-check
// Panel: a titled box for one view — heading (shape and formula, or a translated title), a note,
// the view's body and a legend slot. A gradient badge says when it shows ∂L/∂(tensor).

import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";

/**
 * Mount a panel into `el`.
 * @param {HTMLElement} el
 * @param {{heading?: string, formula?: string|null, headingKey?: string, noteKey?: string, noteParams?: object, tensorLabel?: string}} opts
 *   heading: literal text (a layer's shape); headingKey: an i18n key instead; formula: shown after it;
 *   tensorLabel: the tensor's name in the gradient badge "∂L/∂C1".
 */
export function mount(el, { heading = null, formula = null, headingKey = null, noteKey = null, noteParams = null, tensorLabel = "" }) {
  const name = element("span", "panel-name");
  if (headingKey) setText(name, headingKey);
  else name.textContent = heading;
  const badge = element("span", "panel-badge");
  badge.hidden = true;
  setText(badge, "panel.gradient", { name: tensorLabel });
  const title = element("h3", "panel-title", name, " ");
  if (formula) title.append(element("span", "panel-formula", `= ${formula}`), " ");
  title.append(badge);
  const root = element("section", "panel", title);
  if (noteKey) {
    const note = element("p", "panel-note");
    setText(note, noteKey, noteParams);
    root.append(note);
  }
  const body = element("div", "panel-body");
  const legend = element("div", "panel-legend");
  root.append(body, legend);
  el.append(root);
  return { root, body, legend, badge };
}

/**
 * Mark whether the panel shows a gradient.
 * @param {ReturnType<typeof mount>} view
 * @param {{gradient: boolean}} props
 */
export function update(view, { gradient }) {
  if (view.badge.hidden === gradient) view.badge.hidden = !gradient;
  view.root.classList.toggle("gradient", gradient);
}

/**
 * Remove the panel.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
