// @ts-check
// The backprop page's arithmetic written out: its stages (forward layer by layer, the loss, backward
// from the last layer to the first, the update) and, for a stage, the lines of numbers that show it —
// every number read from the server's frame (W, b, z, a, ∂L/∂a, ∂L/∂z, ∂L/∂W, ∂L/∂b); only the
// activation's slope g′(z) is evaluated here from a and z, to write the chain rule's factor.

import { formatValue } from "./numbers.js";

/** The stages of one pass through a network of `layers` weight layers. */
export function stages(layers) {
  const forward = Array.from({ length: layers }, (_, i) => ({ kind: "forward", layer: i + 1 }));
  const backward = Array.from({ length: layers }, (_, i) => ({ kind: "backward", layer: layers - i }));
  return [...forward, { kind: "loss", layer: layers }, ...backward, { kind: "update", layer: 0 }];
}

/** g′(z) from z and a = g(z). */
export function slope(activation, z, a) {
  if (activation === "sigmoid") return a * (1 - a);
  if (activation === "tanh") return 1 - a * a;
  if (activation === "relu") return z > 0 ? 1 : 0;
  if (activation === "leaky_relu") return z > 0 ? 1 : 0.01;
  return 1;
}

const OUTPUT_DA_KEYS = { mse: "backprop.line_da_mse", bce: "backprop.line_da_bce" };
const f = (value) => (value === null ? "–" : formatValue(value));
const wrap = (v) => (v < 0 ? `(${f(v)})` : f(v));

/** Element (row, col) of a 2-D tensor {data, shape}. */
export const at = (tensor, row, col) => tensor.data[row * tensor.shape[1] + col];

/**
 * The lines of `stage` for sample `n`: `{tensors, header}` is the frame, `net` = {activations, loss, lr}.
 * Each line is {key, params}: an i18n key and its numbers.
 */
export function stageLines(frame, stage, n, net) {
  const { tensors } = frame;
  const l = stage.layer;
  if (stage.kind === "forward") return forwardLines(tensors, l, n, net.activations[l - 1]);
  if (stage.kind === "loss") return lossLines(tensors, l, n, net.loss, frame.header.loss);
  if (stage.kind === "backward") return backwardLines(tensors, l, n, net);
  return updateLines(tensors, net.activations.length, net.lr, frame.header);
}

function forwardLines(tensors, l, n, activation) {
  const W = tensors[`W.l${l}`];
  const previous = l === 1 ? tensors.input : tensors[`a.l${l - 1}`];
  const [outs, ins] = W.shape;
  const lines = [];
  for (let j = 0; j < outs; j++) {
    const terms = Array.from({ length: ins }, (_, i) => `${wrap(at(W, j, i))}·${wrap(at(previous, n, i))}`).join(" + ");
    const z = at(tensors[`z.l${l}`], n, j);
    lines.push({ key: "backprop.line_z", params: { l, j: j + 1, terms, b: wrap(tensors[`b.l${l}`].data[j]), z: f(z) } });
    lines.push({ key: "backprop.line_a", params: { l, j: j + 1, g: activation, z: f(z), a: f(at(tensors[`a.l${l}`], n, j)) } });
  }
  return lines;
}

function lossLines(tensors, l, n, loss, value) {
  const a = tensors[`a.l${l}`];
  const y = tensors.target;
  const pairs = Array.from({ length: a.shape[1] }, (_, j) => `${f(at(a, n, j))} / ${f(at(y, n, j))}`).join(", ");
  return [
    { key: "backprop.line_pairs", params: { n: n + 1, pairs } },
    { key: loss === "bce" ? "backprop.line_bce" : "backprop.line_mse", params: { count: a.data.length, loss: f(value) } },
  ];
}

function backwardLines(tensors, l, n, net) {
  const last = l === net.activations.length;
  const z = tensors[`z.l${l}`];
  const a = tensors[`a.l${l}`];
  const da = tensors[`da.l${l}`];
  const dz = tensors[`dz.l${l}`];
  const lines = [];
  for (let j = 0; j < z.shape[1]; j++) {
    const p = { l, j: j + 1, da: f(at(da, n, j)), dz: f(at(dz, n, j)) };
    if (last) lines.push({ key: OUTPUT_DA_KEYS[net.loss], params: { ...p, a: f(at(a, n, j)), y: f(at(tensors.target, n, j)), count: a.data.length } });
    else {
      const W = tensors[`W.l${l + 1}`];
      const above = tensors[`dz.l${l + 1}`];
      const terms = Array.from({ length: W.shape[0] }, (_, k) => `${wrap(at(above, n, k))}·${wrap(at(W, k, j))}`).join(" + ");
      lines.push({ key: "backprop.line_da_hidden", params: { ...p, next: l + 1, terms } });
    }
    if (last && net.loss === "bce") lines.push({ key: "backprop.line_dz_bce", params: p });
    else lines.push({ key: "backprop.line_dz", params: { ...p, slope: wrap(slope(net.activations[l - 1], at(z, n, j), at(a, n, j))), da: wrap(at(da, n, j)) } });
  }
  const dW = tensors[`dW.l${l}`];
  const db = tensors[`db.l${l}`];
  const previous = l === 1 ? tensors.input : tensors[`a.l${l - 1}`];
  const batch = z.shape[0];
  for (let j = 0; j < dW.shape[0]; j++) {
    for (let i = 0; i < dW.shape[1]; i++) {
      const terms = Array.from({ length: batch }, (_, m) => `${wrap(at(dz, m, j))}·${wrap(at(previous, m, i))}`).join(" + ");
      lines.push({ key: "backprop.line_dw", params: { l, j: j + 1, i: i + 1, terms, dw: f(at(dW, j, i)) } });
    }
    const sum = Array.from({ length: batch }, (_, m) => wrap(at(dz, m, j))).join(" + ");
    lines.push({ key: "backprop.line_db", params: { l, j: j + 1, terms: sum, db: f(db.data[j]) } });
  }
  return lines;
}

function updateLines(tensors, layers, lr, header) {
  const lines = [];
  for (let l = 1; l <= layers; l++) {
    const W = tensors[`W.l${l}`];
    const dW = tensors[`dW.l${l}`];
    for (let j = 0; j < W.shape[0]; j++) {
      for (let i = 0; i < W.shape[1]; i++) {
        const w = at(W, j, i);
        const d = at(dW, j, i);
        lines.push({ key: "backprop.line_update_w", params: { l, j: j + 1, i: i + 1, w: f(w), lr: f(lr), dw: wrap(d), next: f(w - lr * d) } });
      }
      const b = tensors[`b.l${l}`].data[j];
      const d = tensors[`db.l${l}`].data[j];
      lines.push({ key: "backprop.line_update_b", params: { l, j: j + 1, b: f(b), lr: f(lr), db: wrap(d), next: f(b - lr * d) } });
    }
  }
  lines.push({ key: "backprop.line_new_loss", params: { loss: f(header.loss), next: f(header.loss_next) } });
  return lines;
}
