// Which session a model page shows, and whether this tab drives it.
//
// `?session=ID` in the URL attaches to that session: as its driver when this tab's
// sessionStorage holds its control token, else as a viewer. Without it a new session is created
// (POST /api/sessions), its token kept in sessionStorage and its id put into the URL.

const TOKEN_PREFIX = "nnlive.token.";
const PRESENTER_PREFIX = "nnlive.presenter.";

/** The session to show: `{id, token}` (token null for a viewer). Creates one when the URL names none. */
export async function openSession(model, { seed = 0, config = {} } = {}) {
  const url = new URL(location.href);
  const id = url.searchParams.get("session");
  if (id) {
    const token = storedToken(id);
    if (token) releaseOnLeave(id, token);
    return { id, token };
  }

  const { info, token } = await createSession(model, { seed, config });
  url.searchParams.set("session", info.id);
  history.replaceState(null, "", url);
  return { id: info.id, token };
}

/** The control token this tab holds for session `id`, or null. */
export function storedToken(id) {
  return sessionStorage.getItem(TOKEN_PREFIX + id);
}

/**
 * The presenter number this tab had in session `id` (so that a reload keeps its control), or null.
 * It is taken out of sessionStorage: a tab duplicated from this one (which copies the storage) must
 * not take this tab's number and control; the page puts it back when it goes (`keepPresenter`).
 */
export function takePresenter(id) {
  const number = Number(sessionStorage.getItem(PRESENTER_PREFIX + id));
  sessionStorage.removeItem(PRESENTER_PREFIX + id);
  return number > 0 ? number : null;
}

/** Remember this tab's presenter number in session `id` (for the page that loads next in this tab). */
export function keepPresenter(id, number) {
  sessionStorage.setItem(PRESENTER_PREFIX + id, String(number));
}

/**
 * Create a session (POST /api/sessions) and keep its token in sessionStorage. Resolves with
 * `{info, token}`; a refusal rejects with an Error carrying the server's `code`, `field` and `status`.
 */
export async function createSession(model, { seed = 0, config = {} } = {}) {
  return postSession("/api/sessions", { model, config, seed });
}

/** Copy session `id` with its current weights (POST /api/sessions/{id}/fork); as createSession. */
export async function forkSession(id) {
  return postSession(`/api/sessions/${encodeURIComponent(id)}/fork`, {});
}

async function postSession(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const reply = await response.json();
  if (!response.ok) {
    const { code, message, field } = reply.error ?? {};
    throw Object.assign(new Error(message ?? response.statusText), { code, field, status: response.status });
  }
  const { token, ...info } = reply;
  sessionStorage.setItem(TOKEN_PREFIX + info.id, token);
  releaseOnLeave(info.id, token);
  return { info, token };
}

/**
 * When this page goes away, ask the server to end session `id` once nobody needs it; the server keeps
 * it while it is shared, training or queued, and while this tab reloads (it presents the token again).
 */
function releaseOnLeave(id, token) {
  addEventListener("pagehide", () => {
    if (storedToken(id) !== token) return; // this tab ended it already (endSession)
    fetch(`/api/sessions/${encodeURIComponent(id)}/release`, {
      method: "POST",
      keepalive: true,
      headers: { Authorization: `Bearer ${token}` },
    }).catch(() => {});
  });
}

/**
 * End a session this tab drives (DELETE with its token) and forget the token; failures are ignored.
 * A `successor` (the session replacing it) is passed on to its viewers so that they can follow.
 */
export async function endSession(id, token, successor = null) {
  sessionStorage.removeItem(TOKEN_PREFIX + id);
  sessionStorage.removeItem(PRESENTER_PREFIX + id);
  const query = successor ? `?successor=${encodeURIComponent(successor)}` : "";
  await fetch(`/api/sessions/${encodeURIComponent(id)}${query}`, {
    method: "DELETE",
    headers: { Authorization: `Bearer ${token}` },
  }).catch(() => {});
}

/** The link that lets others watch this session. */
export function viewerLink(sessionId) {
  const url = new URL(location.pathname, location.origin);
  url.searchParams.set("session", sessionId);
  return url.href;
}
