// @ts-check
// Two sessions side by side, one per recurrent cell (nn.RNN and nn.LSTM) of the `memory` model,
// with the same config but the cell: a session handle each, attached from the URL (`?rnn=ID&lstm=ID`)
// or created, driven together (train, pause, step, reset) and replaced together when the config
// changes; a lecture's viewer follows the presenter's pair (its ids arrive in the view state).

import { SessionHandle } from "./handle.js";
import { oneAtATime } from "./oneatatime.js";

export const CELLS = ["rnn", "lstm"];
const MODEL = "memory";

/**
 * @typedef {object} PairHandlers
 * @property {(cell: string, hello: any) => void} onHello
 * @property {(cell: string, state: any) => void} onState
 * @property {(cell: string, frame: any) => void} onFrame
 * @property {(error: Error) => void} onError
 * @property {(driving: boolean) => void} onAccess
 * @property {(values: object) => void} writeView puts the ids into the URL (the live page's, so that its link follows)
 */

/**
 * Open the pair. `create`: whether to create a pair when the URL names none (a viewer waits for
 * `follow` instead). Resolves with `{act(message), replace(config), follow(ids), driving}`.
 * @param {object} config @param {PairHandlers} handlers @param {{create?: boolean}} [opts]
 */
export async function startMemoryPair(config, handlers, { create = true } = {}) {
  const handles = Object.fromEntries(CELLS.map((cell) => [cell, pairHandle(cell, handlers)]));
  const driving = () => CELLS.every((cell) => handles[cell].driving);
  const replacing = oneAtATime();
  for (const cell of CELLS) handles[cell].on("access", () => handlers.onAccess(driving()));

  const pair = {
    get driving() {
      return driving();
    },
    /** @param {object} message */
    act: (message) => Promise.all(CELLS.map((cell) => handles[cell].act(message))),
    /** Replace both cells by sessions with `nextConfig`, one replacement at a time (the newest wins). @param {object} nextConfig */
    replace: (nextConfig) =>
      replacing(async (/** @type {AbortSignal} */ signal) => {
        const settled = await Promise.allSettled(CELLS.map((cell) => handles[cell].create({ ...nextConfig, cell }, MODEL)));
        const refused = signal.aborted ? { reason: signal.reason } : settled.find((one) => one.status === "rejected");
        if (refused) {
          // Half a pair (or a pair made too late) is given up: the sessions it would have replaced keep their room.
          CELLS.forEach((cell, k) => {
            const one = settled[k];
            if (one.status === "fulfilled") handles[cell].giveUp(one.value);
          });
          throw refused.reason;
        }
        const made = settled.map((one) => /** @type {PromiseFulfilledResult<any>} */ (one).value);
        CELLS.forEach((cell, k) => handles[cell].switchTo({ id: made[k].info.id, token: made[k].token }));
        handlers.writeView(Object.fromEntries(CELLS.map((cell, k) => [cell, made[k].info.id])));
      }),
    /** Show the pair `ids` ({rnn, lstm}), with this tab's tokens if it holds them. @param {Record<string, string>} ids */
    follow(ids) {
      for (const cell of CELLS) {
        const handle = handles[cell];
        if (ids[cell] !== handle.session?.id) handle.switchTo({ id: ids[cell], token: handle.store.token(ids[cell]) });
      }
    },
  };

  const params = new URLSearchParams(location.search);
  if (CELLS.every((cell) => params.get(cell))) for (const cell of CELLS) handles[cell].attach(params.get(cell));
  else if (create) await pair.replace(config);
  return pair;
}

/** The handle of one cell's session, its messages handed on with the cell's name. @param {string} cell @param {PairHandlers} handlers */
function pairHandle(cell, handlers) {
  const handle = new SessionHandle({ model: MODEL, key: cell });
  handle.on("hello", (hello) => handlers.onHello(cell, hello));
  handle.on("state", (state) => handlers.onState(cell, state));
  handle.on("frame", (frame) => handlers.onFrame(cell, frame));
  handle.on("error", handlers.onError);
  return handle;
}
