// The one-at-a-time runner behind session replacements: in turn, the newest wins, a refusal reaches its caller only.
import assert from "node:assert/strict";
import { test } from "node:test";

import { oneAtATime } from "../../static/js/session/oneatatime.js";

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
