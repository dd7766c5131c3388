// @ts-check
// Recording a live page: the messages its socket receives, as received and with their times, into a
// recording file (recording.js) that the user downloads. A recording starts with the context the page
// already has (the latest hello, state and frame, and the view in its URL) and holds at most
// MAX_RECORDING_BYTES: at that size it stops and downloads by itself.

import { setText } from "../ui/i18n.js";
import { fileName, saveBlob } from "./download.js";
import { viewState } from "../session/lecture.js";
import { MAX_RECORDING_BYTES, fileHead, recordChunks } from "./recording.js";

// The received messages a recording starts from (with the view state in the URL before the frame).
const CONTEXT = ["hello", "state", "frame"];

/** A recording being made: chunks of the file, its size bounded by `maxBytes`. */
export class Recorder {
  /**
   * @param {object} meta the recording's meta (page, model, session)
   * @param {{maxBytes?: number, now?: () => number}} [options] the bound, and a clock (tests)
   */
  constructor(meta, { maxBytes = MAX_RECORDING_BYTES, now = () => performance.now() } = {}) {
    this.chunks = [fileHead(meta)];
    this.bytes = this.chunks[0].length;
    this.maxBytes = maxBytes;
    this.now = now;
    this.start = now();
  }

  /**
   * Add a message (a string or an ArrayBuffer) received now (in whole ms since the start, which a
   * slider can hold exactly), or at `t`; false, adding nothing, once it would pass the bound.
   * @param {string | ArrayBuffer} data
   * @param {number} [t]
   * @returns {boolean}
   */
  add(data, t = Math.round(this.now() - this.start)) {
    const chunks = recordChunks(t, data);
    const size = chunks.reduce((n, chunk) => n + chunk.length, 0);
    if (this.bytes + size > this.maxBytes) return false;
    this.chunks.push(...chunks);
    this.bytes += size;
    return true;
  }

  /** The recording file. */
  blob() {
    return new Blob(this.chunks, { type: "application/octet-stream" });
  }
}

/** The view state in this page's URL as the `view` message a viewer would get. */
const viewMessage = () => JSON.stringify({ type: "view", state: viewState(location.search) });

/**
 * The Record / Stop and download button. `describe()` gives the recording's meta (page, model,
 * session). Returns `{received(data), viewChanged()}`: the page hands it every raw message and tells
 * it when its view state changed.
 */
export function bindRecorder(button, { notice, describe }) {
  const latest = new Map();
  let recorder = null;

  const show = () => {
    setText(button, recorder ? "replay.record_stop" : "replay.record");
    button.setAttribute("aria-pressed", String(Boolean(recorder)));
  };
  const stop = () => {
    saveBlob(recorder.blob(), fileName("nnrec"));
    recorder = null;
    show();
  };
  const add = (data, t) => {
    if (!recorder || recorder.add(data, t)) return;
    notice.show("replay.record_full", { mib: Math.round(recorder.maxBytes / 2 ** 20) });
    stop();
  };
  button.addEventListener("click", () => {
    if (recorder) return stop();
    recorder = new Recorder({ ...describe(), view: viewState(location.search), started: new Date().toISOString() });
    const context = [latest.get("hello"), latest.get("state"), viewMessage(), latest.get("frame")];
    for (const data of context) if (data !== undefined) add(data, 0);
    show();
  });
  return {
    received(data) {
      const type = typeof data === "string" ? JSON.parse(data).type : "frame";
      if (CONTEXT.includes(type)) latest.set(type, data);
      add(data);
    },
    viewChanged() {
      add(viewMessage());
    },
  };
}
