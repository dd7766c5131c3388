// Which session /inspect watches. A named SDK run (?run=NAME): the newest session of the run (GET
// /api/runs/{name}); when that session ends, or the server goes away and comes back (the script then
// starts a new session of the same run), ask again every second until a session appears, and switch
// to it. Or one session by id (?session=ID, e.g. the viewer_url of POST /api/sessions), watched as is.

import { LiveSocket } from "../net/socket.js";

const POLL_MS = 1000;

/**
 * Follow run `name`, or watch session `sessionId` when no name is given.
 * @param {{name?: string, sessionId?: string}} which
 * @param {{onSession: Function, onFrame: Function, onStatus: Function, onWaiting: Function, onRaw?: Function}} handlers
 *   onSession(info, curves) when a session is found (curves: its run's logged points so far, see
 *   GET /api/runs/{name}; null for a session watched by id); onFrame(frame) for each frame;
 *   onStatus(status) for the socket's status events; onWaiting() while the run has no session;
 *   onRaw(data) for every message as received (the page's recorder).
 */
export function followRun({ name = "", sessionId = "" }, { onSession, onFrame, onStatus, onWaiting, onRaw = () => {} }) {
  const follow = { socket: null, id: null, open: false, timer: null };

  async function find() {
    follow.timer = null;
    let found = { session: null };
    try {
      const response = await fetch(`/api/runs/${encodeURIComponent(name)}`);
      if (response.ok) found = await response.json();
    } catch {
      // The server is down: the next try may find it back.
    }
    const { session, curves } = found;
    if (session && session.id !== follow.id) watch(session, curves);
    else if (!(session && follow.open)) {
      if (!session) onWaiting();
      retry();
    }
  }

  function watch(session, curves) {
    follow.socket?.close();
    follow.id = session.id;
    const socket = new LiveSocket(session.id);
    follow.socket = socket;
    socket.on("status", (status) => {
      follow.open = status.status === "open";
      onStatus(status);
      if (!follow.open && status.status !== "connecting") retry();
    });
    socket.on("frame", onFrame);
    socket.on("raw", onRaw);
    onSession(session, curves);
    socket.connect();
  }

  function retry() {
    if (name) follow.timer ??= setTimeout(find, POLL_MS);
  }

  if (name) find();
  else watch({ id: sessionId }, null);
}
