// Which session a model page shows, and whether this tab drives it.
//
// `?session=ID` in the URL attaches to that session: as its driver when this tab's
// sessionStorage holds its control token, else as a viewer. Without it a new session is created
// (POST /api/sessions), its token kept in sessionStorage and its id put into the URL.

const TOKEN_PREFIX = "nnlive.token.";

/** The session to show: `{id, token}` (token null for a viewer). Creates one when the URL names none. */
export async function openSession(model, { seed = 0, config = {} } = {}) {
  const url = new URL(location.href);
  const id = url.searchParams.get("session");
  if (id) return { id, token: sessionStorage.getItem(TOKEN_PREFIX + id) };

  const response = await fetch("/api/sessions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model, config, seed }),
  });
  const body = await response.json();
  if (!response.ok) throw Object.assign(new Error(body.error?.message ?? response.statusText), { code: body.error?.code });
  sessionStorage.setItem(TOKEN_PREFIX + body.id, body.token);
  url.searchParams.set("session", body.id);
  history.replaceState(null, "", url);
  return { id: body.id, token: body.token };
}

/** The link that lets others watch this session. */
export function viewerLink(sessionId) {
  const url = new URL(location.pathname, location.origin);
  url.searchParams.set("session", sessionId);
  return url.href;
}
