// @ts-check
// A model page's live session, composed of the kit: the session handle (handle.js: attach or
// create, role, reconnect, replace, follow a successor), the session bar (sessionbar.js), lecture
// control (lecturecontrol.js), the card the presenter is on (panelfollow.js), the presenter's settings
// line (settingsline.js: a viewer's phone shows it in place of the controls) and recording and replay (../record/pagerecording.js). Refusals go to
// the notice line. The page supplies what to do with hello, state, frames and a received view; views
// never see the socket. With `?replay=KEY` a recording plays in place of the socket: no session is
// opened and the page's controls stay disabled, as for a viewer.

import { bindPageRecording, replayThrough } from "../record/pagerecording.js";
import { noticeBoard } from "../ui/status.js";
import { SessionHandle } from "./handle.js";
import { claimFromFragment } from "./session.js";
import { bindLectureControl } from "./lecturecontrol.js";
import { bindCardFollowing } from "./panelfollow.js";
import { bindSessionBar } from "./sessionbar.js";
import { bindSettingsLine } from "./settingsline.js";
import { writeView } from "./urlstate.js";

/**
 * @typedef {object} LivePage
 * @property {ReturnType<typeof noticeBoard>} notice the notice line
 * @property {boolean} driving whether this page drives the session now
 * @property {import("./session.js").SessionRef|null} session the session shown
 * @property {boolean} replaying whether a recording plays in place of a session
 * @property {SessionHandle} handle the session handle (its events: see handle.js)
 * @property {(message: object) => Promise<any>} act send a message; a refusal goes to the notice line and rejects
 * @property {(model: string, config: object) => Promise<object|null>} replace a new session of `model` with `config` in place of this one
 * @property {(values: object) => void} writeView put view state into the URL; a driver sends it to the viewers
 */

/**
 * @typedef {object} LivePageOptions
 * @property {object} [config] the config of a session created here
 * @property {(info: any, hello: any) => void} [onHello] the session info and the whole hello message (history…)
 * @property {(state: any) => void} [onState]
 * @property {(frame: any) => void} [onFrame]
 * @property {(driving: boolean, role: string) => void} [onAccess] the right to drive changed (connection or role)
 * @property {(params: URLSearchParams) => void} [onView] re-apply the view state from the URL once a viewer took the driver's
 */

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Open the session the URL names, or create one of `model` with `config` (falling back to the
 * defaults when the server refuses that config), and connect to it.
 * @param {string} model
 * @param {LivePageOptions} options
 * @returns {Promise<LivePage|null>} null when no session could be opened (the notice says why)
 */
export async function startLivePage(model, { config = {}, onHello = () => {}, onState = () => {}, onFrame = () => {}, onAccess = () => {}, onView = () => {} }) {
  const notice = noticeBoard(byId("notice"));
  const replayKey = new URLSearchParams(location.search).get("replay");
  const replaying = replayKey !== null;
  const handle = new SessionHandle({ model, writeView: (values) => live.writeView(values), follow: !replaying });
  const bar = bindSessionBar(handle);
  bindSettingsLine(handle, byId("presenter-settings"));
  const act = (/** @type {object} */ message) =>
    handle.act(message).catch((error) => {
      notice.error(error);
      throw error;
    });
  const cards = bindCardFollowing(handle, (values) => live.writeView(values), /** @type {HTMLButtonElement} */ (byId("follow-presenter")));
  const showView = (/** @type {URLSearchParams} */ params) => (cards.show(params), onView(params));
  const lecture = bindLectureControl(handle, { notice, act, showLink: bar.showLink, onView: showView });
  const recording = bindPageRecording(handle, { notice, model });
  bindPageNotices(handle, notice, replaying);
  handle.on("access", ({ role, driving }) => onAccess(driving, role));
  handle.on("hello", (hello) => onHello(hello.session, hello));
  handle.on("state", onState);
  handle.on("frame", onFrame);

  /** @type {LivePage} */
  const live = {
    notice,
    get driving() {
      return handle.driving;
    },
    get session() {
      return handle.session;
    },
    replaying,
    handle,
    act,
    async replace(nextModel, nextConfig) {
      const info = await handle.replace(nextConfig, nextModel);
      notice.hide();
      return info;
    },
    writeView(values) {
      writeView(values);
      bar.showLink();
      recording.viewChanged();
      lecture.viewChanged();
    },
  };

  // A reload takes its presenter number back (the page loading next in this tab), a duplicate does not.
  addEventListener("pagehide", () => handle.keepPresenter());
  try {
    if (replaying) {
      if (await replayThrough(handle, replayKey)) return live;
      notice.show("replay.missing");
      return null;
    }
    await claimFromFragment(handle.store).catch((error) => notice.error(error)); // a presenter link opened here
    await handle.open({ config }).catch((error) => {
      if (Object.keys(config).length === 0) throw error;
      notice.error(error);
      return handle.open();
    });
  } catch (error) {
    notice.error(error);
    return null;
  }
  return live;
}

/** @type {Record<string, string>} the notice for a session closed for these reasons (else error.closed) */
const CLOSED_NOTICES = { room_closed: "lecture.room_closed", shutdown: "error.restarting" };

/**
 * What the notice line says about the session itself: a replay, watching as a viewer, a refusal,
 * the session ended, or its successor followed.
 * @param {SessionHandle} handle
 * @param {ReturnType<typeof noticeBoard>} notice
 * @param {boolean} replaying
 */
function bindPageNotices(handle, notice, replaying) {
  let restarting = false; // the server stopped: the socket reconnects, and a restart brings the session back
  handle.on("hello", () => {
    const session = handle.session;
    if (restarting) notice.hide();
    restarting = false;
    if (replaying) notice.show("replay.notice");
    else if (!session?.token && !session?.followed) notice.show("role.viewer_notice");
  });
  handle.on("access", ({ error }) => error && notice.error(error));
  handle.on("error", (message) => notice.error(message));
  handle.on("closed", ({ successor, reason }) => {
    if (replaying || successor) return; // a recording goes on with its next hello; a successor is followed
    restarting = reason === "shutdown";
    notice.show(CLOSED_NOTICES[reason ?? ""] ?? "error.closed");
  });
  handle.on("followed", () => notice.show("session.followed"));
}
