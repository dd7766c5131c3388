// The MLP playground (/playground): a small network learning a 2-D data set generated on the server,
// laid out as in TensorFlow Playground — data, features, network, output. Live: the decision surface
// under the points, every unit's output over the plane, the weights as lines, the gradient magnitude
// per layer, train and test losses. The set-up (session config) and the controls live in the URL; which
// points are shown is view state mirrored to lecture viewers. Clicking the map adds a point. For tests,
// window.nnlive holds the last drawn frame, the session and the features whose maps are painted.

import { scaleFor } from "../math/colormap.js";
import { formatValue } from "../math/numbers.js";
import { logRangeOf } from "../math/plotaxes.js";
import { planeFeatures } from "../net/planefeatures.js";
import { startLivePage } from "../session/livepage.js";
import { configFromParams, readView } from "../session/urlstate.js";
import { catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { bindSetup, featureLabel } from "../ui/mlpsetup.js";
import * as curves from "../views/curves.js";
import * as layerbars from "../views/layerbars.js";
import * as mlpnet from "../views/mlpnet.js";
import * as planemap from "../views/planemap.js";
import { paintRaster } from "../views/parts/raster.js";

const MODEL = "mlp";
const VIEW_DEFAULTS = { test: true, discrete: false };
const SERIES = [
  { key: "playground.train_loss", color: "#0072B2" },
  { key: "playground.test_loss", color: "#D55E00" },
];
const byId = (id) => document.getElementById(id);

/** What a hovered unit or weight is, in words with its number. */
function describeHover(item) {
  if (!item) return "";
  if (item.kind === "weight") {
    return t("playground.hover_weight", { l: item.layer, from: item.from + 1, to: item.to + 1, w: formatValue(item.value) });
  }
  if (item.layer === 0) return t("playground.hover_feature", { u: item.unit + 1 });
  return t("playground.hover_unit", { l: item.layer, u: item.unit + 1, b: formatValue(item.bias) });
}

function mountViews(onPick) {
  return {
    surface: planemap.mount(byId("surface"), { size: 300, label: t("playground.output_title"), onPick }),
    network: mlpnet.mount(byId("network"), { onHover: (item) => (byId("hover").textContent = describeHover(item)) }),
    gradients: layerbars.mount(byId("gradients"), { describe: (i, v) => t("playground.gradient_readout", { l: i + 1, v: formatValue(v) }) }),
    chart: curves.mount(byId("chart"), { series: SERIES, height: 180 }),
  };
}

/** The network's maps by column: features, each hidden layer, the output (the surface). */
function columnMaps({ tensors }, widths, surfaceScale) {
  const slices = (tensor, scale = scaleFor(tensor.data, { signed: true })) =>
    Array.from({ length: tensor.shape[0] }, (_, u) => ({ values: tensor.data, start: u * tensor.shape[1] * tensor.shape[2], scale }));
  const hidden = widths.slice(1, -1).map((_, l) => tensors[`unit.l${l + 1}`]);
  const output = Array(widths.at(-1)).fill({ values: tensors.surface.data, start: 0, scale: surfaceScale });
  return [slices(tensors.feature), ...hidden.map((h) => slices(h)), output];
}

/**
 * Every feature's map beside its checkbox: a chosen one's from the frame on the chosen features' one
 * colour scale (as the network gets them), the others' from `candidates` (every feature over the same
 * grid, fetched once) when they are there, each on its own scale, so that sin x1 beside x1² is no white
 * square, nor x1² beside sin x1 a flat red one. Returns the names painted.
 */
function paintFeatureMaps(setup, names, chosen, candidates, grid) {
  const paint = (name, { values, start, scale }) => paintRaster(setup.featureCanvas(name), values, start, grid, grid, scale);
  names.forEach((name, i) => paint(name, chosen[i]));
  const others = candidates?.grid === grid ? candidates.names.filter((name) => !names.includes(name)) : [];
  const size = grid * grid;
  for (const name of others) {
    const start = candidates.names.indexOf(name) * size;
    const values = candidates.maps.data;
    paint(name, { values, start, scale: scaleFor(values.subarray(start, start + size), { signed: true }) });
  }
  return [...names, ...others];
}

/** Draw one frame on every view. */
function drawFrame(views, frame, state) {
  const { header, tensors } = frame;
  const { config, widths, task } = state.info;
  const classify = task === "classification";
  const grid = tensors.surface.shape[0];
  const surfaceScale = { kind: "diverging", min: classify ? 0 : -1, max: 1 };
  const points = { xy: tensors.points.data, targets: tensors.targets.data, isTest: tensors.is_test.data, showTest: state.view.test, classify };
  planemap.update(views.surface, { values: tensors.surface.data, grid, scale: surfaceScale, discretize: state.view.discrete && classify, points });
  const maps = columnMaps(frame, widths, surfaceScale);
  state.painted = paintFeatureMaps(state.setup, config.features, maps[0], state.candidates, grid);
  const layers = widths.slice(1).map((_, l) => ({ w: tensors[`weight.l${l + 1}`], b: tensors[`bias.l${l + 1}`] }));
  const weights = layers.map(({ w }) => w);
  const biases = layers.map(({ b }) => b.data);
  mlpnet.update(views.network, { widths, labels: config.features.map(featureLabel), maps, grid, weights, biases });
  layerbars.update(views.gradients, { values: tensors.grad_norm.data, logRange: logRangeOf([tensors.grad_norm.data]) });
  const pct = (acc) => (acc === null ? "—" : `${(acc * 100).toFixed(1)} %`);
  const loss = (value) => (value === null ? "—" : formatValue(value)); // null: the run diverged
  setText(byId("metrics"), "playground.metrics", {
    train: loss(header.train.loss),
    test: loss(header.test.loss),
    train_acc: pct(header.train.acc),
    test_acc: pct(header.test.acc),
  });
}

/** Loss curves: a point per frame that follows training steps; a step back (reset) starts them again. */
function noteCurves(views, state, { header }) {
  if (header.step < state.lastStep) curves.clear(views.chart);
  state.lastStep = header.step;
  const points = [
    { series: 0, step: header.step, value: header.train.loss },
    { series: 1, step: header.step, value: header.test.loss },
  ];
  curves.update(views.chart, { points: points.filter((point) => point.value !== null) });
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const state = { info: null, frame: null, driving: false, lastStep: 0, view: readView(params, VIEW_DEFAULTS), setup: null, candidates: null, painted: [] };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, featuresPainted: [] };
  window.nnlive = debug;
  let live = null;
  let wantedControls = params.has("session") ? {} : configFromParams(params, catalog.controls);
  const act = (message) => live.act(message);
  const addPoint = ({ x1, x2 }) => {
    if (!state.driving) return;
    const cls = Number(byId("click-class").value);
    const target = state.info.task === "classification" ? cls : cls * 2 - 1;
    act({ type: "points", points: [[x1, x2, target]], split: byId("click-split").value }).catch(() => {});
  };
  const views = mountViews(addPoint);
  const draw = newestFrameDrawer((frame) => {
    if (frame.header.session !== state.info?.id) return false; // the replaced session's, under the new set-up
    drawFrame(views, frame, state);
    debug.featuresPainted = state.painted;
  }, debug);
  const onFrame = (frame) => {
    state.frame = frame;
    noteCurves(views, state, frame);
    draw(frame);
  };
  const replace = (config) =>
    live.replace(MODEL, config).catch((error) => {
      const named = error.field && !String(error.message).includes(error.field);
      live.notice.error(named ? { ...error, message: `${error.field}: ${error.message}` } : error); // name the field
      if (state.info) state.setup.show(state.info.config);
    });
  state.setup = bindSetup(byId("setup"), catalog.config, replace);
  const showCandidates = (grid) =>
    planeFeatures(grid)
      .then((candidates) => {
        if (state.info?.config.grid !== grid || state.candidates === candidates) return;
        state.candidates = candidates;
        if (state.frame) draw(state.frame);
      })
      .catch((error) => live?.notice.error(error));
  const setView = (values) => {
    state.view = { ...state.view, ...values };
    byId("show-test").checked = state.view.test;
    byId("discretize").checked = state.view.discrete;
    live?.writeView(state.view);
    if (state.frame) draw(state.frame);
  };
  byId("show-test").addEventListener("change", () => setView({ test: byId("show-test").checked }));
  byId("discretize").addEventListener("change", () => setView({ discrete: byId("discretize").checked }));
  const toggle = (key) => () => setView({ [key]: !state.view[key] });
  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    settings: null, // the set-up form below replaces the session (features and layers as lists)
    keys: { ArrowRight: () => training.controls.step(), t: toggle("test"), d: toggle("discrete") },
  });
  setView(state.view);

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    ...training.handlers({
      onHello: (info) => {
        state.info = debug.session = info;
        state.lastStep = 0;
        curves.clear(views.chart);
        state.setup.show(info.config);
        showCandidates(info.config.grid);
        live?.writeView(info.config);
        if (Object.keys(wantedControls).length && live?.session.token) act({ type: "set", values: wantedControls }).catch(() => {});
        wantedControls = {};
      },
      onState: (message) => live?.writeView(message.controls),
      onFrame,
      onAccess: (driving) => {
        state.driving = driving;
        state.setup.setEnabled(driving);
      },
    }),
    onView: (query) => setView(readView(query, VIEW_DEFAULTS)),
  });
}

main();
