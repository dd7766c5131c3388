// @ts-check
// LeNet's classifier head, drawn from a frame that carries it (the `head` control): flatten of S4
// into 400 numbers, the three fully connected layers C5, F6 and the output as matrix × vector,
// softmax turning the logits into probabilities and the loss −log p[target] with ∂L/∂z = p − onehot —
// every step with the frame's own numbers.

import { ACTIVATIONS } from "../math/headmath.js";
import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";
import * as headflat from "./headflat.js";
import * as headmatvec from "./headmatvec.js";
import * as headsoftmax from "./headsoftmax.js";

// The layers: their output tensor, input tensor, label, title key, and whether the activation applies.
const LAYERS = [
  { layer: "c5", input: "flat", name: "C5", titleKey: "head.conv_title", activated: true },
  { layer: "f6", input: "c5", name: "F6", titleKey: "head.hidden_title", activated: true },
  { layer: "out", input: "f6", name: "out", titleKey: "head.out_title", activated: false },
];

/** A numbered step: a heading and a body to mount a view into. */
function step(root, titleKey) {
  const title = element("h3", "head-step-title");
  setText(title, titleKey);
  const body = element("div", "head-step-body");
  root.append(element("section", "head-step", title, body));
  return body;
}

/**
 * Mount the head into `el`.
 * @param {HTMLElement} el
 * @param {{activation: string, classes: string[], selected: {c5: number, f6: number, out: number|null},
 *   onPick: (layer: string, j: number) => void}} opts activation: the session's config name (tanh…);
 *   selected: pinned units (out null: follow the prediction until a unit is picked).
 */
export function mount(el, { activation, classes, selected, onPick }) {
  const root = element("div", "head");
  el.append(root);
  const view = { root, followPrediction: selected.out === null, flat: headflat.mount(step(root, "head.flat_title")) };
  view.layers = LAYERS.map((spec) =>
    headmatvec.mount(step(root, spec.titleKey), {
      name: spec.name,
      layer: spec.layer,
      activation: spec.activated ? ACTIVATIONS[activation] : null,
      activationName: activation,
      selected: selected[spec.layer] ?? 0,
      onPick: (j) => {
        if (spec.layer === "out") view.followPrediction = false;
        onPick(spec.layer, j);
      },
    }),
  );
  view.softmax = headsoftmax.mount(step(root, "head.softmax_title"), { classes });
  return view;
}

/** Pin the units of `selected` ({c5, f6, out}; out null: follow the prediction), e.g. a received view. */
export function pin(view, selected) {
  view.followPrediction = selected.out === null;
  LAYERS.forEach((spec, i) => {
    if (selected[spec.layer] !== null) headmatvec.select(view.layers[i], selected[spec.layer]);
  });
}

/**
 * Draw a frame's head: its `tensors` (decoded) and `header` (pred); `dtype` of its float tensors.
 * @param {ReturnType<typeof mount>} view
 * @param {{tensors: Object<string, import('../net/codec.js').Tensor>, header: {pred: number, label?: number|null}, dtype: string}} props
 */
export function update(view, { tensors, header, dtype }) {
  headflat.update(view.flat, { s4: tensors.s4, flat: tensors.flat });
  LAYERS.forEach((spec, i) => {
    const layerView = view.layers[i];
    if (spec.layer === "out" && view.followPrediction) headmatvec.select(layerView, header.pred);
    headmatvec.update(layerView, {
      weight: tensors[`${spec.layer}.weight`],
      x: tensors[spec.input],
      bias: tensors[`${spec.layer}.bias`],
      out: tensors[spec.layer],
      dtype,
    });
  });
  const { pred, label = null } = header;
  headsoftmax.update(view.softmax, { logits: tensors.out.data, probs: tensors.probs.data, pred, label, dtype });
}

/**
 * Remove the head.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  headflat.destroy(view.flat);
  view.root.remove();
}
