// Settings read as typed; measured values keep their magnitude visible.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSetting, formatValue } from "../../static/js/math/numbers.js";

test("a learning rate reads as it was typed", () => {
  assert.equal(formatSetting(0.0005), "0.0005");
  assert.equal(formatSetting(0.001), "0.001");
  assert.equal(formatSetting(0.1 + 0.2), "0.3");
  assert.equal(formatSetting(1e-8), "1e-8");
});

test("a measured value below 1e-3 keeps the exponent form", () => {
  assert.equal(formatValue(0.0005), "5.00e-4");
});
