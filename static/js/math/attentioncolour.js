// @ts-check
// How /transformer paints attention weights, so that quiet heads can be seen: the weights as they are
// on 0–1, each head on its own scale (0 to its largest weight), or their square root on 0–1 (weights
// near 0 brighter; the legend's ends still read 0 and 1 since √0 = 0 and √1 = 1).

/** @typedef {import('./colormap.js').Scale} Scale */

export const COLOURS = ["absolute", "head", "sqrt"];
/** @type {Scale} */
export const WEIGHT_SCALE = { kind: "sequential", min: 0, max: 1 }; // each query's weights sum to 1

/**
 * The values to paint and each head's scale.
 * @param {string} colour one of COLOURS
 * @param {Float32Array} weights [layers, heads, T, T], flat
 * @param {number} block T·T, one head's weights
 * @returns {{values: Float32Array, scales: Scale[]}}
 */
export function colouring(colour, weights, block) {
  const heads = weights.length / block;
  const same = () => Array.from({ length: heads }, () => WEIGHT_SCALE);
  if (colour === "sqrt") return { values: weights.map(Math.sqrt), scales: same() };
  if (colour !== "head") return { values: weights, scales: same() };
  const scales = Array.from({ length: heads }, (_, i) => {
    let max = 0;
    for (let j = i * block; j < (i + 1) * block; j++) max = Math.max(max, weights[j]);
    return /** @type {Scale} */ ({ kind: "sequential", min: 0, max: max || 1 });
  });
  return { values: weights, scales };
}
