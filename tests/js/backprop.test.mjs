// The backprop page's written-out arithmetic and its batch text, on a hand-made frame.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatBatch, parseBatch, xorBatch } from "../../static/js/math/batchtext.js";
import { slope, stageLines, stages } from "../../static/js/math/backprop.js";

const t2 = (rows) => ({ shape: [rows.length, rows[0].length], data: Float32Array.from(rows.flat()) });
const t1 = (values) => ({ shape: [values.length], data: Float32Array.from(values) });

// 2 → 1, identity output, one sample: z = 0.5·1 + (−1)·2 + 0.25 = −1.25, target 0, MSE = 1.5625.
const frame = {
  header: { loss: 1.5625, loss_next: 0.5 },
  tensors: {
    input: t2([[1, 2]]),
    target: t2([[0]]),
    "W.l1": t2([[0.5, -1]]),
    "b.l1": t1([0.25]),
    "z.l1": t2([[-1.25]]),
    "a.l1": t2([[-1.25]]),
    "da.l1": t2([[-2.5]]),
    "dz.l1": t2([[-2.5]]),
    "dW.l1": t2([[-2.5, -5]]),
    "db.l1": t1([-2.5]),
  },
};
const net = { activations: ["identity"], loss: "mse", lr: 0.1 };

test("stages go forward, through the loss, backward, then update", () => {
  assert.deepEqual(stages(2).map((s) => `${s.kind}${s.layer}`), ["forward1", "forward2", "loss2", "backward2", "backward1", "update0"]);
});

test("slopes of the activations from z and a", () => {
  assert.equal(slope("sigmoid", 0, 0.5), 0.25);
  assert.equal(slope("tanh", 0, 0), 1);
  assert.equal(slope("relu", -1, 0), 0);
  assert.equal(slope("leaky_relu", -1, -0.01), 0.01);
});

test("the forward line writes W·a + b with the frame's numbers", () => {
  const [z, a] = stageLines(frame, { kind: "forward", layer: 1 }, 0, net);
  assert.equal(z.params.terms, "0.5·1 + (-1)·2");
  assert.equal(z.params.z, "-1.25");
  assert.equal(a.params.a, "-1.25");
  assert.equal(a.params.z, "-1.25"); // written g(-1.25), not g((-1.25))
});

test("backward lines and the update use the server's gradients", () => {
  const lines = stageLines(frame, { kind: "backward", layer: 1 }, 0, net);
  assert.equal(lines[0].key, "backprop.line_da_mse");
  assert.equal(lines[1].params.slope, "1");
  assert.deepEqual(lines.filter((l) => l.key === "backprop.line_dw").map((l) => l.params.dw), ["-2.5", "-5"]);
  const update = stageLines(frame, { kind: "update", layer: 0 }, 0, net);
  assert.equal(update[0].params.next, "0.75"); // 0.5 − 0.1·(−2.5)
  assert.equal(update.at(-1).params.next, "0.5");
});

test("a batch parses from text and formats back", () => {
  assert.deepEqual(parseBatch("0 1 ; 1\n1, 1;0\n", 2, 1), { input: [[0, 1], [1, 1]], target: [[1], [0]] });
  assert.deepEqual(parseBatch("0 1 2 ; 1", 2, 1).error, { line: 1, expected: 2, side: "input" });
  assert.deepEqual(parseBatch("0 1 ; x", 2, 1).error, { line: 1, expected: 1, side: "target" });
  assert.equal(formatBatch(t2([[0.5, -1]]), t2([[1]])), "0.5 -1 ; 1");
  assert.equal(xorBatch(2, 2), null);
  assert.equal(xorBatch(2, 1).input.length, 4);
});
