// The JS frame decoder against the golden frames that the Python codec is tested on too.
// tests/golden/<name>.bin is a protocol v2 frame, tests/golden/v1/<name>.bin the same in v1;
// <name>.json is its expected {header, tensors}.
// NNLIVE_GOLDEN_DIR points elsewhere (used while writing a new codec).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { decodeFrame, tensorValues } from "../../static/js/net/codec.js";

const goldenDir =
  process.env.NNLIVE_GOLDEN_DIR ?? fileURLToPath(new URL("../golden/", import.meta.url));
const names = readdirSync(goldenDir)
  .filter((file) => file.endsWith(".bin"))
  .map((file) => file.slice(0, -4));

/** Read a file into an ArrayBuffer of its own (as a websocket message arrives). */
function readArrayBuffer(path) {
  const bytes = readFileSync(path);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** A header minus its `tensors` list (the layout is checked through the decoded tensors). */
function withoutTensorList({ tensors, ...rest }) {
  return rest;
}

test("golden frames exist", () => {
  assert.ok(names.length > 0, `no golden frames in ${goldenDir}`);
});

const folders = { 2: goldenDir, 1: join(goldenDir, "v1") };
for (const [version, folder] of Object.entries(folders).map(([v, f]) => [Number(v), f])) {
  for (const name of names) {
    testGolden(version, folder, name);
  }
}

function testGolden(version, folder, name) {
  test(`decodes golden frame ${name} (protocol v${version})`, () => {
    const buffer = readArrayBuffer(join(folder, `${name}.bin`));
    const expected = JSON.parse(readFileSync(join(folder, `${name}.json`), "utf8"));
    const { header, tensors } = decodeFrame(buffer, version);

    assert.deepEqual(withoutTensorList(header), withoutTensorList(expected.header));
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(expected.tensors).sort());
    for (const [tensorName, want] of Object.entries(expected.tensors)) {
      const got = tensors[tensorName];
      assert.equal(got.dtype, want.dtype, tensorName);
      assert.deepEqual(got.shape, want.shape, tensorName);
      assert.deepEqual(Array.from(got.data), want.values, tensorName);
      if (got.dtype !== "float16") {
        assert.equal(got.data.buffer, buffer, `${tensorName} is a view on the message, not a copy`);
      }
    }
  });
}

test("a v1 frame read as v2 is refused: its offsets run past the message", () => {
  const v1 = readArrayBuffer(join(folders[1], "mixed.bin"));
  assert.throws(() => decodeFrame(v1, 2), /past the message/);
  assert.throws(() => decodeFrame(v1, 3), /version 3/);
});

test("float16 is widened exactly, specials included", () => {
  const values = [0, -0, 1, -2, 0.5, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity];
  const bits = [0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x0400, 0x7c00, 0xfc00];
  const frame = buildFrame({ type: "frame" }, "float16", [bits.length], new Uint16Array(bits));
  const { data } = decodeFrame(frame).tensors.t;
  assert.deepEqual(Array.from(data), values);
  assert.ok(Number.isNaN(decodeFrame(buildFrame({}, "float16", [1], new Uint16Array([0x7e00]))).tensors.t.data[0]));
});

test("a uint8 tensor with a range dequantizes to lo + (hi - lo) * q / 255", () => {
  const frame = buildFrame({}, "uint8", [3], new Uint8Array([0, 51, 255]), [-1, 4]);
  const tensor = decodeFrame(frame).tensors.t;
  assert.deepEqual(tensor.range, [-1, 4]);
  assert.deepEqual(Array.from(tensorValues(tensor)), [-1, 0, 4]);
});

test("malformed frames are refused with a reason", () => {
  const one = new Float32Array([1]);
  assert.throws(() => decodeFrame(new ArrayBuffer(2)), /length prefix/);
  assert.throws(() => decodeFrame(buildFrame({}, "float64", [1], one)), /unknown dtype/);
  const misaligned = (spec) => (spec.offset -= 4);
  assert.throws(() => decodeFrame(buildFrame({}, "float32", [1], one, null, misaligned)), /8-aligned/);
  const wrongSize = (spec) => (spec.nbytes = 8);
  assert.throws(() => decodeFrame(buildFrame({}, "float32", [1], one, null, wrongSize)), /bytes for shape/);
  const pastEnd = (spec) => (spec.offset += 8);
  assert.throws(() => decodeFrame(buildFrame({}, "float32", [1], one, null, pastEnd)), /past the message/);
});

/**
 * A one-tensor protocol v2 frame named "t", laid out as docs/protocol.md says; `tweak(spec)` may
 * corrupt the header's tensor entry (the bytes stay first in the buffer section).
 */
function buildFrame(header, dtype, shape, typed, range, tweak) {
  const spec = { name: "t", dtype, shape, offset: 0, nbytes: typed.byteLength, ...(range && { range }) };
  tweak?.(spec);
  const json = new TextEncoder().encode(JSON.stringify({ ...header, tensors: [spec] }));
  const base = Math.ceil((4 + json.length) / 8) * 8;
  const message = new Uint8Array(base + typed.byteLength);
  new DataView(message.buffer).setUint32(0, json.length, true);
  message.set(json, 4);
  message.set(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength), base);
  return message.buffer;
}
