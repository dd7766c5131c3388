// The LSTM page. Top: one `lstm` session's gates for a typed sequence — strips of f, i, g, o, c, h
// over time, the selected step and unit in the cell diagram and in the formulas, and the check
// against nn.LSTM. Below: two `memory` sessions (nn.RNN and nn.LSTM) learning to recall the first
// symbol of a length-T sequence side by side, with ‖∂L/∂h_t‖ over t and accuracy over T.
// For tests, window.nnlive holds the last drawn frame, the selection and the memory frames.

import { bindSessionConfig, catalogEntry } from "../ui/configform.js";
import { bindKeys, isRunning, showTrainButton } from "../ui/controls.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { trainingCurves } from "../ui/trainingcurves.js";
import { CELLS, startMemoryPair } from "../session/memorypair.js";
import { tensorValues } from "../net/codec.js";
import { formatPercent, formatValue } from "../math/numbers.js";
import { parseNumber } from "../math/typed.js";
import { configFromParams, readView } from "../session/urlstate.js";
import * as curves from "../views/curves.js";
import * as lstmcell from "../views/lstmcell.js";
import * as formulas from "../views/lstmformulas.js";
import { stepValues } from "../math/lstmstep.js";
import * as strips from "../views/lstmstrips.js";
import * as xy from "../views/lstmxy.js";

const MODEL = "lstm";
// Okabe–Ito orange and blue: told apart with every common colour-vision deficiency.
const COLORS = { rnn: "#D55E00", lstm: "#0072B2" };
const KEYS = { rnn: "lstm.cell_rnn", lstm: "lstm.cell_lstm" };
// A memory session's pill by its run state (whole sentences: the language switch re-translates them).
const STATUS_KEYS = { paused: "lstm.cell_paused", training: "lstm.cell_training", queued: "lstm.cell_queued" };
const SERIES = CELLS.map((cell) => ({ key: KEYS[cell], color: COLORS[cell] }));

const VIEW = { t: 0, j: 0, T: 50 }; // the view state in the URL (T: the memory task's length), with its defaults
const byId = (id) => document.getElementById(id);

/** The gate strips, the cell diagram and the formulas; a pick on the strips calls `onPick(step, unit)`. Returns `draw(page)`. */
function gateViews(debug, onPick) {
  const views = {
    strips: strips.mount(byId("strips"), { onPick }),
    cell: lstmcell.mount(byId("cell")),
    formulas: formulas.mount(byId("formulas")),
  };
  /** Draw the gates of the latest frame at the selection (clamped to the sequence). */
  return function draw(page) {
    const frame = page.frame;
    if (!frame) return;
    const { header, tensors } = frame;
    const [steps, units] = tensors.h.shape;
    const step = Math.min(page.selection.step, steps - 1);
    const unit = Math.min(page.selection.unit, units - 1);
    page.selection = { step, unit };
    debug.selection = page.selection;
    const values = Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, tensorValues(tensor)]));
    strips.update(views.strips, { values, shape: [steps, units], tokens: header.tokens, ...page.selection });
    const token = header.tokens ? header.tokens[step] : null;
    const numbers = stepValues(values, units, step, unit);
    lstmcell.update(views.cell, { values: numbers, token });
    formulas.update(views.formulas, { values: numbers });
    setText(byId("cell-where"), "lstm.cell_where", { t: step, j: unit });
    setText(byId("diff-h"), "lstm.diff_h", { v: formatValue(header.max_diff_h) });
    setText(byId("diff-c"), "lstm.diff_c", { v: formatValue(header.max_diff_c) });
  };
}

/** The sequence: typed text, typed numbers (one step per line), or a generated pattern. */
function bindSequence(act, live) {
  byId("sequence-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act({ type: "text", text: byId("sequence-text").value, purpose: "input" });
  });
  byId("numbers-run").addEventListener("click", () => {
    const rows = parseRows(byId("sequence-numbers").value);
    if (rows) act({ type: "forward", input: rows });
    else live().notice.show("lstm.numbers_bad");
  });
  byId("pattern-random").addEventListener("click", () => act({ type: "pattern", name: "random" }));
  byId("pattern-checkerboard").addEventListener("click", () => act({ type: "pattern", name: "checkerboard" }));
}

