// The dropout page (/dropout): an activation map before and after nn.Dropout(p) — in train mode the
// dropped units are 0 and the kept ones scaled by 1/(1 − p), in eval mode it is the identity — the
// mask, the output averaged over many masks, and a chart of the mean over the masks drawn so far.
// Height and width are the session's config (a change starts a new session); p and the mode are
// its controls. Below, the experiment of ui/dropoutpair.js: the same MLP trained with and without
// dropout. For tests, window.nnlive holds the last drawn frame, the session, the chart and `pair`.

import { scaleFor } from "../math/colormap.js";
import { bindConfigForm, catalogEntry } from "../ui/configform.js";
import { bindKeys } from "../ui/controls.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { createMaskHistory, keptRatio } from "../math/maskhistory.js";
import { formatValue } from "../math/numbers.js";
import { startDropoutPair } from "../ui/dropoutpair.js";
import { bindSamplePicker } from "../ui/samples.js";
import { configFromParams } from "../session/urlstate.js";
import * as curves from "../views/curves.js";
import * as dropoutnumbers from "../views/dropoutnumbers.js";
import * as gridedit from "../views/gridedit.js";
import * as legend from "../views/legend.js";
import * as valuegrid from "../views/valuegrid.js";

const MODEL = "dropout";
const AUTO_PAUSE_MS = 600; // between masks while resampling on its own
const MASK_SCALE = { kind: "sequential", min: 0, max: 1 };
// Okabe–Ito: sky blue points per mask, vermillion running average, black input mean.
const SERIES = [
  { key: "dropout.series_mask", color: "#56B4E9", sparse: true },
  { key: "dropout.series_average", color: "#D55E00" },
  { key: "dropout.series_input", color: "#000000" },
];

const byId = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A value grid with its legend. */
function gridPanel(name, describe) {
  const grid = valuegrid.mount(byId(`${name}-grid`), { label: name, describe });
  const key = legend.mount(byId(`${name}-legend`));
  return {
    grid,
    draw(tensor, scale) {
      valuegrid.update(grid, { values: tensor.data, shape: tensor.shape, scale });
      legend.update(key, { scale });
    },
  };
}

/** (row, column) of a flat index into a [1, H, W] map. */
function rowColumn(index, tensor) {
  const width = tensor.shape.at(-1);
  return { r: Math.floor(index / width), c: index % width };
}

/** The page's views: the four grids, the numbers, the chart of means, the input editor. */
function mountViews(state, act) {
  const tensorOf = (name) => state.frame?.tensors[name];
  return {
    input: gridPanel("input", (i) => {
      const x = tensorOf("input");
      return x && t("dropout.readout_x", { ...rowColumn(i, x), v: formatValue(x.data[i]) });
    }),
    mask: gridPanel("mask", (i) => {
      const m = tensorOf("mask");
      return m && t(m.data[i] ? "dropout.readout_kept" : "dropout.readout_dropped", rowColumn(i, m));
    }),
    output: gridPanel("output", (i) => describeOutput(state.frame, i)),
    mean: gridPanel("mean", (i) => {
      const mean = tensorOf("mean");
      if (!mean) return null;
      const x = tensorOf("input").data[i];
      return t("dropout.readout_mean", { ...rowColumn(i, mean), v: formatValue(mean.data[i]), x: formatValue(x) });
    }),
    numbers: dropoutnumbers.mount(byId("numbers")),
    chart: curves.mount(byId("chart"), { series: SERIES, xKey: "dropout.chart_x" }),
    editor: gridedit.mount(byId("input-editor"), { onSend: (input) => act({ type: "forward", input }) }),
  };
}

/** The readout of an output unit: x · m / (1 − p) = y in train mode, y = x in eval mode. */
function describeOutput(frame, i) {
  const { header, tensors } = frame ?? {};
  if (!tensors) return null;
  const where = rowColumn(i, tensors.output);
  const y = formatValue(tensors.output.data[i]);
  if (header.mode === "eval") return t("dropout.readout_eval", { ...where, y });
  const x = formatValue(tensors.input.data[i]);
  return t("dropout.readout_train", { ...where, x, m: tensors.mask.data[i], p: formatValue(header.p), y });
}

/** Draw `state.frame`: the grids (one colour scale for x, y and the mean), the dropped units, the numbers. */
function draw(views, state) {
  const { header, tensors } = state.frame;
  const { input, output, mask, mean } = tensors;
  const shared = scaleFor(Float32Array.from([...input.data, ...output.data, ...mean.data]));
  views.input.draw(input, shared);
  views.output.draw(output, shared);
  views.mean.draw(mean, shared);
  views.mask.draw(mask, MASK_SCALE);
  const dropped = [];
  mask.data.forEach((m, i) => m || dropped.push(i));
  valuegrid.mark(views.mask.grid, "dropped", dropped);
  valuegrid.mark(views.output.grid, "dropped", dropped);
  const train = header.mode === "train";
  const masks = state.info?.masks_for_mean ?? 0;
  setText(byId("output-hint"), train ? "dropout.output_hint" : "dropout.output_hint_eval", {
    scale: formatValue(1 / (1 - header.p)),
  });
  setText(byId("mean-hint"), "dropout.mean_hint", { masks });
  dropoutnumbers.update(views.numbers, {
    mode: header.mode,
    p: header.p,
    kept: header.kept,
    units: mask.data.length,
    meanInput: header.mean_input,
    meanOutput: header.mean_output,
    meanOverMasks: header.mean_over_masks,
    masks,
    ratio: keptRatio(input.data, output.data, mask.data),
  });
  byId("dropout").dataset.mode = header.mode;
}

