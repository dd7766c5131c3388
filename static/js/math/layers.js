// @ts-check
// Layer labels from the session's `layers` (docs/protocol.md, session info): the shape and the
// output-size formula ⌊(n − f + 2p)/s⌋ + 1 with the layer's own numbers.

/**
 * Output size of a convolution or pooling along one axis.
 * @param {number} n
 * @param {number} kernel
 * @param {number} stride
 * @param {number} padding
 * @returns {number}
 */
export function outputSize(n, kernel, stride, padding) {
  return Math.floor((n - kernel + 2 * padding) / stride) + 1;
}

/**
 * A layer of the session's `layers`: its name, kind (conv, pool, linear…), input and output shapes
 * and, for conv and pool, the kernel, stride and padding (and a pool's op: max or avg).
 * @typedef {{name: string, kind: string, in: number[], out: number[], kernel?: number, stride?: number, padding?: number, op?: string}} Layer
 */

/**
 * "C1 6@28×28" for maps, "F6 84" for vectors; `out` is the layer's output shape.
 * @param {Layer} layer
 * @returns {string}
 */
export function layerShapeLabel(layer) {
  const name = layer.name.toUpperCase();
  const [channels, ...spatial] = layer.out;
  if (layer.kind === "linear") return `${name} ${channels}`;
  const [height, width] = spatial.length === 2 ? spatial : spatialOut(layer);
  return `${name} ${channels}@${height}×${width}`;
}

/**
 * "⌊(32 − 5 + 2·0)/1⌋ + 1" for a conv or pool layer, null for a linear one.
 * @param {Layer} layer
 * @returns {string | null}
 */
export function layerFormula(layer) {
  if (layer.kind === "linear") return null;
  const n = layer.in[1];
  return `⌊(${n} − ${layer.kernel} + 2·${layer.padding})/${layer.stride}⌋ + 1`;
}

/**
 * The i18n key and params that say what kind of layer it is ("convolution 5×5, stride 1").
 * @param {Layer} layer
 */
export function layerNote(layer) {
  if (layer.kind === "conv") return { key: "layer.conv", params: { k: layer.kernel, s: layer.stride } };
  if (layer.kind === "pool") return { key: `layer.pool_${layer.op}`, params: { k: layer.kernel, s: layer.stride } };
  return { key: "layer.linear", params: { inputs: layer.in.reduce((n, d) => n * d, 1), outputs: layer.out[0] } };
}

/** Spatial output of a conv/pool whose `out` was flattened (LeNet's C5: 120@1×1). */
function spatialOut(layer) {
  const [, height, width] = layer.in;
  return [height, width].map((n) => outputSize(n, layer.kernel, layer.stride, layer.padding));
}
