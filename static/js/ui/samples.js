// @ts-check
// The dataset sample picker (templates/_sample_picker.html): split, index, Show, Random.

/**
 * Wire the picker. `act(message)` sends a `sample` message (a Promise); `getDataset()` gives the
 * session's `dataset` ({train, val} sizes) or nothing, in which case Random stays hidden;
 * `onShown()` runs after a sample was shown. Returns `{setEnabled, setDataset}`.
 */
export function bindSamplePicker(act, getDataset, onShown) {
  const byId = (id) => document.getElementById(id);
  const form = byId("sample-picker");
  const split = /** @type {HTMLSelectElement} */ (byId("sample-split"));
  const index = /** @type {HTMLInputElement} */ (byId("sample-index"));
  const random = byId("sample-random");
  const show = () => act({ type: "sample", split: split.value, index: Number(index.value) }).then(onShown, () => {});
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show();
  });
  random.addEventListener("click", () => {
    index.value = String(Math.floor(Math.random() * (getDataset()?.[split.value] ?? 1)));
    show();
  });
  split.addEventListener("change", () => {
    const dataset = getDataset();
    if (dataset) index.max = String(dataset[split.value] - 1);
  });
  return {
    setEnabled(enabled) {
      for (const element of /** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll("select, input, button"))) element.disabled = !enabled;
    },
    setDataset(dataset) {
      random.hidden = !dataset;
      if (dataset) index.max = String(dataset[split.value] - 1);
    },
  };
}
