// The char-RNN sample as the page reads it from a frame: characters by code point, the top-k
// next characters through the vocabulary, a hidden unit's row of the [units, L] strip.
import assert from "node:assert/strict";
import { test } from "node:test";

import { charLabel, clampIndex, readSample, topAt, unitRow } from "../../static/js/math/charrnnsample.js";

const tensor = (data, shape) => ({ data, shape });

// Three generated characters ("a", "中", newline) over a vocabulary of five, k = 2, two units.
const FRAME = {
  header: { sample: { kind: "sample", prompt: "\n", temperature: 0.8, text: "a中\n", vocab: "\n ab中" } },
  tensors: {
    top5_p: tensor(Float32Array.of(0.6, 0.3, 0.5, 0.2, 0.9, 0.05), [3, 2]),
    top5_i: tensor(Int32Array.of(2, 3, 1, 4, 0, 2), [3, 2]),
    p_chosen: tensor(Float32Array.of(0.6, 0.2, 0.9), [3]),
    hidden: tensor(Float32Array.of(0.1, 0.2, 0.3, -0.1, -0.2, -0.3), [2, 3]),
  },
};

test("a frame without a sample reads as null", () => {
  assert.equal(readSample({ header: { sample: null }, tensors: {} }), null);
});

test("characters are code points and the sizes come from the tensors", () => {
  const sample = readSample(FRAME);
  assert.deepEqual(sample.chars, ["a", "中", "\n"]);
  assert.equal(sample.length, 3);
  assert.equal(sample.units, 2);
  assert.equal(sample.k, 2);
});

test("the top characters at a position go through the vocabulary, the drawn one marked", () => {
  const sample = readSample(FRAME);
  assert.deepEqual(topAt(sample, 0), [
    { char: "a", p: Float32Array.of(0.6)[0], drawn: true },
    { char: "b", p: Float32Array.of(0.3)[0], drawn: false },
  ]);
  assert.deepEqual(
    topAt(sample, 1).map(({ char, drawn }) => [char, drawn]),
    [
      [" ", false],
      ["中", true],
    ],
  );
});

test("a unit's row is its slice of the strip", () => {
  assert.deepEqual(Array.from(unitRow(readSample(FRAME), 1)), Array.from(Float32Array.of(-0.1, -0.2, -0.3)));
});

test("whitespace gets a visible sign and moves stay in range", () => {
  assert.equal(charLabel("\n"), "↵");
  assert.equal(charLabel(" "), "␣");
  assert.equal(charLabel("x"), "x");
  assert.equal(clampIndex(0, -1, 5), 0);
  assert.equal(clampIndex(4, 1, 5), 4);
  assert.equal(clampIndex(2, 1, 5), 3);
});
