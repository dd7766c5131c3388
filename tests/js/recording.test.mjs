// The JS recording codec against the golden recording that the Python side writes and reads.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import { decodeFrame } from "../../static/js/net/codec.js";
import { decodeRecording, encodeRecording } from "../../static/js/record/recording.js";

const golden = (name) => {
  const bytes = readFileSync(fileURLToPath(new URL(`../golden/${name}`, import.meta.url)));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};

for (const [folder, want] of [["", 2], ["v1/", 1]]) {
  test(`decodes the golden recording of protocol v${want}: times, kinds, texts and frames byte for byte`, () => {
    const { meta, version, records } = decodeRecording(golden(`${folder}recording.nnrec`));
    assert.equal(meta.page, "/lenet");
    assert.equal(version, want);
    assert.deepEqual(records.map(({ t, kind }) => [t, kind]), [[0, "text"], [12.5, "frame"], [40.25, "text"], [1000, "frame"]]);
    assert.deepEqual(new Uint8Array(records[1].data), new Uint8Array(golden(`${folder}mixed.bin`)));
    assert.deepEqual(new Uint8Array(records[3].data), new Uint8Array(golden(`${folder}empty.bin`)));
    const { header, tensors } = decodeFrame(records[1].data, version);
    assert.equal(header.seq, 3);
    assert.deepEqual(Array.from(tensors.labels.data), [-7, 0, 42, 2 ** 31 - 1]);
    assert.deepEqual(JSON.parse(records[2].data), { type: "view", state: { cell: "7", label: "ü" } });
  });
}

test("encodes the golden recording byte for byte", () => {
  const { meta, records } = decodeRecording(golden("recording.nnrec"));
  assert.deepEqual(encodeRecording(meta, records), new Uint8Array(golden("recording.nnrec")));
});

test("refuses foreign, newer and cut files", () => {
  assert.throws(() => decodeRecording(new Uint8Array(16).buffer), /not an nnlive recording/);
  const newer = encodeRecording({}, []);
  newer[6] = 3;
  assert.throws(() => decodeRecording(newer.buffer), /version 3/);
  const whole = encodeRecording({}, [{ t: 1, data: new ArrayBuffer(40) }]);
  assert.throws(() => decodeRecording(whole.slice(0, whole.length - 16).buffer), /cut short/);
});
