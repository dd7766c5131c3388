// A timer for code that takes one ({set, clear}, as oneAtATime does): callbacks run only when the test
// says so (`fire()`), never by the wall clock.

export function manualTimer() {
  const set = new Map();
  let next = 0;
  return {
    set: (run, ms) => (set.set(++next, { run, ms }), next),
    clear: (handle) => set.delete(handle),
    /** Run every callback still set. */
    fire() {
      const due = [...set.values()];
      set.clear();
      for (const { run } of due) run();
    },
    /** The delays of the callbacks still set. */
    delays: () => [...set.values()].map(({ ms }) => ms),
  };
}
