// Replaying a recording: the ReplaySource plays recorded messages in order at their times, seeks both
// ways (back from the last hello), changes speed, refuses to send; the Recorder writes what it got,
// bounded in size.
import assert from "node:assert/strict";
import { test } from "node:test";

import { ReplaySource } from "../../static/js/net/replay.js";
import { Recorder } from "../../static/js/record/recorder.js";
import { decodeRecording, encodeRecording } from "../../static/js/record/recording.js";

/** A frame with only a header (docs/protocol.md): seq and step. */
function frame(seq) {
  const json = new TextEncoder().encode(JSON.stringify({ type: "frame", seq, step: seq * 10, tensors: [] }));
  const bytes = new Uint8Array(4 + json.length + ((8 - ((4 + json.length) % 8)) % 8));
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 4);
  return bytes.buffer;
}

const text = (message) => JSON.stringify(message);

/** A clock that moves only when told: one pending timeout at a time (what ReplaySource keeps). */
function manualClock() {
  const clock = { ms: 0, pending: null };
  clock.timers = {
    setTimeout: (fn, delay) => (clock.pending = { fn, at: clock.ms + delay }),
    clearTimeout: () => (clock.pending = null),
  };
  clock.now = () => clock.ms;
  clock.run = (ms) => {
    const end = clock.ms + ms;
    while (clock.pending && clock.pending.at <= end) {
      const { fn, at } = clock.pending;
      clock.pending = null;
      clock.ms = at;
      fn();
    }
    clock.ms = end;
  };
  return clock;
}

const RECORDS = [
  { t: 0, data: text({ type: "hello", session: { id: "a" } }) },
  { t: 0, data: frame(1) },
  { t: 100, data: text({ type: "view", state: { cell: "4" } }) },
  { t: 200, data: frame(2) },
  { t: 300, data: text({ type: "hello", session: { id: "b" } }) },
  { t: 400, data: frame(3) },
  { t: 1000, data: frame(4) },
];

/** A source over RECORDS (through the file format) and the messages it plays, as short strings. */
function replay() {
  const clock = manualClock();
  const source = new ReplaySource(decodeRecording(encodeRecording({ page: "/x" }, RECORDS).buffer), clock);
  const heard = [];
  source.on("hello", (m) => heard.push(`hello ${m.session.id}`));
  source.on("view", (m) => heard.push(`view ${m.state.cell}`));
  source.on("frame", (f) => heard.push(`frame ${f.header.seq}`));
  return { source, clock, heard };
}

test("connect plays what was there at time 0; play goes on in time and stops at the end", () => {
  const { source, clock, heard } = replay();
  const statuses = [];
  source.on("status", (s) => statuses.push(s.status));
  source.connect();
  assert.deepEqual(statuses, ["replay"]);
  assert.deepEqual(heard, []);
  clock.run(0);
  assert.deepEqual(heard, ["hello a", "frame 1"]);
  source.play();
  clock.run(250);
  assert.deepEqual(heard, ["hello a", "frame 1", "view 4", "frame 2"]);
  clock.run(2000);
  assert.deepEqual(heard.slice(4), ["hello b", "frame 3", "frame 4"]);
  assert.deepEqual(source.progress, { time: 1000, duration: 1000, speed: 1, playing: false, frames: 4 });
  assert.equal(source.frameCount, 4);
});

test("the speed scales time", () => {
  const { source, clock, heard } = replay();
  source.connect();
  clock.run(0);
  source.setSpeed(4);
  source.play();
  clock.run(130);
  assert.equal(heard.at(-1), "frame 3");
  source.setSpeed(0.25);
  clock.run(400);
  assert.equal(heard.at(-1), "frame 3");
  assert.ok(source.progress.time < 1000);
});

test("seeking forward plays what lies between; back, from the last hello before, after its view", () => {
  const { source, clock, heard } = replay();
  source.connect();
  clock.run(0);
  source.seek(450);
  assert.deepEqual(heard, ["hello a", "frame 1", "view 4", "frame 2", "hello b", "frame 3"]);
  heard.length = 0;
  source.seek(350);
  assert.deepEqual(heard, ["view 4", "hello b"]);
  heard.length = 0;
  source.seek(200);
  assert.deepEqual(heard, ["hello a", "frame 1", "view 4", "frame 2"]);
  assert.equal(source.progress.frames, 2);
});

test("a replay sends nothing: send is false, request is refused with code replay", async () => {
  const { source } = replay();
  assert.equal(source.send({ type: "train" }), false);
  await assert.rejects(source.request({ type: "train" }), { code: "replay" });
});

test("the recorder writes every message with its time and stops at its bound", async () => {
  let ms = 5;
  const recorder = new Recorder({ page: "/lenet" }, { maxBytes: 400, now: () => ms });
  ms = 7.4;
  assert.equal(recorder.add(text({ type: "state", step: 3 })), true);
  ms = 20;
  assert.equal(recorder.add(frame(9)), true);
  assert.equal(recorder.add(new ArrayBuffer(400)), false);
  const { meta, records } = decodeRecording(await recorder.blob().arrayBuffer());
  assert.deepEqual(meta, { page: "/lenet" });
  assert.deepEqual(records.map(({ t, kind }) => [t, kind]), [[2, "text"], [15, "frame"]]);
  assert.deepEqual(new Uint8Array(records[1].data), new Uint8Array(frame(9)));
  assert.ok(recorder.bytes <= 400);
});
