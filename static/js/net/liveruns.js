// The SDK runs streaming to this server now (GET /api/runs), asked for again every few seconds.

const POLL_MS = 2000;

/** Call `onRuns(runs)` with the runs now and again every `everyMs`; returns a function that stops. */
export function pollLiveRuns(onRuns, { everyMs = POLL_MS } = {}) {
  const poll = { timer: null, stopped: false };
  async function ask() {
    try {
      const response = await fetch("/api/runs");
      if (response.ok && !poll.stopped) onRuns((await response.json()).runs);
    } catch {
      // The server is away: the next ask may find it back.
    }
    if (!poll.stopped) poll.timer = setTimeout(ask, everyMs);
  }
  ask();
  return () => {
    poll.stopped = true;
    clearTimeout(poll.timer);
  };
}
