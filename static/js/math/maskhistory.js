// @ts-check
// Dropout's masks over time, from the frames as they come (the driver's and every viewer's alike):
// each new mask adds a point — the mean of this mask's output and the running average over every
// mask drawn so far — until the setting (input, p or mode) changes and the record starts again.

/** Whether two array-likes hold the same values. */
function sameValues(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A record of one setting's masks. `note(frame)` takes `{mode, p, input, mask, meanOutput}` (input
 * and mask: the frame's arrays) and returns `{reset, point}`: reset when the setting changed (old
 * points no longer apply), point `{n, value, average}` when the mask is new, else null.
 */
export function createMaskHistory() {
  let setting = null;
  let lastMask = null;
  let count = 0;
  let total = 0;
  return {
    note({ mode, p, input, mask, meanOutput }) {
      const reset = !setting || setting.mode !== mode || setting.p !== p || !sameValues(setting.input, input);
      if (reset) {
        setting = { mode, p, input: Float32Array.from(input) };
        lastMask = null;
        count = 0;
        total = 0;
      }
      if (sameValues(lastMask, mask)) return { reset, point: null };
      lastMask = Uint8Array.from(mask);
      count += 1;
      total += meanOutput;
      return { reset, point: { n: count, value: meanOutput, average: total / count } };
    },
  };
}

/**
 * The ratio y ÷ x over the kept units whose input is not 0, as [smallest, largest], or null if none.
 * @param {ArrayLike<number>} input
 * @param {ArrayLike<number>} output
 * @param {ArrayLike<number>} mask
 * @returns {[number, number] | null}
 */
export function keptRatio(input, output, mask) {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < input.length; i++) {
    if (!mask[i] || input[i] === 0) continue;
    const ratio = output[i] / input[i];
    low = Math.min(low, ratio);
    high = Math.max(high, ratio);
  }
  return low === Infinity ? null : [low, high];
}
