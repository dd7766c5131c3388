// The attention page (/attention): a `seq2seq` session learning to write dates in ISO form, character
// by character, beside its twin without attention (the same model and batches; the server trains
// both). While it trains: the attention matrix of one example (output × input characters), its
// context vectors, loss and held-out exact-match curves for both, and exact match by input length.
// The user types a date (a `text` message) or takes the next held-out one (`sample`).
// For tests, window.nnlive holds the last drawn frame, the session and the charts.

import { bindConfigForm, catalogEntry } from "../ui/configform.js";
import { bindKeys, bindTrainingControls, showRunState } from "../ui/controls.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { errorKey } from "../ui/status.js";
import { tensorValues } from "../net/codec.js";
import { formatPercent, formatValue } from "../math/numbers.js";
import { configFromParams, readView } from "../session/urlstate.js";
import { scaleFor } from "../math/colormap.js";
import * as curves from "../views/curves.js";
import * as heat from "../views/labelledheat.js";
import * as legend from "../views/legend.js";
import * as xy from "../views/lstmxy.js";

const MODEL = "seq2seq";
// Okabe–Ito blue (with attention) and vermillion (without), lighter shades for training.
const COLORS = { main: "#0072B2", mainTrain: "#56B4E9", plain: "#D55E00", plainTrain: "#E69F00" };
const WEIGHT_SCALE = { kind: "sequential", min: 0, max: 1 }; // attention weights are probabilities
const VIEW = { row: 0 }; // the view state in the URL: the picked output step
const byId = (id) => document.getElementById(id);
const shown = (ch) => (ch === " " ? "␣" : ch);

