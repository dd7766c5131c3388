// Layer headings: shape and output-size formula from the session's layer descriptions.
import assert from "node:assert/strict";
import { test } from "node:test";

import { layerFormula, layerNote, layerShapeLabel, outputSize } from "../../static/js/math/layers.js";

const conv = { name: "c1", kind: "conv", in: [1, 32, 32], out: [6, 28, 28], kernel: 5, stride: 1, padding: 0 };
const pool = { name: "s2", kind: "pool", op: "avg", in: [6, 28, 28], out: [6, 14, 14], kernel: 2, stride: 2, padding: 0 };
const flatConv = { name: "c5", kind: "conv", in: [16, 5, 5], out: [120], kernel: 5, stride: 1, padding: 0 };
const linear = { name: "f6", kind: "linear", in: [120], out: [84] };

test("output size is floor((n - f + 2p)/s) + 1", () => {
  assert.equal(outputSize(32, 5, 1, 0), 28);
  assert.equal(outputSize(28, 2, 2, 0), 14);
  assert.equal(outputSize(7, 3, 2, 1), 4);
});

/** The heading a panel shows: shape, then "= formula" for conv and pool layers. */
function heading(layer) {
  const formula = layerFormula(layer);
  return formula ? `${layerShapeLabel(layer)} = ${formula}` : layerShapeLabel(layer);
}

test("headings carry shape and the formula with the layer's numbers", () => {
  assert.equal(heading(conv), "C1 6@28×28 = ⌊(32 − 5 + 2·0)/1⌋ + 1");
  assert.equal(heading(pool), "S2 6@14×14 = ⌊(28 − 2 + 2·0)/2⌋ + 1");
  assert.equal(heading(flatConv), "C5 120@1×1 = ⌊(5 − 5 + 2·0)/1⌋ + 1");
  assert.equal(heading(linear), "F6 84");
});

test("notes name the layer kind with its numbers", () => {
  assert.deepEqual(layerNote(conv), { key: "layer.conv", params: { k: 5, s: 1 } });
  assert.deepEqual(layerNote(pool), { key: "layer.pool_avg", params: { k: 2, s: 2 } });
  assert.deepEqual(layerNote(linear), { key: "layer.linear", params: { inputs: 120, outputs: 84 } });
});
