// @ts-check
// A second session shown on a page beside its live one (/embedding: the nn.Embedding lookup and the
// pretrained token table next to the word2vec session): a session handle whose id goes into the
// page's URL under its own key, so that the link to share carries it.

import { SessionHandle } from "./handle.js";

/**
 * @typedef {object} SideOptions
 * @property {object} [config] the config of a session created here
 * @property {boolean} [create] whether to create one when the URL names none (false: a viewer of the
 *   page's session, who waits for the presenter's id to `attach` to)
 * @property {(info: any) => void} onHello
 * @property {(frame: any) => void} onFrame
 * @property {(error: Error) => void} onError
 * @property {(driving: boolean) => void} onAccess
 * @property {(values: object) => void} writeView puts `{[key]: id}` into the page's URL
 */

/**
 * Open the side session of `model` under the URL key `key`. Resolves with its handle (`act`,
 * `replace(config)`, `attach(id)`, `driving`, `session`); creating may reject with the server's refusal.
 * @param {string} model @param {string} key @param {SideOptions} options
 */
export async function startSideSession(model, key, { config = {}, create = true, onHello, onFrame, onError, onAccess, writeView }) {
  const side = new SessionHandle({ model, key, writeView });
  side.on("access", ({ driving }) => onAccess(driving));
  side.on("hello", (hello) => onHello(hello.session));
  side.on("frame", onFrame);
  side.on("error", onError);
  await side.open({ config, create });
  return side;
}
