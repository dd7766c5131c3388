// @ts-check
// One session as a page holds it, whichever part of the page shows it (the main session, a side
// session, one of a pair, /inspect's run): attached from the URL (`?<key>=ID`, driven when this tab
// holds its token) or created; connected through one socket that reconnects by itself; this page's
// role in it (driver, presenter or viewer, from the auth reply and then from who holds control);
// replaced by a new session (the old one ends naming it) and, when another tab replaced it,
// following its successor at once. Listeners hear the socket's messages only from the session shown.

import { Emitter } from "../net/emitter.js";
import { LiveSocket } from "../net/socket.js";
import { controlRole } from "./lecture.js";
import { oneAtATime } from "./oneatatime.js";
import { pageStore } from "./session.js";

/** @typedef {import("./session.js").SessionRef} SessionRef */
/** @typedef {import("./session.js").SessionInfo} SessionInfo */
/** @typedef {import("./session.js").SessionStore} SessionStore */
/** @typedef {"driver"|"presenter"|"viewer"} Role */
/** @typedef {{presenter: string, holder: number|null, presenters: number[], room: string, lecture: string|null}} Control who holds control of a lecture, and its lecture room (`/l/ID`) */
/** @typedef {{role: Role, driving: boolean, previous?: Role, error?: Error}} Access what `access` listeners hear */

/**
 * What a handle reads its messages from: a LiveSocket, or a ReplaySource playing a recording.
 * @typedef {object} MessageSource
 * @property {(type: string, handler: (payload: any) => void) => () => void} on
 * @property {() => void} connect
 * @property {() => void} close
 * @property {(message: object) => boolean} send
 * @property {(message: object) => Promise<any>} request
 * @property {() => void} [authenticate]
 */

// Message types passed on to the handle's listeners as they come from the source.
const RELAYED = ["hello", "frame", "view", "error", "raw"];

/**
 * @typedef {object} HandleOptions
 * @property {string} [model] the model a created session runs
 * @property {string} [key] the URL query key that names the session ("session", "lookup", "rnn"…)
 * @property {(values: object) => void} [writeView] puts `{[key]: id}` into the page's URL when the
 *   handle creates a session or follows a successor (the live page's writeView, so that its link follows)
 * @property {boolean} [follow] whether to follow a successor when the session ends (false for a replay)
 * @property {SessionStore} [store] the session endpoints and tokens (tests pass fakes)
 * @property {(session: SessionRef, presenter: number|null) => MessageSource} [openSocket] the socket for a session (tests pass fakes)
 * @property {URLSearchParams} [params] the page's query (default: this page's)
 * @property {import("./oneatatime.js").Timer} [timer] times the replacements out (tests pass a manual one)
 */

/** A LiveSocket to `session`, presenting its token (and the presenter number this tab had). */
const liveSocket = (/** @type {SessionRef} */ session, /** @type {number|null} */ presenter) =>
  new LiveSocket(session.id, { token: session.token ?? undefined, presenter: presenter ?? undefined });

export class SessionHandle extends Emitter {
  /** @param {HandleOptions} [options] */
  constructor({ model = "", key = "session", writeView = () => {}, follow = true, store, openSocket = liveSocket, params, timer } = {}) {
    super();
    this.model = model;
    this.key = key;
    this.writeView = writeView;
    this.follows = follow;
    this.store = store ?? pageStore();
    this.openSocket = openSocket;
    this.params = params ?? new URLSearchParams(globalThis.location?.search ?? "");
    /** @type {SessionRef|null} */
    this.session = null;
    /** @type {MessageSource|null} */
    this.socket = null;
    /** @type {Role} */
    this.role = "viewer";
    this.connected = false;
    /** @type {number|null} this page's presenter number in the session (it authenticated) */
    this.presenter = null;
    /** @type {Control|null} the latest state's control fields */
    this.control = null;
    this.controlSeq = 0; // their change count: a state older than the auth reply is stale
    this.replacing = oneAtATime({ timer }); // replacements in turn: the newest wins, none races another for the room
  }

  /** Whether this page drives the session now: it holds control and is connected. */
  get driving() {
    return this.role === "driver" && this.connected;
  }

  /**
   * Show the session the URL names, or create one with `config` (unless `create` is false: a viewer
   * that waits for the presenter's id to `attach` to). Resolves with the session shown, or null;
   * creating may reject with the server's refusal ({code, message, field}).
   * @param {{config?: object, create?: boolean}} [opts]
   */
  async open({ config = {}, create = true } = {}) {
    const wanted = this.params.get(this.key);
    if (wanted) this.attach(wanted);
    else if (create) await this.replace(config);
    return this.session;
  }

  /** Watch (or drive, with this tab's token) the session `id`, unless it is the one shown. @param {string|null|undefined} id */
  attach(id) {
    if (id && id !== this.session?.id) this.show({ id, token: this.store.token(id) });
  }

  /**
   * Create a session of `model` with `config` (it takes over this one's lecture room). Rejects with
   * the server's refusal. Not for two at once on one room: `replace` runs them in turn.
   * @param {object} config @param {string} [model]
   * @returns {Promise<{info: SessionInfo, token: string}>}
   */
  async create(config, model = this.model) {
    // The new session takes over this one's lecture room (when this tab holds its key): the room's link stays good.
    return this.store.create(model, { config, lecture: this.control?.lecture ?? null });
  }

