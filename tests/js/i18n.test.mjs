// The translation layer's pure parts: language choice from the browser, placeholders, fallbacks.
import assert from "node:assert/strict";
import { test } from "node:test";

import { format, pickLanguage, t } from "../../static/js/ui/i18n.js";

test("the browser's first supported language wins; any Chinese is zh-CN; else English", () => {
  assert.equal(pickLanguage(["fr-FR", "zh-TW", "en"]), "zh-CN");
  assert.equal(pickLanguage(["zh"]), "zh-CN");
  assert.equal(pickLanguage(["en-GB", "zh-CN"]), "en");
  assert.equal(pickLanguage(["de", "fr"]), "en");
  assert.equal(pickLanguage(undefined), "en");
});

test("placeholders are filled by name; unknown ones stay (as in app/i18n.py)", () => {
  assert.equal(format("Step {n} of {total}", { n: 3 }), "Step 3 of {total}");
  assert.equal(format("{n} watching", { n: 0 }), "0 watching");
});

test("a key with no catalog loaded reads as itself", () => {
  assert.equal(t("no.such.key"), "no.such.key");
});
