// The playground's candidate feature maps are fetched once per grid size, and a refused fetch is asked
// again later (the next session's hello), its error naming the field as the server did.
import assert from "node:assert/strict";
import { test } from "node:test";

import { planeFeatures } from "../../static/js/net/planefeatures.js";

/** A protocol v2 frame with one float32 tensor `feature` [1, 1, n] and the header's `features`. */
function frameOf(values) {
  const table = [{ name: "feature", dtype: "float32", shape: [1, 1, values.length], offset: 0, nbytes: values.length * 4 }];
  const head = new TextEncoder().encode(JSON.stringify({ type: "feature_maps", features: ["x1"], tensors: table }));
  const base = Math.ceil((4 + head.length) / 8) * 8;
  const buffer = new ArrayBuffer(base + values.length * 4);
  new DataView(buffer).setUint32(0, head.length, true);
  new Uint8Array(buffer, 4).set(head);
  new Float32Array(buffer, base).set(values);
  return buffer;
}

/** Stub the global fetch with `answer(url)`; returns the URLs asked for. */
function stubFetch(answer) {
  const asked = [];
  globalThis.fetch = async (url) => {
    asked.push(url);
    return answer(url);
  };
  return asked;
}

test("one fetch per grid size, decoded", async () => {
  const asked = stubFetch(async () => ({ ok: true, arrayBuffer: async () => frameOf([0.5, -2]) }));
  const [a, b] = await Promise.all([planeFeatures(12), planeFeatures(12)]);
  assert.equal(a, b);
  assert.deepEqual(asked, ["/api/models/mlp/features?grid=12"]);
  assert.deepEqual(a.names, ["x1"]);
  assert.equal(a.grid, 12);
  assert.deepEqual(Array.from(a.maps.data), [0.5, -2]);
});

test("a refusal names the field and is asked again next time", async () => {
  const error = { code: "bad_request", message: "must be at most 64", field: "grid" };
  const asked = stubFetch(async () => ({ ok: false, status: 422, json: async () => ({ error }) }));
  await assert.rejects(planeFeatures(99), { code: "bad_request", field: "grid", status: 422 });
  await assert.rejects(planeFeatures(99), { field: "grid" });
  assert.equal(asked.length, 2);
});

test("a refusal without a JSON body (a proxy's page) still says its status", async () => {
  stubFetch(async () => ({ ok: false, status: 502, statusText: "Bad Gateway", json: async () => JSON.parse("<html>") }));
  await assert.rejects(planeFeatures(30), { message: "Bad Gateway", status: 502 });
});