/** The sequence boxes show the frame's, unless the user is typing in them. */
function showSequence({ header, tensors }) {
  const textInput = byId("sequence-text");
  const numbersInput = byId("sequence-numbers");
  if (header.tokens !== null && document.activeElement !== textInput) textInput.value = header.tokens;
  if (header.tokens === null && document.activeElement !== numbersInput) numbersInput.value = formatRows(tensors.x);
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const view = readView(params, VIEW);
  const page = { frame: null, selection: { step: view.t, unit: view.j }, driving: false };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, selection: page.selection, memory: {}, memoryFrames: 0 };
  window.nnlive = debug;
  let live = null;
  let memory = null; // the memory pair, once started (a promise)
  const act = (message) => live.act(message).catch(() => {});

  const draw = gateViews(debug, (step, unit) => select(step, unit));
  function select(step, unit) {
    page.selection = { step: Math.max(0, step), unit: Math.max(0, unit) };
    live?.writeView({ t: page.selection.step, j: page.selection.unit });
    draw(page);
  }
  const move = (dt, dj) => () => select(page.selection.step + dt, page.selection.unit + dj);
  bindKeys({ ArrowLeft: move(-1, 0), ArrowRight: move(1, 0), ArrowUp: move(0, -1), ArrowDown: move(0, 1) }, () => true);
  bindSequence(act, () => live);

  const catalog = await catalogEntry(MODEL);
  const settings = bindSessionConfig(byId("settings"), MODEL, () => live);
  settings.applyFields(catalog.config);

  function onAccess(driving) {
    page.driving = driving;
    debug.driving = driving;
    settings.setEnabled(driving);
    for (const element of document.querySelectorAll("#sequence-form :is(input, textarea, button)")) element.disabled = !driving;
  }

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    onHello: (info) => {
      debug.session = info;
      settings.show(info.config);
      live?.writeView(info.config);
    },
    onFrame: newestFrameDrawer((frame) => {
      page.frame = frame;
      showSequence(frame);
      draw(page);
    }, debug),
    onAccess,
    onView: (values) => {
      const { t: step, j } = readView(values, VIEW);
      select(step, j);
      const pairIds = { rnn: values.get("rnn"), lstm: values.get("lstm") };
      if (pairIds.rnn && pairIds.lstm) memory?.then((pair) => pair?.follow(pairIds));
    },
  });

  // A viewer shows the presenter's memory pair (named in the view state) rather than making its own;
  // a recording holds the page's own session only.
  if (live && !live.replaying) memory = startMemory(view.T, live, debug);
}

/** Typed numbers, one step per line (numbers apart by spaces or semicolons), or null if one is not a number. */
function parseRows(text) {
  const rows = text.split("\n").filter((line) => line.trim() !== "").map((line) => line.trim().split(/[\s;]+/).map(parseNumber));
  return rows.length && rows.every((row) => row.every((v) => v !== null)) ? rows : null;
}

/** A [T, E] tensor as the lines the numbers box takes. */
function formatRows(tensor) {
  const [steps, width] = tensor.shape;
  const values = tensorValues(tensor);
  return Array.from({ length: steps }, (_, s) => Array.from(values.slice(s * width, (s + 1) * width), formatValue).join(" ")).join("\n");
}

/** The memory section's four charts, titled. */
function memoryCharts() {
  const charts = {
    loss: curves.mount(byId("loss-chart"), { series: SERIES.map((s) => ({ ...s })) }),
    accuracy: curves.mount(byId("accuracy-chart"), { series: SERIES.map((s) => ({ ...s, sparse: true })), range: [0, 1] }),
    grad: xy.mount(byId("grad-chart"), { series: SERIES, log: true, xKey: "lstm.grad_x" }),
    length: xy.mount(byId("length-chart"), { series: SERIES, range: [0, 1], xKey: "lstm.length_x" }),
  };
  for (const [id, key] of [["loss-chart", "lstm.loss_title"], ["accuracy-chart", "lstm.accuracy_title"], ["grad-chart", "lstm.grad_title"], ["length-chart", "lstm.length_title"]]) {
    const title = document.createElement("h3");
    setText(title, key);
    byId(id).prepend(title);
  }
  return charts;
}

/**
 * One run-state pill per cell and the pair's Train button. Returns `{note(cell, values), state()}`:
 * `note` shows a cell's new run state, step or accuracy; `state()` is the pair's run state for its one
 * Train button: training if a cell trains, else queued if one waits.
 */