/** Each mask's point on the chart of means: the mean over the masks so far, its running average, the input's mean. */
function plotMask(views, debug, history, { header, tensors }) {
  const { reset, point } = history.note({
    mode: header.mode,
    p: header.p,
    input: tensors.input.data,
    mask: tensors.mask.data,
    meanOutput: header.mean_output,
  });
  if (reset) {
    curves.clear(views.chart);
    debug.points = [];
  }
  if (!point) return;
  debug.points.push(point);
  curves.update(views.chart, {
    points: [
      { series: 0, step: point.n, value: point.value },
      { series: 1, step: point.n, value: point.average },
      { series: 2, step: point.n, value: header.mean_input },
    ],
  });
}

/** Resampling on its own, one mask after another, while on and driving. Returns `toggle()`. */
function bindAuto(state, act) {
  let loop = null;
  function setAuto(on) {
    state.auto = on;
    setText(byId("auto"), on ? "dropout.auto_stop" : "dropout.auto");
    byId("auto").classList.toggle("running", on);
    loop ??= on ? run().finally(() => (loop = null)) : null;
  }
  async function run() {
    while (state.auto && state.driving) {
      await act({ type: "resample" }).catch(() => setAuto(false));
      await sleep(AUTO_PAUSE_MS);
    }
    if (state.auto) setAuto(false);
  }
  const toggle = () => setAuto(!state.auto);
  byId("auto").addEventListener("click", toggle);
  return toggle;
}

/**
 * p and the mode (controls: the server answers with a frame of the same input under the new
 * setting), resampling, patterns and the typed input. Returns `{set(values), show(controls)}`.
 */
function bindControls(state, views, act, live) {
  const controls = {
    set: (values) => act({ type: "set", values }).catch(() => state.controls && controls.show(state.controls)),
    show(values) {
      state.controls = values;
      const p = byId("p");
      if (p !== document.activeElement) p.value = values.p;
      setText(byId("p-value"), "dropout.p_value", { p: formatValue(values.p) });
      for (const radio of document.querySelectorAll('input[name="mode"]')) radio.checked = radio.value === (values.train ? "train" : "eval");
      live()?.writeView({ p: values.p, train: values.train });
    },
  };
  const resample = () => act({ type: "resample" }).catch(() => {});
  byId("controls").addEventListener("submit", (event) => event.preventDefault());
  byId("p").addEventListener("input", () => setText(byId("p-value"), "dropout.p_value", { p: formatValue(Number(byId("p").value)) }));
  byId("p").addEventListener("change", () => controls.set({ p: Number(byId("p").value) }));
  for (const radio of document.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener("change", () => controls.set({ train: radio.value === "train" }));
  }
  byId("resample").addEventListener("click", resample);
  byId("pattern-checkerboard").addEventListener("click", () => act({ type: "pattern", name: "checkerboard" }).catch(() => {}));
  byId("pattern-random").addEventListener("click", () => act({ type: "pattern", name: "random" }).catch(() => {}));
  byId("input-type").addEventListener("click", () => {
    const input = state.frame?.tensors.input;
    if (input) gridedit.open(views.editor, input.data, input.shape, state.info.limits.input);
  });
  const toggleAuto = bindAuto(state, act);
  bindKeys({ " ": toggleAuto, s: resample, ArrowRight: resample }, () => state.driving);
  return controls;
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const pairCatalog = await catalogEntry("dropout_pair");
  const state = {
    info: null,
    frame: null,
    controls: null,
    // Controls to apply once connected: the URL's, for a session this page creates, or the previous
    // session's after a settings change.
    pendingControls: params.has("session") ? null : configFromParams(params, catalog.controls),
    auto: false,
    driving: false,
  };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, points: [] };
  window.nnlive = debug;
  let live = null;
  const act = (message) => live.act(message);

  const views = mountViews(state, act);
  const history = createMaskHistory();
  debug.chart = views.chart;
  const controls = bindControls(state, views, act, () => live);
  const sampler = bindSamplePicker(act, () => state.info?.dataset, () => {});
  const settings = bindConfigForm(byId("settings"), async (config) => {
    settings.clearErrors();
    state.pendingControls = state.controls && { p: state.controls.p, train: state.controls.train };
    try {
      await live.replace(MODEL, config);
    } catch (error) {
      state.pendingControls = null;
      if (!settings.showError(error)) live.notice.error(error);
    }
  });
  settings.applyFields(catalog.config);
  const drawNewest = newestFrameDrawer(() => draw(views, state), debug);

  function onHello(info) {
    state.info = info;
    debug.session = info;
    settings.show(info.config);
    live?.writeView(info.config);
    controls.show(info.controls);
    sampler.setDataset(info.dataset ?? null);
    const wanted = state.pendingControls;
    state.pendingControls = null;
    if (wanted && Object.keys(wanted).length && live?.session.token) controls.set(wanted);
  }

  function onAccess(driving) {
    state.driving = driving;
    debug.driving = driving;
    settings.setEnabled(driving);
    sampler.setEnabled(driving);
    for (const element of document.querySelectorAll("#controls input, #controls button, .dropout-source")) element.disabled = !driving;
    if (!driving) gridedit.close(views.editor);
  }

  function onFrame(frame) {
    state.frame = frame;
    plotMask(views, debug, history, frame);
    drawNewest(frame);
  }

  let pair = null;
  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    onHello,
    onState: (message) => controls.show(message.controls),
    onFrame,
    onAccess,
    onView: (values) => pair?.attach(values.get("pair")), // a viewer follows the presenter's experiment
  });
  if (live) pair = await startDropoutPair(live, pairCatalog, debug);
}

main();
