// @ts-check
// Replacing a session one step at a time: a replacement asked for while another is under way waits
// for it (so that two never race to take over the same lecture room), and one still waiting when a
// newer is asked for never starts: the newest wins. A task that does not finish in time fails with
// a `timeout` error and its signal fires (what it makes later is unwanted: a replacement ends it), so
// that a server or proxy that never answers does not hold every later replacement back.

export const TASK_TIMEOUT_MS = 15_000;

/**
 * How the runner keeps time (tests inject a manual one).
 * @typedef {object} Timer
 * @property {(run: () => void, ms: number) => any} set
 * @property {(handle: any) => void} clear
 */

/** @type {Timer} */
const realTimer = { set: (run, ms) => setTimeout(run, ms), clear: (handle) => clearTimeout(handle) };

/** The error a task that ran out of time fails with (the notice line's `error.timeout`). @param {number} ms */
function timeoutError(ms) {
  return Object.assign(new Error(`no answer in ${ms / 1000} s`), { code: "timeout" });
}

/**
 * Run `task` with a signal that aborts after `timeoutMs`: settles as the task does, or rejects with
 * the timeout error when the time runs out first (even if the task ignores its signal).
 * @param {(signal: AbortSignal) => Promise<any>} task @param {number} timeoutMs @param {Timer} timer
 */
function runWithTimeout(task, timeoutMs, timer) {
  const controller = new AbortController();
  let handle;
  const expired = new Promise((_, reject) => {
    handle = timer.set(() => {
      const error = timeoutError(timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  const finished = new Promise((resolve) => resolve(task(controller.signal)));
  return Promise.race([finished, expired]).finally(() => timer.clear(handle));
}

/**
 * A runner of async tasks, one at a time, newest wins: `run(task)` starts the task at once when none
 * is under way, else it waits for that one; it resolves with the task's result, or with null when a
 * newer task was asked for before this one could start. The task gets an AbortSignal that fires when
 * it has run `timeoutMs`; the run then rejects with an error of code "timeout" and the next starts.
 * @param {{timeoutMs?: number, timer?: Timer}} [options]
 * @returns {(task: (signal: AbortSignal) => Promise<any>) => Promise<any>}
 */
export function oneAtATime({ timeoutMs = TASK_TIMEOUT_MS, timer = realTimer } = {}) {
  let busy = false;
  /** @type {{task: (signal: AbortSignal) => Promise<any>, resolve: (value: any) => void, reject: (error: any) => void} | null} */
  let waiting = null;
  /** @param {(signal: AbortSignal) => Promise<any>} task */
  const start = (task) => {
    busy = true;
    const result = runWithTimeout(task, timeoutMs, timer);
    result
      .catch(() => {})
      .then(() => {
        busy = false;
        const next = waiting;
        waiting = null;
        if (next) start(next.task).then(next.resolve, next.reject);
      });
    return result;
  };
  return (task) => {
    if (!busy) return start(task);
    waiting?.resolve(null);
    return new Promise((resolve, reject) => (waiting = { task, resolve, reject }));
  };
}
