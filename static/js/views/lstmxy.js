// @ts-check
// An x–y chart of a few series over shared x values (uPlot): ‖∂L/∂h_t‖ over t on a log scale,
// accuracy over sequence length T; a legend of translated series names.

import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import { Plot } from "./parts/plot.js";

const AXIS_FONT = "15px system-ui, sans-serif";
const WHOLE_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500]; // x is a step or a length: integer ticks only

/**
 * Mount a chart into `el`.
 * @param {HTMLElement} el
 * @param {{series: {key: string, color: string}[], log?: boolean, range?: [number, number] | null, xKey: string, height?: number}} opts
 *   log: a logarithmic y axis, drawn as log10 of the values on a linear scale with ticks labelled 10^tick
 *   (values ≤ 0 are left out: an underflow has no place on it); xKey: i18n key of the x axis.
 */
export function mount(el, { series, log = false, range = null, xKey, height = 220 }) {
  const items = series.map(({ key, color }) => {
    const swatch = element("span", "curves-swatch");
    swatch.style.background = color;
    const label = element("span");
    setText(label, key);
    return element("li", "", swatch, label);
  });
  const xLabel = element("p", "lstmxy-x");
  setText(xLabel, xKey);
  const plotBox = element("div", "curves-plot");
  const root = element("div", "curves", element("ul", "curves-legend", ...items), plotBox, xLabel);
  el.append(root);
  const axis = { font: AXIS_FONT, stroke: "#222", grid: { stroke: "#ddd" }, ticks: { stroke: "#bbb" } };
  const options = {
    width: plotBox.clientWidth || 300,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: range ? { range } : { auto: true } },
    axes: [{ ...axis, incrs: WHOLE_STEPS }, { ...axis, size: 72, values: (_, ticks) => ticks.map((v) => (log ? powerOfTen(v) : formatValue(v))) }],
    series: [{}, ...series.map(({ color }) => ({ stroke: color, width: 2.5, points: { show: true, size: 5, fill: color } }))],
  };
  /** @type {{xs: number[], columns: (number | null)[][]}} */
  const data = { xs: [], columns: series.map(() => []) };
  const plot = new Plot(options, [[], ...data.columns], plotBox);
  const resize = new ResizeObserver(() => plot.setSize({ width: plotBox.clientWidth, height }));
  resize.observe(plotBox);
  return Object.assign(data, { root, log, plot, resize });
}

/**
 * Set series `series` (its index) to `ys` over `xs`; the x values are the union of all series' (missing = gap).
 * @param {ReturnType<typeof mount>} view
 * @param {{series: number, xs: ArrayLike<number>, ys: ArrayLike<number>}} props
 */
export function update(view, { series, xs, ys }) {
  const byX = view.columns.map((column) => new Map(view.xs.map((x, k) => [x, column[k]])));
  const y = (v) => (!view.log ? v : v > 0 ? Math.log10(v) : null);
  byX[series] = new Map(Array.from(xs, (x, k) => [x, y(ys[k])]));
  view.xs = [...new Set(byX.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  view.columns = byX.map((m) => view.xs.map((x) => m.get(x) ?? null));
  view.plot.setData([view.xs, ...view.columns]);
}

/**
 * Remove the chart.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.resize.disconnect();
  view.plot.destroy();
  view.root.remove();
}

/** A log-scale tick (log10 of the value) as text: whole decades below 0.01 as 1e-5, others as numbers. */
function powerOfTen(v) {
  return Number.isInteger(v) && v < -2 ? `1e${v}` : formatValue(10 ** v);
}
