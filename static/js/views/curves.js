// @ts-check
// Curves: one uPlot line chart of a few series over optimizer steps (train loss + val loss, …),
// with a legend (translated labels, latest values) of its own.

import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import { Plot } from "./parts/plot.js";

// Past this many steps, every other point is dropped (sparse series keep all theirs).
const MAX_POINTS = 4000;
const AXIS_FONT = "15px system-ui, sans-serif";

/** @typedef {{series: number, step: number, value: number | null}} Point a value of series `series` (its index) at `step` */

/**
 * Mount a chart into `el`.
 * @param {HTMLElement} el
 * @param {{series: {key?: string, label?: string, color: string, sparse?: boolean}[], range?: [number, number] | null, height?: number}} opts
 *   key: i18n key of the series' label (or label: its text as is, e.g. a name the user chose);
 *   sparse: few points, drawn as dots too (validation).
 */
export function mount(el, { series, range = null, height = 220 }) {
  const latest = series.map(() => element("span", "curves-value"));
  const items = series.map(({ key, label: text, color }, i) => {
    const swatch = element("span", "curves-swatch");
    swatch.style.background = color;
    const label = element("span");
    if (key) setText(label, key);
    else label.textContent = text;
    return element("li", "", swatch, label, latest[i]);
  });
  const plotBox = element("div", "curves-plot");
  const root = element("div", "curves", element("ul", "curves-legend", ...items), plotBox);
  el.append(root);

  /** @type {{steps: number[], columns: (number | null)[][]}} */
  const data = { steps: [], columns: series.map(() => []) };
  const plot = new Plot(chartOptions(series, range, plotBox.clientWidth || 300, height), chartData(data), plotBox);
  const resize = new ResizeObserver(() => plot.setSize({ width: plotBox.clientWidth, height }));
  resize.observe(plotBox);
  return Object.assign(data, { root, series, latest, plot, resize });
}

/**
 * Add `points`; a point at a step already present replaces its value.
 * @param {ReturnType<typeof mount>} view
 * @param {{points: Point[]}} props
 */
export function update(view, { points }) {
  if (points.length === 0) return;
  for (const { series, step, value } of points) setPoint(view, series, step, value);
  if (view.steps.length > MAX_POINTS) thin(view);
  view.plot.setData(chartData(view));
  view.columns.forEach((column, i) => {
    const last = column.findLast((v) => v !== null);
    view.latest[i].textContent = last === undefined ? "" : formatValue(last);
  });
}

/** Drop every point (a reset). */
export function clear(view) {
  view.steps = [];
  view.columns = view.series.map(() => []);
  view.latest.forEach((value) => (value.textContent = ""));
  view.plot.setData(chartData(view));
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

function chartData(view) {
  return [view.steps, ...view.columns];
}

// The x axis counts steps (or masks): whole numbers only, so no 0.2-step ticks while there are few points.
const STEP_INCREMENTS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6].map((p) => m * p)).sort((a, b) => a - b);

function chartOptions(series, range, width, height) {
  const axis = { font: AXIS_FONT, stroke: "#222", grid: { stroke: "#ddd" }, ticks: { stroke: "#bbb" } };
  return {
    width,
    height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y: range ? { range } : { auto: true } },
    axes: [{ ...axis, incrs: STEP_INCREMENTS }, { ...axis, size: 64, values: (_, ticks) => ticks.map(formatValue) }],
    series: [
      {},
      ...series.map(({ color, sparse = false }) => ({
        stroke: color,
        width: 2.5,
        spanGaps: true,
        points: { show: sparse, size: 7, fill: color },
      })),
    ],
  };
}

/** Set one series' value at `step`, inserting the step (in order) when new. */
function setPoint(view, series, step, value) {
  const { steps, columns } = view;
  let i = steps.length;
  while (i > 0 && steps[i - 1] > step) i--;
  if (steps[i - 1] === step) {
    columns[series][i - 1] = value;
    return;
  }
  steps.splice(i, 0, step);
  columns.forEach((column, k) => column.splice(i, 0, k === series ? value : null));
}

/** Halve the points: keep even rows, the last one, and every row of a sparse series. */
function thin(view) {
  const sparse = view.series.map((s) => Boolean(s.sparse));
  const keep = view.steps.map(
    (_, i) => i % 2 === 0 || i === view.steps.length - 1 || view.columns.some((c, k) => sparse[k] && c[i] !== null),
  );
  view.steps = view.steps.filter((_, i) => keep[i]);
  view.columns = view.columns.map((column) => column.filter((_, i) => keep[i]));
}
