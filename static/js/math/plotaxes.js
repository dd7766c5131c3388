// @ts-check
// Axes of a small plot: the range a set of values needs, a few round tick values, data → pixel maps.

/** [lo, hi] covering every finite value of the arrays (and 0), widened a little; [−1, 1] when empty. */
export function rangeOf(arrays, margin = 0.05) {
  let lo = 0;
  let hi = 0;
  for (const values of arrays) {
    for (const v of values) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (hi - lo < 1e-9) return [lo - 1, hi + 1];
  const pad = (hi - lo) * margin;
  return [lo - pad, hi + pad];
}

/** About `count` round values (1, 2 or 5 × 10^k apart) inside [lo, hi]. */
export function ticks(lo, hi, count = 5) {
  const raw = (hi - lo) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const values = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return values;
}

/** A function mapping [from0, from1] linearly onto [to0, to1]. */
export function linear([from0, from1], [to0, to1]) {
  const scale = (to1 - to0) / (from1 - from0 || 1);
  return (v) => to0 + (v - from0) * scale;
}

/** [lo, hi] of log10 over the positive values of several arrays (a decade below and above). */
export function logRangeOf(arrays) {
  const logs = arrays.flatMap((values) => Array.from(values).filter((v) => v > 0).map(Math.log10));
  if (logs.length === 0) return [-1, 1];
  return [Math.floor(Math.min(...logs)) - 0.5, Math.ceil(Math.max(...logs)) + 0.1];
}
