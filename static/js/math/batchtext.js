// @ts-check
// A mini-batch as text, one sample a line: the inputs, a semicolon, the targets ("0.5 -1 ; 1").

/**
 * Parse `text` for a network with `inputs` inputs and `outputs` outputs.
 * @returns {{input: number[][], target: number[][]} | {error: {line: number, expected: number, side: string}}}
 */
export function parseBatch(text, inputs, outputs) {
  const input = [];
  const target = [];
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  for (const [index, line] of lines.entries()) {
    const [left, right = "", extra] = line.split(";");
    const x = numbers(left);
    const y = numbers(right);
    if (extra !== undefined || x?.length !== inputs) return { error: { line: index + 1, expected: inputs, side: "input" } };
    if (y?.length !== outputs) return { error: { line: index + 1, expected: outputs, side: "target" } };
    input.push(x);
    target.push(y);
  }
  if (input.length === 0) return { error: { line: 1, expected: inputs, side: "input" } };
  return { input, target };
}

/** Numbers separated by spaces or commas; null when one is not a finite number. */
function numbers(text) {
  const items = text.split(/[\s,]+/).filter(Boolean).map(Number);
  return items.every(Number.isFinite) ? items : null;
}

/** The text of a batch: rows of input [N, I] and target [N, O] tensors ({data, shape}). */
export function formatBatch(input, target) {
  const rows = input.shape[0];
  const row = (tensor, n) => Array.from(tensor.data.slice(n * tensor.shape[1], (n + 1) * tensor.shape[1]), (v) => Number(v.toPrecision(4))).join(" ");
  return Array.from({ length: rows }, (_, n) => `${row(input, n)} ; ${row(target, n)}`).join("\n");
}

/** XOR's four samples, for a network with two inputs and one output (else null). */
export function xorBatch(inputs, outputs) {
  if (inputs !== 2 || outputs !== 1) return null;
  return { input: [[0, 0], [0, 1], [1, 0], [1, 1]], target: [[0], [1], [1], [0]] };
}
