// @ts-check
// A training page's curves (loss, accuracy…): points from hello's history and from frames wait for
// the next drawing, which adds them all (none is skipped, unlike frames); when the steps start again
// (a reset, a new corpus) the old points go, the run drawn so far staying as each chart's faint ghost.

import * as curvesView from "../views/curves.js";

/** @typedef {{series: number, step: number, value: number}} Point */

/** A chart's train and validation series: Okabe–Ito blue and vermillion, told apart with every common colour-vision deficiency. */
export const TRAIN_VAL_SERIES = [
  { key: "curve.train", color: "#0072B2" },
  { key: "curve.val", color: "#D55E00", sparse: true },
];
/** @typedef {Record<string, Point[]>} PointsByChart points for each chart, by the chart's name */

/**
 * The curves of `charts` ({name: curves view}). `view` replaces views/curves.js (tests).
 * @param {Record<string, any>} charts
 * @param {{view?: {update: (view: any, props: {points: Point[], ghostLabel?: string}) => void, clear: (view: any, keepGhost?: boolean) => void}}} [deps]
 */
export function trainingCurves(charts, { view = curvesView } = {}) {
  const names = Object.keys(charts);
  const none = () => /** @type {PointsByChart} */ (Object.fromEntries(names.map((name) => [name, []])));
  let pending = none();
  let lastStep = 0;
  const curves = {
    /** Keep `points` until the next `draw`. @param {PointsByChart} points */
    add(points) {
      for (const name of names) pending[name].push(...(points[name] ?? []));
    },
    /** Draw the points kept so far. */
    draw() {
      for (const name of names) view.update(charts[name], { points: pending[name] });
      pending = none();
    },
    /**
     * A message at `step`: a step below the last one means the run started again (its curves become
     * the ghost). Returns whether it did.
     * @param {number} step
     */
    noteStep(step) {
      const restarted = step < lastStep;
      if (restarted) curves.restart(step, true);
      lastStep = step;
      return restarted;
    },
    /** Drop every point, drawn or kept (with `keepGhost`, the drawn run stays faint); the run goes on from `step`. */
    restart(step = 0, keepGhost = false) {
      for (const name of names) view.clear(charts[name], keepGhost);
      pending = none();
      lastStep = step;
    },
    /** Call the ghost runs by what changed since (e.g. "optimizer: sgd"). @param {string} label */
    labelGhost(label) {
      for (const name of names) view.update(charts[name], { points: [], ghostLabel: label });
    },
  };
  return curves;
}
