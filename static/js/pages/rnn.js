// The RNN page (/rnn): nn.RNN unrolled over time and layers, one hidden state per step and layer
// coloured unit by unit, the picked step's formula evaluated with the server's weights, and the
// largest difference between nn.RNN and a hand-written loop over the same weights (computed on the
// server). Every constructor argument, the sequence length and the batch are the session's config (a
// change starts a new session); train/eval mode is its control. For tests, window.nnlive holds the
// last drawn frame, the session, the picked cell and the hover readout's cell.

import { scaleFor } from "../math/colormap.js";
import { bindSessionConfig, catalogEntry } from "../ui/configform.js";
import { bindKeys } from "../ui/controls.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { formatValue } from "../math/numbers.js";
import { hiddenAt, slice, stepTerms } from "../math/rnnmath.js";
import { configFromParams, readView } from "../session/urlstate.js";
import * as codeview from "../views/codeview.js";
import * as gridedit from "../views/gridedit.js";
import * as legend from "../views/legend.js";
import * as formula from "../views/rnnformula.js";
import * as unrolled from "../views/rnnunrolled.js";

const MODEL = "rnn";
const VIEW = { layer: 0, t: 0, d: 0, b: 0 }; // the picked state and sequence in the URL, with their defaults
const byId = (id) => document.getElementById(id);
const shapeText = (shape) => `(${shape.join(", ")})`;

/**
 * The page's context, shared by its parts: `state` (session info, the frame, the picked cell and
 * sequence, the train mode wanted), the test hook, `act`, the live page once started, the views.
 * @typedef {{state: object, debug: object, act: Function, live: () => object|null, views: object|null}} Page
 */

/** A state's numbers for the picked sequence: h_t of a layer and direction, or x_t (layer −1). */
function valuesOf(page, { layer, t: step, d }) {
  const { state } = page;
  const tensors = state.frame.tensors;
  if (layer < 0) return slice(tensors["x.l0"], step, state.b);
  return hiddenAt(tensors, { layer, t: step, b: state.b, d }, state.info.config.hidden_size);
}

/** Keep the picked cell and sequence inside this session's shape. */
function clampView(page) {
  const { state } = page;
  const c = state.info.config;
  const directions = c.bidirectional ? 2 : 1;
  const clamp = (v, hi) => Math.min(Math.max(Math.trunc(v) || 0, 0), hi - 1);
  state.cell = { layer: clamp(state.cell.layer, c.num_layers), t: clamp(state.cell.t, c.seq_len), d: clamp(state.cell.d, directions) };
  state.b = clamp(state.b, c.batch);
  page.debug.cell = state.cell;
  byId("sequence").max = c.batch - 1;
  byId("sequence").value = state.b;
}

/** The unrolled network, its legends, the picked step's formula and the comparison with PyTorch. */
function draw(page) {
  const { state, views, debug } = page;
  const { header, tensors } = state.frame;
  const c = state.info.config;
  const hStates = Object.keys(tensors).filter((name) => name.startsWith("h.l"));
  const allH = Float32Array.from(hStates.flatMap((name) => Array.from(tensors[name].data)));
  const scale = scaleFor(allH, { signed: c.nonlinearity === "tanh" });
  const inputScale = scaleFor(tensors.input.data, { signed: true });
  unrolled.update(views.unrolled, {
    steps: c.seq_len,
    layers: c.num_layers,
    directions: c.bidirectional ? 2 : 1,
    values: (cell) => valuesOf(page, cell),
    scale,
    inputScale,
    selected: state.cell,
    dropout: header.dropout_active,
  });
  legend.update(views.legendH, { scale });
  legend.update(views.legendX, { scale: inputScale });
  const terms = stepTerms(tensors, { ...state.cell, b: state.b }, { hidden: c.hidden_size, nonlinearity: c.nonlinearity });
  formula.update(views.formula, { cell: state.cell, terms, nonlinearity: c.nonlinearity });
  setText(byId("gap"), "rnn.gap", { gap: formatValue(header.max_diff) });
  byId("gap").dataset.gap = header.max_diff;
  setText(byId("gap-parts"), "rnn.gap_parts", { output: formatValue(header.max_diff_output), h_n: formatValue(header.max_diff_h_n) });
  const note = byId("compare-note");
  if (header.dropout_active) setText(note, "rnn.compare_dropout", { p: c.dropout });
  else if (header.mode === "train") setText(note, "rnn.compare_train_plain");
  else setText(note, "rnn.compare_eval");
  byId("rnn").dataset.mode = header.mode;
  codeview.update(views.code, { code: state.info.code, notes: { run_direction: loopNotes(page) } });
  if (debug.hover) hover(page, debug.hover, debug.hover.unit);
}

