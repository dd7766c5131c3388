// The /inspect page's sequence layout: a (T, F) activation is drawn with one row per unit.
import assert from "node:assert/strict";
import { test } from "node:test";

import { unitsByTime } from "../../static/js/views/activation.js";

test("a (time, units) block becomes (units, time): row u holds unit u at every step", () => {
  // 3 steps × 2 units: value = 10·t + u
  const values = Float32Array.from([0, 1, 10, 11, 20, 21]);
  assert.deepEqual(Array.from(unitsByTime(values, 3, 2)), [0, 10, 20, 1, 11, 21]);
});
