// The update rules written out: each line's numbers follow from the optimizer's state as torch keeps it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ruleLines } from "../../static/js/math/optimrule.js";

const formulas = (lines) => lines.map((l) => l.formula);

test("Adam's first step: bias correction turns m and v back into g and g², the step into α·sign(g)", () => {
  const g = [2, -0.5];
  const state = { exp_avg: g.map((x) => 0.1 * x), exp_avg_sq: g.map((x) => 0.001 * x * x) };
  const optimizer = { name: "adam", used_lr: 0.1, settings: { betas: [0.9, 0.999], eps: 1e-8 }, state_step: 1, steps: 1 };
  const lines = ruleLines(optimizer, { g, state, before: [1, 1], after: [0.9, 1.1] });
  assert.deepEqual(lines.map((l) => l.key), ["optim.rule_gradient", "optim.rule_first_moment", "optim.rule_second_moment", "optim.rule_bias_correction", "optim.rule_update"]);
  assert.match(formulas(lines)[3], /m̂ = m \/ \(1 − β₁\^1\) = \(2, -0\.5\), v̂ = v \/ \(1 − β₂\^1\) = \(4, 0\.25\)/);
  assert.equal(formulas(lines)[4], "w ← w − α·m̂ / (√v̂ + ε) = (1, 1) − 0.1·(1, -1) = (0.9, 1.1)");
});

test("SGD with momentum steps along its buffer; Nesterov looks ahead by μ·b", () => {
  const state = { momentum_buffer: [3, 4] };
  const before = [0, 0];
  const heavy = { name: "momentum", used_lr: 0.5, settings: { momentum: 0.9 }, state_step: 0, steps: 2 };
  assert.equal(formulas(ruleLines(heavy, { g: [1, 2], state, before, after: [-1.5, -2] })).at(-1), "w ← w − α·b = (0, 0) − 0.5·(3, 4) = (-1.5, -2)");
  const nesterov = { ...heavy, name: "nesterov", settings: { momentum: 0.5, nesterov: true } };
  assert.equal(formulas(ruleLines(nesterov, { g: [1, 2], state, before, after: [-1.25, -2] })).at(-1), "w ← w − α·(g + μ·b) = (0, 0) − 0.5·(2.5, 4) = (-1.25, -2)");
});

test("plain SGD is w − α·g, and nothing is written before the first step", () => {
  const sgd = { name: "sgd", used_lr: 0.1, settings: { momentum: 0 }, state_step: 0, steps: 1 };
  assert.equal(formulas(ruleLines(sgd, { g: [1, -2], state: {}, before: [1, 1], after: [0.9, 1.2] })).at(-1), "w ← w − α·g = (1, 1) − 0.1·(1, -2) = (0.9, 1.2)");
  assert.deepEqual(ruleLines({ ...sgd, steps: 0 }, { g: [0, 0], state: {}, before: null, after: [1, 1] }), []);
});
