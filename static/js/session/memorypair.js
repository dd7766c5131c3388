// Two sessions side by side, one per recurrent cell (nn.RNN and nn.LSTM) of the `memory` model,
// with the same config but the cell: attached from the URL (`?rnn=ID&lstm=ID`) or created, driven
// together (train, pause, step, reset) and replaced together when the config changes; a lecture's
// viewer follows the presenter's pair (its ids arrive in the view state).

import { LiveSocket } from "../net/socket.js";
import { createSession, endSession, storedToken } from "./session.js";

export const CELLS = ["rnn", "lstm"];
const MODEL = "memory";

/**
 * Open the pair. `handlers` get (cell, payload): onHello(cell, hello), onState(cell, state),
 * onFrame(cell, frame), onError(error), onAccess(driving); writeView(values) puts the ids into the URL
 * (the live page's, so that its link to share follows).
 * `create`: whether to create a pair when the URL names none (a viewer waits for `follow` instead).
 * Returns `{act(message), replace(config), follow(ids), driving}`.
 */
export async function startMemoryPair(config, handlers, { create: creates = true } = {}) {
  const pair = { sockets: {}, sessions: {}, roles: {} };
  const params = new URLSearchParams(location.search);

  function connect(cell, session) {
    pair.sockets[cell]?.close();
    pair.sessions[cell] = session;
    pair.roles[cell] = "viewer";
    const socket = new LiveSocket(session.id, { token: session.token });
    pair.sockets[cell] = socket;
    socket.on("role", ({ role }) => {
      pair.roles[cell] = role;
      handlers.onAccess(pair.driving);
    });
    socket.on("status", () => handlers.onAccess(pair.driving));
    socket.on("hello", (hello) => handlers.onHello(cell, hello));
    socket.on("state", (state) => handlers.onState(cell, state));
    socket.on("frame", (frame) => handlers.onFrame(cell, frame));
    socket.on("error", handlers.onError);
    // The presenter replaced the pair (a new T): follow the cell's successor at once, without waiting
    // for the view state that names the new pair.
    socket.on("closed", ({ successor }) => {
      if (successor && pair.sessions[cell]?.id === session.id) connect(cell, { id: successor, token: storedToken(successor) });
    });
    socket.connect();
  }

  /** Show `next` ({cell: {id, token}}); sessions this tab drove before end, naming their successors. */
  function switchTo(next) {
    const old = { ...pair.sessions };
    for (const cell of CELLS) connect(cell, next[cell]);
    for (const cell of CELLS) if (old[cell]?.token) endSession(old[cell].id, old[cell].token, next[cell].id);
  }

  let latest = 0; // the newest create's number: an older one that finishes after it is ended unseen
  async function create(nextConfig) {
    const mine = ++latest;
    const made = await Promise.all(CELLS.map((cell) => createSession(MODEL, { config: { ...nextConfig, cell } })));
    if (mine !== latest) {
      for (const { info, token } of made) endSession(info.id, token);
      return;
    }
    switchTo(Object.fromEntries(CELLS.map((cell, k) => [cell, { id: made[k].info.id, token: made[k].token }])));
    handlers.writeView(Object.fromEntries(CELLS.map((cell, k) => [cell, made[k].info.id])));
  }

  Object.defineProperty(pair, "driving", {
    get: () => CELLS.every((cell) => pair.roles[cell] === "driver"),
  });
  pair.act = (message) => Promise.all(CELLS.map((cell) => pair.sockets[cell].request(message)));
  pair.replace = create;
  /** Show the pair `ids` ({rnn, lstm}), with this tab's tokens if it holds them. */
  pair.follow = (ids) => {
    if (CELLS.every((cell) => pair.sessions[cell]?.id === ids[cell])) return;
    switchTo(Object.fromEntries(CELLS.map((cell) => [cell, { id: ids[cell], token: storedToken(ids[cell]) }])));
  };

  if (CELLS.every((cell) => params.get(cell))) {
    for (const cell of CELLS) connect(cell, { id: params.get(cell), token: storedToken(params.get(cell)) });
  } else if (creates) {
    await create(config);
  }
  return pair;
}
