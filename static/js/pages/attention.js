// The attention page (/attention): a `seq2seq` session learning to write dates in ISO form, character
// by character, beside its twin without attention (the same model and batches; the server trains
// both). While it trains: the attention matrix of one example (output × input characters), its
// context vectors, loss and held-out exact-match curves for both, and exact match by input length.
// The user types a date (a `text` message) or takes the next held-out one (`sample`).
// For tests, window.nnlive holds the last drawn frame, the session and the charts.

import { catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
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
const UNSURE = 0.5; // below this probability of the character it wrote, the answer is called a guess
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

/** The three charts: loss and exact match over steps for both models, exact match by input length. */
function mountCharts() {
  return {
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
}

/** Whether the example is not a date as the model learned them: no day number, or a least sure character below UNSURE. */
function readsAsNoDate(header) {
  return header.date_like === false || (header.confidence !== undefined && header.confidence < UNSURE);
}

/** An ISO date in its box, marked right or wrong against `target` (when known). */
function showIso(box, text, target) {
  box.textContent = text;
  if (target && text !== "–") box.dataset.exact = String(text === target);
  else delete box.dataset.exact;
}

/**
 * The example's views: its translation, the attention matrix and the context vectors (a row picked
 * on either with `onPick(row)`), and exact match by length on `lengthChart`. Returns `draw(page)`.
 */
function exampleViews(lengthChart, onPick) {
  let frame = null;
  const matrix = heat.mount(byId("matrix-view"), {
    describe: (row, column) => {
      const { header, tensors } = frame;
      const weights = tensorValues(tensors.attention);
      const columns = tensors.attention.shape[1];
      return t("attention.matrix_readout", { out: header.prediction[row], t: row, in: shown(header.input[column]), j: column, w: formatValue(weights[row * columns + column]) });
    },
    onPick,
  });
  const context = heat.mount(byId("context-view"), {
    describe: (row, unit) => {
      const { header, tensors } = frame;
      const values = tensorValues(tensors.context);
      return t("attention.context_readout", { out: header.prediction[row], t: row, k: unit, v: formatValue(values[row * tensors.context.shape[1] + unit]) });
    },
    onPick,
  });
  const keys = { matrix: legend.mount(byId("matrix-key")), context: legend.mount(byId("context-key")) };
  legend.update(keys.matrix, { scale: WEIGHT_SCALE });

  /** Draw `page.frame` with `page.row` picked. */
  return function draw(page) {
    frame = page.frame;
    if (!frame) return;
    const { header, tensors } = frame;
    const rowLabels = [...header.prediction];
    const row = Math.min(page.row, rowLabels.length - 1);
    showIso(byId("prediction"), header.prediction, header.target);
    byId("unsure").hidden = !readsAsNoDate(header);
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
    xy.update(lengthChart, { series: 0, xs: starts, ys: tensorValues(tensors.acc_by_length) });
    if (tensors["baseline.acc_by_length"]) xy.update(lengthChart, { series: 1, xs: starts, ys: tensorValues(tensors["baseline.acc_by_length"]) });
  };
}

/**
 * The example form: a typed date (`text`; a refusal shows under the field), or the next held-out
 * one (`sample`). Returns the action that asks for the next one.
 */
function bindExample(page, act) {
  const dateInput = byId("date");
  const dateError = byId("date-error");
  byId("date-form").addEventListener("submit", (event) => {
    event.preventDefault();
    dateError.hidden = true;
    dateInput.removeAttribute("aria-invalid");
    act({ type: "text", text: dateInput.value, purpose: "input" }).catch((error) => {
      if (error.field !== "text") return;
      setText(dateError, errorKey(error.code), { message: error.message });
      dateError.hidden = false;
      dateInput.setAttribute("aria-invalid", "true");
    });
  });
  const nextExample = () => {
    page.example = (page.example + 1) % (page.info?.task?.val ?? 1);
    return act({ type: "sample", split: "val", index: page.example }).catch(() => {});
  };
  byId("example-next").addEventListener("click", nextExample);
  return nextExample;
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const page = { info: null, example: 0, row: readView(params, VIEW).row, frame: null };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, state: null, charts: null };
  window.nnlive = debug;
  let live = null;
  const act = (message) => live.act(message);

  const charts = mountCharts();
  debug.charts = charts;
  const drawExample = exampleViews(charts.length, (row) => {
    page.row = row;
    live?.writeView({ row });
    drawExample(page);
  });
  const teacher = byId("teacher");
  const showTeacher = () => (byId("teacher-value").textContent = formatPercent(Number(teacher.value)));
  teacher.addEventListener("input", showTeacher);
  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    charts: { loss: charts.loss, accuracy: charts.accuracy },
    keys: { n: bindExample(page, act) },
    inputs: "#date-form input, #date-form button",
    onShow: showTeacher,
  });

  const drawFrame = newestFrameDrawer((frame) => {
    training.curves.draw();
    page.frame = frame;
    if (document.activeElement !== byId("date")) byId("date").value = frame.header.input;
    drawExample(page);
  }, debug);
  const handlers = training.handlers({
    onHello: (info, hello) => {
      page.info = info;
      debug.session = info;
      training.curves.add(historyPoints(hello.history));
    },
    onFrame: (frame) => {
      training.curves.add(framePoints(frame.header));
      drawFrame(frame);
    },
  });
  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    ...handlers,
    onView: (values) => {
      page.row = readView(values, VIEW).row;
      drawExample(page);
    },
  });
}

/** Curve points in hello's history: loss (train, val) and held-out exact match. */
function historyPoints({ train, val }) {
  const loss = train.step.map((step, k) => ({ series: 0, step, value: train.loss[k] }));
  loss.push(...val.step.map((step, k) => ({ series: 1, step, value: val.loss[k] })));
  return { loss, accuracy: val.step.map((step, k) => ({ series: 0, step, value: val.acc[k] })) };
}

main();
