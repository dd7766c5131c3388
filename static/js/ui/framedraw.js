// Drawing frames at the screen's pace: of the frames that arrive between two animation frames only
// the newest is drawn; what was drawn is kept in the page's test hook (`lastFrame`, `frames`).

/**
 * A function that takes each arriving frame and draws the newest once per animation frame.
 * @param {(frame: object) => void} draw
 * @param {{lastFrame: object|null, frames: number}} debug the page's window.nnlive
 */
export function newestFrameDrawer(draw, debug) {
  let newest = null;
  let request = null;
  return (frame) => {
    newest = frame;
    request ??= requestAnimationFrame(() => {
      request = null;
      draw(newest);
      debug.lastFrame = newest;
      debug.frames++;
    });
  };
}
