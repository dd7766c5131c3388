// The animation clock: play at a speed, stop at the end, step, jump, restart, new counts.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createPlayer, nearestSpeed } from "../../static/js/ui/player.js";

/** Timers that run only when told: advance(ms) fires what is due. */
function fakeTimers() {
  let now = 0;
  let next = 1;
  const due = new Map();
  return {
    setTimeout(fn, ms) {
      due.set(next, { fn, at: now + ms });
      return next++;
    },
    clearTimeout(id) {
      due.delete(id);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const [id, timer] = [...due].sort((a, b) => a[1].at - b[1].at)[0] ?? [];
        if (!timer || timer.at > end) break;
        due.delete(id);
        now = timer.at;
        timer.fn();
      }
      now = end;
    },
  };
}

test("playing moves one position per 1/speed seconds and stops at the last", () => {
  const timers = fakeTimers();
  const seen = [];
  const player = createPlayer({ count: 4, speed: 2, timers, onChange: (state) => seen.push(state) });
  player.play();
  assert.equal(player.state.playing, true);
  timers.advance(499);
  assert.equal(player.state.position, 0);
  timers.advance(1);
  assert.equal(player.state.position, 1);
  timers.advance(5000);
  assert.deepEqual(player.state, { count: 4, position: 3, speed: 2, playing: false });
  assert.deepEqual(
    seen.map((s) => s.position),
    [0, 1, 2, 3],
  );
});

test("play at the last position starts again from the first", () => {
  const timers = fakeTimers();
  const player = createPlayer({ count: 3, position: 2, timers, onChange: () => {} });
  player.play();
  assert.equal(player.state.position, 0);
  assert.equal(player.state.playing, true);
});

test("step, jump, first and last pause and clamp", () => {
  const timers = fakeTimers();
  const player = createPlayer({ count: 5, timers, onChange: () => {} });
  player.play();
  player.step(1);
  assert.deepEqual([player.state.position, player.state.playing], [1, false]);
  player.step(-3);
  assert.equal(player.state.position, 0);
  player.jump(9);
  assert.equal(player.state.position, 4);
  player.first();
  assert.equal(player.state.position, 0);
  player.last();
  assert.equal(player.state.position, 4);
  timers.advance(10_000);
  assert.equal(player.state.position, 4);
});

test("a new speed takes effect at once; a new count pauses and clamps", () => {
  const timers = fakeTimers();
  const player = createPlayer({ count: 10, speed: 1, timers, onChange: () => {} });
  player.play();
  player.setSpeed(10);
  timers.advance(100);
  assert.equal(player.state.position, 1);
  player.reset(3, 7);
  assert.deepEqual(player.state, { count: 3, position: 2, speed: 10, playing: false });
  timers.advance(1000);
  assert.equal(player.state.position, 2);
});

test("speeds snap to the offered ones", () => {
  assert.equal(nearestSpeed(7), 8);
  assert.equal(nearestSpeed(0.1), 0.25);
  assert.equal(nearestSpeed(100), 20);
  assert.equal(nearestSpeed(Number.NaN), 3);
});
