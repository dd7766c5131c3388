// @ts-check
// The vendored uPlot with the type of what the views use of it (the library ships its types in
// TypeScript, which the pages do not load).

import uPlot from "../../../vendor/uplot/uPlot.esm.js";

/**
 * A uPlot chart: data is [xs, ...series], each an array (null: a gap).
 * @typedef {{
 *   setData(data: (number | null)[][]): void,
 *   setSize(size: {width: number, height: number}): void,
 *   destroy(): void,
 * }} Chart
 */

/** @type {new (options: object, data: (number | null)[][], target: HTMLElement) => Chart} */
export const Plot = /** @type {any} */ (uPlot);
