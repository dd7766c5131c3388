// The loss lab's batch edits and formulas: nested lists as the protocol sends them, the terms and the
// reduction written with the frame's numbers.
import assert from "node:assert/strict";
import { test } from "node:test";

import { batchOf, withFirst, withInput, withSampleAdded, withSampleRemoved } from "../../static/js/math/lossbatch.js";
import { reductionLine, termLines } from "../../static/js/math/lossformula.js";

const tensor = (data, shape) => ({ data: Float32Array.from(data), shape });

test("a class batch reads back as rows of scores and whole class indices, and edits by flat index", () => {
  const frame = { tensors: { input: tensor([1, 2, 3, 4], [2, 2]), target: tensor([1, 0], [2]) } };
  const batch = batchOf(frame, true);
  assert.deepEqual(batch, { input: [[1, 2], [3, 4]], target: [1, 0] });
  assert.deepEqual(withInput(batch, 3, 9).input, [[1, 2], [3, 9]]);
  assert.deepEqual(withSampleAdded(batch, 8).target, [1, 0, 0]);
  assert.deepEqual(withSampleRemoved(batch).input, [[1, 2]]);
  assert.deepEqual(withSampleAdded(batch, 2), batch);
});

test("a regression batch of [N] values: the first value and its target set together", () => {
  const frame = { tensors: { input: tensor([1, 2], [2]), target: tensor([0.5, 0.5], [2]) } };
  assert.deepEqual(withFirst(batchOf(frame, false), 40, 0), { input: [40, 2], target: [0, 0.5] });
});

test("MSE's terms and its mean are written with the frame's numbers", () => {
  const frame = {
    header: { loss_name: "mse", reduction: "mean", value: 2.5, per_sample_sum: 5, divisor: 2, divisor_kind: "count" },
    tensors: { input: tensor([1, 3], [2]), target: tensor([0, 1], [2]), per_sample: tensor([1, 4], [2]) },
  };
  assert.deepEqual(termLines(frame, {}).map((l) => l.formula), ["(x − y)² = (1 − 0)² = 1", "(x − y)² = (3 − 1)² = 4"]);
  assert.deepEqual(reductionLine(frame), { key: "losses.reduction_mean_count", formula: "(1 + 4) / 2 = 5 / 2 = 2.5" });
});