/** The numbers beside the loop's code: the picked h_t (as the loop computed it) and the gap to nn.RNN. */
function loopNotes(page) {
  const { state } = page;
  const { layer, t: step, d } = state.cell;
  const note = (key, value) => ({ label: t(key), value });
  const notes = [note("rnn.code_gap", formatValue(state.frame.header.max_diff))];
  if (layer < 0) return notes;
  const h = valuesOf(page, state.cell).map(formatValue).join(", ");
  return [note("rnn.code_cell", `l = ${layer} ${d ? "←" : "→"}, t = ${step}, b = ${state.b}`), note("rnn.code_h", `[${h}]`), ...notes];
}

/** Pick a state: it goes into the URL and the formula. */
function pick(page, cell) {
  page.state.cell = cell;
  page.debug.cell = cell;
  page.live()?.writeView({ layer: cell.layer, t: cell.t, d: cell.d });
  if (page.state.frame) draw(page);
}

/** The hovered state's numbers as the server sent them, the hovered unit marked. */
function hover(page, cell, unit) {
  const { state } = page;
  const readout = byId("readout");
  page.debug.hover = cell && { ...cell, unit };
  if (!cell || !state.frame) {
    setText(readout, "rnn.readout_idle");
    return;
  }
  const numbers = valuesOf(page, cell).map(formatValue);
  const values = `[${numbers.join(", ")}]`;
  const v = numbers[unit];
  if (cell.layer < 0) setText(readout, "rnn.readout_x", { t: cell.t, b: state.b, values, k: unit, v });
  else setText(readout, "rnn.readout_h", { l: cell.layer, dir: cell.d ? "←" : "→", t: cell.t, b: state.b, values, k: unit, v });
}

/** Move the picked cell by (dt, dlayer), or switch direction. */
function move(page, dt, dlayer, flip = false) {
  const { state } = page;
  if (!state.info) return;
  const directions = state.info.config.bidirectional ? 2 : 1;
  const { layer, t: step, d } = state.cell;
  state.cell = { layer: layer + dlayer, t: step + dt, d: flip ? (d + 1) % directions : d };
  clampView(page);
  pick(page, state.cell);
}

/** The input and output shapes of nn.RNN for this config, the layout in use marked. */
function showShapes(info) {
  const c = info.config;
  const rows = [
    ["rnn.shape_input_time", `(T, B, I) = ${shapeText(info.input_time_major)}`, !c.batch_first],
    ["rnn.shape_input_batch", `(B, T, I) = ${shapeText(info.input_batch_first)}`, c.batch_first],
    ["rnn.shape_output", `${c.batch_first ? "(B, T, D·H)" : "(T, B, D·H)"} = ${shapeText(info.output)}`, false],
    ["rnn.shape_h_n", `(D·num_layers, B, H) = ${shapeText(info.h_n)}`, false],
  ];
  byId("shapes").replaceChildren(
    ...rows.flatMap(([key, text, active]) => {
      const term = document.createElement("dt");
      setText(term, key);
      const value = document.createElement("dd");
      value.textContent = text;
      if (active) value.append(" ", activeBadge());
      return [term, value];
    }),
  );
}

function activeBadge() {
  const badge = document.createElement("span");
  badge.className = "rnn-active";
  setText(badge, "rnn.shape_active");
  return badge;
}

/**
 * The controls: train mode (a control), resampling, the input's sources, the sequence shown, and
 * the keys moving the picked state. Returns `{setTrain(on), showControls(controls)}`.
 */
