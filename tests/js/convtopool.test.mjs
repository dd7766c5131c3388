// /conv's ReLU map handed to /pool: the /pool address that fits it, what sessionStorage keeps, and
// when /pool's input is that map.
import assert from "node:assert/strict";
import { test } from "node:test";

import { backAddress, fitsPool, holdsMap, poolAddress, storeMap, storedMap } from "../../static/js/ui/convtopool.js";

const ORIGIN = "http://host:8000";
const FIELDS = [
  { name: "height", default: 6, max: 32 },
  { name: "width", default: 6, max: 32 },
  { name: "channels", default: 1, max: 4 },
  { name: "kernel", default: 2, max: 7 },
  { name: "stride", default: 2, max: 7 },
];

/** A sessionStorage stand-in. */
function memoryStorage() {
  const items = new Map();
  return { getItem: (key) => items.get(key) ?? null, setItem: (key, value) => items.set(key, String(value)) };
}

test("a map fits /pool up to its largest channels, height and width", () => {
  assert.equal(fitsPool([4, 32, 32], FIELDS), true);
  assert.equal(fitsPool([4, 33, 32], FIELDS), false);
  assert.equal(fitsPool([1, 32, 38], FIELDS), false);
  assert.equal(fitsPool([5, 2, 2], FIELDS), false);
  assert.equal(fitsPool([4, 38, 38], []), true, "without the catalog the server decides");
});

test("the /pool address carries the map's shape and the marker; a small map gets a window that fits", () => {
  assert.equal(poolAddress([2, 7, 5], FIELDS, ORIGIN).href, `${ORIGIN}/pool?from=conv&channels=2&height=7&width=5`);
  assert.equal(poolAddress([1, 1, 9], FIELDS, ORIGIN).search, "?from=conv&channels=1&height=1&width=9&kernel=1&stride=1");
  assert.equal(poolAddress([1, 1, 9], [], ORIGIN).search, "?from=conv&channels=1&height=1&width=9");
});

test("the kept map comes back as stored: plain numbers, shape, source", () => {
  const storage = memoryStorage();
  assert.equal(storedMap(storage), null);
  const data = Float32Array.from([0, 0.1, 2.5, 1e7]);
  storeMap(storage, { shape: [1, 2, 2], data }, { kernel: 3, href: `${ORIGIN}/conv?session=abc` });
  const map = storedMap(storage);
  assert.deepEqual(map.shape, [1, 2, 2]);
  assert.deepEqual(map.data, Array.from(data));
  assert.equal(map.source.kernel, 3);
  assert.equal(holdsMap({ shape: [1, 2, 2], data }, map), true, "float32 values survive JSON exactly");
  assert.equal(holdsMap({ shape: [1, 2, 2], data: Float32Array.from([0, 0.1, 2.5, 0]) }, map), false);
  assert.equal(holdsMap({ shape: [1, 4, 1], data }, map), false);
});

test("a kept map that does not hold together is no map", () => {
  for (const text of ["not json", "null", '{"shape": [1, 2, 2], "data": [1, 2, 3], "source": {}}', '{"shape": [1, 1, 1], "data": [null], "source": {}}', '{"shape": [1, 1, 1], "data": [1]}']) {
    const storage = memoryStorage();
    storage.setItem("nnlive.conv_to_pool", text);
    assert.equal(storedMap(storage), null, text);
  }
});

test("the way back is the stored /conv address, and never another page or site", () => {
  const back = (href) => backAddress({ source: { href } }, ORIGIN);
  assert.equal(back(`${ORIGIN}/conv?session=abc&kernel=3`), `${ORIGIN}/conv?session=abc&kernel=3`);
  assert.equal(back("https://elsewhere.example/conv"), `${ORIGIN}/conv`);
  assert.equal(back(`${ORIGIN}/lenet`), `${ORIGIN}/conv`);
  assert.equal(back("javascript:alert(1)"), `${ORIGIN}/conv`);
  assert.equal(back(undefined), `${ORIGIN}/conv`);
});
