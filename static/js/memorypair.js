// Two sessions side by side, one per recurrent cell (nn.RNN and nn.LSTM) of the `memory` model,
// with the same config but the cell: attached from the URL (`?rnn=ID&lstm=ID`) or created, driven
// together (train, pause, step, reset) and replaced together when the config changes.

import { LiveSocket } from "./net/socket.js";
import { createSession, endSession, storedToken } from "./session.js";

export const CELLS = ["rnn", "lstm"];
const MODEL = "memory";

/**
 * Open the pair. `handlers` get (cell, payload): onHello(cell, hello), onState(cell, state),
 * onFrame(cell, frame), onError(error), onAccess(driving); writeView(values) puts the ids into the URL
 * (the live page's, so that its link to share follows).
 * Returns `{act(message), replace(config), driving}`.
 */
export async function startMemoryPair(config, handlers) {
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
    socket.connect();
  }

  async function create(nextConfig) {
    const made = await Promise.all(CELLS.map((cell) => createSession(MODEL, { config: { ...nextConfig, cell } })));
    const old = { ...pair.sessions };
    CELLS.forEach((cell, k) => connect(cell, { id: made[k].info.id, token: made[k].token }));
    handlers.writeView(Object.fromEntries(CELLS.map((cell, k) => [cell, made[k].info.id])));
    for (const session of Object.values(old)) if (session.token) endSession(session.id, session.token);
  }

  Object.defineProperty(pair, "driving", {
    get: () => CELLS.every((cell) => pair.roles[cell] === "driver"),
  });
  pair.act = (message) => Promise.all(CELLS.map((cell) => pair.sockets[cell].request(message)));
  pair.replace = create;

  if (CELLS.every((cell) => params.get(cell))) {
    for (const cell of CELLS) connect(cell, { id: params.get(cell), token: storedToken(params.get(cell)) });
  } else {
    await create(config);
  }
  return pair;
}
