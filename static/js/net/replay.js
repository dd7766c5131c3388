// @ts-check
// ReplaySource: a recording (recording.js) played back to a page in place of its LiveSocket: the
// same listeners hear the recorded messages at their recorded times, scaled by the speed. Nothing is
// sent anywhere: `send` does nothing and `request` is refused with code "replay".
//
// Moving back in time replays from the last `hello` at or before the target (it carries the curves'
// history and makes the page start over), after the last view state before that hello.

import { PROTOCOL, decodeFrame } from "./codec.js";
import { Emitter } from "./emitter.js";

/** The speeds a replay offers. */
export const REPLAY_SPEEDS = [0.25, 0.5, 1, 2, 4];
const TICK_MS = 40;

export class ReplaySource extends Emitter {
  /**
   * @param {{records: {t: number, kind: string, data: string|ArrayBuffer}[], version?: number}} recording
   *   its records, and the protocol version of its frames (recording.js; the live one when absent)
   * @param {{timers?: {setTimeout, clearTimeout}, now?: () => number}} options clocks (tests)
   */
  constructor({ records, version = PROTOCOL }, { timers = globalThis, now = () => performance.now() } = {}) {
    super();
    this.records = records;
    this.version = version;
    this.types = records.map(({ kind, data }) => (kind === "frame" ? "frame" : JSON.parse(/** @type {string} */ (data)).type));
    // framesBefore[k]: how many of the first k records are frames.
    this.framesBefore = [0];
    for (const type of this.types) this.framesBefore.push(this.framesBefore.at(-1) + (type === "frame" ? 1 : 0));
    this.duration = records.at(-1)?.t ?? 0;
    this.timers = timers;
    this.now = now;
    this.next = 0;
    this.time = 0;
    this.speed = 1;
    this.playing = false;
    this.timer = null;
  }

  /** Start: the connection pill says "replay", then (as a socket's would, once the page is ready) the messages at time 0 play. */
  connect() {
    this.emit("status", { status: "replay" });
    this.timer = this.timers.setTimeout(() => this.seek(0), 0);
  }

  close() {
    this.pause();
  }

  send() {
    return false;
  }

  request() {
    return Promise.reject(Object.assign(new Error("a replay sends nothing"), { code: "replay" }));
  }

  /** How many frames the recording holds. */
  get frameCount() {
    return this.framesBefore.at(-1);
  }

  /** Where the replay is: `{time, duration, speed, playing, frames}` (frames played so far). */
  get progress() {
    return { time: this.time, duration: this.duration, speed: this.speed, playing: this.playing, frames: this.framesBefore[this.next] };
  }

  /** Go to `time` (ms, clamped): every message up to it has played. */
  seek(time) {
    const target = Math.min(Math.max(0, time), this.duration);
    if (target < this.time || this.next === 0) this.restartBefore(target);
    this.advance(target);
  }

  play() {
    if (this.playing) return;
    if (this.time >= this.duration) this.seek(0);
    this.playing = true;
    this.tick(this.now());
  }

  pause() {
    this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.playing = false;
    this.emit("progress", this.progress);
  }

  setSpeed(speed) {
    this.speed = speed;
    this.emit("progress", this.progress);
  }

  tick(since) {
    const now = this.now();
    this.advance(Math.min(this.duration, this.time + (now - since) * this.speed));
    if (this.time >= this.duration) this.pause();
    else this.timer = this.timers.setTimeout(() => this.tick(now), TICK_MS);
  }

  /** Play from the last hello at or before `target`, after the view state that held then. */
  restartBefore(target) {
    let start = 0;
    for (let k = 0; k < this.records.length && this.records[k].t <= target; k++) if (this.types[k] === "hello") start = k;
    this.next = start;
    this.time = 0;
    const view = start > 0 ? this.types.lastIndexOf("view", start - 1) : -1;
    if (view >= 0) this.dispatch(this.records[view]);
  }

  advance(target) {
    while (this.next < this.records.length && this.records[this.next].t <= target) this.dispatch(this.records[this.next++]);
    this.time = target;
    this.emit("progress", this.progress);
  }

  dispatch({ kind, data }) {
    if (kind === "frame") this.emit("frame", decodeFrame(data, this.version));
    else {
      const message = JSON.parse(data);
      this.emit(message.type, message);
    }
  }
}
