// @ts-check
// Which session /inspect watches. A named SDK run (?run=NAME): the newest session of the run (GET
// /api/runs/{name}); when that session ends, or the server goes away and comes back (the script then
// starts a new session of the same run), ask again every second until a session appears, and switch
// to it. Or one session by id (?session=ID, e.g. the viewer_url of POST /api/sessions), watched as is.
// The session is watched through a session handle, never driven: nothing is sent on its socket.

import { SessionHandle } from "./handle.js";

const POLL_MS = 1000;

/**
 * @typedef {object} RunHandlers
 * @property {(info: any, curves: any) => void} onSession a session is found (curves: its run's logged
 *   points so far, see GET /api/runs/{name}; null for a session watched by id)
 * @property {(frame: any) => void} onFrame
 * @property {(status: any) => void} onStatus the socket's status events
 * @property {() => void} onWaiting while the run has no session
 * @property {(data: any) => void} [onRaw] every message as received (the page's recorder)
 */

/**
 * @typedef {object} RunDeps what the follower reads and waits with (tests pass fakes)
 * @property {typeof globalThis.fetch} [fetch]
 * @property {(run: () => void, ms: number) => any} [later]
 * @property {SessionHandle} [handle]
 */

/**
 * Follow run `name`, or watch session `sessionId` when no name is given. Returns the handle.
 * @param {{name?: string, sessionId?: string}} which
 * @param {RunHandlers} handlers
 * @param {RunDeps} [deps]
 */
export function followRun({ name = "", sessionId = "" }, { onSession, onFrame, onStatus, onWaiting, onRaw = () => {} }, deps = {}) {
  const { fetch = (...args) => globalThis.fetch(...args), later = (run, ms) => setTimeout(run, ms) } = deps;
  const handle = deps.handle ?? new SessionHandle({ follow: false });
  let timer = null;
  handle.on("status", (status) => {
    onStatus(status);
    if (!handle.connected && status.status !== "connecting") retry();
  });
  handle.on("frame", onFrame);
  handle.on("raw", onRaw);

  async function find() {
    timer = null;
    let found = { session: null, curves: null };
    try {
      const response = await fetch(`/api/runs/${encodeURIComponent(name)}`);
      if (response.ok) found = await response.json();
    } catch {
      // The server is down: the next try may find it back.
    }
    const { session, curves } = found;
    if (session && session.id !== handle.session?.id) watch(session, curves);
    else if (!(session && handle.connected)) {
      if (!session) onWaiting();
      retry();
    }
  }

  /** @param {{id: string}} session @param {any} curves */
  function watch(session, curves) {
    handle.show({ id: session.id, token: null });
    onSession(session, curves);
  }

  function retry() {
    if (name) timer ??= later(find, POLL_MS);
  }

  if (name) find();
  else watch({ id: sessionId }, null);
  return handle;
}