  /**
   * Give up a session created for this handle that will not be shown (its replacement timed out, or
   * its pair's other half was refused): it ends naming the session shown, which keeps the lecture room.
   * @param {{info: SessionInfo, token: string}} made
   */
  giveUp(made) {
    this.store.end(made.info.id, made.token, this.session?.id);
  }

  /**
   * Show a new session of `model` with `config` in place of this one, which ends naming it (when
   * this tab drove it) so that its viewers follow. One replacement at a time: resolves with the new
   * session's info, or null when a newer replacement was asked for before this one started; rejects
   * with the refusal, or with a `timeout` error when the server did not answer in time.
   * @param {object} config @param {string} [model]
   */
  replace(config, model = this.model) {
    return this.replacing(async (/** @type {AbortSignal} */ signal) => {
      // Not aborted when it times out: a session the server makes after all must be heard of to be ended.
      const made = await this.create(config, model);
      if (signal.aborted) {
        this.giveUp(made); // made too late: the next replacement already runs
        throw signal.reason;
      }
      this.model = model;
      this.writeView({ [this.key]: made.info.id });
      this.switchTo({ id: made.info.id, token: made.token });
      return made.info;
    });
  }

  /** Show `next`; the session shown before ends naming it, when this tab drove it. @param {SessionRef} next */
  switchTo(next) {
    const old = this.session;
    this.show(next);
    if (old?.token && old.id !== next.id) this.store.end(old.id, old.token, next.id);
  }

  /**
   * Show `session`, read from `source` (by default a socket to it): the one shown before is closed,
   * the role starts again as a viewer's. Listeners hear "session" before the source connects.
   * @param {SessionRef} session
   * @param {MessageSource} [source]
   */
  show(session, source) {
    this.socket?.close();
    this.session = session;
    this.role = "viewer";
    this.connected = false;
    this.presenter = this.control = null;
    this.controlSeq = 0;
    const socket = source ?? this.openSocket(session, this.store.takePresenter(session.id));
    this.socket = socket;
    if (session.token && !source) this.store.releaseOnLeave(session.id, session.token);
    /** @param {string} type @param {(payload: any) => void} handler */
    const listen = (type, handler) => socket.on(type, (payload) => socket === this.socket && handler(payload));
    for (const type of RELAYED) listen(type, (payload) => this.emit(type, payload));
    listen("status", (status) => {
      this.connected = status.status === "open";
      this.emit("status", status);
      this.changed({});
    });
    listen("role", ({ role, presenter = null, controlSeq = 0, error }) => {
      this.role = role;
      this.presenter = presenter;
      this.controlSeq = controlSeq;
      this.changed(error ? { error } : {});
    });
    listen("state", (state) => {
      if (state.control_seq >= this.controlSeq) this.takeControl(state);
      this.emit("state", state);
    });
    listen("closed", (closed) => this.closed(session, closed));
    this.emit("session", session);
    socket.connect();
  }

  /** Who holds control, from a state: a presenter handed control becomes the driver, and the reverse. @param {any} state */
  takeControl(state) {
    this.controlSeq = state.control_seq;
    const { presenter, holder, presenters, room, lecture = null } = state;
    this.control = { presenter, holder, presenters, room, lecture };
    const role = controlRole(state, this.presenter);
    if (role === this.role) {
      this.emit("control", this.control);
      return;
    }
    const previous = this.role;
    this.role = role;
    this.changed({ previous });
  }

  /** Tell the listeners this page's access: its role and whether it drives. @param {{previous?: Role, error?: Error}} extra */
  changed(extra) {
    /** @type {Access} */
    const access = { role: this.role, driving: this.driving, ...extra };
    this.emit("access", access);
  }

  /**
   * The session ended: its listeners hear "closed"; when it names a successor (it was replaced),
   * the handle shows that one and they hear "followed".
   * @param {SessionRef} session @param {{successor?: string|null, reason?: string}} closed
   */
  closed(session, closed) {
    this.emit("closed", closed);
    const { successor } = closed;
    if (!this.follows || !successor || this.session?.id !== session.id) return;
    this.writeView({ [this.key]: successor });
    this.show({ id: successor, token: this.store.token(successor), followed: true });
    this.emit("followed", this.session);
  }

  /** Send a message; resolves with the reply, rejects with the refusal ({code, message, field}). @param {object} message */
  act(message) {
    if (!this.socket) return Promise.reject(Object.assign(new Error("no session"), { code: "not_found" }));
    return this.socket.request(message);
  }

  /** Send a message now if connected; returns whether it went out. @param {object} message */
  send(message) {
    return this.socket?.send(message) ?? false;
  }

  /** Present the token again: it takes control when nobody holds it. */
  authenticate() {
    this.socket?.authenticate?.();
  }

  /** Keep this tab's presenter number for the page that loads next in this tab (a reload). */
  keepPresenter() {
    if (this.presenter !== null && this.session) this.store.keepPresenter(this.session.id, this.presenter);
  }

  /** End this tab's session (DELETE with its token), naming a successor if any. @param {string|null} [successor] */
  end(successor = null) {
    const session = this.session;
    if (session?.token) return this.store.end(session.id, session.token, successor);
    return Promise.resolve();
  }

  /** Stop showing the session: its socket closes for good. */
  close() {
    this.socket?.close();
    this.socket = null;
  }
}
