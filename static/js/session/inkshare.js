// @ts-check
// A drawing pad in a lecture: the presenter's drawing goes into the view state (`ink`, a few times a
// second, the newest winning; empty once wiped) and a viewer's pad shows the one it receives.

import { decodeInk, encodeInk } from "../math/inkcode.js";
import * as drawpad from "../views/drawpad.js";
import { throttled } from "./lecture.js";

const INK_INTERVAL_MS = 250; // the URL (where view state lives) is rewritten at most this often

/**
 * Bind a page's pad to its live session. Returns `share(grid)` (the driver drew: a grid, or null
 * when the pad was wiped) and `show(params)` (a viewer took the presenter's view state).
 * @param {() => import("./livepage.js").LivePage|null} live
 * @param {() => ReturnType<typeof drawpad.mount>|undefined} pad
 */
export function bindInkSharing(live, pad) {
  /** @type {number[][]|null} */
  let newest = null;
  const write = throttled(() => live()?.writeView({ ink: newest ? encodeInk(newest) : "" }), INK_INTERVAL_MS);
  return {
    /** @param {number[][]|null} grid */
    share(grid) {
      newest = grid;
      if (live()?.driving) write();
    },
    /** @param {URLSearchParams} params */
    show(params) {
      const view = pad();
      if (view && !live()?.driving) drawpad.update(view, { disabled: true, ink: decodeInk(params.get("ink"), drawpad.GRID) });
    },
  };
}
