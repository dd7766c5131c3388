// Lecture mode: the view state taken from a query, the values a viewer applies, the throttle, a drawing as text.
import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeInk, encodeInk } from "../../static/js/math/inkcode.js";
import { controlRole, throttled, viewState, viewValues } from "../../static/js/session/lecture.js";

test("the view state is the query less the session", () => {
  assert.deepEqual(viewState("?session=abc&cell=4&speed=2"), { cell: "4", speed: "2" });
});

test("a received state never changes the session and keeps only plain values", () => {
  assert.deepEqual(viewValues({ session: "evil", cell: "7", t: 3, on: true, nested: { a: 1 }, none: null }), { cell: "7", t: 3, on: true });
  assert.deepEqual(viewValues(null), {});
});

test("a detached viewer's lecture stays its own", () => {
  assert.deepEqual(viewState("?session=fork&lecture=abc&cell=4"), { cell: "4" });
  assert.deepEqual(viewValues({ lecture: "other", cell: "4" }), { cell: "4" });
});

test("the role follows the holder of control", () => {
  const state = { holder: 2, presenters: [1, 2] };
  assert.equal(controlRole(state, 2), "driver");
  assert.equal(controlRole(state, 1), "presenter");
  assert.equal(controlRole({ holder: null, presenters: [1] }, 1), "presenter");
  assert.equal(controlRole(state, null), "viewer");
});

/** A fake clock: `later` queues callbacks, `tick(ms)` advances time and runs those due. */
function fakeClock() {
  let time = 0;
  let queue = [];
  return {
    now: () => time,
    later: (run, ms) => queue.push({ at: time + ms, run }),
    tick(ms) {
      time += ms;
      const due = queue.filter((job) => job.at <= time);
      queue = queue.filter((job) => job.at > time);
      for (const job of due) job.run();
    },
  };
}

test("the first call sends at once; a burst within the interval sends once more at its end", () => {
  const clock = fakeClock();
  let sent = 0;
  const request = throttled(() => sent++, 100, clock);
  request();
  assert.equal(sent, 1);
  for (let i = 0; i < 20; i++) {
    clock.tick(4);
    request();
  }
  assert.equal(sent, 1, "nothing more within the interval");
  clock.tick(20);
  assert.equal(sent, 2, "one trailing send");
  clock.tick(500);
  assert.equal(sent, 2, "no sends without calls");
  request();
  assert.equal(sent, 3, "after a quiet interval a call sends at once");
});

test("a steady stream of calls sends at most ten times a second", () => {
  const clock = fakeClock();
  let sent = 0;
  const request = throttled(() => sent++, 100, clock);
  for (let ms = 0; ms < 1000; ms += 5) {
    request();
    clock.tick(5);
  }
  assert.ok(sent <= 11 && sent >= 9, `sent ${sent}`);
});

test("a drawing travels as one hex digit per cell and comes back within a level", () => {
  const grid = [
    [0, 0.5, 1],
    [0.04, 0.97, 0.2],
    [1, 0, 0.33],
  ];
  const text = encodeInk(grid);
  assert.equal(text, "08f1f3f05");
  const back = decodeInk(text, 3);
  grid.flat().forEach((v, i) => assert.ok(Math.abs(back.flat()[i] - v) <= 1 / 30, `cell ${i}`));
  assert.equal(decodeInk("08f0", 3), null, "the wrong length");
  assert.equal(decodeInk("08f1f3f0z", 3), null, "not hex");
  assert.equal(decodeInk("", 3), null, "wiped");
});
