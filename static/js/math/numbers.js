// @ts-check
// How numbers read on screen: short, with their magnitude visible.

/**
 * A value with three significant digits, exponent form beyond ±1e4 or below 1e-3.
 * @param {number} value
 * @returns {string}
 */
export function formatValue(value) {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

/**
 * A probability in [0, 1] as a percentage with one decimal.
 * @param {number} p
 * @returns {string}
 */
export function formatPercent(p) {
  return `${(p * 100).toFixed(1)}%`;
}

/**
 * A value rounded to `digits` decimals, trailing zeros dropped: "0.5", "-1.25", "3".
 * @param {number} value
 * @param {number} [digits]
 * @returns {string}
 */
export function formatFixed(value, digits = 3) {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(digits)) || 0);
}

/**
 * A setting (a learning rate, a decay) as one would type it: "0.0005", not "5.00e-4"; float noise
 * beyond six significant digits dropped.
 * @param {number} value
 * @returns {string}
 */
export function formatSetting(value) {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}
