// The LeNet-5 page: attach to (or create) a session, build one view per layer from the session's
// layer descriptions, draw every frame the server streams, and send the user's drawing and controls.
// The classifier head (flatten, C5, F6, output, softmax written out) is shown on request (`?head=1`).
// For tests, window.nnlive holds the last drawn frame, the session, the role and the curves.

import { scaleFor } from "../math/colormap.js";
import { catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n } from "../ui/i18n.js";
import { layerFormula, layerNote, layerShapeLabel } from "../math/layers.js";
import { startLivePage } from "../session/livepage.js";
import { tensorValues } from "../net/codec.js";
import { newestWins } from "../net/latest.js";
import { bindInkSharing } from "../session/inkshare.js";
import { bindSamplePicker } from "../ui/samples.js";
import { TRAIN_VAL_SERIES } from "../ui/trainingcurves.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import { readView } from "../session/urlstate.js";
import * as bars from "../views/bars.js";
import * as curves from "../views/curves.js";
import * as drawpad from "../views/drawpad.js";
import * as featuremaps from "../views/featuremaps.js";
import * as headView from "../views/head.js";
import * as legend from "../views/legend.js";
import * as panel from "../views/panel.js";
import * as strip from "../views/strip.js";

const MODEL = "lenet";
const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
// The view in the URL, with its defaults: the classifier head shown, its pinned units (out −1: the prediction).
const VIEW = { head: false, c5: 0, f6: 0, out: -1 };

const byId = (id) => document.getElementById(id);
/** Show or hide an element, touching it only on a change (the frame path writes nothing that stays). */
const showIf = (element, shown) => {
  if (element.hidden === shown) element.hidden = !shown;
};

/** A panel with a tensor view (feature maps or a strip) and its legend, drawn from one tensor name. */
function tensorPanel(container, name, panelOptions, kind, viewOptions = {}) {
  const box = panel.mount(container, panelOptions);
  box.root.dataset.tensor = name;
  const view = kind === "maps" ? featuremaps.mount(box.body, viewOptions) : strip.mount(box.body);
  const key = legend.mount(box.legend);
  return {
    name,
    /**
     * Draw `tensor` (its `values` when already decoded) on its own scale, shown in the panel's legend,
     * or on a `shared` one that a legend elsewhere shows.
     */
    draw(tensor, { signed, gradient, values = tensorValues(tensor), shared = null }) {
      const scale = shared ?? scaleFor(values, { signed });
      showIf(box.legend, !shared);
      if (kind === "maps") featuremaps.update(view, { values, shape: tensor.shape, scale });
      else strip.update(view, { values, scale });
      if (!shared) legend.update(key, { scale });
      panel.update(box, { gradient });
    },
  };
}

/**
 * The panels of a session's layers (input, each layer, probabilities, C1's kernels), built from the
 * session info of `hello`; a new session with another config builds them again (S2's note names its pooling).
 */
function buildPanels(session) {
  for (const id of ["input-panel", "layers", "output-panel", "kernels-panel"]) byId(id).replaceChildren();
  const layers = session.layers;
  const classifier = layers.at(-1);
  const inputOptions = { headingKey: "panel.input", noteKey: "panel.input_note", tensorLabel: "x" };
  const input = tensorPanel(byId("input-panel"), "input", inputOptions, "maps", { size: 160 });
  const hidden = layers.slice(0, -1).map((layer) => {
    const note = layerNote(layer);
    const options = {
      heading: layerShapeLabel(layer),
      formula: layerFormula(layer),
      noteKey: note.key,
      noteParams: note.params,
      tensorLabel: layer.name.toUpperCase(),
    };
    return tensorPanel(byId("layers"), layer.name, options, layer.out.length === 3 ? "maps" : "strip");
  });
  const probsPanel = panel.mount(byId("output-panel"), {
    headingKey: "panel.probs",
    noteKey: "panel.probs_note",
    noteParams: { name: layerShapeLabel(classifier) },
  });
  const [c1] = layers;
  const kernels = tensorPanel(
    byId("kernels-panel"),
    `${c1.name}.weight`,
    { headingKey: "panel.kernels", noteKey: "panel.kernels_note", noteParams: { n: c1.out[0], k: c1.kernel } },
    "maps",
    { size: 60, columns: Math.ceil(c1.out[0] / 2) },
  );
  return {
    activations: [input, ...hidden],
    kernels,
    bars: bars.mount(probsPanel.body, { classes: DIGITS }),
  };
}

