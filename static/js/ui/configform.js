// @ts-check
// A model page's config form: inputs named after the catalog's config fields (bounds and choices
// from GET /api/models), showing the session's config. A change hands every value to the page,
// which asks for a new session; a refusal shows the server's message next to the field it names
// (an element [data-error-for=<name>] in the form) and the refused input is marked invalid.

import { setText } from "./i18n.js";
import { errorKey } from "./status.js";

/** A form element's value: numbers as numbers, checkboxes as booleans, `data-kind="list"` as a list of numbers ("2, 3, 1"), the rest as text. */
function valueOf(input) {
  if (input.type === "checkbox") return input.checked;
  if (input.dataset.kind === "list") return input.value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (input.type === "number") return Number(input.value);
  return input.value;
}

/**
 * Wire `form`. `onChange(values, name)` gets every named field's value after field `name` changed.
 * Returns `{applyFields, show, setEnabled, showError, clearErrors}`.
 */
export function bindConfigForm(form, onChange) {
  const inputs = [...form.querySelectorAll("[name]")];
  const byName = (name) => inputs.find((input) => input.name === name);
  const errorSlot = (name) => form.querySelector(`[data-error-for="${name}"]`);

  const config = {
    /** Bounds of numbers (min, max) from the catalog's config fields. */
    applyFields(fields) {
      for (const field of fields) {
        const input = byName(field.name);
        if (!input) continue;
        if (field.min !== undefined && field.min !== null) input.min = field.min;
        if (field.max !== undefined && field.max !== null) input.max = field.max;
      }
    },
    /** Show `values` ({name: value}) in the inputs. */
    show(values) {
      for (const [name, value] of Object.entries(values)) {
        const input = byName(name);
        if (!input) continue;
        if (input.type === "checkbox") input.checked = Boolean(value);
        else input.value = String(value);
      }
    },
    /** Enable the inputs (the driver) or disable them (a viewer). */
    setEnabled(enabled) {
      for (const input of inputs) input.disabled = !enabled;
    },
    /**
     * Show a refusal `{code, message, field}` next to the input its field names ("config.padding"
     * → padding). Returns false when the form has no place for it (the page shows it elsewhere).
     */
    showError(error) {
      const name = String(error.field ?? "").replace(/^config\./, "").replace(/\[\d+\]$/, "");
      const slot = errorSlot(name);
      if (!slot) return false;
      setText(slot, errorKey(error.code), { message: error.message });
      slot.hidden = false;
      byName(name)?.setAttribute("aria-invalid", "true");
      return true;
    },
    /** Take every refusal away. */
    clearErrors() {
      for (const slot of form.querySelectorAll("[data-error-for]")) slot.hidden = true;
      for (const input of inputs) input.removeAttribute("aria-invalid");
    },
  };

  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", (event) => {
    if (!event.target.name) return;
    onChange(Object.fromEntries(inputs.map((input) => [input.name, valueOf(input)])), event.target.name);
  });
  return config;
}

/** The catalog entry of `model` (GET /api/models: its config and control fields…); empty lists when unreadable. */
export async function catalogEntry(model) {
  const response = await fetch("/api/models");
  const { models = [] } = response.ok ? await response.json() : {};
  return models.find((entry) => entry.name === model) ?? { config: [], controls: [] };
}

/**
 * Wire `form` as the config of a live page's session: a change replaces the session (`live()` gives
 * the page from startLivePage) by one of `model` with the new values; a refusal shows by its field,
 * or on the notice line. Returns the form's controls (bindConfigForm).
 */
export function bindSessionConfig(form, model, live) {
  const settings = bindConfigForm(form, async (config) => {
    settings.clearErrors();
    try {
      await live().replace(model, config);
    } catch (error) {
      if (!settings.showError(error)) live().notice.error(error);
    }
  });
  return settings;
}
