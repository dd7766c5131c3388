// Dropout's mask record: a point per new mask, running averages, a restart when the setting changes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createMaskHistory, keptRatio } from "../../static/js/math/maskhistory.js";

const input = Float32Array.of(0.5, 0, 1, 0.25);

test("each new mask adds a point with the running average; a repeated frame adds none", () => {
  const history = createMaskHistory();
  const frame = (mask, meanOutput) => ({ mode: "train", p: 0.5, input, mask: Uint8Array.from(mask), meanOutput });
  assert.deepEqual(history.note(frame([1, 0, 1, 0], 0.75)), { reset: true, point: { n: 1, value: 0.75, average: 0.75 } });
  assert.deepEqual(history.note(frame([1, 0, 1, 0], 0.75)), { reset: false, point: null });
  assert.deepEqual(history.note(frame([0, 1, 1, 1], 0.25)), { reset: false, point: { n: 2, value: 0.25, average: 0.5 } });
});

test("a new p, mode or input starts the record again", () => {
  const history = createMaskHistory();
  const mask = Uint8Array.of(1, 1, 0, 0);
  history.note({ mode: "train", p: 0.5, input, mask, meanOutput: 0.4 });
  assert.equal(history.note({ mode: "train", p: 0.25, input, mask, meanOutput: 0.4 }).reset, true);
  assert.equal(history.note({ mode: "eval", p: 0.25, input, mask, meanOutput: 0.4 }).reset, true);
  const other = Float32Array.of(0.5, 0, 1, 0.5);
  const again = history.note({ mode: "eval", p: 0.25, input: other, mask, meanOutput: 0.4 });
  assert.deepEqual(again, { reset: true, point: { n: 1, value: 0.4, average: 0.4 } });
});

test("kept units are scaled by one factor: y ÷ x over them, zeros of x skipped", () => {
  const output = Float32Array.of(1, 0, 0, 0.5);
  assert.deepEqual(keptRatio(input, output, Uint8Array.of(1, 1, 0, 1)), [2, 2]);
  assert.equal(keptRatio(input, output, Uint8Array.of(0, 1, 0, 0)), null);
});
