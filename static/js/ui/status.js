// @ts-check
// What a model page tells its user about the connection and about refusals: the connection pill
// and the notice line, both through the translation layer.

import { setText } from "./i18n.js";

// Error codes with a text of their own (the server's codes and the socket's); others → error.other.
const ERROR_CODES = ["bad_request", "forbidden", "not_found", "limit", "busy", "unavailable", "timeout", "disconnected"];

/** The i18n key framing an error with `code` (its message goes in as {message}). */
export function errorKey(code) {
  return ERROR_CODES.includes(code) ? `error.${code}` : "error.other";
}

/** The notice line: one message at a time, translated. Returns `{show, hide, error}`. */
export function noticeBoard(element) {
  return {
    show(key, params) {
      setText(element, key, params);
      element.hidden = false;
    },
    hide() {
      element.hidden = true;
    },
    error(error) {
      this.show(errorKey(error.code), { message: error.message });
    },
  };
}

/** Show a LiveSocket "status" event on the connection pill. */
export function showConnection(element, status) {
  element.dataset.status = status.status;
  if (status.status === "reconnecting") setText(element, "conn.reconnecting", { s: Math.ceil(status.delayMs / 1000) });
  else if (status.status === "closed" && status.code === 4404) setText(element, "conn.not_found");
  else setText(element, `conn.${status.status}`);
}

/** The run state's text `{key, params}`: paused, training, or queued with its place in line. */
export function runStateText({ state, place }) {
  return state === "queued" ? { key: "state.queued", params: { n: place } } : { key: `state.${state}` };
}

/** Show a `state` message on the run-state pill of the session bar. */
export function showRunStatePill(element, state) {
  const { key, params } = runStateText(state);
  element.dataset.state = state.state;
  setText(element, key, params);
}
