// @ts-check
// Loss-curve points of a training page (series 0: train, 1: validation), from frames and from hello's
// history, as views/curves.js takes them.

/**
 * Curve points in a frame header: train loss at its step, the latest validation at its own.
 * @param {{step: number, train?: {loss: number}, val?: {step: number, loss: number}}} header
 * @returns {import('../views/curves.js').Point[]}
 */
export function framePoints(header) {
  const points = [];
  if (header.train) points.push({ series: 0, step: header.step, value: header.train.loss });
  if (header.val) points.push({ series: 1, step: header.val.step, value: header.val.loss });
  return points;
}

/**
 * Curve points in hello's history.
 * @param {{train?: {step: number[], loss: number[]}, val?: {step: number[], loss: number[]}} | undefined} history
 * @returns {import('../views/curves.js').Point[]}
 */
export function historyPoints(history) {
  const points = [];
  ["train", "val"].forEach((split, series) => {
    const run = history?.[split];
    run?.step.forEach((step, i) => points.push({ series, step, value: run.loss[i] }));
  });
  return points;
}