function memoryPills() {
  const status = Object.fromEntries(
    CELLS.map((cell) => {
      const pill = document.createElement("span");
      pill.className = "pill lstm-cell-pill";
      pill.style.borderColor = COLORS[cell];
      byId("memory-status").append(pill);
      return [cell, { pill, state: "paused", place: null, step: 0, acc: null }];
    }),
  );
  const pairState = () => ["training", "queued"].find((s) => CELLS.some((c) => status[c].state === s)) ?? "paused";
  return {
    note(cell, values) {
      const s = Object.assign(status[cell], values);
      setText(s.pill, STATUS_KEYS[s.state], { cell: cell.toUpperCase(), place: s.place, step: s.step, acc: s.acc === null ? "–" : formatPercent(s.acc) });
      s.pill.dataset.state = s.state;
      showTrainButton(byId("memory-train"), pairState());
    },
    state: pairState,
  };
}

/** The pair's handlers: curves (one training-curves per cell over the shared charts: a reset clears both), pills, gradient and length charts. */
function memoryHandlers(charts, pills, debug, live) {
  const index = (cell) => CELLS.indexOf(cell);
  const lengthInput = byId("length");
  const curvesOf = Object.fromEntries(CELLS.map((cell) => [cell, trainingCurves({ loss: charts.loss, accuracy: charts.accuracy })]));
  return {
    curvesOf,
    onHello(cell, hello) {
      lengthInput.value = hello.session.config.T;
      byId("length-value").textContent = lengthInput.value;
      live.writeView({ T: hello.session.config.T });
      const { train, val } = hello.history;
      curvesOf[cell].add({
        loss: train.step.map((step, k) => ({ series: index(cell), step, value: train.loss[k] })),
        accuracy: val.step.map((step, k) => ({ series: index(cell), step, value: val.acc[k] })),
      });
      curvesOf[cell].draw();
    },
    onState(cell, state) {
      curvesOf[cell].noteStep(state.step);
      pills.note(cell, { state: state.state, place: state.place ?? null, step: state.step });
    },
    onFrame(cell, { header, tensors }) {
      const loss = header.train ? [{ series: index(cell), step: header.step, value: header.train.loss }] : [];
      const accuracy = header.val ? [{ series: index(cell), step: header.val.step, value: header.val.acc }] : [];
      curvesOf[cell].add({ loss, accuracy });
      curvesOf[cell].draw();
      const norms = tensorValues(tensors.grad_norm);
      xy.update(charts.grad, { series: index(cell), xs: norms.map((_, t) => t + 1), ys: norms });
      xy.update(charts.length, { series: index(cell), xs: Array.from(tensorValues(tensors.lengths)), ys: tensorValues(tensors.acc_by_length) });
      pills.note(cell, { step: header.step, acc: header.val?.acc ?? null });
      debug.memory[cell] = { header, tensors };
      debug.memoryFrames++;
    },
    onError: (error) => live.notice.error(error),
    writeView: (values) => live.writeView(values),
    onAccess(driving) {
      debug.memoryDriving = driving;
      for (const element of document.querySelectorAll("#memory-controls button, #memory-controls input")) element.disabled = !driving;
    },
  };
}

/** The long-memory section: two sessions, shared controls, four charts. */
async function startMemory(length, live, debug) {
  const follower = !live.session.token;
  const pills = memoryPills();
  const handlers = memoryHandlers(memoryCharts(), pills, debug, live);
  const pair = await startMemoryPair({ T: length }, handlers, { create: !follower }).catch((error) => live.notice.error(error));
  if (!pair) return null;
  const toggle = () => pair.act({ type: isRunning(pills.state()) ? "pause" : "train" }).catch(() => {});
  const step = () => pair.act({ type: "step", count: 10 }).catch(() => {});
  const reset = () => pair.act({ type: "reset" }).catch(() => {});
  byId("memory-controls").addEventListener("submit", (event) => event.preventDefault());
  byId("memory-train").addEventListener("click", toggle);
  byId("memory-step").addEventListener("click", step);
  byId("memory-reset").addEventListener("click", reset);
  const lengthInput = byId("length");
  lengthInput.addEventListener("input", () => (byId("length-value").textContent = lengthInput.value));
  lengthInput.addEventListener("change", () => {
    for (const cell of CELLS) handlers.curvesOf[cell].restart();
    pair.replace({ T: Number(lengthInput.value) }).catch((error) => live.notice.error(error));
  });
  bindKeys({ " ": toggle, s: step, r: reset }, () => pair.driving);
  return pair;
}

main();
