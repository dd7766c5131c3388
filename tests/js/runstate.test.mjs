// A session's run state in words: the pill's text (with the place while queued) and what Train/Pause does.
import assert from "node:assert/strict";
import { test } from "node:test";

import { isRunning } from "../../static/js/ui/controls.js";
import { runStateText } from "../../static/js/ui/status.js";

test("a queued session's pill names its place; the others name their state", () => {
  assert.deepEqual(runStateText({ state: "queued", place: 3 }), { key: "state.queued", params: { n: 3 } });
  assert.deepEqual(runStateText({ state: "training" }), { key: "state.training" });
  assert.deepEqual(runStateText({ state: "paused" }), { key: "state.paused" });
});

test("Train/Pause stops a session that trains or waits for a slot, and starts a paused one", () => {
  assert.equal(isRunning("training"), true);
  assert.equal(isRunning("queued"), true);
  assert.equal(isRunning("paused"), false);
  assert.equal(isRunning(undefined), false);
});
