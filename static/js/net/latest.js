// @ts-check
// Newest wins: at most one request in flight plus the latest pending value; older pending
// values are dropped (a drawing sent while the previous one is still being answered), and `drop()`
// forgets the pending one (a drawing that another input, a dataset sample, replaced).

/**
 * Wrap `send(value) → Promise` so that `submit(value)` never queues more than one value behind
 * the request in flight; a failed request does not stop later ones. `submit.drop()` forgets the
 * value waiting, if any (the request in flight is not recalled).
 * @param {(value: any) => unknown} send
 * @returns {((value: any) => void) & {drop: () => void}}
 */
export function newestWins(send) {
  let pending;
  let hasPending = false;
  let inFlight = false;

  function pump() {
    if (inFlight || !hasPending) return;
    const value = pending;
    pending = undefined;
    hasPending = false;
    inFlight = true;
    Promise.resolve()
      .then(() => send(value))
      .catch(() => {})
      .finally(() => {
        inFlight = false;
        pump();
      });
  }

  /** @param {any} value */
  function submit(value) {
    pending = value;
    hasPending = true;
    pump();
  }
  submit.drop = () => {
    pending = undefined;
    hasPending = false;
  };
  return submit;
}
