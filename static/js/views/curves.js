// @ts-check
// Curves: one uPlot line chart of a few series over optimizer steps (train loss + val loss, …) as
// TensorBoard draws them: a smoothing slider (the raw curve faint behind the smoothed one), a log-y
// toggle, the previous run as a faint dashed ghost, and the axes before the first point. A legend
// (translated labels, latest values) of its own. Points are kept at once; the chart is redrawn at most
// twice a second, whatever the frame rate, outside the frame's own work but painted with a frame.

import { rideNextFrame } from "../ui/framedraw.js";
import { setText } from "../ui/i18n.js";
import { alignRuns, logSafe, logTicks, smoothEma } from "../math/curvemath.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";
import { Plot } from "./parts/plot.js";

// Past this many steps, every other point is dropped (sparse series keep all theirs).
const MAX_POINTS = 4000;
const AXIS_FONT = "15px system-ui, sans-serif";
const REDRAW_MS = 500; // at most two redraws a second
const SMOOTHING = 0.6; // TensorBoard's default weight
const EMPTY_STEPS = [0, 100]; // the x axis before the first point

/** @typedef {{series: number, step: number, value: number | null}} Point a value of series `series` (its index) at `step` */
/** @typedef {{key?: string, label?: string, color: string, sparse?: boolean}} Series */
/** @typedef {{steps: number[], columns: (number | null)[][]}} Run */

/**
 * Mount a chart into `el`.
 * @param {HTMLElement} el
 * @param {{series: Series[], range?: [number, number] | null, height?: number, tools?: boolean, yKey?: string, xKey?: string}} opts
 *   key: i18n key of the series' label (or label: its text as is, e.g. a name the user chose);
 *   sparse: few points, drawn as dots too and never smoothed (validation); tools: the smoothing slider
 *   and (without a fixed range) the log-y toggle; yKey and xKey: i18n keys of what the axes measure
 *   (x: the optimizer step unless told).
 */
export function mount(el, { series, range = null, height = 220, tools = true, yKey, xKey = "curve.x_step" }) {
  const latest = series.map(() => element("span", "curves-value"));
  const items = series.map(({ key, label: text, color }, i) => {
    const label = element("span");
    if (key) setText(label, key);
    else label.textContent = text ?? "";
    return element("li", "", swatch(color), label, latest[i]);
  });
  const ghostLabel = element("span", "curves-ghost-label");
  const ghostItem = element("li", "curves-ghost", swatch("#888", true), ghostLabel);
  ghostItem.hidden = true;
  const plotBox = element("div", "curves-plot");
  const toolbar = element("div", "curves-tools");
  const root = element("div", "curves", element("ul", "curves-legend", ...items, ghostItem), toolbar);
  if (yKey) root.append(axisCaption("curves-axis-y", yKey));
  root.append(plotBox, axisCaption("curves-axis-x", xKey));
  el.append(root);

  const view = {
    root,
    series,
    range,
    height,
    latest,
    plotBox,
    ghostItem,
    ghostLabel,
    /** @type {number[]} */ steps: [],
    /** @type {(number | null)[][]} */ columns: series.map(() => []),
    /** @type {(Run & {label: string}) | null} */ ghost: null,
    smoothing: tools ? SMOOTHING : 0,
    log: false,
    /** @type {ReturnType<typeof setTimeout> | null} */ timer: null,
    /** @type {(() => void) | null} */ cancelRide: null,
    drawnAt: -Infinity,
    /** @type {string[]} */ shown: [],
    /** @type {string | null} */ ghostText: null,
    /** @type {import("./parts/plot.js").Chart} */ plot: /** @type {any} */ (null),
    /** @type {ResizeObserver} */ resize: /** @type {any} */ (null),
  };
  if (tools) toolbar.append(...toolControls(view));
  view.plot = newPlot(view);
  view.resize = new ResizeObserver(() => view.plot.setSize({ width: plotBox.clientWidth, height }));
  view.resize.observe(plotBox);
  return view;
}

