// @ts-check
// The loss lab's mini-batch as the protocol sends it (`input` [N] or [N, C], `target` [N] or [N, D]),
// read back from a frame and edited: one value changed, a sample added or removed, a lesson's preset.

const rowsOf = (tensor, width) => Array.from({ length: tensor.shape[0] }, (_, i) => Array.from(tensor.data.slice(i * width, (i + 1) * width)));

/** The frame's batch as nested lists; class targets as whole numbers. */
export function batchOf(frame, classes) {
  const { input, target } = frame.tensors;
  const flat = input.shape.length === 1;
  const width = flat ? 1 : input.shape[1];
  const inputs = flat ? Array.from(input.data) : rowsOf(input, width);
  const targets = classes ? Array.from(target.data, Math.round) : flat ? Array.from(target.data) : rowsOf(target, width);
  return { input: inputs, target: targets };
}

/** The batch with input value `index` (flat, row-major) set to `value`. */
export function withInput(batch, index, value) {
  const input = structuredClone(batch.input);
  if (Array.isArray(input[0])) input[Math.floor(index / input[0].length)][index % input[0].length] = value;
  else input[index] = value;
  return { ...batch, input };
}

/** The batch with its last sample repeated (at most `limit` samples). */
export function withSampleAdded(batch, limit) {
  if (batch.input.length >= limit) return batch;
  return { input: [...batch.input, structuredClone(batch.input.at(-1))], target: [...batch.target, structuredClone(batch.target.at(-1))] };
}

/** The batch without its last sample (one is kept). */
export function withSampleRemoved(batch) {
  if (batch.input.length < 2) return batch;
  return { input: batch.input.slice(0, -1), target: batch.target.slice(0, -1) };
}

/** The first value of the batch set to `value` and its target to `target` (an outlier, an overflow…). */
export function withFirst(batch, value, target) {
  const next = withInput(batch, 0, value);
  const targets = structuredClone(next.target);
  if (Array.isArray(targets[0])) targets[0][0] = target;
  else targets[0] = target;
  return { ...next, target: targets };
}