function bindControls(page) {
  const { state, act } = page;
  const resample = () => act({ type: "resample" }).catch(() => {});
  const setTrain = (train) => act({ type: "set", values: { train } }).catch(() => {});
  byId("controls").addEventListener("submit", (event) => event.preventDefault());
  byId("train-mode").addEventListener("change", () => setTrain(byId("train-mode").checked));
  byId("resample").addEventListener("click", resample);
  byId("pattern-random").addEventListener("click", () => act({ type: "pattern", name: "random" }).catch(() => {}));
  byId("pattern-checkerboard").addEventListener("click", () => act({ type: "pattern", name: "checkerboard" }).catch(() => {}));
  byId("sample-sine").addEventListener("click", () => {
    const periods = Math.min(Math.max(Math.trunc(Number(byId("periods").value)) || 1, 1), state.info.max_periods);
    byId("periods").value = periods;
    act({ type: "sample", index: periods - 1 }).catch(() => {});
  });
  byId("input-type").addEventListener("click", () => {
    const input = state.frame?.tensors.input;
    if (input) gridedit.update(page.views.editor, { values: input.data, shape: input.shape, limit: state.info.limits.input });
  });
  byId("sequence").addEventListener("change", () => {
    state.b = Number(byId("sequence").value);
    clampView(page);
    page.live()?.writeView({ b: state.b });
    if (state.frame) draw(page);
  });
  const moves = {
    ArrowLeft: () => move(page, -1, 0),
    ArrowRight: () => move(page, 1, 0),
    ArrowUp: () => move(page, 0, 1),
    ArrowDown: () => move(page, 0, -1),
    d: () => move(page, 0, 0, true),
  };
  bindKeys(moves, () => true);
  bindKeys({ m: () => setTrain(!byId("train-mode").checked), r: resample }, () => state.driving);
  return {
    setTrain,
    showControls(controls) {
      state.train = controls.train;
      byId("train-mode").checked = controls.train;
      page.live()?.writeView({ train: controls.train });
    },
  };
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const view = readView(params, VIEW);
  const state = {
    info: null,
    frame: null,
    cell: { layer: view.layer, t: view.t, d: view.d },
    b: view.b,
    driving: false,
    // Train mode wanted in the next session: the URL's for a session this page creates, then the
    // previous session's after a settings change.
    train: params.has("session") ? null : params.get("train") === "1",
  };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, cell: state.cell, hover: null };
  window.nnlive = debug;
  let live = null;
  /** @type {Page} */
  const page = { state, debug, act: (message) => live.act(message), live: () => live, views: null };
  page.views = {
    unrolled: unrolled.mount(byId("unrolled"), { onPick: (cell) => pick(page, cell), onHover: (cell, unit) => hover(page, cell, unit) }),
    formula: formula.mount(byId("formula")),
    code: codeview.mount(byId("code-view")),
    legendH: legend.mount(byId("legend-h")),
    legendX: legend.mount(byId("legend-x")),
    editor: gridedit.mount(byId("input-editor"), { onSend: (input) => page.act({ type: "forward", input }) }),
  };
  const controls = bindControls(page);
  const settings = bindSessionConfig(byId("settings"), MODEL, () => live);
  settings.applyFields(catalog.config);
  const drawNewest = newestFrameDrawer(() => draw(page), debug);

  function onHello(info) {
    if (info.id !== state.info?.id) state.frame = null;
    state.info = info;
    debug.session = info;
    settings.show(info.config);
    live?.writeView(info.config);
    clampView(page);
    showShapes(info);
    const wanted = state.train;
    controls.showControls(info.controls);
    setText(byId("readout"), "rnn.readout_idle");
    if (wanted !== null && wanted !== info.controls.train && live?.session.token) controls.setTrain(wanted);
  }

  function onFrame(frame) {
    if (frame.header.session !== state.info?.id) return; // a frame of the session this one replaced
    state.frame = frame;
    drawNewest(frame);
  }

  function onAccess(driving) {
    state.driving = driving;
    debug.driving = driving;
    settings.setEnabled(driving);
    for (const element of document.querySelectorAll("#controls button, #train-mode, #periods")) element.disabled = !driving;
    if (!driving) gridedit.close(page.views.editor);
  }

  /** A viewer takes the driver's picked state and sequence (lecture mode). */
  function applyView(values) {
    const { layer, t: step, d, b } = readView(values, VIEW);
    state.cell = { layer, t: step, d };
    state.b = b;
    if (!state.info) return;
    clampView(page);
    pick(page, state.cell);
  }

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    onHello,
    onState: (message) => controls.showControls(message.controls),
    onFrame,
    onAccess,
    onView: applyView,
  });
}

main();
