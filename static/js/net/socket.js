// @ts-check
// LiveSocket: one session's websocket (docs/protocol.md, "Websocket").
//
// - connects to /ws/sessions/{id} on this page's host (wss on https), binaryType "arraybuffer";
// - on every (re)connect sends `auth` first when it holds a control token, naming the presenter
//   number the server gave it before so that a page whose connection dropped keeps its control;
// - text messages are dispatched by `type`, binary ones as "frame" with decodeFrame's result;
// - request(msg) gives the message an id and settles on the matching ok/error, or on the frame
//   whose header has `reply_to` that id (forward, sample);
// - reconnects with exponential backoff, except after the server said the session is gone;
// - every message also goes out unparsed as "raw" (the page's recorder keeps it as received).

import { decodeFrame } from "./codec.js";
import { Emitter } from "./emitter.js";

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
// Close codes after which reconnecting cannot help: unknown session, session deleted.
const FINAL_CLOSE_CODES = new Set([4404, 4410]);

/** The websocket URL of a session on the page's own host. */
export function sessionSocketUrl(sessionId, loc = globalThis.location) {
  const scheme = loc.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${loc.host}/ws/sessions/${encodeURIComponent(sessionId)}`;
}

export class LiveSocket extends Emitter {
  /**
   * @param {string} sessionId
   * @param {{token?: string | null, presenter?: number | null, url?: string | null, WebSocket?: typeof WebSocket}} options
   *   `presenter`: the number this page had before (a reload); `WebSocket` replaces the global
   *   constructor (tests).
   */
  constructor(sessionId, { token = null, presenter = null, url = null, WebSocket: Socket = globalThis.WebSocket } = {}) {
    super();
    this.url = url ?? sessionSocketUrl(sessionId);
    this.token = token;
    this.presenter = presenter; // the presenter number the server gave this page's token holder
    this.Socket = Socket;
    this.pending = new Map();
    this.nextId = 1;
    this.attempt = 0;
    this.socket = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retryTimer = undefined;
    this.stopped = false;
  }

  /** Open the connection (and keep reopening it until close()). */
  connect() {
    this.stopped = false;
    this.emit("status", { status: "connecting" });
    const socket = new this.Socket(this.url);
    socket.binaryType = "arraybuffer";
    socket.onopen = () => this.opened();
    socket.onmessage = (event) => this.received(event.data);
    socket.onclose = (event) => this.closed(event.code);
    this.socket = socket;
  }

  /** Close for good: no reconnect; pending requests fail. */
  close() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.socket?.close(1000);
    this.failPending("closed");
  }

  /**
   * Send a message now if connected; returns whether it went out.
   * @param {object} message
   * @returns {boolean}
   */
  send(message) {
    if (this.socket?.readyState !== 1) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /**
   * Send `message` with a fresh id; resolves with the ok message or the reply frame,
   * rejects with an Error carrying `code` (the server's error code, "disconnected" or "timeout").
   * @param {object} message
   * @returns {Promise<any>}
   */
  request(message) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.send({ ...message, id })) {
        reject(requestError("disconnected", "not connected"));
        return;
      }
      const timer = setTimeout(() => this.settle(id, null, requestError("timeout", "no answer")), REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  opened() {
    this.attempt = 0;
    // auth goes out first: what the page sends when it hears "open" (its shared view) needs the role
    if (this.token) this.authenticate();
    this.emit("status", { status: "open" });
  }

  /** Present the token (again: it takes control when nobody holds it); emits "role" with the answer. */
  authenticate() {
    const resume = this.presenter === null ? {} : { presenter: this.presenter };
    this.request({ type: "auth", token: this.token, ...resume }).then(
      (reply) => {
        this.presenter = reply.presenter ?? null;
        this.emit("role", { role: reply.role, presenter: this.presenter, controlSeq: reply.control_seq ?? 0 });
      },
      (error) => this.emit("role", { role: "viewer", error }),
    );
  }

  received(data) {
    this.emit("raw", data);
    if (typeof data !== "string") {
      const frame = decodeFrame(data);
      this.emit("frame", frame);
      const replyTo = frame.header.reply_to;
      if (replyTo !== null && replyTo !== undefined) this.settle(replyTo, frame, null);
      return;
    }
    const message = JSON.parse(data);
    const answers = message.id !== undefined && this.pending.has(message.id);
    if (answers && message.type === "error") {
      // The requester gets its own errors; "error" listeners hear the unanswered ones.
      this.settle(message.id, null, requestError(message.code, message.message, message.field));
      return;
    }
    if (answers && message.type === "ok") this.settle(message.id, message, null);
    this.emit(message.type, message);
  }

  closed(code) {
    this.socket = null;
    this.failPending("disconnected");
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.emit("status", { status: "closed", code });
      return;
    }
    // Jitter spreads a lecture's viewers out when they all lose the server at once.
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt) * (0.8 + 0.4 * Math.random());
    this.attempt++;
    this.emit("status", { status: "reconnecting", code, delayMs: delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  settle(id, value, error) {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(value);
  }

  failPending(code) {
    for (const id of [...this.pending.keys()]) this.settle(id, null, requestError(code, code));
  }
}

function requestError(code, message, field) {
  return Object.assign(new Error(message), { code, field });
}
