// The one-at-a-time runner behind session replacements: in turn, the newest wins, a refusal reaches its caller
// only, a task that never answers is aborted after the (injected) timeout.
import assert from "node:assert/strict";
import { test } from "node:test";

import { oneAtATime } from "../../static/js/session/oneatatime.js";
import { manualTimer } from "./manualtimer.mjs";

/** A task that resolves (or rejects) when told, noting when it started. */
function task(started, name) {
  let finish;
  const done = new Promise((resolve, reject) => (finish = { resolve, reject }));
  const run = () => (started.push(name), done);
  return { run, resolve: (value) => finish.resolve(value), reject: (error) => finish.reject(error) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("tasks run in turn; one overtaken while it waits resolves null and never starts", async () => {
  const run = oneAtATime();
  const started = [];
  const [a, b, c] = ["a", "b", "c"].map((name) => task(started, name));
  const results = [run(a.run), run(b.run), run(c.run)];
  await settle();
  assert.deepEqual(started, ["a"]);
  a.resolve(1);
  await settle();
  assert.deepEqual(started, ["a", "c"]);
  c.resolve(3);
  assert.deepEqual(await Promise.all(results), [1, null, 3]);
});

test("a task that fails rejects its own caller only; the next one still runs", async () => {
  const run = oneAtATime();
  const started = [];
  const [a, b] = ["a", "b"].map((name) => task(started, name));
  const first = run(a.run);
  const second = run(b.run);
  a.reject(new Error("refused"));
  await assert.rejects(first, /refused/);
  await settle();
  b.resolve("ok");
  assert.equal(await second, "ok");
  assert.deepEqual(started, ["a", "b"]);
});

test("a task that never answers is aborted after the timeout, fails with code timeout, and the next one runs", async () => {
  const timer = manualTimer();
  const run = oneAtATime({ timeoutMs: 250, timer });
  const signals = [];
  const hung = run((signal) => (signals.push(signal), new Promise(() => {})));
  const next = task([], "next");
  const second = run(next.run);
  await settle();
  assert.deepEqual(timer.delays(), [250]);
  assert.equal(signals[0].aborted, false);

  timer.fire();
  await assert.rejects(hung, (error) => error.code === "timeout" && /0\.25 s/.test(error.message));
  assert.equal(signals[0].aborted, true, "the hung task's signal fired (it tells the task its answer comes too late)");
  assert.equal(signals[0].reason.code, "timeout");
  await settle();
  next.resolve("ran");
  assert.equal(await second, "ran");
});

test("a task that finishes in time clears its timer; its signal never fires", async () => {
  const timer = manualTimer();
  const run = oneAtATime({ timeoutMs: 250, timer });
  let seen;
  assert.equal(await run(async (signal) => ((seen = signal), 7)), 7);
  assert.deepEqual(timer.delays(), []);
  assert.equal(seen.aborted, false);
});

test("with a timeout, the newest still wins: one overtaken while a hung task runs never starts", async () => {
  const timer = manualTimer();
  const run = oneAtATime({ timeoutMs: 1000, timer });
  const started = [];
  const hung = run(() => (started.push("hung"), new Promise(() => {})));
  const [b, c] = ["b", "c"].map((name) => task(started, name));
  const results = [run(b.run), run(c.run)];
  timer.fire();
  await assert.rejects(hung, { code: "timeout" });
  await settle();
  assert.deepEqual(started, ["hung", "c"]);
  c.resolve(3);
  assert.deepEqual(await Promise.all(results), [null, 3]);
});

test("the default timeout is 15 s", async () => {
  const timer = manualTimer();
  const run = oneAtATime({ timer });
  const hung = run(() => new Promise(() => {}));
  await settle();
  assert.deepEqual(timer.delays(), [15_000]);
  timer.fire();
  await assert.rejects(hung, { code: "timeout" });
});
