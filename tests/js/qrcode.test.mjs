// The share panel's QR modules: a square of a QR size, with the three finder patterns in place.
import assert from "node:assert/strict";
import { test } from "node:test";

import { qrModules } from "../../static/js/views/parts/qrcode.js";

test("a viewer link gives a QR code of a standard size with its three finder patterns", () => {
  const modules = qrModules("http://192.168.1.20:8000/conv?session=k3J9x2aQ");
  const count = modules.length;
  assert.equal((count - 17) % 4, 0, "21, 25, 29… modules a side");
  assert.ok(modules.every((row) => row.length === count));
  // A finder pattern: a dark 7×7 ring, a light ring inside it, a dark 3×3 centre.
  const finderAt = (top, left) =>
    Array.from({ length: 7 }, (_, r) => Array.from({ length: 7 }, (_, c) => modules[top + r][left + c]));
  const ring = (r, c) => Math.max(Math.abs(r - 3), Math.abs(c - 3));
  const expected = Array.from({ length: 7 }, (_, r) => Array.from({ length: 7 }, (_, c) => ring(r, c) !== 2));
  for (const [top, left] of [[0, 0], [0, count - 7], [count - 7, 0]]) assert.deepEqual(finderAt(top, left), expected);
});

test("a longer link needs a larger code", () => {
  assert.ok(qrModules(`http://example.org/rnn?session=${"x".repeat(120)}`).length > qrModules("http://a/b").length);
});
