// @ts-check
// Live controls of a model that does not train: every named field of a form is the session control
// of that name. A slider sends while it moves, one request at a time with the newest value winning;
// an <output for=NAME> shows a slider's value; `state` messages put the session's values back.

/** A field's value: a checkbox's state, a select's choice, else a number. */
function valueOf(field) {
  if (field.type === "checkbox") return field.checked;
  if (field.tagName === "SELECT") return field.value;
  return Number(field.value);
}

/**
 * Wire the named fields of `forms`; `act(message)` sends a client message and returns a Promise.
 * Returns `{show(controls), applyFields(catalogFields), setEnabled(enabled), set(values)}`.
 */
export function bindControlFields(forms, act) {
  const fields = Object.fromEntries(forms.flatMap((form) => [...form.querySelectorAll("[name]")]).map((f) => [f.name, f]));
  let shown = {};
  let pending = null; // values waiting while a request is in flight
  let inFlight = false;

  async function set(values) {
    pending = { ...pending, ...values };
    if (inFlight) return;
    inFlight = true;
    while (pending) {
      const next = pending;
      pending = null;
      await act({ type: "set", values: next }).catch(() => controls.show(shown));
    }
    inFlight = false;
  }

  const showOutput = (name) => {
    for (const output of document.querySelectorAll(`output[for="${name}"]`)) output.textContent = fields[name].value;
  };

  const controls = {
    set,
    /** Show the session's control values (a field being edited keeps its own). */
    show(values) {
      shown = values;
      for (const [name, field] of Object.entries(fields)) {
        if (values[name] === undefined || field === document.activeElement) continue;
        if (field.type === "checkbox") field.checked = Boolean(values[name]);
        else field.value = String(values[name]);
        showOutput(name);
      }
    },
    /** Bounds of numbers and choices of selects from the catalog's control fields. */
    applyFields(catalogFields) {
      for (const entry of catalogFields) {
        const field = fields[entry.name];
        if (!field) continue;
        if (entry.min !== undefined) field.min = entry.min;
        if (entry.max !== undefined) field.max = entry.max;
        if (entry.type === "choice" && field.tagName === "SELECT" && field.options.length === 0) {
          field.append(...entry.choices.map((choice) => new Option(choice, choice)));
        }
      }
    },
    setEnabled(enabled) {
      for (const field of Object.values(fields)) field.disabled = !enabled;
    },
  };

  for (const field of Object.values(fields)) {
    const live = field.type === "range";
    field.addEventListener(live ? "input" : "change", () => {
      showOutput(field.name);
      set({ [field.name]: valueOf(field) });
    });
  }
  for (const form of forms) form.addEventListener("submit", (event) => event.preventDefault());
  return controls;
}
