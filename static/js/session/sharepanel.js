// @ts-check
// The presenter's share panel: a "Share" toggle in the session bar opens the viewer link as a QR code
// large enough to scan from the back of a lecture hall, with the link printed under it; below it the
// connected presenters (control can be handed to one of them), closing or reopening the room, and
// ending the session for everyone; and the presenter link (the room's key in its fragment) with its
// Copy button: kept by the presenter, or sent to a co-presenter, it gives control from any device; it
// stays folded until asked for, so that a projected panel does not show the key to the room.

import { setText } from "../ui/i18n.js";
import { element } from "../views/parts/dom.js";
import { drawQr } from "../views/parts/qrcode.js";

/**
 * Bind the panel's elements. `setLink(url)` shows a new viewer link; `setPresenterLink(url)` the
 * presenter link (null: this page has none); `setEnabled(on)` shows the
 * toggle (to drivers only) and closes the panel when it hides; `setControl(state, me)` lists the
 * presenters of a `state` message (`me`: this page's presenter number) and shows the room's state.
 * `onHand(n)`, `onRoom(open)` and `onEnd()` run when the presenter asks for them.
 */
export function bindSharePanel({ toggle, panel, canvas, link, presenterLink, presenterCopy, presenters, roomToggle, endButton, onHand, onRoom, onEnd }) {
  const show = (open) => {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  };
  let roomOpen = true;
  toggle.addEventListener("click", () => show(panel.hidden));
  roomToggle.addEventListener("click", () => onRoom(!roomOpen));
  endButton.addEventListener("click", () => onEnd());
  presenterCopy.addEventListener("click", () => navigator.clipboard?.writeText(presenterLink.value));
  return {
    setLink(url) {
      if (link.textContent === url) return;
      link.textContent = url;
      drawQr(canvas, url);
    },
    setPresenterLink(url) {
      presenterLink.value = url ?? "";
      /** @type {HTMLElement} */ (presenterLink.closest(".share-presenter")).hidden = !url;
    },
    setEnabled(on) {
      toggle.hidden = !on;
      if (!on) show(false);
    },
    setControl({ presenters: numbers = [], holder = null, room = "open" }, me) {
      roomOpen = room === "open";
      setText(roomToggle, roomOpen ? "lecture.close_room" : "lecture.open_room");
      presenters.replaceChildren(...numbers.map((n) => presenterItem(n, { holder, me, onHand })));
    },
  };
}

/** One presenter of the list: its name, "in control" or a button handing control to it. */
function presenterItem(n, { holder, me, onHand }) {
  const name = element("span");
  setText(name, n === me ? "lecture.presenter_you" : "lecture.presenter_n", { n });
  const after = n === holder ? element("span", "share-holder") : element("button");
  if (n === holder) setText(after, "lecture.in_control");
  else {
    after.type = "button";
    setText(after, "lecture.hand");
    after.addEventListener("click", () => onHand(n));
  }
  const item = element("li", "", name, " ", after);
  item.dataset.presenter = String(n);
  return item;
}
