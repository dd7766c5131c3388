// @ts-check
// The server's session endpoints and this tab's control tokens.
//
// A session is created with POST /api/sessions (or copied with POST …/fork); its control token is
// kept in sessionStorage, so that this tab drives it (and a reload too) while others watch. Ending
// it (DELETE with the token) may name a successor that its viewers follow. A created session shows in
// a lecture room (`/l/ROOM`, the link to project) that follows the presenter's replacements; the
// room's presenter key is kept too, and claims the current session's token from any device.

const TOKEN_PREFIX = "nnlive.token.";
const PRESENTER_PREFIX = "nnlive.presenter.";
const LECTURE_PREFIX = "nnlive.lecture.";

/** @typedef {{id: string, token: string|null, followed?: boolean}} SessionRef a session shown: its id, this tab's token (null: watched) */
/** @typedef {{id: string, [key: string]: any}} SessionInfo the server's description of a session */
/** @typedef {Error & {code?: string, field?: string, status?: number}} ServerError a refusal with the server's code and field */

/**
 * @typedef {object} SessionStore
 * @property {(model: string, opts?: {seed?: number, config?: object, lecture?: string|null}) => Promise<{info: SessionInfo, token: string}>} create
 *   a new session, shown in lecture room `lecture` when this tab holds that room's key
 * @property {(room: string, key: string) => Promise<{info: SessionInfo, token: string}>} claim the room's current session and its token, by the room's key
 * @property {(room: string) => string|null} lectureKey this tab's presenter key of a lecture room
 * @property {(id: string) => Promise<{info: SessionInfo, token: string}>} fork
 * @property {(id: string, token: string, successor?: string|null) => Promise<void>} end
 * @property {(id: string) => string|null} token
 * @property {(id: string) => number|null} takePresenter
 * @property {(id: string, number: number) => void} keepPresenter
 * @property {(id: string, token: string) => void} releaseOnLeave
 */

/**
 * The session endpoints over `fetch`, tokens kept in `storage` (tests pass fakes of both).
 * @param {{fetch?: typeof globalThis.fetch, storage?: Storage, onLeave?: (run: () => void) => void}} [deps]
 * @returns {SessionStore}
 */
export function sessionStore({
  fetch = (...args) => globalThis.fetch(...args),
  storage = tabStorage(),
  onLeave = (/** @type {() => void} */ run) => globalThis.addEventListener?.("pagehide", run),
} = {}) {
  /** @type {Set<string>} sessions this page releases when it goes */
  const releasing = new Set();
  /** @param {string} url @param {object} body @param {Record<string, string>} [headers] */
  async function post(url, body, headers = {}) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const reply = await response.json();
    if (!response.ok) {
      const { code, message, field } = reply.error ?? {};
      throw Object.assign(new Error(message ?? response.statusText), { code, field, status: response.status });
    }
    const { token, lecture_key: key, ...info } = reply;
    storage.setItem(TOKEN_PREFIX + info.id, token);
    if (key) storage.setItem(LECTURE_PREFIX + info.lecture, key);
    return { info, token };
  }
  const lectureKey = (/** @type {string} */ room) => storage.getItem(LECTURE_PREFIX + room);

  return {
    create(model, { seed = 0, config = {}, lecture = null } = {}) {
      const key = lecture ? lectureKey(lecture) : null;
      const room = key ? { lecture, lecture_key: key } : {};
      return post("/api/sessions", { model, config, seed, ...room });
    },
    async claim(room, key) {
      const made = await post(`/api/lectures/${encodeURIComponent(room)}/claim`, {}, { Authorization: `Bearer ${key}` });
      storage.setItem(LECTURE_PREFIX + room, key);
      return made;
    },
    lectureKey,
    fork: (id) => post(`/api/sessions/${encodeURIComponent(id)}/fork`, {}),
    async end(id, token, successor = null) {
      storage.removeItem(TOKEN_PREFIX + id);
      storage.removeItem(PRESENTER_PREFIX + id);
      const query = successor ? `?successor=${encodeURIComponent(successor)}` : "";
      await fetch(`/api/sessions/${encodeURIComponent(id)}${query}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${token}` },
      }).catch(() => {});
    },
    token: (id) => storage.getItem(TOKEN_PREFIX + id),
    // Taken out of the storage: a tab duplicated from this one (which copies the storage) must not
    // take this tab's number and control; the page puts it back when it goes (`keepPresenter`).
    takePresenter(id) {
      const number = Number(storage.getItem(PRESENTER_PREFIX + id));
      storage.removeItem(PRESENTER_PREFIX + id);
      return number > 0 ? number : null;
    },
    keepPresenter: (id, number) => storage.setItem(PRESENTER_PREFIX + id, String(number)),
    // When this page goes away, the server is asked to end the session once nobody needs it: it keeps
    // it while it is shared, training or queued, and while this tab reloads (it presents the token again).
    releaseOnLeave(id, token) {
      if (releasing.has(id)) return;
      releasing.add(id);
      onLeave(() => {
        if (storage.getItem(TOKEN_PREFIX + id) !== token) return; // this tab ended it already
        fetch(`/api/sessions/${encodeURIComponent(id)}/release`, {
          method: "POST",
          keepalive: true,
          headers: { Authorization: `Bearer ${token}` },
        }).catch(() => {});
      });
    },
  };
}