/**
 * Add `points`; a point at a step already present replaces its value. `ghostLabel`: what the faint
 * previous run is called (what changed since), when the page knows.
 * @param {ReturnType<typeof mount>} view
 * @param {{points: Point[], ghostLabel?: string}} props
 */
export function update(view, { points, ghostLabel }) {
  if (ghostLabel !== undefined && view.ghost && view.ghost.label !== ghostLabel) {
    view.ghost.label = ghostLabel;
    schedule(view);
  }
  if (points.length === 0) return;
  for (const { series, step, value } of points) setPoint(view, series, step, value);
  if (view.steps.length > MAX_POINTS) thin(view);
  schedule(view);
}

/**
 * Drop every point (a reset); with `keepGhost`, the run drawn so far stays as the faint previous run
 * (replacing the one before; a run without points leaves the ghost as it is).
 * @param {ReturnType<typeof mount>} view
 * @param {boolean} [keepGhost]
 */
export function clear(view, keepGhost = false) {
  if (keepGhost && view.steps.length) {
    view.ghost = { steps: view.steps, columns: view.columns, label: "" };
    view.ghostText = null;
  }
  view.steps = [];
  view.columns = view.series.map(() => []);
  schedule(view);
}

/**
 * Remove the chart.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  if (view.timer !== null) clearTimeout(view.timer);
  view.cancelRide?.();
  view.resize.disconnect();
  view.plot.destroy();
  view.root.remove();
}

/** A legend's line sample; dashed for the previous run. @param {string} color @param {boolean} [dashed] */
function swatch(color, dashed = false) {
  const sample = element("span", dashed ? "curves-swatch curves-swatch-ghost" : "curves-swatch");
  sample.style.background = color;
  return sample;
}

/** The smoothing slider and, for a chart without a fixed range, the log-y toggle. */
function toolControls(view) {
  const slider = /** @type {HTMLInputElement} */ (element("input", "curves-smoothing"));
  Object.assign(slider, { type: "range", min: "0", max: "0.99", step: "0.01", value: String(view.smoothing) });
  const shown = element("output", "curves-smoothing-value");
  shown.textContent = view.smoothing.toFixed(2);
  slider.addEventListener("input", () => {
    view.smoothing = Number(slider.value);
    shown.textContent = view.smoothing.toFixed(2);
    schedule(view);
  });
  const smoothing = element("label", "", labelText("curve.smoothing"), slider, shown);
  if (view.range) return [smoothing];
  const box = /** @type {HTMLInputElement} */ (element("input", "curves-log"));
  box.type = "checkbox";
  box.addEventListener("change", () => {
    view.log = box.checked;
    view.plot.destroy();
    view.plot = newPlot(view);
  });
  return [element("label", "", box, labelText("curve.log_y")), smoothing];
}

/** @param {string} key */
function labelText(key) {
  const span = element("span");
  setText(span, key);
  return span;
}

/**
 * Redraw soon: with the next frame the page draws (rideNextFrame: painted with it, not in a rendering
 * update of its own) once REDRAW_MS have passed since the last redraw, at once after a quiet spell.
 */
function schedule(view) {
  if (view.timer !== null || view.cancelRide !== null) return;
  const wait = Math.max(0, view.drawnAt + REDRAW_MS - performance.now());
  view.timer = setTimeout(() => {
    view.timer = null;
    view.cancelRide = rideNextFrame(() => {
      view.cancelRide = null;
      redraw(view);
    });
  }, wait);
}

