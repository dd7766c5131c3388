// newestWins: one in flight, only the newest waiting value goes next.
import assert from "node:assert/strict";
import { test } from "node:test";

import { newestWins } from "../../static/js/net/latest.js";

/** A send() whose answers the test releases one at a time. */
function controlledSend() {
  const sent = [];
  const answers = [];
  const send = (value) => {
    sent.push(value);
    return new Promise((resolve, reject) => answers.push({ resolve, reject }));
  };
  return { send, sent, answers };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("keeps one request in flight and sends only the newest waiting value", async () => {
  const { send, sent, answers } = controlledSend();
  const submit = newestWins(send);
  submit(1);
  submit(2);
  submit(3);
  await settle();
  assert.deepEqual(sent, [1]);
  answers[0].resolve();
  await settle();
  assert.deepEqual(sent, [1, 3]);
  answers[1].resolve();
  await settle();
  assert.deepEqual(sent, [1, 3], "nothing left to send");
});

test("a failed request lets the next value through", async () => {
  const { send, sent, answers } = controlledSend();
  const submit = newestWins(send);
  submit("a");
  submit("b");
  await settle();
  answers[0].reject(new Error("timeout"));
  await settle();
  assert.deepEqual(sent, ["a", "b"]);
});

test("drop forgets the waiting value, and later values go as before", async () => {
  const { send, sent, answers } = controlledSend();
  const submit = newestWins(send);
  submit("drawing 1");
  submit("drawing 2");
  submit.drop();
  await settle();
  answers[0].resolve();
  await settle();
  assert.deepEqual(sent, ["drawing 1"], "the dropped drawing is never sent");
  submit("drawing 3");
  await settle();
  assert.deepEqual(sent, ["drawing 1", "drawing 3"]);
});
