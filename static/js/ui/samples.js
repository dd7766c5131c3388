// @ts-check
// The dataset sample picker (templates/_sample_picker.html): split, index, Show, Random; and, under
// it, what went wrong when a sample did not come (refused, no answer in time, not connected) with a
// button that asks for the same sample again.

import { setText } from "./i18n.js";
import { errorKey } from "./status.js";

/**
 * Wire the picker. `act(message)` sends a `sample` message (a Promise); `getDataset()` gives the
 * session's `dataset` ({train, val} sizes) or nothing, in which case Random stays hidden;
 * `onShown()` runs after a sample was shown (a page wipes its drawing then: a failed request keeps
 * the input shown before), unless a stroke began on the page's pad (`#drawpad`) since it was asked
 * for: that drawing reaches the model after the sample and is what it shows, so the pad keeps it.
 * Returns `{setEnabled, setDataset}`.
 * @param {(message: object) => Promise<any>} act
 * @param {() => Record<string, number>|null|undefined} getDataset
 * @param {() => void} onShown
 */
export function bindSamplePicker(act, getDataset, onShown) {
  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const form = byId("sample-picker");
  const split = /** @type {HTMLSelectElement} */ (byId("sample-split"));
  const index = /** @type {HTMLInputElement} */ (byId("sample-index"));
  const random = byId("sample-random");
  const failure = mountFailure(form, () => last && show(last));
  /** @type {object|null} the sample asked for last (what the retry asks for again) */
  let last = null;
  let asked = 0; // requests so far: only the latest one's outcome shows
  let drawnSince = false; // a stroke began on the pad after the latest request
  document.getElementById("drawpad")?.addEventListener("pointerdown", () => (drawnSince = true));
  /** @param {object} message */
  const show = (message) => {
    last = message;
    const ticket = ++asked;
    drawnSince = false;
    failure.hide();
    return act(message).then(
      () => ticket === asked && !drawnSince && onShown(),
      (error) => ticket === asked && failure.show(error),
    );
  };
  const showPicked = () => show({ type: "sample", split: split.value, index: Number(index.value) });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    showPicked();
  });
  random.addEventListener("click", () => {
    index.value = String(Math.floor(Math.random() * (getDataset()?.[split.value] ?? 1)));
    showPicked();
  });
  split.addEventListener("change", () => {
    const dataset = getDataset();
    if (dataset) index.max = String(dataset[split.value] - 1);
  });
  return {
    /** @param {boolean} enabled */
    setEnabled(enabled) {
      for (const element of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll("select, input, button"))) element.disabled = !enabled;
      failure.retry.disabled = !enabled;
    },
    /** @param {Record<string, number>|null} dataset */
    setDataset(dataset) {
      random.hidden = !dataset;
      if (dataset) index.max = String(dataset[split.value] - 1);
    },
  };
}

/**
 * The failure box after the picker (hidden until a request fails): a translated line saying the
 * sample did not come and the input stays, the reason by its error code, and a retry button.
 * @param {HTMLElement} form @param {() => void} onRetry
 */
function mountFailure(form, onRetry) {
  const box = document.createElement("div");
  box.className = "notice sample-failure";
  box.setAttribute("role", "alert");
  box.hidden = true;
  const [title, reason] = [document.createElement("p"), document.createElement("p")];
  title.className = "sample-failure-title";
  reason.className = "sample-failure-reason";
  setText(title, "sample.failed");
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "sample-retry";
  setText(retry, "sample.retry");
  retry.addEventListener("click", onRetry);
  box.append(title, reason, retry);
  form.after(box);
  return {
    retry,
    /** @param {{code?: string, message?: string}} error */
    show(error) {
      setText(reason, errorKey(error.code), { message: error.message ?? "" });
      box.hidden = false;
    },
    hide() {
      box.hidden = true;
    },
  };
}
