// A second session shown on a page beside its live one (/embedding: the nn.Embedding lookup and the
// pretrained token table next to the word2vec session): attached from `?<key>=ID` (as its driver when
// this tab holds the token) or created, its hello and frames handed to the page, replaced when its
// config changes. Its id goes into the page's URL under `key`, so the link to share carries it.

import { LiveSocket } from "../net/socket.js";
import { createSession, endSession, storedToken } from "./session.js";

/**
 * Open the side session of `model`. `handlers`: onHello(info), onFrame(frame), onError(error),
 * onAccess(driving); writeView(values) puts `{[key]: id}` into the URL. Without `?<key>=ID` a new
 * session is created, unless `create` is false (a viewer of the page's session, who waits for the
 * presenter's id to `attach` to).
 * Returns `{act(message), replace(config), attach(id), driving, session}`; creating may reject
 * with the server's refusal ({code, message, field}).
 */
export async function startSideSession(model, key, { config = {}, create = true, onHello, onFrame, onError, onAccess, writeView }) {
  const side = { socket: null, session: null, role: "viewer" };

  function connect(session) {
    side.socket?.close();
    side.session = session;
    side.role = "viewer";
    const socket = new LiveSocket(session.id, { token: session.token });
    side.socket = socket;
    socket.on("role", ({ role }) => {
      side.role = role;
      onAccess(role === "driver");
    });
    socket.on("hello", (hello) => onHello(hello.session));
    socket.on("frame", onFrame);
    socket.on("error", onError);
    // The presenter replaced it (new settings): follow its successor at once.
    socket.on("closed", ({ successor }) => {
      if (successor && side.session?.id === session.id) connect({ id: successor, token: storedToken(successor) });
    });
    socket.connect();
  }

  const api = {
    get driving() {
      return side.role === "driver";
    },
    get session() {
      return side.session;
    },
    act(message) {
      if (!side.socket) return Promise.reject(Object.assign(new Error("no session"), { code: "not_found" }));
      return side.socket.request(message);
    },
    /** A new session with `nextConfig` in place of this one (ended when this tab drives it). */
    async replace(nextConfig) {
      const { info, token } = await createSession(model, { config: nextConfig });
      const old = side.session;
      connect({ id: info.id, token });
      writeView({ [key]: info.id });
      if (old?.token) endSession(old.id, old.token, info.id);
      return info;
    },
    /** Watch (or drive, with this tab's token) the session `id`, unless it is the one shown. */
    attach(id) {
      if (id && id !== side.session?.id) connect({ id, token: storedToken(id) });
    },
  };

  const wanted = new URLSearchParams(location.search).get(key);
  if (wanted) api.attach(wanted);
  else if (create) await api.replace(config);
  return api;
}
