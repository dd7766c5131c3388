// @ts-check
// nn.RNN's step as arithmetic on the server's numbers: which slice of a frame tensor is h_t of a layer,
// direction and sequence, what h_(t−1) is (zeros at the start; the reverse direction runs from the
// last step back), and one step's terms W_ih x_t, b_ih, W_hh h_(t−1), b_hh, their sum and activation.
//
// Layouts (docs/protocol.md): h.l{l} and x.l{l} are time-major [T, B, ·]; a bidirectional layer's h
// holds the forward H units, then the reverse H; weights are named as in nn.RNN's state_dict.

/**
 * One step's vector: `tensor` [T, B, W] at (t, b), units [start, start + size).
 * @param {import('../net/codec.js').Tensor} tensor
 * @param {number} t
 * @param {number} b
 * @param {number} [start]
 * @param {number} [size]
 * @returns {number[]}
 */
export function slice(tensor, t, b, start = 0, size = tensor.shape[2] - start) {
  const [, batch, width] = tensor.shape;
  const at = (t * batch + b) * width + start;
  return Array.from(tensor.data.subarray(at, at + size));
}

/**
 * The step whose h a direction reads before step t (t − 1 forward, t + 1 reverse), or null at its start.
 * @param {number} t
 * @param {number} steps
 * @param {boolean} reverse
 * @returns {number | null}
 */
export function previousStep(t, steps, reverse) {
  const prev = reverse ? t + 1 : t - 1;
  return prev < 0 || prev >= steps ? null : prev;
}

/**
 * The parameter name of nn.RNN: `weight_ih_l0`, `bias_hh_l1_reverse`…
 * @param {string} kind
 * @param {number} layer
 * @param {boolean} reverse
 * @returns {string}
 */
export function paramName(kind, layer, reverse) {
  return `${kind}_l${layer}${reverse ? "_reverse" : ""}`;
}

/** h_t of a cell {layer, t, b, d} from a frame's tensors (H = hidden size). */
export function hiddenAt(tensors, { layer, t, b, d }, hidden) {
  return slice(tensors[`h.l${layer}`], t, b, d * hidden, hidden);
}

/**
 * Matrix [rows, cols] (row-major) × vector → vector, summed in float64.
 * @param {import('../net/codec.js').Tensor} matrix
 * @param {ArrayLike<number>} vector
 * @returns {number[]}
 */
export function matVec(matrix, vector) {
  const [rows, cols] = matrix.shape;
  return Array.from({ length: rows }, (_, r) => {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += matrix.data[r * cols + c] * vector[c];
    return sum;
  });
}

const ACTIVATIONS = { tanh: Math.tanh, relu: (v) => Math.max(0, v) };

/**
 * Every term of h_t = act(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh) for a cell, from the frame's numbers,
 * with the server's h_t and the largest |computed − server|.
 */
export function stepTerms(tensors, cell, { hidden, nonlinearity }) {
  const { layer, t, b, d } = cell;
  const reverse = d === 1;
  const x = slice(tensors[`x.l${layer}`], t, b);
  const prev = previousStep(t, tensors[`h.l${layer}`].shape[0], reverse);
  const hPrev = prev === null ? new Array(hidden).fill(0) : hiddenAt(tensors, { ...cell, t: prev }, hidden);
  const weightIh = tensors[paramName("weight_ih", layer, reverse)];
  const weightHh = tensors[paramName("weight_hh", layer, reverse)];
  const zeros = new Array(hidden).fill(0);
  const biasIh = tensors[paramName("bias_ih", layer, reverse)];
  const biasHh = tensors[paramName("bias_hh", layer, reverse)];
  const bih = biasIh ? Array.from(biasIh.data) : zeros;
  const bhh = biasHh ? Array.from(biasHh.data) : zeros;
  const wx = matVec(weightIh, x);
  const wh = matVec(weightHh, hPrev);
  const sum = wx.map((v, k) => v + bih[k] + wh[k] + bhh[k]);
  const h = sum.map(ACTIVATIONS[nonlinearity]);
  const server = hiddenAt(tensors, cell, hidden);
  const gap = Math.max(0, ...h.map((v, k) => Math.abs(v - server[k])));
  return { x, prev, hPrev, weightIh, weightHh, bias: Boolean(biasIh), bih, bhh, wx, wh, sum, h, server, gap };
}
