// What the pooling views print: short cell numbers and the arithmetic line of one output cell.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formula, shareLine } from "../../static/js/views/poolcalc.js";
import { cellText } from "../../static/js/views/valuegrid.js";

test("cells hold at most about five characters, and never show 0 for a non-zero value", () => {
  assert.deepEqual([0, 0.0625, -0.25, 12.345, -999.6, 1].map(cellText), ["0", "0.06", "-0.25", "12.3", "-1000", "1"]);
  assert.equal(cellText(0.0034), "≈0");
  assert.equal(cellText(-1.6e-17), "≈0");
});

test("max pooling reads max(…) with −∞ for padding", () => {
  assert.equal(formula("max", { values: [-Infinity, 0.5, 0.25, 1], area: 4, result: 1 }), "max(−∞, 0.5, 0.25, 1) = 1");
});

test("average pooling prints the terms, the sum and the mean as the grid prints them", () => {
  const line = formula("avg", { values: [0, 0.5, 0.25, 1], area: 4, result: 0.4375 });
  assert.equal(line, "(0 + 0.5 + 0.25 + 1) / 4 = 1.75 / 4 = 0.44");
});

test("a step that rounding makes disagree reads ≈, not =", () => {
  // 0.004 + 0.004 + 0.004 shows as ≈0 + ≈0 + ≈0 but sums to 0.012 (0.01): the first step is ≈.
  assert.equal(formula("avg", { values: [0.004, 0.004, 0.004, 0], area: 4, result: 0.003 }), "(≈0 + ≈0 + ≈0 + 0) / 4 ≈ 0.01 / 4 = ≈0");
  // 1.114 + 1.114 shows as 1.11 + 1.11 = 2.22, the sum 2.228 shows as 2.23.
  assert.equal(formula("avg", { values: [1.114, 1.114, 0, 0], area: 4, result: 0.557 }), "(1.11 + 1.11 + 0 + 0) / 4 ≈ 2.23 / 4 = 0.56");
  assert.equal(shareLine(1, 4), "1 / 4 = 0.25");
  assert.equal(shareLine(1, 9), "1 / 9 = 0.11");
});

test("long windows are cut after nine terms", () => {
  const values = Array.from({ length: 49 }, (_, i) => i);
  const line = formula("max", { values, area: 49, result: 48 });
  assert.equal(line, "max(0, 1, 2, 3, 4, 5, 6, 7, …) = 48");
});
