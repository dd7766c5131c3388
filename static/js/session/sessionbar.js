// @ts-check
// The session bar's own pills and link (templates/_session_bar.html): the connection, this page's
// role, the step (from the hello, every state and every frame: states are sent on changes only), how
// many watch (presenters left out), and the link to share with its Copy button: the lecture room's
// link (it follows the presenter's replacements; a viewer gets the presenter's view state over the
// socket), never the token; this page's URL (the session and its view state) until the room is known. The lecture's switches are lecturecontrol.js's.

import { rideNextFrame } from "../ui/framedraw.js";
import { setText } from "../ui/i18n.js";
import { showConnection } from "../ui/status.js";
import { lectureLink } from "./session.js";

const ROLE_KEYS = { driver: "role.driver", presenter: "lecture.role_presenter", viewer: "role.viewer" };

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Show `handle`'s connection, role and viewers on the bar. Returns `{showLink()}`: refresh the link
 * to share after the URL changed.
 * @param {import("./handle.js").SessionHandle} handle
 */
export function bindSessionBar(handle) {
  const link = /** @type {HTMLInputElement} */ (byId("share-link"));
  const showLink = () => {
    const room = handle.control?.lecture;
    link.value = room ? lectureLink(room) : location.href;
  };
  /** @param {{viewers: number}} counted */
  const showViewers = ({ viewers }) => setText(byId("viewers"), "status.viewers", { n: viewers });
  const stepPill = document.getElementById("step"); // absent on pages that do not train
  let newestStep = 0;
  /** @type {(() => void) | null} */
  let stepRide = null;
  /**
   * The newest step, written with the next drawn frame (rideNextFrame): one layout with the frame's
   * own, not one more when a frame arrives between two drawn ones.
   * @param {{step?: number}} counted
   */
  const showStep = ({ step }) => {
    if (!stepPill || step === undefined) return;
    newestStep = step;
    stepRide ??= rideNextFrame(() => {
      stepRide = null;
      setText(stepPill, "status.step", { n: newestStep });
    });
  };
  handle.on("status", (status) => showConnection(byId("connection"), status));
  handle.on("control", showLink);
  handle.on("access", ({ role }) => {
    showLink();
    const pill = byId("role");
    setText(pill, ROLE_KEYS[role]);
    pill.dataset.role = role;
    document.body.dataset.role = role; // a viewer's phone shows a compact bar (base.css)
  });
  handle.on("hello", (hello) => {
    showViewers(hello.session);
    showStep(hello.session);
  });
  handle.on("state", (state) => {
    showViewers(state);
    showStep(state);
  });
  handle.on("frame", (frame) => showStep(frame.header));
  handle.on("session", showLink);
  byId("share-copy").addEventListener("click", () => navigator.clipboard?.writeText(link.value));
  return { showLink };
}
