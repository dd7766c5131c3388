// @ts-check
// The SDK runs streaming to this server now (GET /api/runs), asked for again every few seconds.

const POLL_MS = 2000;

/** Call `onRuns(runs)` with the runs now, and again every `everyMs` while the page is open. */
export function pollLiveRuns(onRuns, { everyMs = POLL_MS } = {}) {
  async function ask() {
    try {
      const response = await fetch("/api/runs");
      if (response.ok) onRuns((await response.json()).runs);
    } catch {
      // The server is away: the next ask may find it back.
    }
    setTimeout(ask, everyMs);
  }
  ask();
}
