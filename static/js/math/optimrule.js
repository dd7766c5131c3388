// @ts-check
// An optimizer's update rule for its last step, written out with that step's numbers: the gradient it
// used, its state (momentum buffer, Adam's m and v, Adagrad's sum, RMSprop's average) as torch holds
// it after the step, the learning rate of the step, and the point before and after (all from the server).

import { formatValue } from "./numbers.js";

/** @param {ArrayLike<number>} v a 2-vector */
const vec = (v) => `(${formatValue(v[0])}, ${formatValue(v[1])})`;
/** @param {ArrayLike<number>} v @param {(x: number, i: number) => number} f */
const map2 = (v, f) => [f(v[0], 0), f(v[1], 1)];

/**
 * Lines {key, formula} (key: an i18n key): the rule of `optimizer` (a frame header's
 * entry: name, used_lr, settings, steps, state_step) with `g` (the gradient used), `state` ({exp_avg, …} as
 * 2-vectors), `before` and `after` (points). Empty before the first step.
 */
export function ruleLines(optimizer, { g, state, before, after }) {
  const t = optimizer.state_step || optimizer.steps;
  if (!before || !t) return [];
  const lr = optimizer.used_lr;
  const { momentum = 0, dampening = 0, betas = [0.9, 0.999], eps = 1e-8, weight_decay: decay = 0, nesterov = false, alpha = 0.99 } = optimizer.settings;
  const a = formatValue(lr);
  const lines = [{ key: "optim.rule_gradient", formula: `g = ∇f(w) = ${vec(g)}` }];
  if (decay && optimizer.name !== "adamw") lines.push({ key: "optim.rule_decay", formula: `g ← g + λ·w, λ = ${formatValue(decay)}` });
  const step = (direction, text) => lines.push({ key: "optim.rule_update", formula: `w ← w − α·${text} = ${vec(before)} − ${a}·${vec(direction)} = ${vec(after)}` });
  const name = optimizer.name;
  if (name === "sgd" && !momentum) step(g, "g");
  else if (["sgd", "momentum", "nesterov"].includes(name)) {
    const b = state.momentum_buffer;
    const damped = dampening ? `(1 − τ)·g = ${vec(b)}, μ = ${formatValue(momentum)}, τ = ${formatValue(dampening)}` : `g = ${vec(b)}, μ = ${formatValue(momentum)}`;
    lines.push({ key: "optim.rule_buffer", formula: `b ← μ·b + ${damped}` });
    if (nesterov) step(map2(g, (gi, i) => gi + momentum * b[i]), "(g + μ·b)");
    else step(b, "b");
  } else if (name === "adam" || name === "adamw") {
    const [b1, b2] = betas;
    const m = state.exp_avg;
    const v = state.exp_avg_sq;
    const mHat = map2(m, (mi) => mi / (1 - b1 ** t));
    const vHat = map2(v, (vi) => vi / (1 - b2 ** t));
    if (name === "adamw" && decay) lines.push({ key: "optim.rule_decoupled", formula: `w ← w·(1 − α·λ), λ = ${formatValue(decay)}` });
    lines.push({ key: "optim.rule_first_moment", formula: `m ← β₁·m + (1 − β₁)·g = ${vec(m)}, β₁ = ${formatValue(b1)}` });
    lines.push({ key: "optim.rule_second_moment", formula: `v ← β₂·v + (1 − β₂)·g² = ${vec(v)}, β₂ = ${formatValue(b2)}` });
    lines.push({ key: "optim.rule_bias_correction", formula: `m̂ = m / (1 − β₁^${t}) = ${vec(mHat)}, v̂ = v / (1 − β₂^${t}) = ${vec(vHat)}` });
    step(map2(mHat, (mi, i) => mi / (Math.sqrt(vHat[i]) + eps)), "m̂ / (√v̂ + ε)");
  } else if (name === "adagrad") {
    const s = state.sum;
    lines.push({ key: "optim.rule_sum", formula: `s ← s + g² = ${vec(s)}` });
    step(map2(g, (gi, i) => gi / (Math.sqrt(s[i]) + eps)), "g / (√s + ε)");
  } else {
    const v = state.square_avg;
    lines.push({ key: "optim.rule_square_avg", formula: `v ← ρ·v + (1 − ρ)·g² = ${vec(v)}, ρ = ${formatValue(alpha)}` });
    if (momentum) {
      lines.push({ key: "optim.rule_buffer", formula: `b ← μ·b + g / (√v + ε) = ${vec(state.momentum_buffer)}` });
      step(state.momentum_buffer, "b");
    } else step(map2(g, (gi, i) => gi / (Math.sqrt(v[i]) + eps)), "g / (√v + ε)");
  }
  return lines;
}
