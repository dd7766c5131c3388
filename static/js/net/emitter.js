// @ts-check
// Listeners by message type: what a page hears from its message source (a socket or a replay).

export class Emitter {
  constructor() {
    /** @type {Map<string, Set<(payload: any) => void>>} */
    this.handlers = new Map();
  }

  /**
   * Listen to a message type ("hello", "state", "frame", "error"…) or to "status" changes.
   * @param {string} type
   * @param {(payload: any) => void} handler
   * @returns {() => boolean} stops listening
   */
  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  /**
   * Call every listener of `type` with `payload`.
   * @param {string} type
   * @param {unknown} [payload]
   */
  emit(type, payload) {
    for (const handler of this.handlers.get(type) ?? []) handler(payload);
  }
}
