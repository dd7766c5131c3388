// @ts-check
// Drawing frames at the screen's pace: of the frames that arrive between two animation frames only
// the newest is drawn (unless the page keeps another, e.g. one with a text sample); what was drawn
// is kept in the page's test hook (`lastFrame`, `frames`). Every page draws its frames through here.

/**
 * @typedef {object} DrawerOptions
 * @property {(waiting: any, arriving: any) => any} [keep] the frame to draw of one waiting and one
 *   arriving (default: the arriving one)
 * @property {(run: () => void) => any} [schedule] runs `run` at the next animation frame (tests pass their own)
 */

/**
 * A function that takes each arriving frame and draws the one kept once per animation frame.
 * `draw` may return false when it could not draw yet (no session info): the counters stay.
 * @param {(frame: any) => boolean|void} draw
 * @param {{lastFrame: any, frames: number}} debug the page's window.nnlive
 * @param {DrawerOptions} [options]
 * @returns {(frame: any) => void}
 */
export function newestFrameDrawer(draw, debug, { keep = (_waiting, arriving) => arriving, schedule = (run) => requestAnimationFrame(run) } = {}) {
  let waiting = null;
  let request = null;
  return (frame) => {
    waiting = waiting === null ? frame : keep(waiting, frame);
    request ??= schedule(() => {
      request = null;
      const shown = waiting;
      waiting = null;
      if (draw(shown) === false) return;
      debug.lastFrame = shown;
      debug.frames++;
    });
  };
}
