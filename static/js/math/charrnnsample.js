// @ts-check
// A char-RNN sample read from a frame (docs/protocol.md, "charrnn"): its characters, what the model
// gave each position (top-5 next characters, the drawn character's probability) and the hidden state
// of the top layer after reading it. Pure data, no DOM: the views draw it.

// Characters that would vanish on screen, shown by a visible sign.
const SIGNS = { "\n": "↵", " ": "␣", "\t": "⇥", "\r": "␍" };

/**
 * A character as it is shown in a list: whitespace as a sign.
 * @param {string} c
 * @returns {string}
 */
export function charLabel(c) {
  return SIGNS[c] ?? c;
}

/**
 * The sample in a frame, or null when the frame carries none.
 * @returns {{kind: string, prompt: string, temperature: number, chars: string[], vocab: string[],
 *   length: number, units: number, k: number, topP: Float32Array, topI: Int32Array, chosen: Float32Array,
 *   hidden: Float32Array}|null}
 */
export function readSample({ header, tensors }) {
  const sample = header.sample;
  if (!sample || !tensors.hidden) return null;
  const [units, length] = tensors.hidden.shape;
  return {
    kind: sample.kind,
    prompt: sample.prompt,
    temperature: sample.temperature,
    chars: Array.from(sample.text), // code points, as Python counts them
    vocab: Array.from(sample.vocab),
    length,
    units,
    k: tensors.top5_p.shape[1],
    topP: tensors.top5_p.data,
    topI: tensors.top5_i.data,
    chosen: tensors.p_chosen.data,
    hidden: tensors.hidden.data,
  };
}

/**
 * The k most likely next characters at position `t`: [{char, p, drawn}] (drawn: the one sampled).
 * @param {NonNullable<ReturnType<typeof readSample>>} sample
 * @param {number} t
 * @returns {{char: string, p: number, drawn: boolean}[]}
 */
export function topAt(sample, t) {
  return Array.from({ length: sample.k }, (_, j) => {
    const char = sample.vocab[sample.topI[t * sample.k + j]];
    return { char, p: sample.topP[t * sample.k + j], drawn: char === sample.chars[t] };
  });
}

/**
 * One hidden unit's values over the positions (a row of the [units, L] strip, no copy).
 * @param {NonNullable<ReturnType<typeof readSample>>} sample
 * @param {number} unit
 * @returns {Float32Array}
 */
export function unitRow(sample, unit) {
  return sample.hidden.subarray(unit * sample.length, (unit + 1) * sample.length);
}

/**
 * A position or unit moved by `delta`, kept within [0, count).
 * @param {number} index
 * @param {number} delta
 * @param {number} count
 * @returns {number}
 */
export function clampIndex(index, delta, count) {
  return Math.min(Math.max(index + delta, 0), Math.max(count - 1, 0));
}
