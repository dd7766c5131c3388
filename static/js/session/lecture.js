// @ts-check
// Lecture mode: the driver's page state (its URL query, less the session) goes to the viewers as
// `{"type": "view", "state": …}`, at most about ten times a second with the newest winning; a viewer
// puts a received state into its own URL, keeping its own session. A detached viewer's URL also
// names the lecture it left (`lecture=ID`), which is its own too.

export const VIEW_INTERVAL_MS = 100;
const OWN_KEYS = ["session", "lecture"]; // never sent, never taken from a received state

/** The view state a URL query holds: every key but the session (and the lecture left), as text. */
export function viewState(search) {
  const params = new URLSearchParams(search);
  for (const key of OWN_KEYS) params.delete(key);
  return Object.fromEntries(params);
}

/** A received view state as values for `writeView`: plain text or numbers only, never the session. */
export function viewValues(state) {
  const values = {};
  for (const [key, value] of Object.entries(state ?? {})) {
    if (!OWN_KEYS.includes(key) && ["string", "number", "boolean"].includes(typeof value)) values[key] = value;
  }
  return values;
}

/**
 * This page's role from a `state` message: "driver" when its presenter number holds control,
 * "presenter" when it authenticated but another holds it (or nobody does), else "viewer".
 */
export function controlRole(state, presenter) {
  if (presenter === null || presenter === undefined) return "viewer";
  return state.holder === presenter ? "driver" : "presenter";
}

/**
 * Wrap `send()` so that calls run it at once, then at most once per `intervalMs`: calls in between
 * are folded into one trailing run (the caller reads the newest state when it runs).
 */
export function throttled(send, intervalMs, { now = () => Date.now(), later = (run, ms) => setTimeout(run, ms) } = {}) {
  let last = -Infinity;
  let waiting = false;
  const run = () => {
    waiting = false;
    last = now();
    send();
  };
  return function request() {
    if (waiting) return;
    const wait = last + intervalMs - now();
    if (wait <= 0) run();
    else {
      waiting = true;
      later(run, wait);
    }
  };
}
