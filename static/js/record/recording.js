// @ts-check
// Recordings of a live page's stream: the JS mirror of app/protocol/recording.py (docs/protocol.md,
// "Recording file").
//
//   "NNLREC" u16 version | u32 M | M bytes of UTF-8 JSON meta | zero padding to 8
//   records: f64 t (ms) | u32 n | u8 kind (0 text, 1 frame) | 3 zero bytes | n bytes | zero padding to 8
//
// A text record is a server message as received (JSON), a frame record a binary frame byte for byte.
// The version is the protocol version of the file's frames: version 1 files still read.

import { PROTOCOL } from "../net/codec.js";

export const MAGIC = "NNLREC";
export const VERSION = PROTOCOL;
const READABLE = [1, 2];
/** The most bytes a recording holds; the recorder stops at it (about a minute of LeNet at 30 frames/s). */
export const MAX_RECORDING_BYTES = 256 * 1024 * 1024;
export const KINDS = ["text", "frame"];

const RECORD_HEAD = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

const padding = (n) => (8 - (n % 8)) % 8;

/** The file's opening: magic, version and the meta object. */
export function fileHead(meta) {
  const json = utf8.encode(JSON.stringify(meta));
  const head = new Uint8Array(12 + json.length + padding(12 + json.length));
  head.set(utf8.encode(MAGIC), 0);
  const view = new DataView(head.buffer);
  view.setUint16(6, VERSION, true);
  view.setUint32(8, json.length, true);
  head.set(json, 12);
  return head;
}

/** One record as byte chunks (head, data, padding): `t` in ms, `data` a string (text) or an ArrayBuffer (frame). */
export function recordChunks(t, data) {
  const bytes = typeof data === "string" ? utf8.encode(data) : new Uint8Array(data);
  const head = new Uint8Array(RECORD_HEAD);
  const view = new DataView(head.buffer);
  view.setFloat64(0, t, true);
  view.setUint32(8, bytes.length, true);
  view.setUint8(12, typeof data === "string" ? 0 : 1);
  return [head, bytes, new Uint8Array(padding(bytes.length))];
}

/** A whole recording in one array of bytes (records: `{t, data}`). */
export function encodeRecording(meta, records) {
  const chunks = [fileHead(meta), ...records.flatMap(({ t, data }) => recordChunks(t, data))];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * Read a recording: `{meta, version, records}` (version: the protocol of its frames) with each record `{t, kind, data}` (text as a string, a frame as
 * an ArrayBuffer of its own, as a websocket delivers it). A damaged or foreign file throws.
 */
export function decodeRecording(buffer) {
  const view = new DataView(buffer);
  const bytes = new Uint8Array(buffer);
  if (buffer.byteLength < 12 || fromUtf8.decode(bytes.subarray(0, 6)) !== MAGIC) throw new Error("not an nnlive recording");
  const version = view.getUint16(6, true);
  if (!READABLE.includes(version)) throw new Error(`recording version ${version} is not supported`);
  const metaLength = view.getUint32(8, true);
  const meta = JSON.parse(fromUtf8.decode(within(bytes, 12, metaLength)));
  const records = [];
  let at = 12 + metaLength + padding(12 + metaLength);
  while (at < buffer.byteLength) {
    if (at + RECORD_HEAD > buffer.byteLength) throw new Error("recording cut short");
    const t = view.getFloat64(at, true);
    const n = view.getUint32(at + 8, true);
    const kind = KINDS[view.getUint8(at + 12)];
    if (!kind) throw new Error(`unknown record kind ${view.getUint8(at + 12)}`);
    const body = within(bytes, at + RECORD_HEAD, n);
    records.push({ t, kind, data: kind === "text" ? fromUtf8.decode(body) : body.slice().buffer });
    at += RECORD_HEAD + n + padding(n);
  }
  return { meta, version, records };
}

function within(bytes, start, length) {
  if (start + length > bytes.length) throw new Error("recording cut short");
  return bytes.subarray(start, start + length);
}
