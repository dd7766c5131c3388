// @ts-check
// Recording and replay on a live page: the Record button keeps what the page's session sends
// (recorder.js), PNG export saves the page's main section, and `?replay=KEY` plays a kept recording
// through a ReplaySource in place of the socket (replaybar.js): no session is opened.

import { openReplay } from "./replaybar.js";
import { bindRecorder } from "./recorder.js";
import { bindPngExport } from "./snapshot.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * Bind the Record and PNG buttons to `handle`: every message it receives goes to the recorder.
 * Returns the recorder (`viewChanged()` when the page's view state changes).
 * @param {import("../session/handle.js").SessionHandle} handle
 * @param {{notice: ReturnType<import("../ui/status.js").noticeBoard>, model: string}} options
 */
export function bindPageRecording(handle, { notice, model }) {
  const recording = bindRecorder(byId("record"), { notice, describe: () => ({ page: location.pathname, model, session: handle.session?.id }) });
  handle.on("raw", recording.received);
  bindPngExport(byId("export-png"), byId("main"));
  return recording;
}

/**
 * Play the recording kept under `key` through `handle` (as a viewer that never follows a successor:
 * the recording goes on with its next hello); null when this browser holds none.
 * @param {import("../session/handle.js").SessionHandle} handle
 * @param {string} key
 */
export async function replayThrough(handle, key) {
  byId("record").hidden = true;
  const opened = await openReplay(key, byId("replay-bar"));
  if (!opened) return null;
  handle.show({ id: opened.meta.session, token: null }, opened.source);
  return opened;
}