function redraw(view) {
  view.drawnAt = performance.now();
  view.plot.setData(chartData(view));
  const texts = view.columns.map((column) => {
    const last = column.findLast((v) => v !== null);
    return last === undefined ? "" : formatValue(last);
  });
  texts.forEach((text, i) => text !== view.shown[i] && (view.latest[i].textContent = text)); // text only when it changes
  view.shown = texts;
  const ghostShown = view.ghost !== null;
  if (view.ghostItem.hidden === ghostShown) view.ghostItem.hidden = !ghostShown;
  if (view.ghost && view.ghost.label !== view.ghostText) {
    view.ghostText = view.ghost.label;
    setText(view.ghostLabel, view.ghost.label ? "curve.previous_run_changed" : "curve.previous_run", { changed: view.ghost.label });
  }
}

/** uPlot's data: the steps, then each series' ghost, raw and smoothed values (see seriesOptions). */
function chartData(view) {
  const current = { steps: view.steps, columns: view.columns };
  const ghost = view.ghost ?? { steps: [], columns: view.series.map(() => []) };
  const { steps, a, b } = alignRuns(current, ghost);
  const sparse = view.series.map((s) => Boolean(s.sparse));
  const smooth = (column, i) => (sparse[i] ? column : smoothEma(column, view.smoothing));
  const columns = [...b.map(smooth), ...a, ...a.map((column, i) => (sparse[i] ? column.map(() => null) : smooth(column, i)))];
  if (steps.length === 0) return [EMPTY_STEPS, ...columns.map(() => [null, null])]; // the axes before the first point
  return [steps, ...(view.log ? columns.map((column) => column.map(logSafe)) : columns)];
}

// The x axis counts steps (or masks): whole numbers only, so no 0.2-step ticks while there are few points.
const STEP_INCREMENTS = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6].map((p) => m * p)).sort((a, b) => a - b);
const PlotStatics = /** @type {any} */ (Plot);

function newPlot(view) {
  const width = view.plotBox.clientWidth || 300;
  const plot = new Plot(chartOptions(view, width), chartData(view), view.plotBox);
  view.drawnAt = performance.now();
  return plot;
}

function chartOptions(view, width) {
  const axis = { font: AXIS_FONT, stroke: "#222", grid: { stroke: "#ddd" }, ticks: { stroke: "#bbb" } };
  const known = (min, max) => Number.isFinite(min) && Number.isFinite(max) && min !== null && max !== null;
  const y = view.log
    ? { distr: 3, log: 10, range: (_, min, max) => (known(min, max) ? PlotStatics.rangeLog(min, max, 10, true) : [0.1, 10]) }
    : { range: view.range ?? ((_, min, max) => (known(min, max) ? PlotStatics.rangeNum(min, max, 0.1, true) : [0, 1])) };
  const splits = view.log ? { splits: (_, __, min, max) => logTicks(min, max) } : {};
  const yAxis = { ...axis, ...splits, size: 64, values: (_, ticks) => ticks.map(formatValue) };
  return {
    width,
    height: view.height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false }, y },
    axes: [{ ...axis, incrs: STEP_INCREMENTS }, yAxis],
    series: [{}, ...seriesOptions(view.series)],
  };
}

/** Each series three times: its ghost (faint, dashed), its raw values (faint unless sparse), smoothed. */
function seriesOptions(series) {
  const line = (color, width, sparse, dash) => ({ stroke: color, width, dash, spanGaps: true, points: { show: sparse, size: 6, fill: color } });
  return [
    ...series.map(({ color, sparse = false }) => line(faint(color, "66"), 1.5, sparse, [6, 4])),
    ...series.map(({ color, sparse = false }) => (sparse ? line(color, 2.5, true) : line(faint(color, "55"), 1))),
    ...series.map(({ color }) => line(color, 2.5, false)),
  ];
}

/** A translated caption naming what an axis measures. @param {string} className @param {string} key */
function axisCaption(className, key) {
  const caption = element("div", `curves-axis ${className}`);
  setText(caption, key);
  return caption;
}

/** `color` (#rrggbb) with alpha `alpha` (two hex digits). @param {string} color @param {string} alpha */
const faint = (color, alpha) => (/^#[0-9a-f]{6}$/i.test(color) ? color + alpha : color);

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
