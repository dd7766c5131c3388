// Colour maps: the scale rule, zero at the diverging map's white centre, viridis' real ends.
import assert from "node:assert/strict";
import { test } from "node:test";

import { colorOf, inkOn, paintValues, scaleFor } from "../../static/js/math/colormap.js";

test("non-negative data gets viridis over [0, max]", () => {
  assert.deepEqual(scaleFor(Float32Array.of(0, 0.5, 2)), { kind: "sequential", min: 0, max: 2 });
});

test("any negative value, or signed data, gets the diverging map over ±max|v|", () => {
  assert.deepEqual(scaleFor([0.5, -3, 1]), { kind: "diverging", min: -3, max: 3 });
  assert.deepEqual(scaleFor([0.5, 2], { signed: true }), { kind: "diverging", min: -2, max: 2 });
});

test("viridis runs from matplotlib's first to last colour", () => {
  const scale = scaleFor([0, 1]);
  assert.deepEqual(colorOf(0, scale), [68, 1, 84]);
  assert.deepEqual(colorOf(1, scale), [253, 231, 37]);
  assert.deepEqual(colorOf(5, scale), [253, 231, 37], "clamped");
});

test("diverging: blue negative, white-ish zero, red positive", () => {
  const scale = scaleFor([-1, 1]);
  assert.deepEqual(colorOf(0, scale), [247, 247, 247]);
  const [nr, , nb] = colorOf(-1, scale);
  const [pr, , pb] = colorOf(1, scale);
  assert.ok(nb > nr, "negative is blue");
  assert.ok(pr > pb, "positive is red");
});

test("all-zero data paints the scale's bottom without dividing by zero", () => {
  const scale = scaleFor([0, 0]);
  assert.deepEqual(colorOf(0, scale), [68, 1, 84]);
});

test("paintValues writes opaque RGBA pixels from an offset", () => {
  const scale = scaleFor([0, 1]);
  const rgba = new Uint8ClampedArray(8);
  paintValues([9, 0, 1], 1, 2, scale, rgba);
  assert.deepEqual(Array.from(rgba), [68, 1, 84, 255, 253, 231, 37, 255]);
});

test("paintValues writes from pixel `at`, leaving the pixels before it", () => {
  const scale = scaleFor([0, 1]);
  const rgba = new Uint8ClampedArray(12);
  paintValues([0, 1], 0, 2, scale, rgba, 1);
  assert.deepEqual(Array.from(rgba), [0, 0, 0, 0, 68, 1, 84, 255, 253, 231, 37, 255]);
});

test("ink is black on light colours and white on dark ones", () => {
  assert.equal(inkOn([253, 231, 37]), "#000");
  assert.equal(inkOn([247, 247, 247]), "#000");
  assert.equal(inkOn([68, 1, 84]), "#fff");
  assert.equal(inkOn([5, 48, 97]), "#fff");
});
