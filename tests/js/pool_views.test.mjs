// What the pooling views print: short cell numbers and the arithmetic line of one output cell.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formula, valueText } from "../../static/js/views/poolcalc.js";
import { cellText } from "../../static/js/views/valuegrid.js";

test("cells hold at most about five characters, and never show 0 for a non-zero value", () => {
  assert.deepEqual([0, 0.0625, -0.25, 12.345, -999.6, 1].map(cellText), ["0", "0.06", "-0.25", "12.3", "-1000", "1"]);
  assert.equal(cellText(0.0034), "≈0");
  assert.equal(cellText(-1.6e-17), "≈0");
});

test("max pooling reads max(…) with −∞ for padding", () => {
  const terms = [-Infinity, 0.5, 0.25, 1].map(valueText);
  assert.equal(formula("max", { terms, area: "4", sum: "", result: "1" }), "max(−∞, 0.5, 0.25, 1) = 1");
});

test("average pooling shows the sum, the area and the server's mean", () => {
  const line = formula("avg", { terms: ["0", "0.5", "0.25", "1"], area: "4", sum: "1.75", result: "0.438" });
  assert.equal(line, "(0 + 0.5 + 0.25 + 1) / 4 = 1.75 / 4 = 0.438");
});

test("long windows are cut after nine terms", () => {
  const terms = Array.from({ length: 49 }, (_, i) => String(i));
  const line = formula("max", { terms, area: "49", sum: "", result: "48" });
  assert.equal(line, "max(0, 1, 2, 3, 4, 5, 6, 7, …) = 48");
});
