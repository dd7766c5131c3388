// @ts-check
// The playground's set-up, which is the session's config: data set, noise, samples, test share, grid,
// the input features (a checkbox each, beside its map over the plane), the hidden layers (− / + a
// layer, − / + units of each), activation and loss. Any change hands the whole config to `onChange`.

import { choiceOption } from "./controls.js";
import { setText } from "./i18n.js";
import { element } from "../views/parts/dom.js";

// Written as in TensorFlow Playground: mathematics, the same in every language.
const FEATURE_LABELS = { x1: "x₁", x2: "x₂", x1_sq: "x₁²", x2_sq: "x₂²", x1_x2: "x₁·x₂", sin_x1: "sin x₁", sin_x2: "sin x₂" };
const REGRESSION = ["plane", "sine"]; // the server's regression data sets: their loss is mse
const LIMITS = { layers: 8, units: 32 };

/** A label for feature `name` (its formula). */
export const featureLabel = (name) => FEATURE_LABELS[name] ?? name;

/**
 * Wire the set-up `form` from the catalog's config `fields`. Returns
 * `{show(config), read(), setEnabled(enabled), featureCanvas(name)}`.
 */
export function bindSetup(form, fields, onChange) {
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const entry = (name) => fields.find((f) => f.name === name) ?? { choices: [] };
  for (const name of ["dataset", "activation", "loss"]) field(name).append(...entry(name).choices.map((c) => choiceOption(`playground.${name}`, c)));
  for (const name of ["noise", "samples", "test_ratio", "grid"]) Object.assign(field(name), { min: entry(name).min, max: entry(name).max });
  const features = mountFeatures(form.querySelector("#features"), entry("features").choices);
  let hidden = [...(entry("hidden").default ?? [])];
  let enabled = false;

  const read = () => ({
    dataset: field("dataset").value,
    noise: Number(field("noise").value),
    samples: Number(field("samples").value),
    test_ratio: Number(field("test_ratio").value),
    grid: Number(field("grid").value),
    features: features.filter((f) => f.box.checked).map((f) => f.name),
    hidden: [...hidden],
    activation: field("activation").value,
    loss: field("loss").value,
  });
  const changed = () => onChange(read());

  function showLayers() {
    setText(form.querySelector("#layer-count"), "playground.layers", { n: hidden.length });
    const units = hidden.map((width, i) => {
      const less = button("−", () => setLayer(i, width - 1));
      const more = button("+", () => setLayer(i, width + 1));
      return element("span", "pg-units", less, element("span", "", String(width)), more);
    });
    form.querySelector("#layer-units").replaceChildren(...units);
    form.querySelector("#remove-layer").disabled = !enabled || hidden.length === 0;
    form.querySelector("#add-layer").disabled = !enabled || hidden.length >= LIMITS.layers;
    for (const b of form.querySelectorAll("#layer-units button")) b.disabled = !enabled;
  }
  function setLayer(i, width) {
    if (width < 1 || width > LIMITS.units) return;
    hidden[i] = width;
    changed();
  }
  form.querySelector("#add-layer").addEventListener("click", () => {
    hidden.push(hidden.at(-1) ?? 4);
    changed();
  });
  form.querySelector("#remove-layer").addEventListener("click", () => {
    hidden.pop();
    changed();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", (event) => {
    if (!event.target.name) return;
    if (event.target.name === "dataset") field("loss").value = REGRESSION.includes(field("dataset").value) ? "mse" : "bce";
    changed();
  });

  return {
    read,
    show(config) {
      for (const name of ["dataset", "noise", "samples", "test_ratio", "grid", "activation", "loss"]) field(name).value = String(config[name]);
      for (const f of features) f.box.checked = config.features.includes(f.name);
      hidden = [...config.hidden];
      showLayers();
    },
    setEnabled(on) {
      enabled = on;
      for (const input of form.querySelectorAll("[name]")) input.disabled = !on;
      showLayers();
    },
    featureCanvas: (name) => features.find((f) => f.name === name)?.canvas,
  };
}

function button(text, onClick) {
  const b = element("button", "", text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

/** A checkbox (name "features") and a map canvas per feature. */
function mountFeatures(el, names) {
  return names.map((name) => {
    const box = element("input");
    Object.assign(box, { type: "checkbox", name: "features", value: name, disabled: true });
    const canvas = element("canvas");
    el.append(element("label", "pg-feature", box, canvas, element("span", "", featureLabel(name))));
    return { name, box, canvas };
  });
}
