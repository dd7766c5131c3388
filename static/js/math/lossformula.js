// @ts-check
// A loss written out term by term with the frame's numbers: each sample's (or element's) term, the
// reduction (what the mean divides by), and the facts of this loss — all from the server's tensors.

import { formatValue as f } from "./numbers.js";

const MAX_TERMS = 8;

/** The value of element `i` of a tensor, or of `fallback` when the tensor is absent. */
const at = (tensor, i, fallback = 1) => (tensor ? tensor.data[i] : fallback);

/** Lines {key, params, formula} for the per-element terms of the frame's loss (the first few); `options`: the config. */
export function termLines(frame, options) {
  const { header, tensors } = frame;
  const name = header.loss_name;
  const x = tensors.input;
  const y = tensors.target;
  const l = tensors.per_sample;
  const lines = [];
  for (let i = 0; i < Math.min(l.data.length, MAX_TERMS); i++) {
    lines.push({ key: "losses.term", params: { i }, formula: term(name, i, { x, y, l, tensors, header, ...options }) });
  }
  return lines;
}

/** One element's term; `options` are the loss's config: weight, pos_weight, delta, beta, label_smoothing, ignore_index. */
function term(name, i, { x, y, l, tensors, header, weight, pos_weight: posWeight, delta, beta, label_smoothing: smoothing, ignore_index: ignore }) {
  const li = f(l.data[i]);
  if (name === "nll" || name === "cross_entropy") {
    const classes = x.shape[1];
    const target = y.data[i];
    const w = f(header.sample_weights[i]);
    if (target === ignore) return `y = ignore_index → l = 0`;
    const picked = name === "nll" ? x.data[i * classes + target] : tensors.log_softmax.data[i * classes + target];
    const what = name === "nll" ? `x[${target}]` : `log_softmax(x)[${target}]`;
    if (name === "cross_entropy" && smoothing) return `(1 − ε)·(−w_y·${what}) − ε·Σ_c w_c·log_softmax(x)[c] / C = ${li}, ε = ${f(smoothing)}`;
    return `−w_y·${what} = −${w}·(${f(picked)}) = ${li}`;
  }
  const xi = x.data[i];
  const yi = y.data[i];
  const w = f(weightAt(weight, x, i));
  if (name === "l1") return `|x − y| = |${f(xi)} − ${f(yi)}| = ${li}`;
  if (name === "mse") return `(x − y)² = (${f(xi)} − ${f(yi)})² = ${li}`;
  if (name === "huber") {
    const d = Math.abs(xi - yi);
    return d < delta ? `|d| = ${f(d)} < δ: ½·d² = ${li}` : `|d| = ${f(d)} ≥ δ: δ·(|d| − ½δ) = ${f(delta)}·(${f(d)} − ${f(delta / 2)}) = ${li}`;
  }
  if (name === "smooth_l1") {
    const d = Math.abs(xi - yi);
    return d < beta ? `|d| = ${f(d)} < β: ½·d²/β = ${li}` : `|d| = ${f(d)} ≥ β: |d| − ½β = ${li}`;
  }
  if (name === "bce") return `−w·[y·log p + (1 − y)·log(1 − p)] = −${w}·[${f(yi)}·log ${f(xi)} + ${f(1 - yi)}·log ${f(1 - xi)}] = ${li}`;
  const p = f(at(tensors.sigmoid, i));
  const pw = f(weightAt(posWeight, x, i));
  return `−w·[p_w·y·log σ(x) + (1 − y)·log(1 − σ(x))], σ(${f(xi)}) = ${p}, p_w = ${pw}, w = ${w} → ${li}`;
}

/** A broadcast weight (one number or one per last-axis entry) at flat element `i`. */
function weightAt(weight, x, i) {
  if (weight === null || weight === undefined) return 1;
  const list = Array.isArray(weight) ? weight : [weight];
  return list.length === 1 ? list[0] : list[i % x.shape.at(-1)];
}

/** The reduction line: Σ l / divisor = value (mean), Σ l = value (sum), or the vector itself (none). */
export function reductionLine(frame) {
  const { header, tensors } = frame;
  const terms = Array.from(tensors.per_sample.data.slice(0, MAX_TERMS), f).join(" + ");
  const more = tensors.per_sample.data.length > MAX_TERMS ? " + …" : "";
  const sum = f(header.per_sample_sum);
  if (header.reduction === "none") return { key: "losses.reduction_none", formula: `l = [${Array.from(tensors.per_sample.data, f).join(", ")}]` };
  if (header.reduction === "sum") return { key: "losses.reduction_sum", formula: `${terms}${more} = ${f(header.value)}` };
  const key = { count: "losses.reduction_mean_count", unignored: "losses.reduction_mean_unignored", class_weights: "losses.reduction_mean_weights" }[header.divisor_kind];
  const divisor = header.divisor_kind === "class_weights" ? `(${header.sample_weights.map(f).join(" + ")})` : f(header.divisor);
  return { key, formula: `(${terms}${more}) / ${divisor} = ${sum} / ${f(header.divisor)} = ${f(header.value)}` };
}

/** The facts of this loss shown with the frame's numbers (CE = log_softmax + NLL, the naive BCE…). */
export function factLines(frame) {
  const { header, tensors } = frame;
  const lines = [];
  if (header.loss_name === "cross_entropy") {
    lines.push({ key: "losses.fact_ce", formula: `CrossEntropyLoss = ${f(header.value)}; NLLLoss(log_softmax(x)) = ${f(header.nll_of_log_softmax)}` });
  }
  if (header.divisor_kind === "class_weights" && header.reduction === "mean") {
    const n = header.sample_weights.length;
    lines.push({ key: "losses.fact_weighted_mean", params: { n }, formula: `Σ l / Σ w_y = ${f(header.per_sample_sum)} / ${f(header.divisor)} = ${f(header.value)} ≠ Σ l / N = ${f(header.per_sample_sum / n)}` });
  }
  if (header.loss_name === "bce_with_logits") {
    const naive = Array.from(tensors.naive_per_sample.data.slice(0, MAX_TERMS), f).join(", ");
    const stable = Array.from(tensors.per_sample.data.slice(0, MAX_TERMS), f).join(", ");
    lines.push({ key: header.naive_differs ? "losses.fact_overflow" : "losses.fact_stable", formula: `sigmoid → BCELoss: [${naive}]; BCEWithLogitsLoss: [${stable}]` });
  }
  if (header.loss_name === "bce") lines.push({ key: "losses.fact_probabilities", formula: "0 ≤ p ≤ 1" });
  if (header.compared) {
    for (const [name, { loss, outlier_share: share }] of Object.entries(header.compared)) {
      lines.push({ key: "losses.fact_compare", params: { name, i: header.outlier_index }, formula: `mean = ${f(loss)}; |∂/∂x| share of x[${header.outlier_index}] = ${(share * 100).toFixed(1)}%` });
    }
  }
  return lines;
}
