// @ts-check
// LeNet's classifier head as arithmetic on the frame's numbers (docs/protocol.md, the `head`
// control): one fully connected unit as Σ W[j, k]·x[k] + b[j] and its activation, softmax as
// exp, sum and divide, and how closely such a recomputation can match the server's own value
// given the precision the frame's tensors travelled in.

// Unit roundoff of the frame's dtypes: half the distance from 1 to the next number.
const ROUNDOFF = { float32: 2 ** -24, float16: 2 ** -11 };
// The absolute rounding of the smallest numbers: the spacing of subnormals (a float16 probability of
// 1e-7 travels as a multiple of 2⁻²⁴ ≈ 6e-8, or as 0), which no relative bound covers.
const SUBNORMAL = { float32: 2 ** -149, float16: 2 ** -24 };

/** The activations LeNet's config may name (app/engine/models/lenet.py), applied to one number. */
export const ACTIVATIONS = {
  tanh: Math.tanh,
  relu: (z) => Math.max(0, z),
  sigmoid: (z) => 1 / (1 + Math.exp(-z)),
};

/**
 * Unit j of a fully connected layer: `weight` [rows, cols] (flat, row-major), `x` [cols], `bias`
 * [rows]. Returns `{products, sum, bias, z, size}` — products[k] = W[j, k]·x[k], their sum, b[j],
 * z = sum + b[j] (double precision), and Σ|products| + |b| (the scale of its rounding error).
 * @param {ArrayLike<number>} weight
 * @param {ArrayLike<number>} x
 * @param {ArrayLike<number>} bias
 * @param {number} j
 */
export function unitSum(weight, x, bias, j) {
  const cols = x.length;
  const products = new Float64Array(cols);
  let sum = 0;
  let size = Math.abs(bias[j]);
  for (let k = 0; k < cols; k++) {
    products[k] = weight[j * cols + k] * x[k];
    sum += products[k];
    size += Math.abs(products[k]);
  }
  return { products, sum, bias: bias[j], z: sum + bias[j], size };
}

/**
 * Indices of the `count` products largest in magnitude, largest first.
 * @param {Float64Array | number[]} products
 * @param {number} count
 * @returns {number[]}
 */
export function largestTerms(products, count) {
  return Array.from(products.keys())
    .sort((a, b) => Math.abs(products[b]) - Math.abs(products[a]))
    .slice(0, count);
}

/**
 * Softmax written out: `{exps, sum, probs}` with exps[i] = e^{z_i}, sum = Σ exps, probs[i] = exps[i] / sum.
 * @param {ArrayLike<number>} logits
 */
export function softmaxSteps(logits) {
  const exps = Array.from(logits, Math.exp);
  const sum = exps.reduce((total, e) => total + e, 0);
  return { exps, sum, probs: exps.map((e) => e / sum) };
}

/**
 * Whether `computed` (from the frame's numbers) matches the server's `value`: within the rounding
 * of `dtype` for a result whose terms add up to `size` in magnitude (both sides were rounded).
 * @param {number} computed
 * @param {number} value
 * @param {string} dtype
 * @param {number} size
 * @returns {boolean}
 */
export function agrees(computed, value, dtype, size) {
  const u = ROUNDOFF[dtype] ?? ROUNDOFF.float16;
  const floor = SUBNORMAL[dtype] ?? SUBNORMAL.float16;
  return Math.abs(computed - value) <= u * (2 * size + Math.abs(value)) + floor + 1e-12;
}

/**
 * Cross-entropy at the head's end for `probs` (softmax of the logits) and the `target` class:
 * `{loss: −log p[target], grad: ∂L/∂z = p − onehot(target)}`.
 * @param {ArrayLike<number>} probs
 * @param {number} target
 */
export function crossEntropySteps(probs, target) {
  return { loss: -Math.log(probs[target]), grad: Array.from(probs, (p, i) => p - (i === target ? 1 : 0)) };
}
