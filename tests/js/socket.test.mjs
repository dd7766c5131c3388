// LiveSocket against a fake WebSocket: auth on (re)connect, dispatch, requests, backoff.
import assert from "node:assert/strict";
import { beforeEach, mock, test } from "node:test";

import { LiveSocket, sessionSocketUrl } from "../../static/js/net/socket.js";
import { FakeSocket } from "./fakesocket.mjs";

/** Mocks setTimeout: node 20.11 on takes { apis }, node 18.19 to 20.10 (Debian 12's 18) an array. */
function mockSetTimeout() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  mock.timers.enable(major > 20 || (major === 20 && minor >= 11) ? { apis: ["setTimeout"] } : ["setTimeout"]);
}

function lastSocket() {
  return FakeSocket.made.at(-1);
}

/** A frame with no tensors and this header, as the server would send it. */
function frameBytes(header) {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, tensors: [] }));
  const message = new Uint8Array(4 + json.length);
  new DataView(message.buffer).setUint32(0, json.length, true);
  message.set(json, 4);
  return message.buffer;
}

beforeEach(() => {
  FakeSocket.made = [];
});

test("the URL follows the page's scheme and host", () => {
  assert.equal(sessionSocketUrl("ab c", { protocol: "http:", host: "h:8000" }), "ws://h:8000/ws/sessions/ab%20c");
  assert.equal(sessionSocketUrl("x", { protocol: "https:", host: "h" }), "wss://h/ws/sessions/x");
});

test("sends auth first when it holds a token, and reports the role", async () => {
  const live = new LiveSocket("s1", { token: "secret", url: "ws://t/ws/sessions/s1", WebSocket: FakeSocket });
  const roles = [];
  live.on("role", (r) => roles.push(r.role));
  live.connect();
  assert.equal(lastSocket().binaryType, "arraybuffer");
  lastSocket().serverOpens();
  const [auth] = lastSocket().sent;
  assert.equal(auth.type, "auth");
  assert.equal(auth.token, "secret");
  lastSocket().serverSends({ type: "ok", id: auth.id, for: "auth", role: "driver" });
  await Promise.resolve();
  assert.deepEqual(roles, ["driver"]);
});

test("a reconnecting presenter names the number it had, to keep its control", async () => {
  const live = new LiveSocket("s1", { token: "secret", url: "ws://t", WebSocket: FakeSocket });
  const roles = [];
  live.on("role", (r) => roles.push(r));
  live.connect();
  lastSocket().serverOpens();
  const [first] = lastSocket().sent;
  assert.equal(first.presenter, undefined);
  lastSocket().serverSends({ type: "ok", id: first.id, for: "auth", role: "presenter", presenter: 3, control_seq: 5 });
  await Promise.resolve();
  assert.deepEqual(roles, [{ role: "presenter", presenter: 3, controlSeq: 5 }]);
  live.connect();
  lastSocket().serverOpens();
  assert.equal(lastSocket().sent[0].presenter, 3);
});

test("a refused token leaves the page a viewer", async () => {
  const live = new LiveSocket("s1", { token: "stale", url: "ws://t", WebSocket: FakeSocket });
  const roles = [];
  live.on("role", (r) => roles.push(r));
  live.connect();
  lastSocket().serverOpens();
  const [auth] = lastSocket().sent;
  lastSocket().serverSends({ type: "error", code: "forbidden", message: "bad token", id: auth.id });
  await Promise.resolve();
  assert.equal(roles[0].role, "viewer");
  assert.equal(roles[0].error.code, "forbidden");
});

test("dispatches text by type and binary frames decoded", () => {
  const live = new LiveSocket("s1", { url: "ws://t", WebSocket: FakeSocket });
  const seen = [];
  live.on("state", (m) => seen.push(["state", m.step]));
  live.on("frame", (f) => seen.push(["frame", f.header.seq]));
  live.connect();
  lastSocket().serverOpens();
  assert.deepEqual(lastSocket().sent, [], "no auth without a token");
  lastSocket().serverSends({ type: "state", step: 4 });
  lastSocket().serverSends(frameBytes({ type: "frame", seq: 9, reply_to: null }));
  assert.deepEqual(seen, [["state", 4], ["frame", 9]]);
});

