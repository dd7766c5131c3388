// @ts-check
// The output-size formula of a convolution written out with the user's numbers, one axis at a time:
//   ⌊(n − f + 2p)/s⌋ + 1 = ⌊(7 − 3 + 2·1)/2⌋ + 1 = ⌊6/2⌋ + 1 = 3 + 1 = 4
// With dilation d > 1 the kernel's span f′ = d·(f − 1) + 1 takes the place of f.

import { kernelSpan } from "./convgeometry.js";

/**
 * "f′ = d·(f − 1) + 1 = 2·(3 − 1) + 1 = 5", or null when d = 1 (the span is f itself).
 * @param {number} f
 * @param {number} d
 * @returns {string | null}
 */
export function spanFormula(f, d) {
  if (d === 1) return null;
  return `f′ = d·(f − 1) + 1 = ${d}·(${f} − 1) + 1 = ${kernelSpan(f, d)}`;
}

/**
 * One axis of the output size for input size n, kernel f, padding p, stride s, dilation d:
 * `{text, size, spare}` where text is the formula in symbols then numbers, size the result and
 * spare `{text, count}`: (n − f + 2p) mod s, the padded rows/columns the kernel never reaches.
 * @param {{n: number, f: number, p: number, s: number, d: number}} axis
 */
export function sideFormula({ n, f, p, s, d }) {
  const span = kernelSpan(f, d);
  const k = d === 1 ? "f" : "f′";
  const inner = n - span + 2 * p;
  const quotient = Math.floor(inner / s);
  const numbers = `⌊(${n} − ${span} + 2·${p})/${s}⌋ + 1`;
  const text = `⌊(n − ${k} + 2p)/s⌋ + 1 = ${numbers} = ⌊${inner}/${s}⌋ + 1 = ${quotient} + 1 = ${quotient + 1}`;
  const count = inner - quotient * s;
  return { text, size: quotient + 1, spare: { text: `${inner} mod ${s} = ${count}`, count } };
}
