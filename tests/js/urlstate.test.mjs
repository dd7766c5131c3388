// View state in the URL query: parsed back by type, catalog config fields, writing values.
import assert from "node:assert/strict";
import { test } from "node:test";

import { configFromParams, readView, withView } from "../../static/js/session/urlstate.js";

test("query values come back with the type of their defaults", () => {
  const params = new URLSearchParams("cell=4&play=1&unit=out.3&bad=x");
  assert.deepEqual(readView(params, { cell: 0, play: false, unit: "", bad: 2, missing: 7 }), {
    cell: 4,
    play: true,
    unit: "out.3",
    bad: 2,
    missing: 7,
  });
});

test("config fields are read by the catalog's types; unknown choices and non-numbers are dropped", () => {
  const fields = [
    { name: "kernel", type: "int", default: 2 },
    { name: "p", type: "float", default: 0.5 },
    { name: "train", type: "bool", default: true },
    { name: "activation", type: "choice", default: "tanh", choices: ["tanh", "relu"] },
    { name: "stride", type: "int", default: 2 },
  ];
  const params = new URLSearchParams("kernel=3&p=0.25&train=0&activation=gelu&stride=two");
  assert.deepEqual(configFromParams(params, fields), { kernel: 3, p: 0.25, train: false });
});

test("writing sets, encodes booleans and removes null values", () => {
  const url = withView("http://host/pool?session=abc&cell=2", { cell: 5, train: false, session: null, op: "avg" });
  assert.equal(url.search, "?cell=5&train=0&op=avg");
});

test("a list field reads back from comma-separated numbers", () => {
  const fields = [{ name: "sizes", type: "ints", default: [2, 3, 1] }];
  assert.deepEqual(configFromParams(new URLSearchParams("sizes=2,4,4,1"), fields), { sizes: [2, 4, 4, 1] });
  assert.deepEqual(configFromParams(new URLSearchParams("sizes=2,x"), fields), {});
  assert.equal(withView("http://h/p", { sizes: [2, 4, 1] }).search, "?sizes=2%2C4%2C1");
});
