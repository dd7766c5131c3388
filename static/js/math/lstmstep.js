// @ts-check
// The selected step and unit's numbers, read from a frame's [T, H] / [T, 4H] tensors. The shared
// source of the cell diagram and the formulas: every value is one the server computed.

const GATE_ORDER = ["i", "f", "g", "o"]; // PyTorch's order of the gates in weight_ih_l0 and pre

/**
 * Values of unit `unit` at step `step`: the gates, c and h now and one step before (0 before the
 * first step, as nn.LSTM starts), and per gate the terms of its pre-activation (`pre.x`, `pre.h`,
 * `bias`, `pre`).
 * @param {Object<string, ArrayLike<number>>} tensors
 * @param {number} hidden
 * @param {number} step
 * @param {number} unit
 */
export function stepValues(tensors, hidden, step, unit) {
  const at = (name, s = step) => (s < 0 ? 0 : tensors[name][s * hidden + unit]);
  const terms = Object.fromEntries(
    GATE_ORDER.map((gate, k) => {
      const column = k * hidden + unit;
      const pre = (name) => tensors[name][step * 4 * hidden + column];
      return [gate, { x: pre("pre.x"), h: pre("pre.h"), bias: tensors.bias[column], z: pre("pre") }];
    }),
  );
  return {
    f: at("f"),
    i: at("i"),
    g: at("g"),
    o: at("o"),
    c: at("c"),
    tanhC: at("tanh_c"),
    h: at("h"),
    cPrev: at("c", step - 1),
    hPrev: at("h", step - 1),
    terms,
  };
}
