// @ts-check
// The card the presenter is on, in a lecture: the driver's page names it in the view state (`card`:
// its place among the page's cards) when the presenter clicks or types in one, or scrolls one to the
// middle of the screen; a viewer's page outlines that card and, while "Follow the presenter" is on
// (the default), scrolls it into view when it is not already in view (a phone shows one card at a time).

import { throttled } from "./lecture.js";

const CARD_INTERVAL_MS = 250;
const cards = () => /** @type {HTMLElement[]} */ ([...document.querySelectorAll("main .card")]);

/**
 * Bind card following to a live page. Returns `show(params)`: a viewer took the presenter's view state.
 * @param {import("./handle.js").SessionHandle} handle
 * @param {(values: object) => void} writeView the live page's (a driver's also goes to the viewers)
 * @param {HTMLButtonElement} toggle the viewer's "Follow the presenter" switch (aria-pressed)
 */
export function bindCardFollowing(handle, writeView, toggle) {
  let current = -1;
  const name = (/** @type {number} */ index) => {
    if (!handle.driving || index < 0 || index === current) return;
    current = index;
    send();
  };
  const send = throttled(() => writeView({ card: current }), CARD_INTERVAL_MS);
  const cardOf = (/** @type {EventTarget|null} */ target) =>
    cards().indexOf(/** @type {HTMLElement} */ (target instanceof Element ? target.closest("main .card") : null));
  document.addEventListener("pointerdown", (event) => name(cardOf(event.target)), true);
  document.addEventListener("focusin", (event) => name(cardOf(event.target)), true);
  addEventListener("scroll", () => name(cardOf(document.elementFromPoint(innerWidth / 2, innerHeight / 2))), { passive: true });

  const following = () => toggle.getAttribute("aria-pressed") === "true";
  toggle.addEventListener("click", () => toggle.setAttribute("aria-pressed", String(!following())));
  handle.on("access", ({ role }) => {
    toggle.hidden = role !== "viewer";
    if (role !== "viewer") for (const card of cards()) card.classList.remove("presenter-here");
  });
  return {
    /** @param {URLSearchParams} params */
    show(params) {
      const index = Number(params.get("card") ?? -1);
      const all = cards();
      all.forEach((card, i) => card.classList.toggle("presenter-here", i === index));
      const card = all[index];
      if (!card || !following()) return;
      const box = card.getBoundingClientRect();
      if (box.top < 0 || box.top > innerHeight * 0.8) card.scrollIntoView({ block: "start", behavior: "smooth" });
    },
  };
}
