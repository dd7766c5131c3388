// @ts-check
// Co-presenter invites in the share panel (templates/_session_bar.html): the owner of a lecture room's
// presenter key makes an invite, a second key of its own in a link's fragment (#lecture=ROOM&key=KEY,
// claimed like the presenter link), and revokes it: the invite's link then no longer gives control,
// and the owner's key stays. The server keeps only the invite's hash.

import { lectureLink } from "./session.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * A lecture's invites endpoint, called with the room's presenter key: its JSON reply (none for a
 * 204), or the server's refusal as an Error with its code.
 * @param {"POST"|"DELETE"} method
 * @param {string} path under /api/lectures/ROOM/invites
 * @param {string} room
 * @param {string} key
 */
async function invitesCall(method, path, room, key) {
  const url = `/api/lectures/${encodeURIComponent(room)}/invites${path}`;
  const response = await fetch(url, { method, headers: { Authorization: `Bearer ${key}` } });
  if (response.status === 204) return null;
  const reply = await response.json();
  if (response.ok) return reply;
  const { code, message } = reply.error ?? {};
  throw Object.assign(new Error(message ?? response.statusText), { code, status: response.status });
}

/**
 * Bind the invite button, link and revoke button to `handle`'s lecture room; refusals go to `notice`.
 * @param {import("./handle.js").SessionHandle} handle
 * @param {ReturnType<import("../ui/status.js").noticeBoard>} notice
 */
export function bindInvites(handle, notice) {
  const row = byId("invite-row");
  const create = byId("invite-create");
  const link = /** @type {HTMLInputElement} */ (byId("invite-link"));
  /** @type {{room: string, id: string}|null} the invite this page made and has not revoked */
  let made = null;
  const ownerKey = (/** @type {string} */ room) => handle.store.lectureKey(room) ?? "";
  // One invite at a time on this page, so that each one it made can be revoked here.
  const show = () => {
    row.hidden = !made;
    create.hidden = Boolean(made);
    if (!made) link.value = "";
  };
  create.addEventListener("click", async () => {
    const room = handle.control?.lecture;
    if (!room) return;
    try {
      const { invite, key } = await invitesCall("POST", "", room, ownerKey(room));
      made = { room, id: invite };
      link.value = lectureLink(room, { key });
      show();
    } catch (error) {
      notice.error(error);
    }
  });
  byId("invite-copy").addEventListener("click", () => navigator.clipboard?.writeText(link.value));
  byId("invite-revoke").addEventListener("click", async () => {
    if (!made) return;
    try {
      await invitesCall("DELETE", `/${encodeURIComponent(made.id)}`, made.room, ownerKey(made.room));
      made = null;
      show();
      notice.show("lecture.invite_revoked");
    } catch (error) {
      notice.error(error);
    }
  });
}
