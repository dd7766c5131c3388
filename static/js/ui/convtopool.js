// @ts-check
// /conv's output handed on to /pool: the ReLU map of the frame shown ([O, H′, W′]) kept in this
// tab's sessionStorage — its numbers as a plain array, its shape, and where it came from (the
// convolution's numbers, the /conv address) — and the /pool address whose settings fit it
// (`from=conv`). /pool reads it back, sends it as its input, and says where its input came from.

import { withView } from "../session/urlstate.js";

const KEY = "nnlive.conv_to_pool";
/** The marker in /pool's query: `?from=conv`. */
export const FROM_CONV = "conv";

const fieldOf = (fields, name) => fields.find((field) => field.name === name) ?? {};

/** Whether a [C, H, W] map fits the pooling config `fields` (their `max` of channels, height, width). */
export function fitsPool([channels, height, width], fields) {
  const max = (name) => fieldOf(fields, name).max ?? Infinity;
  return channels <= max("channels") && height <= max("height") && width <= max("width");
}

/**
 * The /pool address for a map of `shape`: its channels, height and width, `from=conv`, and the
 * default window shrunk (with its stride) where the map is smaller than it.
 */
export function poolAddress([channels, height, width], fields, origin) {
  const standard = fieldOf(fields, "kernel").default; // undefined without the catalog: nothing shrinks
  const window = Math.min(standard, height, width);
  const fitted = window < standard ? { kernel: window, stride: window } : {};
  return withView(new URL("/pool", origin), { from: FROM_CONV, channels, height, width, ...fitted });
}

/** Keep `relu` ({shape, data}) for /pool in `storage`, with `source`: what produced it and `href`. */
export function storeMap(storage, relu, source) {
  storage.setItem(KEY, JSON.stringify({ shape: relu.shape, data: Array.from(relu.data), source }));
}

/** The kept map `{shape, data, source}`, or null when there is none or it does not hold together. */
export function storedMap(storage) {
  let map;
  try {
    map = JSON.parse(storage.getItem(KEY));
  } catch {
    return null;
  }
  const { shape, data, source } = map ?? {};
  const whole = Array.isArray(shape) && shape.length === 3 && shape.every((n) => Number.isInteger(n) && n > 0);
  if (!whole || !Array.isArray(data) || !source) return null;
  const size = shape[0] * shape[1] * shape[2];
  return data.length === size && data.every(Number.isFinite) ? map : null;
}

/** Whether a frame's `tensor` ({shape, data}, float32) holds exactly the map's numbers. */
export function holdsMap(tensor, map) {
  if (tensor.shape.length !== map.shape.length || tensor.shape.some((n, i) => n !== map.shape[i])) return false;
  return map.data.every((value, i) => tensor.data[i] === Math.fround(value));
}

/** The way back to the /conv page the map came from (its stored address when it is one), on `origin`. */
export function backAddress(map, origin) {
  try {
    const back = new URL(map.source.href, origin);
    if (back.origin === origin && back.pathname === "/conv") return back.href;
  } catch {
    // not an address: the plain page below
  }
  return new URL("/conv", origin).href;
}