/** The loss and accuracy charts, train and validation. */
function mountCharts() {
  const lossPanel = panel.mount(byId("loss-panel"), { headingKey: "panel.loss" });
  const accuracyPanel = panel.mount(byId("accuracy-panel"), { headingKey: "panel.accuracy" });
  return {
    loss: curves.mount(lossPanel.body, { series: TRAIN_VAL_SERIES }),
    accuracy: curves.mount(accuracyPanel.body, { series: TRAIN_VAL_SERIES, range: [0, 1] }),
  };
}

/** Draw one frame: activations (or their gradients), kernels, probabilities. */
function drawFrame(views, { header, tensors }) {
  showIf(byId("grad-scale"), Boolean(header.grads));
  if (header.grads) drawGradients(views.activations, views.gradLegend, tensors);
  else for (const view of views.activations) if (tensors[view.name]) view.draw(tensors[view.name], { signed: false, gradient: false });
  const weights = tensors[views.kernels.name];
  if (weights) views.kernels.draw(weights, { signed: true, gradient: false });
  if (tensors.probs) bars.update(views.bars, { probs: tensorValues(tensors.probs), pred: header.pred, label: header.label ?? null });
}

/**
 * Every layer's ∂L/∂(output) on one diverging scale, ±(the largest |gradient| of any layer), so a
 * layer whose gradients vanish shows pale next to one whose gradients are large; one legend shows it.
 */
function drawGradients(panels, key, tensors) {
  const shown = panels.filter((view) => tensors[`${view.name}.grad`]).map((view) => {
    const tensor = tensors[`${view.name}.grad`];
    return { view, tensor, values: tensorValues(tensor) };
  });
  const largest = Math.max(0, ...shown.map(({ values }) => scaleFor(values, { signed: true }).max));
  const shared = { kind: "diverging", min: -largest, max: largest };
  legend.update(key, { scale: shared });
  for (const view of panels) {
    const gradient = shown.find((entry) => entry.view === view);
    if (gradient) view.draw(gradient.tensor, { signed: true, gradient: true, values: gradient.values, shared });
    else if (tensors[view.name]) view.draw(tensors[view.name], { signed: false, gradient: false });
  }
}

/** Curve points in a frame header: train metrics at its step, the latest validation at its own. */
function framePoints(header) {
  const points = { loss: [], accuracy: [] };
  if (header.train) {
    points.loss.push({ series: 0, step: header.step, value: header.train.loss });
    points.accuracy.push({ series: 0, step: header.step, value: header.train.acc });
  }
  if (header.val) {
    points.loss.push({ series: 1, step: header.val.step, value: header.val.loss });
    points.accuracy.push({ series: 1, step: header.val.step, value: header.val.acc });
  }
  return points;
}

/** Curve points in hello's history. */
function historyPoints(history) {
  const points = { loss: [], accuracy: [] };
  ["train", "val"].forEach((split, series) => {
    const run = history?.[split];
    run?.step.forEach((step, i) => {
      points.loss.push({ series, step, value: run.loss[i] });
      points.accuracy.push({ series, step, value: run.acc[i] });
    });
  });
  return points;
}

/** The momentum field only while the optimizer uses it (SGD with momentum). */
function showMomentumWithItsOptimizer() {
  showIf(byId("momentum").closest("label"), byId("optimizer").value === "sgd_momentum");
}

/** The head's pinned units from the URL's view (out −1: follow the prediction). */
const pinned = ({ c5, f6, out }) => ({ c5, f6, out: out < 0 ? null : out });

/**
 * The classifier head: its toggle (a `set` of the head control; the server answers with a frame, so
 * it shows even while paused) and its section, drawn from whatever head a frame carries.
 * Returns `{show(controls), draw(frame), setEnabled(on), pin(wanted), restore(info)}`.
 */