/**
 * This tab's sessionStorage, or a stand-in in memory where the browser refuses it (a page framed by
 * another site, such as /inspect in a notebook: it only watches, so it keeps no token across reloads).
 * @returns {Storage}
 */
function tabStorage() {
  try {
    const storage = globalThis.sessionStorage;
    storage.getItem(TOKEN_PREFIX); // throws where access is denied
    return storage;
  } catch {
    const items = new Map();
    return /** @type {Storage} */ (/** @type {unknown} */ ({
      getItem: (/** @type {string} */ key) => items.get(key) ?? null,
      setItem: (/** @type {string} */ key, /** @type {string} */ value) => items.set(key, String(value)),
      removeItem: (/** @type {string} */ key) => items.delete(key),
    }));
  }
}

/** @type {SessionStore|null} */
let browserStore = null;
/** This page's store: the browser's fetch and sessionStorage. */
export const pageStore = () => (browserStore ??= sessionStore());

/**
 * Create a session and keep its token; a refusal rejects with the server's `code`, `field`, `status`.
 * @param {string} model @param {{seed?: number, config?: object}} [opts]
 */
export const createSession = (model, opts) => pageStore().create(model, opts);

/** The control token this tab holds for session `id`, or null. @param {string} id */
export const storedToken = (id) => pageStore().token(id);

/**
 * End a session this tab drives (DELETE with its token) and forget the token; failures are ignored.
 * A `successor` (the session replacing it) is passed on to its viewers so that they can follow.
 * @param {string} id @param {string} token @param {string|null} [successor]
 */
export const endSession = (id, token, successor = null) => pageStore().end(id, token, successor);

/** The link that lets others watch this session. @param {string} sessionId */
export function viewerLink(sessionId) {
  const url = new URL(location.pathname, location.origin);
  url.searchParams.set("session", sessionId);
  return url.href;
}

/**
 * The link to a lecture room (it leads to whatever session the room shows when opened), with a
 * presenter key in its fragment when given (a fragment never leaves the browser).
 * @param {string} room @param {{key?: string|null}} [opts]
 */
export function lectureLink(room, { key = null } = {}) {
  const url = new URL(`/l/${encodeURIComponent(room)}`, location.origin);
  if (key) url.hash = new URLSearchParams({ lecture: room, key }).toString();
  return url.href;
}

/**
 * A presenter link opened here (`#lecture=ROOM&key=KEY`): claim the room's current session's token
 * for this tab, and take the key out of the address bar. Resolves when done (a refusal rejects).
 * @param {SessionStore} store
 */
export async function claimFromFragment(store) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const room = fragment.get("lecture");
  const key = fragment.get("key");
  if (!room || !key) return;
  history.replaceState(history.state, "", location.pathname + location.search);
  await store.claim(room, key);
}
