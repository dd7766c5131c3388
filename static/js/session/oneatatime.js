// @ts-check
// Replacing a session one step at a time: a replacement asked for while another is under way waits
// for it (so that two never race to take over the same lecture room), and one still waiting when a
// newer is asked for never starts: the newest wins.

/**
 * A runner of async tasks, one at a time, newest wins: `run(task)` starts the task at once when none
 * is under way, else it waits for that one; it resolves with the task's result, or with null when a
 * newer task was asked for before this one could start.
 * @returns {(task: () => Promise<any>) => Promise<any>}
 */
export function oneAtATime() {
  let busy = false;
  /** @type {{task: () => Promise<any>, resolve: (value: any) => void, reject: (error: any) => void} | null} */
  let waiting = null;
  /** @param {() => Promise<any>} task */
  const start = (task) => {
    busy = true;
    const result = new Promise((resolve) => resolve(task()));
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
