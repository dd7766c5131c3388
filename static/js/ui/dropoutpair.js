// @ts-check
// /dropout's experiment: a side session of `dropout_pair` (its id in the URL as `pair`) trains one
// small MLP twice from the same weights on the same few digits, without and with dropout. Its frames
// carry both runs' training and validation loss and accuracy; two charts draw the four curves each,
// and a line of text names what they show once the run without dropout overfits.

import { startSideSession } from "../session/sidesession.js";
import { formatValue } from "../math/numbers.js";
import * as curvesView from "../views/curves.js";
import { bindTrainingControls } from "./controls.js";
import { newestFrameDrawer } from "./framedraw.js";
import { setText } from "./i18n.js";
import { trainingCurves } from "./trainingcurves.js";

const MODEL = "dropout_pair";
const RUNS = ["plain", "dropout"];
// Okabe–Ito: orange and vermillion without dropout, sky blue and blue with it (training, validation).
// Each point is an exact evaluation on its whole split, not a noisy running mean: none is smoothed.
const SERIES = [
  { key: "dropout.pair_plain_train", color: "#E69F00", sparse: true },
  { key: "dropout.pair_plain_val", color: "#D55E00", sparse: true },
  { key: "dropout.pair_dropout_train", color: "#56B4E9", sparse: true },
  { key: "dropout.pair_dropout_val", color: "#0072B2", sparse: true },
];
// The validation loss without dropout has turned up once it is this far above its lowest so far.
const TURNED_UP = 0.02;

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * The four points of a frame for the chart of `metric` ("loss" or "acc"), in SERIES' order.
 * @param {any} header @param {string} metric
 */
export function pairPoints(header, metric) {
  return RUNS.flatMap((run, r) =>
    ["train", "val"].map((split, s) => ({ series: 2 * r + s, step: header.step, value: header[run][`${split}_${metric}`] })),
  );
}

/**
 * What the page says about the runs so far: each run's validation loss now, and whether the run
 * without dropout has turned up from its lowest validation loss (overfitting).
 * @param {{lowest: number}} seen @param {any} header
 */
function verdict(seen, header) {
  const plain = header.plain.val_loss;
  seen.lowest = Math.min(seen.lowest, plain);
  const values = { step: header.step, plain: formatValue(plain), dropout: formatValue(header.dropout.val_loss), lowest: formatValue(seen.lowest) };
  setText(byId("pair-now"), "dropout.pair_now", values);
  const overfits = plain > seen.lowest + TURNED_UP && header.plain.train_loss < plain;
  setText(byId("pair-verdict"), overfits ? "dropout.pair_overfits" : "dropout.pair_waiting", values);
  byId("pair-verdict").classList.toggle("overfits", overfits);
  return overfits;
}

/**
 * Open the pair and bind its card (`live`: the page's live session, for its notice and URL; `debug`:
 * window.nnlive, which gets `pair` = {frames, lastFrame, points, overfits, charts}). Resolves with the side
 * session (null in a replay or when it could not open).
 * @param {any} live @param {{controls: object[]}} catalog @param {Record<string, any>} debug
 */
export async function startDropoutPair(live, catalog, debug) {
  /** @type {any} */
  let side = null;
  const act = (/** @type {object} */ message) => side?.act(message) ?? Promise.reject(new Error("no session"));
  const controls = bindTrainingControls(/** @type {HTMLFormElement} */ (byId("pair-controls")), act);
  controls.applyFields(catalog.controls);
  controls.setEnabled(false);
  const charts = {
    loss: curvesView.mount(byId("pair-loss"), { series: SERIES }),
    acc: curvesView.mount(byId("pair-acc"), { series: SERIES, range: [0, 1], tools: false }), // nothing to smooth
  };
  const curves = trainingCurves(charts);
  const state = { pair: { frames: 0, lastFrame: null, points: /** @type {any[]} */ ([]), overfits: false, charts }, seen: { lowest: Infinity } };
  debug.pair = state.pair;
  const draw = newestFrameDrawer(({ header }) => {
    curves.draw();
    state.pair.overfits = verdict(state.seen, header);
  }, state.pair);

  /** @param {any} frame */
  function onFrame(frame) {
    const { header } = frame;
    if (curves.noteStep(header.step) || header.step === 0) state.seen.lowest = Infinity;
    const points = { loss: pairPoints(header, "loss"), acc: pairPoints(header, "acc") };
    state.pair.points.push({ step: header.step, ...points });
    curves.add(points);
    draw(frame);
  }

  if (live.replaying) return null;
  side = await startSideSession(MODEL, "pair", {
    onHello: (info) => {
      controls.showState(info);
      curves.restart(info.step);
      state.seen.lowest = Infinity;
    },
    onFrame,
    onError: (error) => live.notice.error(error),
    onAccess: (driving) => controls.setEnabled(driving),
    writeView: (values) => live.writeView(values),
    create: Boolean(live.session.token), // a viewer attaches to the presenter's (onView)
  }).catch((error) => live.notice.error(error));
  side?.on("state", (/** @type {any} */ message) => controls.showState(message));
  return side ?? null;
}
