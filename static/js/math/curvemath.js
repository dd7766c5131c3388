// @ts-check
// The numbers behind a training chart as TensorBoard draws it: the debiased exponential moving average
// (smoothing), the ticks of a log-scale y axis, a previous run's points on the current run's steps, and
// what changed between two runs' settings.

/**
 * Smooth `values` with weight `weight` (0: as is, towards 1: smoother): an exponential moving average
 * started at 0 and divided by 1 − weightⁿ after n values, so the first values are not pulled towards 0.
 * A missing (null) or non-finite value stays as it is and does not move the average.
 * @param {(number | null)[]} values
 * @param {number} weight
 * @returns {(number | null)[]}
 */
export function smoothEma(values, weight) {
  let average = 0;
  let count = 0;
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return v;
    average = average * weight + (1 - weight) * v;
    count += 1;
    return weight === 1 ? v : average / (1 - weight ** count);
  });
}

/**
 * Ticks of a log10 axis from `min` to `max` (both > 0): the powers of ten, and 2× and 5× them when the
 * axis spans two decades or less; the two ends when no such number falls between them.
 * @param {number} min
 * @param {number} max
 * @returns {number[]}
 */
export function logTicks(min, max) {
  const low = Math.floor(Math.log10(min));
  const high = Math.ceil(Math.log10(max));
  const mantissas = high - low <= 2 ? [1, 2, 5] : [1];
  const ticks = [];
  for (let exponent = low; exponent <= high; exponent++) {
    for (const m of mantissas) {
      const tick = Number((m * 10 ** exponent).toPrecision(12));
      if (tick >= min * (1 - 1e-9) && tick <= max * (1 + 1e-9)) ticks.push(tick);
    }
  }
  return ticks.length ? ticks : [min, max];
}

/** A value a log axis can show: positive and finite, else null (a gap). @param {number | null} v */
export const logSafe = (v) => (v !== null && v > 0 && Number.isFinite(v) ? v : null);

/**
 * The sorted union of two runs' steps, and each run's columns on it (null where a run has no point).
 * @param {{steps: number[], columns: (number | null)[][]}} a
 * @param {{steps: number[], columns: (number | null)[][]}} b
 */
export function alignRuns(a, b) {
  const steps = [...new Set([...a.steps, ...b.steps])].sort((x, y) => x - y);
  const on = (run) => {
    const row = new Map(run.steps.map((step, i) => [step, i]));
    return run.columns.map((column) => steps.map((step) => (row.has(step) ? column[/** @type {number} */ (row.get(step))] : null)));
  };
  return { steps, a: on(a), b: on(b) };
}

/**
 * The settings of `previous` that differ from `current`, as "name: value" (keys of either, in order).
 * @param {Record<string, unknown>} previous
 * @param {Record<string, unknown>} current
 * @returns {string[]}
 */
export function changedSettings(previous, current) {
  const keys = [...new Set([...Object.keys(previous), ...Object.keys(current)])];
  return keys.filter((key) => JSON.stringify(previous[key]) !== JSON.stringify(current[key])).map((key) => `${key}: ${previous[key] ?? "–"}`);
}

/**
 * Whether a train/validation pair of curves shows overfitting: the mean of the last `last` validation
 * losses is more than `rise` (relative) above the lowest one, which came earlier, while the training loss
 * is still below where it was then.
 * @param {number[]} steps
 * @param {(number | null)[]} train
 * @param {(number | null)[]} val
 * @param {{rise?: number, last?: number}} [options]
 */
export function overfitting(steps, train, val, { rise = 0.02, last = 3 } = {}) {
  const points = (column) => steps.flatMap((step, i) => (column[i] !== null && Number.isFinite(column[i]) ? [[step, /** @type {number} */ (column[i])]] : []));
  const mean = (pairs) => pairs.reduce((sum, [, value]) => sum + value, 0) / pairs.length;
  const held = points(val);
  const trained = points(train);
  if (held.length < last + 2 || trained.length < 2 * last) return false;
  let best = 0;
  held.forEach(([, value], i) => value < held[best][1] && (best = i));
  if (best >= held.length - last || mean(held.slice(-last)) <= held[best][1] * (1 + rise)) return false;
  const then = trained.filter(([step]) => step <= held[best][0]).slice(-last);
  return then.length > 0 && mean(trained.slice(-last)) < mean(then);
}
