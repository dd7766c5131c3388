// Every module in static/js/views/ is a view with the one contract: mount(el, opts) → view,
// update(view, props) with one props object, destroy(view). Shared pieces live in views/parts/.

import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { test } from "node:test";

const VIEWS = new URL("../../static/js/views/", import.meta.url);
const modules = readdirSync(VIEWS).filter((name) => name.endsWith(".js"));

test("static/js/views/ holds the views", () => {
  assert.ok(modules.length >= 30, `only ${modules.length} modules`);
});

for (const name of modules) {
  test(`${name} keeps the view contract`, async () => {
    const view = await import(new URL(name, VIEWS));
    for (const fn of ["mount", "update", "destroy"]) assert.equal(typeof view[fn], "function", `${name} lacks ${fn}`);
    // opts may have a default (or be absent for a view with no options): then length counts el only.
    assert.ok([1, 2].includes(view.mount.length), `${name}: mount(el, opts)`);
    assert.equal(view.update.length, 2, `${name}: update(view, props)`);
    assert.equal(view.destroy.length, 1, `${name}: destroy(view)`);
  });
}
