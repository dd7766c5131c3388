// @ts-check
// Training controls shared by model pages: Train/Pause, Step, Reset, hyperparameters, the
// gradient toggle, and their keyboard shortcuts. They speak protocol messages through `act`.

import { hasText, setText } from "./i18n.js";
import { showRunStatePill } from "./status.js";

/** A control field's value: a checkbox's state, a select's choice, else a number. */
function controlValue(field) {
  if (field.type === "checkbox") return field.checked;
  if (field.tagName === "SELECT") return field.value;
  return Number(field.value);
}

// The Train button's text in each run state: a queued session can leave the line as a training one pauses.
const TRAIN_LABELS = { training: "controls.pause", queued: "controls.leave_queue" };

/** Whether Train/Pause now stops the session: it trains, or waits in the training queue. */
export const isRunning = (runState) => runState in TRAIN_LABELS;

/** Show a run state on the Train button: Pause, Leave queue, or Train. */
export function showTrainButton(button, runState) {
  setText(button, TRAIN_LABELS[runState] ?? "controls.train");
  button.classList.toggle("running", isRunning(runState));
}

/**
 * Wire the controls form: its Train/Step/Reset buttons and every named field, a live control of the
 * same name (lr, batch_size, optimizer, grads…). `act(message)` sends a client message and returns a
 * Promise (rejected on a refusal); `onShow()` runs after the fields show new values (a page's labels).
 * Returns `{showState, applyFields, setEnabled, toggleTraining, step, reset, toggleGrads}`.
 */
export function bindTrainingControls(form, act, { onShow = () => {} } = {}) {
  const buttons = {
    train: form.querySelector("#train"),
    step: form.querySelector("#step-once"),
    reset: form.querySelector("#reset"),
  };
  const fields = Object.fromEntries([...form.querySelectorAll("[name]")].map((field) => [field.name, field]));
  let current = null;

  const controls = {
    /** Show a `state` message: run state on the Train button, control values in the fields. */
    showState(state) {
      current = state;
      showTrainButton(buttons.train, state.state);
      for (const [name, element] of Object.entries(fields)) {
        const value = state.controls?.[name];
        if (value === undefined || element === document.activeElement) continue;
        if (element.type === "checkbox") element.checked = Boolean(value);
        else element.value = String(value);
      }
      onShow();
    },
    /** Apply the model catalog's control fields: bounds of numbers, choices of selects. */
    applyFields(catalogFields) {
      for (const field of catalogFields) {
        const element = fields[field.name];
        if (!element) continue;
        if (field.min !== undefined && field.min !== null) element.min = field.min;
        if (field.max !== undefined && field.max !== null) element.max = field.max;
        if (field.type === "choice") element.replaceChildren(...field.choices.map((choice) => choiceOption(field.name, choice)));
      }
      if (current) controls.showState(current);
    },
    /** Enable the controls (a connected driver) or disable them (a viewer). */
    setEnabled(enabled) {
      for (const element of [...Object.values(buttons), ...Object.values(fields)]) element.disabled = !enabled;
    },
    toggleTraining: () => act({ type: isRunning(current?.state) ? "pause" : "train" }),
    step: () => act({ type: "step", count: 1 }),
    reset: () => act({ type: "reset" }),
    toggleGrads: () => setControl("grads", !current?.controls?.grads),
  };

  function setControl(name, value) {
    return act({ type: "set", values: { [name]: value } }).catch(() => current && controls.showState(current));
  }

  form.addEventListener("submit", (event) => event.preventDefault());
  buttons.train.addEventListener("click", controls.toggleTraining);
  buttons.step.addEventListener("click", controls.step);
  buttons.reset.addEventListener("click", controls.reset);
  form.addEventListener("change", (event) => {
    const field = fields[event.target.name];
    if (field === event.target) setControl(field.name, controlValue(field));
  });
  return controls;
}

/** The session bar's run-state pill for a `state` message (the step pill is sessionbar.js's). */
export function showRunState(state) {
  showRunStatePill(document.getElementById("run-state"), state);
}

/**
 * Keyboard shortcuts while `isEnabled()`: Space train/pause, S or → step, R reset, G gradients.
 */
export function bindShortcuts(controls, isEnabled) {
  bindKeys(
    {
      " ": controls.toggleTraining,
      s: controls.step,
      ArrowRight: controls.step,
      r: controls.reset,
      g: controls.toggleGrads,
    },
    isEnabled,
  );
}

/**
 * Run `actions[key]` on a key press while `isEnabled()`: keys are `event.key`, single letters in
 * lower case. Ignored while typing in a field or with a modifier key held; an action may return a
 * Promise, whose rejection is ignored (the action reports its own errors).
 */
export function bindKeys(actions, isEnabled) {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat || !isEnabled()) return;
    if (/** @type {Element} */ (event.target).closest?.("input, select, textarea, [contenteditable]")) return;
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action) return;
    event.preventDefault();
    Promise.resolve(action()).catch(() => {});
  });
}

/** An <option> for a choice, labelled through i18n (`<control>.<choice>`) when the catalog has it. */
export function choiceOption(control, choice) {
  const option = document.createElement("option");
  option.value = choice;
  const key = `${control}.${choice}`;
  if (hasText(key)) setText(option, key);
  else option.textContent = choice;
  return option;
}
