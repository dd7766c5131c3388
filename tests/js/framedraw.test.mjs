// The one frame-drawing path: only the frame kept is drawn per animation frame; the page's counters.
import assert from "node:assert/strict";
import { test } from "node:test";

import { newestFrameDrawer, rideNextFrame } from "../../static/js/ui/framedraw.js";
import { trainingCurves } from "../../static/js/ui/trainingcurves.js";

/** Animation frames that run when the test says so. */
function animationFrames() {
  const queued = [];
  return { schedule: (run) => queued.push(run), next: () => queued.shift()(), count: () => queued.length };
}

test("of the frames between two animation frames only the newest is drawn", () => {
  const frames = animationFrames();
  const drawn = [];
  const debug = { lastFrame: null, frames: 0 };
  const receive = newestFrameDrawer((frame) => drawn.push(frame.seq), debug, { schedule: frames.schedule });
  for (const seq of [1, 2, 3]) receive({ seq });
  assert.equal(frames.count(), 1);
  frames.next();
  assert.deepEqual(drawn, [3]);
  assert.deepEqual(debug, { lastFrame: { seq: 3 }, frames: 1 });
  receive({ seq: 4 });
  frames.next();
  assert.deepEqual(drawn, [3, 4]);
  assert.equal(debug.frames, 2);
});

test("a page may keep another frame than the newest (a text sample), and may decline to draw", () => {
  const frames = animationFrames();
  const debug = { lastFrame: null, frames: 0 };
  const keep = (waiting, arriving) => (waiting.sample && !arriving.sample ? { ...arriving, sample: waiting.sample } : arriving);
  let ready = false;
  const drawn = [];
  const receive = newestFrameDrawer((frame) => (ready ? drawn.push(frame) : false), debug, { keep, schedule: frames.schedule });
  receive({ seq: 1, sample: "abc" });
  receive({ seq: 2 });
  frames.next();
  assert.equal(debug.frames, 0, "not drawn: the counters stay");
  ready = true;
  receive({ seq: 3, sample: "xyz" });
  receive({ seq: 4 });
  frames.next();
  assert.deepEqual(drawn, [{ seq: 4, sample: "xyz" }]);
  assert.equal(debug.frames, 1);
});

test("work riding the next frame runs after that frame's drawing, once", () => {
  const frames = animationFrames();
  const order = [];
  const receive = newestFrameDrawer((frame) => order.push(`draw ${frame.seq}`), { lastFrame: null, frames: 0 }, { schedule: frames.schedule });
  const cancel = rideNextFrame(() => order.push("chart"), { withinMs: 60_000 });
  receive({ seq: 1 });
  frames.next();
  receive({ seq: 2 });
  frames.next();
  cancel();
  assert.deepEqual(order, ["draw 1", "chart", "draw 2"]);
});

test("work riding the next frame runs in a frame of its own when no frame is drawn in time", async () => {
  const frames = animationFrames();
  let ran = 0;
  rideNextFrame(() => ran++, { withinMs: 1, schedule: frames.schedule });
  const cancelled = rideNextFrame(() => ran++, { withinMs: 1, schedule: frames.schedule });
  cancelled();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(frames.count(), 1, "only the one not cancelled asks for a frame");
  frames.next();
  assert.equal(ran, 1);
});

/** A stand-in for views/curves.js that records its calls. */
function fakeCurves() {
  const calls = [];
  return { calls, update: (view, { points }) => calls.push([view, points.map((p) => p.step)]), clear: (view) => calls.push([view, "clear"]) };
}

test("training curves draw every point kept, and start again when the steps go back", () => {
  const view = fakeCurves();
  const curves = trainingCurves({ loss: "L", accuracy: "A" }, { view });
  curves.restart(10);
  curves.add({ loss: [{ series: 0, step: 11, value: 1 }] });
  curves.noteStep(11);
  curves.add({ loss: [{ series: 0, step: 12, value: 0.9 }], accuracy: [{ series: 1, step: 12, value: 0.5 }] });
  curves.noteStep(12);
  curves.draw();
  assert.deepEqual(view.calls.slice(2), [
    ["L", [11, 12]],
    ["A", [12]],
  ]);
  view.calls.length = 0;
  curves.add({ loss: [{ series: 0, step: 13, value: 0.8 }] });
  curves.noteStep(0); // a reset: the points kept go too
  curves.draw();
  assert.deepEqual(view.calls, [
    ["L", "clear"],
    ["A", "clear"],
    ["L", []],
    ["A", []],
  ]);
});