test("request settles on ok, on error and on the frame that replies to it", async () => {
  const live = new LiveSocket("s1", { url: "ws://t", WebSocket: FakeSocket });
  const errors = [];
  live.on("error", (e) => errors.push(e));
  live.connect();
  const server = lastSocket();
  server.serverOpens();

  const step = live.request({ type: "step", count: 2 });
  const forward = live.request({ type: "forward", input: [] });
  const bad = live.request({ type: "set", values: { lr: 9 } });
  const [stepMsg, forwardMsg, badMsg] = server.sent;
  assert.equal(stepMsg.count, 2);
  assert.notEqual(stepMsg.id, forwardMsg.id);

  server.serverSends({ type: "ok", id: stepMsg.id, for: "step" });
  server.serverSends(frameBytes({ type: "frame", seq: 1, reply_to: forwardMsg.id }));
  server.serverSends({ type: "error", id: badMsg.id, code: "bad_request", message: "lr too big", field: "lr" });
  server.serverSends({ type: "error", code: "limit", message: "slow down" });

  assert.equal((await step).for, "step");
  assert.equal((await forward).header.seq, 1);
  await assert.rejects(bad, (e) => e.code === "bad_request" && e.field === "lr");
  assert.deepEqual(errors.map((e) => e.code), ["limit"], "only unanswered errors reach error listeners");
});

test("a request while disconnected fails at once; a drop fails pending ones", async () => {
  const live = new LiveSocket("s1", { url: "ws://t", WebSocket: FakeSocket });
  await assert.rejects(live.request({ type: "ping" }), (e) => e.code === "disconnected");
  live.connect();
  lastSocket().serverOpens();
  const pending = live.request({ type: "step" });
  mockSetTimeout();
  try {
    lastSocket().serverCloses(1006);
    await assert.rejects(pending, (e) => e.code === "disconnected");
  } finally {
    mock.timers.reset();
    live.close();
  }
});

test("reconnects with growing delays and re-sends auth; stops on 4404", () => {
  mockSetTimeout();
  try {
    const live = new LiveSocket("s1", { token: "tok", url: "ws://t", WebSocket: FakeSocket });
    const statuses = [];
    live.on("status", (s) => statuses.push(s));
    live.connect();
    lastSocket().serverOpens();
    lastSocket().serverCloses(1006);
    const first = statuses.at(-1);
    assert.equal(first.status, "reconnecting");
    mock.timers.tick(first.delayMs);
    assert.equal(FakeSocket.made.length, 2);
    lastSocket().serverCloses(1006);
    const second = statuses.at(-1);
    assert.ok(second.delayMs > first.delayMs, "backoff grows");
    mock.timers.tick(second.delayMs);
    lastSocket().serverOpens();
    assert.equal(lastSocket().sent[0].type, "auth", "auth again after reconnecting");
    lastSocket().serverCloses(4404);
    assert.equal(statuses.at(-1).status, "closed");
    mock.timers.tick(60_000);
    assert.equal(FakeSocket.made.length, 3, "no reconnect after the session is gone");
  } finally {
    mock.timers.reset();
  }
});

test("every message also goes out unparsed as raw, before its parsed dispatch (what a recording keeps)", () => {
  const socket = new LiveSocket("s1", { url: "ws://t", WebSocket: FakeSocket });
  const heard = [];
  socket.on("raw", (data) => heard.push(["raw", data]));
  socket.on("state", () => heard.push(["state"]));
  socket.on("frame", (frame) => heard.push(["frame", frame.header.seq]));
  socket.connect();
  lastSocket().serverOpens();
  const text = '{"type":"state","step":3}';
  const frame = frameBytes({ type: "frame", seq: 4 });
  lastSocket().serverSends(text);
  lastSocket().serverSends(frame);
  assert.deepEqual(heard, [["raw", text], ["state"], ["raw", frame], ["frame", 4]]);
  assert.equal(heard[2][1], frame);
});
