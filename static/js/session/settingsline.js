// @ts-check
// The presenter's settings as one read-only line (templates/_session_bar.html): on a viewer's phone
// the controls a viewer cannot use fold away (base.css) and this line says what they are set to, from
// the session itself: every training control of the newest state and each config value the page has a
// field for. An item is named by its field's label and shows a select's option text; data-key and
// data-value hold the raw key and value.

import { setText, t } from "../ui/i18n.js";

/** @typedef {string|number|boolean} Scalar */

/** @param {unknown} value @returns {value is Scalar} */
const isScalar = (value) => ["string", "number", "boolean"].includes(typeof value);

/**
 * The page's field named `key`, if any (a setting form's input or select).
 * @param {string} key
 * @returns {HTMLInputElement|HTMLSelectElement|null}
 */
const fieldOf = (key) => document.querySelector(`main [name="${CSS.escape(key)}"]`);

/**
 * How a setting reads: its field's label (else the key) and its value (a select's option text, on/off).
 * @param {string} key
 * @param {Scalar} value
 * @returns {[string, string]}
 */
function describe(key, value) {
  const field = fieldOf(key);
  const label = field?.closest("label")?.querySelector("[data-i18n]")?.textContent?.trim() || key;
  const option = field instanceof HTMLSelectElement ? [...field.options].find((o) => o.value === String(value)) : undefined;
  if (option) return [label, option.text];
  if (typeof value === "boolean") return [label, t(value ? "lecture.setting_on" : "lecture.setting_off")];
  return [label, String(value)];
}

/**
 * Keep `element` showing the settings of `handle`'s session: its config (the values the page has a
 * field for) and its newest controls.
 * @param {import("./handle.js").SessionHandle} handle
 * @param {HTMLElement} element
 */
export function bindSettingsLine(handle, element) {
  /** @type {Record<string, unknown>} */
  let config = {};
  /** @type {Record<string, unknown>} */
  let controls = {};
  const show = () => {
    const settings = Object.entries(config).filter(([key]) => fieldOf(key));
    const items = [...settings, ...Object.entries(controls)].filter(([, value]) => isScalar(value));
    element.replaceChildren();
    if (items.length === 0) return;
    const title = document.createElement("span");
    title.className = "presenter-settings-title";
    setText(title, "lecture.presenter_settings");
    element.append(title);
    for (const [key, value] of items) {
      const item = document.createElement("span");
      const [label, text] = describe(key, /** @type {Scalar} */ (value));
      Object.assign(item.dataset, { key, value: String(value) });
      item.textContent = `${label} ${text}`;
      element.append(item);
    }
  };
  handle.on("hello", (hello) => {
    config = hello.session?.config ?? {};
    controls = hello.session?.controls ?? {};
    show();
  });
  handle.on("state", (state) => {
    if (!state.controls) return;
    controls = state.controls;
    show();
  });
}
