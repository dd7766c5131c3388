// @ts-check
// Lecture control on a live page: a driver's view state goes to the viewers (throttled, the newest
// wins) and a viewer applies the driver's (lecture.js); presenters (pages holding the token) see who
// holds control, take free control, hand it on, close the room or end the session (the share panel,
// sharepanel.js: the lecture room's link and QR code, and to presenters the room's presenter link and
// co-presenter invites, invites.js);
// a viewer detaches onto its own copy of the session (a fork, same weights) and
// rejoins the presenter later, ending its copy; a viewer who moved away from the presenter's view
// state (stepped its own player, picked another cell) is told so, and "Back to the presenter" takes
// the presenter's again.

import { setText, t } from "../ui/i18n.js";
import { bindInvites } from "./invites.js";
import { VIEW_INTERVAL_MS, throttled, viewState, viewValues } from "./lecture.js";
import { lectureLink, pageStore, viewerLink } from "./session.js";
import { bindSharePanel } from "./sharepanel.js";
import { writeView } from "./urlstate.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @typedef {object} LectureOptions
 * @property {ReturnType<import("../ui/status.js").noticeBoard>} notice the page's notice line
 * @property {(message: object) => Promise<any>} act sends a message, a refusal on the notice line
 * @property {() => void} showLink refreshes the session bar's link to share
 * @property {(params: URLSearchParams) => void} onView re-applies the view state once a viewer took the driver's
 * @property {import("./session.js").SessionStore} [store]
 */

/**
 * Bind the lecture's switches to `handle`. Returns `{viewChanged()}`: the page's view state changed
 * (a driver sends it to the viewers).
 * @param {import("./handle.js").SessionHandle} handle
 * @param {LectureOptions} options
 */
export function bindLectureControl(handle, { notice, act, showLink, onView, store = pageStore() }) {
  // The presenter's session a detached viewer left (in the URL too).
  let lecture = new URLSearchParams(location.search).get("lecture");
  const quiet = (/** @type {Promise<any>} */ promise) => promise.catch(() => {});
  const sharePanel = bindSharePanel({
    toggle: byId("share-toggle"),
    panel: byId("share-panel"),
    canvas: byId("share-qr"),
    link: byId("share-url"),
    presenterLink: /** @type {HTMLInputElement} */ (byId("share-presenter-link")),
    presenterCopy: byId("share-presenter-copy"),
    presenters: byId("share-presenters"),
    roomToggle: byId("room-toggle"),
    endButton: byId("end-session"),
    onHand: (n) => quiet(act({ type: "handoff", to: n })),
    onRoom: (open) => quiet(act({ type: "room", open })),
    onEnd: () => {
      if (confirm(t("lecture.end_confirm"))) handle.end();
    },
  });
  bindInvites(handle, notice);
  // The driver's view state, read from the URL when it goes out: the newest always wins.
  const sendView = throttled(() => handle.send({ type: "view", state: viewState(location.search) }), VIEW_INTERVAL_MS);

  // The room's link to project (it follows the session's replacements) and, to a presenter holding
  // the room's key, the presenter link that takes control back from any device.
  const showRoom = (/** @type {string|null} */ room) => {
    if (!room) return;
    sharePanel.setLink(lectureLink(room));
    const key = handle.role === "viewer" ? null : handle.store.lectureKey(room);
    sharePanel.setPresenterLink(key ? lectureLink(room, { key }) : null);
  };

  // The presenter's status (to those who do not drive), taking free control (presenters),
  // detaching (viewers) and rejoining (a detached viewer).
  const showLecture = () => {
    const { control, role, connected } = handle;
    const pill = byId("presenter");
    pill.hidden = !control || handle.driving;
    if (control) {
      const here = control.presenter === "connected";
      pill.dataset.status = here ? "open" : "away";
      setText(pill, here ? "lecture.presenter_connected" : "lecture.presenter_away");
      sharePanel.setControl(control, handle.presenter);
      showRoom(control.lecture);
    }
    byId("take-control").hidden = !(role === "presenter" && connected && control?.holder === null);
    byId("detach").hidden = !(role === "viewer" && connected && !lecture);
    byId("rejoin").hidden = !lecture;
  };

  handle.on("session", (session) => sharePanel.setLink(viewerLink(session.id)));
  handle.on("access", ({ role, driving, previous }) => {
    if (previous === "presenter" && role === "driver") notice.show("lecture.got_control");
    if (driving) sendView();
    sharePanel.setEnabled(driving);
    showLecture();
    showAway();
  });
  handle.on("control", showLecture);
  /** @type {Record<string, any>} the presenter's latest view state (for a page that does not drive) */
  let presenterView = {};
  const takePresenterView = () => {
    writeView(viewValues(presenterView));
    showLink();
    onView(new URLSearchParams(location.search));
    showAway();
  };
  // Whether this viewer's view state differs from the presenter's (in a value the presenter's has).
  const showAway = () => {
    const own = viewState(location.search);
    const away = handle.role !== "driver" && Object.entries(viewValues(presenterView)).some(([k, v]) => own[k] !== String(v));
    byId("back-to-presenter").hidden = !away;
  };
  handle.on("view", ({ state }) => {
    if (handle.role === "driver") return;
    presenterView = state ?? {};
    takePresenterView();
  });
  byId("back-to-presenter").addEventListener("click", takePresenterView);

  byId("detach").addEventListener("click", async () => {
    const left = /** @type {import("./session.js").SessionRef} */ (handle.session).id;
    try {
      const { info, token } = await store.fork(left);
      lecture = left;
      writeView({ session: info.id, lecture: left });
      handle.show({ id: info.id, token });
      notice.show("lecture.detached");
    } catch (error) {
      notice.error(error);
    }
  });
  byId("rejoin").addEventListener("click", () => {
    const presenter = /** @type {string} */ (lecture);
    lecture = null;
    const own = handle.session;
    writeView({ session: presenter, lecture: null });
    handle.show({ id: presenter, token: store.token(presenter), followed: true });
    if (own?.token) store.end(own.id, own.token);
    notice.show("lecture.rejoined");
  });
  byId("take-control").addEventListener("click", () => handle.authenticate());

  return {
    viewChanged() {
      if (handle.driving) sendView();
      else showAway();
    },
  };
}

