// @ts-check
// Drawing frames at the screen's pace: of the frames that arrive between two animation frames only
// the newest is drawn (unless the page keeps another, e.g. one with a text sample); what was drawn
// is kept in the page's test hook (`lastFrame`, `frames`). Every page draws its frames through here.
// Work that can wait a little (a chart's redraw) rides along with the next drawn frame (rideNextFrame),
// so that the browser paints it with that frame instead of in a rendering update of its own.

/** Work waiting for the next drawn frame. @type {Set<() => void>} */
const riders = new Set();
const RIDE_WITHIN_MS = 200;

/**
 * Run `run` in the next animation frame in which a page draws a frame, after the drawing; when none
 * comes within `withinMs` (no frames: paused), in an animation frame of its own. Returns a cancel function.
 * @param {() => void} run
 * @param {{withinMs?: number, schedule?: (run: () => void) => any}} [options]
 * @returns {() => void}
 */
export function rideNextFrame(run, { withinMs = RIDE_WITHIN_MS, schedule = (alone) => requestAnimationFrame(alone) } = {}) {
  const cancel = () => {
    clearTimeout(timer);
    return riders.delete(ride);
  };
  const ride = () => cancel() && run();
  const timer = setTimeout(() => riders.has(ride) && schedule(ride), withinMs);
  riders.add(ride);
  return cancel;
}

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
      for (const ride of [...riders]) ride();
    });
  };
}
