// A model page's live session: its socket, the session bar (connection, role, viewers, the link
// to share), refusals on the notice line, and replacing the session by a new one when a config
// field changes (POST the new one, then DELETE the old one with its token, naming the new one so
// that viewers follow it), and lecture mode: a driver's view state goes to the viewers, a viewer
// applies the driver's (lecture.js); presenters (pages holding the token) see who holds control and
// hand it on, close the room or end the session in the share panel; a viewer detaches onto its own
// copy of the session (a fork) and rejoins the presenter later, ending its copy. The page supplies
// what to do with hello, state, frames and a received view; views never see the socket. Recording: the
// Record button keeps what the socket receives (recorder.js); `?replay=KEY` plays a recording through a
// ReplaySource in place of the socket (replaybar.js): no session is opened and the page's controls stay
// disabled, as for a viewer.

import { setText, t } from "../ui/i18n.js";
import { bindSharePanel } from "./sharepanel.js";
import { VIEW_INTERVAL_MS, controlRole, throttled, viewState, viewValues } from "./lecture.js";
import { LiveSocket } from "../net/socket.js";
import { createSession, endSession, forkSession, keepPresenter, openSession, storedToken, takePresenter, viewerLink } from "./session.js";
import { bindRecorder } from "../record/recorder.js";
import { openReplay } from "../record/replaybar.js";
import { bindPngExport } from "../record/snapshot.js";
import { noticeBoard, showConnection } from "../ui/status.js";
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
  // `presenter`: this page's presenter number (it authenticated); `control`: the latest state's
  // presenter fields, `controlSeq` their change count (a state older than the auth reply is stale);
  // `lecture`: the presenter's session a detached viewer left (in the URL too).
  const lecture = new URLSearchParams(location.search).get("lecture");
  const page = { role: "viewer", connected: false, session: null, socket: null, presenter: null, control: null, controlSeq: 0, lecture };
  const sharePanel = bindSharePanel({
    toggle: byId("share-toggle"),
    panel: byId("share-panel"),
    canvas: byId("share-qr"),
    link: byId("share-url"),
    presenters: byId("share-presenters"),
    roomToggle: byId("room-toggle"),
    endButton: byId("end-session"),
    onHand: (n) => live.act({ type: "handoff", to: n }).catch(() => {}),
    onRoom: (open) => live.act({ type: "room", open }).catch(() => {}),
    onEnd: () => {
      if (confirm(t("lecture.end_confirm"))) endSession(page.session.id, page.session.token);
    },
  });
  const replayKey = new URLSearchParams(location.search).get("replay");
  const recording = bindRecorder(byId("record"), { notice, describe: () => ({ page: location.pathname, model, session: page.session?.id }) });
  bindPngExport(byId("export-png"), byId("main"));

  const access = () => {
    const role = byId("role");
    setText(role, ROLE_KEYS[page.role]);
    role.dataset.role = page.role;
    const driving = page.role === "driver" && page.connected;
    if (driving) sendView();
    sharePanel.setEnabled(driving);
    showLecture();
    onAccess(driving, page.role);
  };
  // The lecture's switches: the presenter's status (to those who do not drive), taking free control
  // (presenters), detaching (viewers) and rejoining (a detached viewer).
  const showLecture = () => {
    const control = page.control;
    const pill = byId("presenter");
    pill.hidden = !control || (page.role === "driver" && page.connected);
    if (control) {
      const here = control.presenter === "connected";
      pill.dataset.status = here ? "open" : "away";
      setText(pill, here ? "lecture.presenter_connected" : "lecture.presenter_away");
      sharePanel.setControl(control, page.presenter);
    }
    byId("take-control").hidden = !(page.role === "presenter" && page.connected && control?.holder === null);
    byId("detach").hidden = !(page.role === "viewer" && page.connected && !page.lecture);
    byId("rejoin").hidden = !page.lecture;
  };
  // The driver's view state, read from the URL when it goes out: the newest always wins.
  const sendView = throttled(() => page.socket?.send({ type: "view", state: viewState(location.search) }), VIEW_INTERVAL_MS);

  function connect(session, socket = new LiveSocket(session.id, { token: session.token, presenter: takePresenter(session.id) })) {
    page.socket?.close();
    page.session = session;
    page.role = "viewer";
    page.presenter = page.control = null;
    page.controlSeq = 0;
    page.socket = socket;
    socket.on("raw", recording.received);
    socket.on("status", (status) => {
      page.connected = status.status === "open";
      showConnection(byId("connection"), status);
      access();
    });
    socket.on("role", ({ role, presenter = null, controlSeq = 0, error }) => {
      page.role = role;
      page.presenter = presenter;
      page.controlSeq = controlSeq;
      if (error) notice.error(error);
      access();
    });
    socket.on("hello", (hello) => {
      setText(byId("viewers"), "status.viewers", { n: hello.session.viewers });
      if (replayKey !== null) notice.show("replay.notice");
      else if (!session.token && !session.followed) notice.show("role.viewer_notice");
      onHello(hello.session, hello);
    });
    // Who holds control, the room: a presenter handed control becomes the driver, and the reverse.
    const applyControl = (state) => {
      page.controlSeq = state.control_seq;
      page.control = { presenter: state.presenter, holder: state.holder, presenters: state.presenters, room: state.room };
      const role = controlRole(state, page.presenter);
      if (role === page.role) {
        showLecture();
        return;
      }
      if (role === "driver" && page.role === "presenter") notice.show("lecture.got_control");
      page.role = role;
      access();
    };
    socket.on("state", (state) => {
      setText(byId("viewers"), "status.viewers", { n: state.viewers });
      if (state.control_seq >= page.controlSeq) applyControl(state);
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
    socket.on("closed", ({ successor, reason }) => {
      if (replayKey !== null) return; // the recording goes on with its next hello
      if (!successor) {
        notice.show(reason === "room_closed" ? "lecture.room_closed" : "error.closed");
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

  // Detach: drive a copy of the presenter's session (same weights), keeping its view; rejoin: watch
  // the presenter again and end the copy.
  byId("detach").addEventListener("click", async () => {
    const left = page.session.id;
    try {
      const { info, token } = await forkSession(left);
      page.lecture = left;
      writeView({ session: info.id, lecture: left });
      connect({ id: info.id, token });
      notice.show("lecture.detached");
    } catch (error) {
      notice.error(error);
    }
  });
  byId("rejoin").addEventListener("click", () => {
    const own = page.session;
    const presenter = page.lecture;
    page.lecture = null;
    writeView({ session: presenter, lecture: null });
    connect({ id: presenter, token: storedToken(presenter), followed: true });
    if (own.token) endSession(own.id, own.token);
    notice.show("lecture.rejoined");
  });
  byId("take-control").addEventListener("click", () => page.socket.authenticate());
  // A reload takes its presenter number back (the page loading next in this tab), a duplicate does not.
  addEventListener("pagehide", () => {
    if (page.presenter !== null && page.session) keepPresenter(page.session.id, page.presenter);
  });
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

const ROLE_KEYS = { driver: "role.driver", presenter: "lecture.role_presenter", viewer: "role.viewer" };

/** The share field holds this page's URL: the session and the whole view state, never the token. */
function showLink() {
  byId("share-link").value = location.href;
}
