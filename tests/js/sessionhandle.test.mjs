// The session handle against a fake WebSocket, fetch and storage: attach or create, role, replace,
// following a successor, and /inspect's run follower with an injected clock.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { LiveSocket } from "../../static/js/net/socket.js";
import { SessionHandle } from "../../static/js/session/handle.js";
import { followRun } from "../../static/js/session/runfollow.js";
import { sessionStore } from "../../static/js/session/session.js";
import { FakeSocket } from "./fakesocket.mjs";
import { manualTimer } from "./manualtimer.mjs";

const socketTo = (id) => FakeSocket.made.filter((socket) => socket.url === `ws://t/${id}`).at(-1);

/** sessionStorage in memory. */
class MemoryStorage {
  constructor(entries = {}) {
    this.map = new Map(Object.entries(entries));
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
}

/**
 * A fake fetch for the session endpoints: POST creates `s1`, `s2`… (or answers `refuse` with 400);
 * each call is kept; `hold` makes POSTs wait until `release()`.
 */
function fakeServer({ refuse = null, hold = false } = {}) {
  const server = { calls: [], made: 0, waiting: [] };
  server.fetch = async (url, init = {}) => {
    server.calls.push({ url, method: init.method ?? "GET", headers: init.headers ?? {}, body: init.body && JSON.parse(init.body) });
    if (init.method === "DELETE") return reply(204, {});
    if (refuse) return reply(400, { error: refuse });
    const id = `s${++server.made}`;
    if (hold) await new Promise((resolve) => server.waiting.push(resolve));
    const room = server.calls.at(-1).body?.lecture ? {} : { lecture: `room-${id}`, lecture_key: `key-${id}` };
    return reply(200, { id, token: `tok-${id}`, model: server.calls.at(-1).body?.model, ...room });
  };
  server.release = (k) => server.waiting[k]();
  server.deletes = () => server.calls.filter((call) => call.method === "DELETE");
  return server;
}

const reply = (status, body) => ({ ok: status < 300, status, statusText: "x", json: async () => body });

function makeHandle({ query = "", storage = new MemoryStorage(), server = fakeServer(), ...options } = {}) {
  const views = [];
  const handle = new SessionHandle({
    model: "lenet",
    writeView: (values) => views.push(values),
    store: sessionStore({ fetch: server.fetch, storage }),
    openSocket: (session, presenter) => new LiveSocket(session.id, { token: session.token, presenter, url: `ws://t/${session.id}`, WebSocket: FakeSocket }),
    params: new URLSearchParams(query),
    ...options,
  });
  return { handle, views, storage, server };
}

/** Let pending promises (fetch replies, request answers) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Open `socket` and answer its auth as the server would. */
async function authAs(socket, role, presenter = 1, controlSeq = 0) {
  socket.serverOpens();
  const [auth] = socket.sent;
  socket.serverSends({ type: "ok", id: auth.id, for: "auth", role, presenter, control_seq: controlSeq });
  await settle();
}

beforeEach(() => {
  FakeSocket.made = [];
});

test("a session named in the URL is attached, driven with this tab's token", async () => {
  const { handle, views } = makeHandle({ query: "?session=abc", storage: new MemoryStorage({ "nnlive.token.abc": "secret" }) });
  const access = [];
  handle.on("access", (a) => access.push(a.driving));
  await handle.open({ config: { lr: 1 } });
  assert.deepEqual(handle.session, { id: "abc", token: "secret" });
  assert.deepEqual(views, [], "the URL already names it");
  const socket = socketTo("abc");
  await authAs(socket, "driver");
  assert.equal(socket.sent[0].token, "secret");
  assert.equal(handle.role, "driver");
  assert.equal(handle.driving, true);
  assert.equal(access.at(-1), true);
  handle.close();
});

test("a viewer without the token watches: no auth is sent", async () => {
  const { handle } = makeHandle({ query: "?session=abc" });
  await handle.open();
  const socket = socketTo("abc");
  socket.serverOpens();
  assert.deepEqual(socket.sent, []);
  assert.equal(handle.driving, false);
  handle.close();
});

test("without one in the URL a session is created, its token kept and its id written to the URL", async () => {
  const { handle, views, storage, server } = makeHandle();
  await handle.open({ config: { lr: 0.5 } });
  assert.deepEqual(server.calls[0].body, { model: "lenet", config: { lr: 0.5 }, seed: 0 });
  assert.deepEqual(handle.session, { id: "s1", token: "tok-s1" });
  assert.equal(storage.getItem("nnlive.token.s1"), "tok-s1");
  assert.deepEqual(views, [{ session: "s1" }]);
  handle.close();
});

test("a refused config rejects with the server's code and field; nothing is shown", async () => {
  const { handle } = makeHandle({ server: fakeServer({ refuse: { code: "bad_request", message: "lr too big", field: "lr" } }) });
  await assert.rejects(handle.open({ config: { lr: 99 } }), (error) => error.code === "bad_request" && error.field === "lr" && error.status === 400);
  assert.equal(handle.session, null);
});

test("replacing shows the new session and ends the old one naming it as successor", async () => {
  const { handle, views, server } = makeHandle();
  await handle.open();
  const old = socketTo("s1");
  const info = await handle.replace({ lr: 2 }, "charrnn");
  assert.equal(info.id, "s2");
  assert.equal(handle.model, "charrnn");
  assert.equal(old.closedWith, 1000, "the old socket is closed");
  assert.deepEqual(views.at(-1), { session: "s2" });
  const [end] = server.deletes();
  assert.equal(end.url, "/api/sessions/s1?successor=s2");
  assert.equal(end.headers.Authorization, "Bearer tok-s1");
  handle.close();
});

test("a replacement takes over the lecture room whose key this tab holds; the key claims a session elsewhere", async () => {
  const { handle, storage, server } = makeHandle();
  await handle.open();
  assert.equal(storage.getItem("nnlive.lecture.room-s1"), "key-s1");
  const old = socketTo("s1");
  await authAs(old, "driver");
  old.serverSends({ type: "state", control_seq: 1, holder: 1, presenters: [1], presenter: "connected", room: "open", lecture: "room-s1" });
  await handle.replace({ lr: 2 });
  const created = server.calls.filter((call) => call.method === "POST").at(-1);
  assert.deepEqual(created.body, { model: "lenet", config: { lr: 2 }, seed: 0, lecture: "room-s1", lecture_key: "key-s1" });
  handle.close();

  const elsewhere = makeHandle({ server });
  const { info, token } = await elsewhere.handle.store.claim("room-s1", "key-s1");
  const claim = server.calls.at(-1);
  assert.deepEqual([claim.url, claim.headers.Authorization], ["/api/lectures/room-s1/claim", "Bearer key-s1"]);
  assert.equal(elsewhere.storage.getItem(`nnlive.token.${info.id}`), token, "this tab drives it now");
  assert.equal(elsewhere.storage.getItem("nnlive.lecture.room-s1"), "key-s1");
});

test("replacements run one at a time: one overtaken while it waits never starts, none is ended unseen", async () => {
  const server = fakeServer({ hold: true });
  const { handle } = makeHandle({ server });
  const first = handle.replace({ lr: 1 });
  const skipped = handle.replace({ lr: 2 });
  const newest = handle.replace({ lr: 3 });
  await settle();
  assert.equal(server.calls.length, 1, "the second waits for the first");
  server.release(0);
  assert.equal((await first).id, "s1");
  assert.equal(await skipped, null);
  await settle();
  assert.deepEqual(server.calls.map((call) => call.body?.config.lr), [1, 3]);
  server.release(1);
  assert.equal((await newest).id, "s2");
  assert.equal(handle.session.id, "s2");
  assert.deepEqual(server.deletes().map((call) => call.url), ["/api/sessions/s1?successor=s2"]);
  handle.close();
});

/** `server`'s fetch, as a browser's: a request whose signal aborts rejects with the signal's reason. */
const abortable = (server) => (url, init = {}) =>
  new Promise((resolve, reject) => {
    init.signal?.addEventListener("abort", () => reject(init.signal.reason));
    server.fetch(url, init).then(resolve, reject);
  });

test("a replacement the server answers too late times out, the next one runs, and the late session is ended naming the one shown", async () => {
  const server = fakeServer({ hold: true });
  const timer = manualTimer();
  const { handle, views } = makeHandle({ server, timer, store: sessionStore({ fetch: abortable(server), storage: new MemoryStorage() }) });
  const hung = handle.replace({ lr: 1 });
  const next = handle.replace({ lr: 2 });
  await settle();
  assert.deepEqual(timer.delays(), [15_000], "the default timeout");
  timer.fire();
  await assert.rejects(hung, { code: "timeout" });
  await settle();
  assert.deepEqual(server.calls.map((call) => call.body?.config.lr), [1, 2], "the next replacement went out");
  server.release(1);
  assert.equal((await next).id, "s2");
  server.release(0); // the server made the first one after all: nobody may be left holding its place
  await settle();
  assert.equal(handle.session.id, "s2");
  assert.deepEqual(views, [{ session: "s2" }], "the timed-out one never reached the URL");
  assert.deepEqual(server.deletes().map((call) => call.url), ["/api/sessions/s1?successor=s2"]);
  handle.close();
});

test("a session created after its replacement timed out is given up, naming the one shown; it is never shown", async () => {
  const server = fakeServer({ hold: true });
  const timer = manualTimer();
  const { handle } = makeHandle({ server, timer });
  const first = handle.replace({ lr: 1 });
  await settle();
  server.release(0);
  assert.equal((await first).id, "s1");
  const late = handle.replace({ lr: 2 }, "charrnn");
  await settle();
  timer.fire();
  await assert.rejects(late, { code: "timeout" });
  server.release(1);
  await settle();
  assert.equal(handle.session.id, "s1");
  assert.equal(handle.model, "lenet", "the model is still the one shown");
  assert.deepEqual(server.deletes().map((call) => call.url), ["/api/sessions/s2?successor=s1"]);
  handle.close();
});

test("a replaced session's successor is followed at once; the old socket is no longer heard", async () => {
  const { handle, views, storage } = makeHandle({ query: "?session=old" });
  storage.setItem("nnlive.token.new", "mine");
  const heard = [];
  handle.on("state", (state) => heard.push(state.step));
  handle.on("followed", (session) => heard.push(session));
  await handle.open();
  const old = socketTo("old");
  old.serverOpens();
  old.serverSends({ type: "closed", successor: "new", reason: "replaced" });
  assert.deepEqual(views, [{ session: "new" }]);
  assert.deepEqual(handle.session, { id: "new", token: "mine", followed: true });
  assert.deepEqual(heard, [{ id: "new", token: "mine", followed: true }]);
  old.onmessage({ data: JSON.stringify({ type: "state", step: 1, control_seq: 0 }) });
  socketTo("new").serverOpens();
  socketTo("new").serverSends({ type: "state", step: 2, control_seq: 0 });
  assert.deepEqual(heard.slice(1), [2]);
  handle.close();
});

test("a replay does not follow: the recording goes on with its next hello", async () => {
  const { handle } = makeHandle({ query: "?session=old", follow: false });
  const closed = [];
  handle.on("closed", (message) => closed.push(message.successor));
  await handle.open();
  socketTo("old").serverOpens();
  socketTo("old").serverSends({ type: "closed", successor: "new" });
  assert.deepEqual(closed, ["new"]);
  assert.equal(handle.session.id, "old");
  handle.close();
});

test("the role follows who holds control; a state older than the auth reply is ignored", async () => {
  const { handle } = makeHandle({ query: "?session=abc", storage: new MemoryStorage({ "nnlive.token.abc": "t" }) });
  const changes = [];
  handle.on("access", ({ role, previous }) => previous && changes.push([previous, role]));
  await handle.open();
  const socket = socketTo("abc");
  await authAs(socket, "presenter", 2, 5);
  socket.serverSends({ type: "state", control_seq: 4, holder: 2, presenters: [1, 2], presenter: "connected", room: "open" });
  assert.equal(handle.role, "presenter", "stale");
  socket.serverSends({ type: "state", control_seq: 6, holder: 2, presenters: [1, 2], presenter: "connected", room: "open" });
  assert.equal(handle.role, "driver");
  assert.deepEqual(handle.control, { presenter: "connected", holder: 2, presenters: [1, 2], room: "open", lecture: null });
  socket.serverSends({ type: "state", control_seq: 7, holder: 1, presenters: [1, 2], presenter: "connected", room: "open" });
  assert.deepEqual(changes, [["presenter", "driver"], ["driver", "presenter"]]);
  handle.close();
});

test("a dropped connection stops driving; on reconnect the token is presented again with its presenter number", async () => {
  const { handle } = makeHandle({ query: "?session=abc", storage: new MemoryStorage({ "nnlive.token.abc": "t" }) });
  await handle.open();
  const first = socketTo("abc");
  await authAs(first, "driver", 3);
  assert.equal(handle.driving, true);
  first.serverCloses(1006);
  assert.equal(handle.driving, false);
  handle.socket.connect(); // what the backoff timer does
  const second = socketTo("abc");
  assert.notEqual(second, first);
  second.serverOpens();
  assert.equal(second.sent[0].presenter, 3);
  handle.close();
});

test("a presenter number kept for a reload is taken back once, not by a duplicated tab", async () => {
  const storage = new MemoryStorage({ "nnlive.token.abc": "t", "nnlive.presenter.abc": "4" });
  const { handle } = makeHandle({ query: "?session=abc", storage });
  await handle.open();
  socketTo("abc").serverOpens();
  assert.equal(socketTo("abc").sent[0].presenter, 4);
  assert.equal(storage.getItem("nnlive.presenter.abc"), null);
  handle.close();
});

test("act without a session rejects with not_found", async () => {
  const { handle } = makeHandle();
  await assert.rejects(handle.act({ type: "train" }), (error) => error.code === "not_found");
});

/** A clock whose timers run when the test says so. */
function manualTimers() {
  const due = [];
  return { later: (run, ms) => due.push({ run, ms }), runNext: () => due.shift().run(), pending: () => due.length };
}

test("the run follower waits for a session, watches it, and looks again when it ends", async () => {
  const answers = [{ session: null }, { session: { id: "r1" }, curves: { step: [1] } }, { session: { id: "r2" }, curves: null }];
  const fetch = async (url) => {
    assert.equal(url, "/api/runs/my%20run");
    return reply(200, answers.shift());
  };
  const timers = manualTimers();
  const { handle } = makeHandle();
  const seen = [];
  followRun(
    { name: "my run" },
    {
      onSession: (session, curves) => seen.push(["session", session.id, curves]),
      onFrame: () => {},
      onStatus: (status) => seen.push(["status", status.status]),
      onWaiting: () => seen.push(["waiting"]),
    },
    { fetch, later: timers.later, handle },
  );
  await settle();
  assert.deepEqual(seen, [["waiting"]]);
  assert.equal(timers.pending(), 1);
  timers.runNext();
  await settle();
  assert.deepEqual(seen.slice(1), [["status", "connecting"], ["session", "r1", { step: [1] }]]);
  socketTo("r1").serverOpens();
  assert.deepEqual(socketTo("r1").sent, [], "a run is watched, never driven");
  socketTo("r1").serverCloses(4410);
  assert.equal(timers.pending(), 1, "the session ended: look again");
  timers.runNext();
  await settle();
  assert.equal(handle.session.id, "r2");
  handle.close();
});