function bindHead(act, live, page, wanted) {
  const toggle = byId("head-toggle");
  let view = null;
  const setHead = (on) => act({ type: "set", values: { head: on } }).catch(() => page.state && head.show(page.state.controls));
  toggle.addEventListener("change", () => setHead(toggle.checked));
  const head = {
    /** Show the head control's value on the toggle and in the URL. */
    show(controlValues) {
      toggle.checked = Boolean(controlValues.head);
      live()?.writeView({ head: Boolean(controlValues.head) });
    },
    draw({ header, tensors }) {
      const shown = Boolean(tensors.flat);
      showIf(byId("head"), shown);
      showIf(byId("head-waiting"), !shown && toggle.checked);
      if (!shown) return;
      view ??= headView.mount(byId("head"), {
        activation: page.info.config.activation,
        classes: DIGITS,
        selected: pinned(wanted),
        onPick: (layer, j) => live().writeView({ [layer]: j }),
      });
      headView.update(view, { tensors, header, dtype: tensors.flat.dtype });
    },
    setEnabled(on) {
      toggle.disabled = !on;
    },
    /** A session with another config (activation): the head is mounted again with the next frame. */
    rebuild() {
      if (view) headView.destroy(view);
      view = null;
    },
    /** A viewer takes the driver's pinned head units (lecture mode); the head itself follows the session. */
    pin(values) {
      wanted = values;
      if (view) headView.pin(view, pinned(wanted));
    },
    /** A driver's new session takes the head the URL asks for. */
    restore(info, params) {
      head.show(info.controls);
      if (live()?.session.token && params.has("head") && wanted.head !== Boolean(info.controls.head)) setHead(wanted.head);
    },
  };
  return head;
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL).catch(() => ({ controls: [], config: [] }));
  const page = { info: null, views: null, dataset: null, state: null };
  const debug = { lastFrame: null, frames: 0, session: null, role: "viewer", state: null, curves: null };
  window.nnlive = debug;
  let live = null;
  const act = (message) => live.act(message);

  const charts = mountCharts();
  debug.curves = charts;
  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    charts,
    onShow: showMomentumWithItsOptimizer,
    keys: { ArrowRight: () => training.controls.step(), g: () => training.controls.toggleGrads() },
  });
  // Lecture (issue 18): the presenter's drawing goes to the viewers' pads as view state.
  const ink = bindInkSharing(() => live, () => page.views?.pad);
  const sendDrawing = newestWins((grid) => act({ type: "forward", input: grid }));
  // A sample replaces the drawing: a drawing not yet sent never goes after it, and the pad is wiped
  // once the sample is shown (a request that fails keeps the drawing).
  const requestSample = (message) => {
    sendDrawing.drop();
    return act(message);
  };
  const wipePad = () => {
    if (page.views) drawpad.clear(page.views.pad);
    ink.share(null);
  };
  const sampler = bindSamplePicker(requestSample, () => page.dataset, wipePad);
  const headPart = bindHead(act, () => live, page, readView(params, VIEW));
  const drawNewest = newestFrameDrawer((frame) => {
    if (!page.views) return false;
    training.curves.draw();
    drawFrame(page.views, frame);
    headPart.draw(frame);
  }, debug);

  /** A session's panels (again when its config differs from the last one's) and the drawing pad (once). */
  let shownConfig = null;
  function showSession(info) {
    const config = JSON.stringify(info.config);
    if (page.views && config === shownConfig) return;
    const pad = page.views?.pad ?? drawpad.mount(byId("drawpad"), { onDraw: (grid) => (ink.share(grid), sendDrawing(grid)) });
    const gradLegend = page.views?.gradLegend ?? legend.mount(byId("grad-legend"));
    page.views = { pad, gradLegend, ...buildPanels(info) };
    if (shownConfig !== null) headPart.rebuild();
    shownConfig = config;
  }

  const handlers = training.handlers({
    onHello(info, { history }) {
      page.info = info;
      page.dataset = info.dataset;
      debug.session = info;
      showSession(info);
      sampler.setDataset(info.dataset);
      training.curves.add(historyPoints(history));
      training.curves.draw();
      handlers.onAccess(training.driving, debug.role);
      headPart.restore(info, params);
    },
    onState(state) {
      page.state = state;
      headPart.show(state.controls);
    },
    onFrame(frame) {
      training.curves.add(framePoints(frame.header));
      drawNewest(frame);
    },
    onAccess(driving, role) {
      debug.role = role;
      sampler.setEnabled(driving);
      headPart.setEnabled(driving);
      if (page.views) drawpad.update(page.views.pad, { disabled: !driving });
    },
  });
  live = await startLivePage(MODEL, { ...handlers, onView: (values) => (headPart.pin(readView(values, VIEW)), ink.show(values)) });
}

main();
