// A model page's live session: its socket, the session bar (connection, role, viewers, the link
// to share), refusals on the notice line, and replacing the session by a new one when a config
// field changes (POST the new one, then DELETE the old one with its token, naming the new one so
// that viewers follow it), and lecture mode: a driver's view state goes to the viewers, a viewer
// applies the driver's (lecture.js). The page supplies what to do with hello, state, frames and a
// received view; views never see the socket. Recording: the Record button keeps what the socket
// receives (recorder.js); `?replay=KEY` plays a recording through a ReplaySource in place of the socket
// (replaybar.js): no session is opened and the page's controls stay disabled, as for a viewer.

import { setText } from "./i18n.js";
import { bindSharePanel } from "./sharepanel.js";
import { VIEW_INTERVAL_MS, throttled, viewState, viewValues } from "./lecture.js";
import { LiveSocket } from "./net/socket.js";
import { createSession, endSession, openSession, storedToken, viewerLink } from "./session.js";
import { bindRecorder } from "./recorder.js";
import { openReplay } from "./replaybar.js";
import { bindPngExport } from "./snapshot.js";
import { noticeBoard, showConnection } from "./status.js";
import { writeView } from "./urlstate.js";

const byId = (id) => document.getElementById(id);

/**
 * Open the session the URL names, or create one of `model` with `config` (falling back to the
 * defaults when the server refuses that config), and connect to it.
 * @param {string} model
 * @param {{config?: object, onHello?: Function, onState?: Function, onFrame?: Function, onAccess?: Function, onView?: Function}} opts
 *   onHello(info, hello) gets the session info and the whole hello message (history…);
 *   onAccess(driving, role) runs whenever the right to drive changes (connection or role);
 *   onView(params) re-applies the view state from the URL's query once a viewer took the driver's.
 * @returns {Promise<object|null>} the live page `{notice, driving, session, replaying, act, replace, writeView}`,
 *   or null when no session could be opened (the notice says why).
 */
export async function startLivePage(model, { config = {}, onHello = () => {}, onState = () => {}, onFrame = () => {}, onAccess = () => {}, onView = () => {} }) {
  const notice = noticeBoard(byId("notice"));
  const page = { role: "viewer", connected: false, session: null, socket: null };
  const sharePanel = bindSharePanel({ toggle: byId("share-toggle"), panel: byId("share-panel"), canvas: byId("share-qr"), link: byId("share-url") });
  const replayKey = new URLSearchParams(location.search).get("replay");
  const recording = bindRecorder(byId("record"), { notice, describe: () => ({ page: location.pathname, model, session: page.session?.id }) });
  bindPngExport(byId("export-png"), byId("main"));

  const access = () => {
    const role = byId("role");
    setText(role, page.role === "driver" ? "role.driver" : "role.viewer");
    role.dataset.role = page.role;
    const driving = page.role === "driver" && page.connected;
    if (driving) sendView();
    sharePanel.setEnabled(driving);
    onAccess(driving, page.role);
  };
  // The driver's view state, read from the URL when it goes out: the newest always wins.
  const sendView = throttled(() => page.socket?.send({ type: "view", state: viewState(location.search) }), VIEW_INTERVAL_MS);

  function connect(session, socket = new LiveSocket(session.id, { token: session.token })) {
    page.socket?.close();
    page.session = session;
    page.role = "viewer";
    page.socket = socket;
    socket.on("raw", recording.received);
    socket.on("status", (status) => {
      page.connected = status.status === "open";
      showConnection(byId("connection"), status);
      access();
    });
    socket.on("role", ({ role, error }) => {
      page.role = role;
      if (error) notice.error(error);
      access();
    });
    socket.on("hello", (hello) => {
      setText(byId("viewers"), "status.viewers", { n: hello.session.viewers });
      if (replayKey !== null) notice.show("replay.notice");
      else if (!session.token && !session.followed) notice.show("role.viewer_notice");
      onHello(hello.session, hello);
    });
    socket.on("state", (state) => {
      setText(byId("viewers"), "status.viewers", { n: state.viewers });
      onState(state);
    });
    socket.on("frame", onFrame);
    socket.on("view", ({ state }) => {
      if (page.role === "driver") return;
      writeView(viewValues(state));
      showLink();
      onView(new URLSearchParams(location.search));
    });
    socket.on("error", (message) => notice.error(message));
    socket.on("closed", ({ successor }) => {
      if (replayKey !== null) return; // the recording goes on with its next hello
      if (!successor) {
        notice.show("error.closed");
        return;
      }
      // The driver replaced the session (new settings): watch its successor.
      live.writeView({ session: successor });
      connect({ id: successor, token: storedToken(successor), followed: true });
      notice.show("session.followed");
    });
    socket.connect();
    showLink();
    sharePanel.setLink(viewerLink(session.id));
  }

  const live = {
    notice,
    get driving() {
      return page.role === "driver" && page.connected;
    },
    get session() {
      return page.session;
    },
    replaying: replayKey !== null,
    /** Send a message; a refusal goes to the notice line and rejects. */
    act(message) {
      return page.socket.request(message).catch((error) => {
        notice.error(error);
        throw error;
      });
    },
    /** Start a session of `nextModel` with `nextConfig` and end this one; a refusal rejects (code, field). */
    async replace(nextModel, nextConfig) {
      const { info, token } = await createSession(nextModel, { config: nextConfig });
      const old = page.session;
      notice.hide();
      live.writeView({ session: info.id });
      connect({ id: info.id, token });
      if (old.token) endSession(old.id, old.token, info.id);
      return info;
    },
    /** Put view state into the URL and refresh the link to share; a driver sends it to the viewers. */
    writeView(values) {
      writeView(values);
      showLink();
      recording.viewChanged();
      if (live.driving) sendView();
    },
  };

  byId("share-copy").addEventListener("click", () => navigator.clipboard?.writeText(byId("share-link").value));
  try {
    if (replayKey !== null) return await replay(replayKey);
    connect(await openSession(model, { config }).catch((error) => {
      if (Object.keys(config).length === 0) throw error;
      notice.error(error);
      return openSession(model);
    }));
  } catch (error) {
    notice.error(error);
    return null;
  }
  return live;

  /** Play the recording kept under `key` instead of a session; null when this browser holds none. */
  async function replay(key) {
    byId("record").hidden = true;
    const opened = await openReplay(key, byId("replay-bar"));
    if (!opened) {
      notice.show("replay.missing");
      return null;
    }
    connect({ id: opened.meta.session, token: null }, opened.source);
    return live;
  }
}

/** The share field holds this page's URL: the session and the whole view state, never the token. */
function showLink() {
  byId("share-link").value = location.href;
}