/** Curve points in a frame header: loss (train, val) and held-out exact match, for both models. */
function framePoints(header) {
  const loss = [];
  const accuracy = [];
  const runs = [
    [header, 0, 1, 0],
    [header.baseline ?? {}, 2, 3, 1],
  ];
  for (const [run, train, val, acc] of runs) {
    if (run.train) loss.push({ series: train, step: header.step, value: run.train.loss });
    if (run.val) {
      const step = run.val.step ?? header.val?.step ?? header.step;
      loss.push({ series: val, step, value: run.val.loss });
      accuracy.push({ series: acc, step, value: run.val.acc });
    }
  }
  return { loss, accuracy };
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const view = readView(params, VIEW);
  const catalog = await catalogEntry(MODEL);
  const page = { driving: false, lastStep: 0, example: 0, row: view.row, frame: null };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, state: null, charts: null };
  window.nnlive = debug;
  let live = null;
  const quiet = (promise) => promise.catch(() => {});
  const act = (message) => quiet(live.act(message));

  const charts = {
    loss: curves.mount(byId("loss-chart"), {
      series: [
        { key: "attention.curve_train", color: COLORS.mainTrain },
        { key: "attention.curve_val", color: COLORS.main, sparse: true },
        { key: "attention.curve_plain_train", color: COLORS.plainTrain },
        { key: "attention.curve_plain_val", color: COLORS.plain, sparse: true },
      ],
    }),
    accuracy: curves.mount(byId("accuracy-chart"), {
      series: [
        { key: "attention.this_model", color: COLORS.main, sparse: true },
        { key: "attention.twin", color: COLORS.plain, sparse: true },
      ],
      range: [0, 1],
    }),
    length: xy.mount(byId("length-chart"), {
      series: [
        { key: "attention.this_model", color: COLORS.main },
        { key: "attention.twin", color: COLORS.plain },
      ],
      range: [0, 1],
      xKey: "attention.length_x",
    }),
  };
  debug.charts = charts;

  const matrix = heat.mount(byId("matrix-view"), {
    describe: (row, column) => {
      const { header, tensors } = page.frame;
      const weights = tensorValues(tensors.attention);
      const columns = tensors.attention.shape[1];
      return t("attention.matrix_readout", { out: header.prediction[row], t: row, in: shown(header.input[column]), j: column, w: formatValue(weights[row * columns + column]) });
    },
    onPick: (row) => pickRow(row),
  });
  const context = heat.mount(byId("context-view"), {
    describe: (row, unit) => {
      const { header, tensors } = page.frame;
      const values = tensorValues(tensors.context);
      return t("attention.context_readout", { out: header.prediction[row], t: row, k: unit, v: formatValue(values[row * tensors.context.shape[1] + unit]) });
    },
    onPick: (row) => pickRow(row),
  });
  const keys = { matrix: legend.mount(byId("matrix-key")), context: legend.mount(byId("context-key")) };
  legend.update(keys.matrix, { scale: WEIGHT_SCALE });

  function pickRow(row) {
    page.row = row;
    live?.writeView({ row });
    draw();
  }

  /** The example's translation, its attention matrix and context vectors, exact match by length. */
  function draw() {
    const frame = page.frame;
    if (!frame) return;
    const { header, tensors } = frame;
    const rowLabels = [...header.prediction];
    const row = Math.min(page.row, rowLabels.length - 1);
    showIso(byId("prediction"), header.prediction, header.target);
    showIso(byId("target"), header.target ?? "–", null);
    showIso(byId("baseline-prediction"), header.baseline?.prediction ?? "–", header.target);
    for (const id of ["baseline-label", "baseline-prediction"]) byId(id).hidden = !header.baseline;
    byId("matrix-none").hidden = Boolean(tensors.attention);
    matrix.root.hidden = !tensors.attention;
    keys.matrix.root.hidden = !tensors.attention;
    if (tensors.attention) {
      const [rows, columns] = tensors.attention.shape;
      const columnLabels = [...header.input].map(shown);
      heat.update(matrix, { values: tensorValues(tensors.attention), rows, columns, rowLabels, columnLabels, scale: WEIGHT_SCALE, picked: row });
    }
    const values = tensorValues(tensors.context);
    const scale = scaleFor(values, { signed: true });
    const [rows, units] = tensors.context.shape;
    heat.update(context, { values, rows, columns: units, rowLabels, columnLabels: null, scale, picked: row });
    legend.update(keys.context, { scale });
    const edges = page.info?.length_edges ?? [];
    const starts = edges.slice(0, -1);
    xy.update(charts.length, { series: 0, xs: starts, ys: tensorValues(tensors.acc_by_length) });
    if (tensors["baseline.acc_by_length"]) xy.update(charts.length, { series: 1, xs: starts, ys: tensorValues(tensors["baseline.acc_by_length"]) });
  }

  /** An ISO date in its box, marked right or wrong against `target` (when known). */
  function showIso(box, text, target) {
    box.textContent = text;
    if (target && text !== "–") box.dataset.exact = String(text === target);
    else delete box.dataset.exact;
  }

  // Live controls: every named input of #controls is a catalog control, sent with `set` on change.
  const teacher = byId("teacher");
  const showTeacher = () => (byId("teacher-value").textContent = formatPercent(Number(teacher.value)));
  teacher.addEventListener("input", showTeacher);
  const controls = bindTrainingControls(byId("controls"), (message) => live.act(message), { onShow: showTeacher });
  controls.applyFields(catalog.controls);

  // The example: a typed date, or the next held-out one.
  const dateInput = byId("date");
  const dateError = byId("date-error");
  byId("date-form").addEventListener("submit", (event) => {
    event.preventDefault();
    dateError.hidden = true;
    dateInput.removeAttribute("aria-invalid");
    live.act({ type: "text", text: dateInput.value, purpose: "input" }).catch((error) => {
      if (error.field !== "text") return;
      setText(dateError, errorKey(error.code), { message: error.message });
      dateError.hidden = false;
      dateInput.setAttribute("aria-invalid", "true");
    });
  });
  const nextExample = () => {
    page.example = (page.example + 1) % (page.info?.task?.val ?? 1);
    return act({ type: "sample", split: "val", index: page.example });
  };
  byId("example-next").addEventListener("click", nextExample);
  bindKeys({ " ": controls.toggleTraining, s: controls.step, r: controls.reset, n: nextExample }, () => page.driving);

  // Architecture: a new session (and with it a new twin).
  const settings = bindConfigForm(byId("settings"), async (config) => {
    settings.clearErrors();
    try {
      await live.replace(MODEL, config);
    } catch (error) {
      if (!settings.showError(error)) live.notice.error(error);
    }
  });
  settings.applyFields(catalog.config);

  let pending = { loss: [], accuracy: [] };
  const drawFrame = newestFrameDrawer((frame) => {
    curves.update(charts.loss, { points: pending.loss });
    curves.update(charts.accuracy, { points: pending.accuracy });
    pending = { loss: [], accuracy: [] };
    page.frame = frame;
    if (document.activeElement !== dateInput) dateInput.value = frame.header.input;
    draw();
  }, debug);

  function onFrame(frame) {
    noteStep(frame.header.step);
    setText(byId("step"), "status.step", { n: frame.header.step });
    const points = framePoints(frame.header);
    pending.loss.push(...points.loss);
    pending.accuracy.push(...points.accuracy);
    drawFrame(frame);
  }

  /** After a reset the steps start again: the old points go. */
  function noteStep(step) {
    if (step < page.lastStep) {
      for (const chart of [charts.loss, charts.accuracy]) curves.clear(chart);
      pending = { loss: [], accuracy: [] };
    }
    page.lastStep = step;
  }

  function onHello(info, hello) {
    page.info = info;
    debug.session = info;
    settings.show(info.config);
    live?.writeView(info.config);
    controls.showState(info);
    for (const chart of [charts.loss, charts.accuracy]) curves.clear(chart);
    const { train, val } = hello.history;
    pending.loss = train.step.map((step, k) => ({ series: 0, step, value: train.loss[k] }));
    pending.loss.push(...val.step.map((step, k) => ({ series: 1, step, value: val.loss[k] })));
    pending.accuracy = val.step.map((step, k) => ({ series: 0, step, value: val.acc[k] }));
    page.lastStep = info.step;
  }

  function onState(state) {
    noteStep(state.step);
    debug.state = state;
    showRunState(state);
    controls.showState(state);
  }

  function onAccess(driving) {
    page.driving = driving;
    debug.driving = driving;
    settings.setEnabled(driving);
    controls.setEnabled(driving);
    for (const input of document.querySelectorAll("#date-form input, #date-form button")) input.disabled = !driving;
  }

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    onHello,
    onState,
    onFrame,
    onAccess,
    onView: (values) => {
      page.row = readView(values, VIEW).row;
      draw();
    },
  });
}

main();
