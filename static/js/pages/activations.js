// The activations page (/activations): one neuron y = g(w·x + b) with sliders for w and b, its curve
// and slope drawn together with the formulas and their numbers; every activation function f and its
// derivative f′ computed by torch autograd on the server; and the depth experiment, ‖∂L/∂h_l‖ per
// layer of a deep stack for two activations on the same weights, with the dead ReLUs counted. The
// neuron and the experiment are the session's controls; which curves are shown is view state (URL,
// mirrored to lecture viewers). For tests, window.nnlive holds the last drawn frame and the session.

import { bindControlFields } from "../ui/controlfields.js";
import { catalogEntry } from "../ui/configform.js";
import { bindKeys } from "../ui/controls.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { logRangeOf } from "../math/plotaxes.js";
import { formatValue } from "../math/numbers.js";
import { startLivePage } from "../session/livepage.js";
import { configFromParams, readView } from "../session/urlstate.js";
import { element } from "../views/parts/dom.js";
import * as fnplot from "../views/fnplot.js";
import * as layerbars from "../views/layerbars.js";

const MODEL = "activations";
// Each function's name, formula and derivative (i18n keys, written out so that the catalogs' check finds them).
const TEXTS = {
  sigmoid: ["activations.fn.sigmoid", "activations.formula.sigmoid", "activations.derivative.sigmoid"],
  tanh: ["activations.fn.tanh", "activations.formula.tanh", "activations.derivative.tanh"],
  relu: ["activations.fn.relu", "activations.formula.relu", "activations.derivative.relu"],
  leaky_relu: ["activations.fn.leaky_relu", "activations.formula.leaky_relu", "activations.derivative.leaky_relu"],
  elu: ["activations.fn.elu", "activations.formula.elu", "activations.derivative.elu"],
  gelu: ["activations.fn.gelu", "activations.formula.gelu", "activations.derivative.gelu"],
};
const FUNCTIONS = Object.keys(TEXTS);
const nameKey = (f) => TEXTS[f][0];
const CURVES = ["both", "f", "df"];
const byId = (id) => document.getElementById(id);

/** The neuron's plot, one small plot per function (a button choosing it for the neuron), the depth bars. */
function mountViews(onPick) {
  const gallery = FUNCTIONS.map((name) => {
    const [title, formulaKey, derivativeKey] = TEXTS[name];
    const translated = (tag, key, className = "act-formula") => {
      const node = element(tag, className);
      setText(node, key);
      return node;
    };
    const card = element("button", "act-fn", translated("h3", title, ""));
    card.type = "button";
    card.dataset.fn = name;
    card.addEventListener("click", () => onPick(name));
    const plot = fnplot.mount(card, { label: t(title), width: 220, height: 140 });
    card.append(translated("p", formulaKey), translated("p", derivativeKey));
    byId("gallery").append(card);
    return { name, card, plot };
  });
  const describe = (i, v, dead) => t("activations.bar_readout", { l: i + 1, v: formatValue(v), dead });
  return {
    neuron: fnplot.mount(byId("neuron-plot"), { label: t("activations.neuron_title"), width: 460, height: 280 }),
    gallery,
    depth: layerbars.mount(byId("depth-bars"), { describe }),
    compare: layerbars.mount(byId("compare-bars"), { describe }),
  };
}

/** The neuron's formulas with the current numbers: y = g(w·x + b) and dy/dx = w·g′(w·x + b). */
function showFormulas({ activation, w, b }) {
  const params = { g: t(nameKey(activation)), w: formatValue(w), b: formatValue(b) };
  setText(byId("neuron-formula"), "activations.neuron_formula", params);
  setText(byId("neuron-derivative"), "activations.neuron_derivative", params);
  setText(byId("neuron-g"), TEXTS[activation][1]);
  setText(byId("neuron-dg"), TEXTS[activation][2]);
}

/** Draw one frame: the neuron, the gallery and the two depth panels. */
function drawFrame(views, { header, tensors }, state) {
  const x = tensors.x.data;
  const show = state.view.curves;
  fnplot.update(views.neuron, { x, y: tensors["neuron.y"].data, dy: tensors["neuron.dy"].data, show });
  for (const { name, card, plot } of views.gallery) {
    fnplot.update(plot, { x, y: tensors[`y.${name}`].data, dy: tensors[`dy.${name}`].data, show });
    card.setAttribute("aria-pressed", String(name === state.controls?.activation));
  }
  const norms = [tensors.grad_norm.data, tensors["grad_norm.compare"].data];
  const logRange = logRangeOf(norms);
  layerbars.update(views.depth, { values: norms[0], logRange, extra: tensors.dead.data });
  layerbars.update(views.compare, { values: norms[1], logRange, extra: tensors["dead.compare"].data });
  setText(byId("depth-dead"), "activations.dead", { n: header.dead_units, units: header.units });
  setText(byId("compare-dead"), "activations.dead", { n: header.dead_units_compare, units: header.units });
}

/** Keyboard: 1–6 pick g, ←/→ change w, ↓/↑ change b, C cycles the curves shown, N draws new weights. */
function bindActivationKeys(state, controls, setCurves, resample, isEnabled) {
  const nudge = (name, by) => () => state.controls && controls.set({ [name]: Math.round((state.controls[name] + by) * 100) / 100 });
  const actions = { ArrowLeft: nudge("w", -0.25), ArrowRight: nudge("w", 0.25), ArrowDown: nudge("b", -0.5), ArrowUp: nudge("b", 0.5), n: resample };
  FUNCTIONS.forEach((name, i) => (actions[String(i + 1)] = () => controls.set({ activation: name })));
  actions.c = () => setCurves(CURVES[(CURVES.indexOf(state.view.curves) + 1) % CURVES.length]);
  bindKeys(actions, isEnabled);
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const state = { controls: null, driving: false, view: readView(params, { curves: "both" }), frame: null };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false };
  window.nnlive = debug;
  let live = null;
  const act = (message) => live.act(message);
  const controls = bindControlFields([byId("neuron-controls"), byId("depth-controls")], act);
  controls.applyFields(catalog.controls);
  const views = mountViews((name) => state.driving && controls.set({ activation: name }));
  const draw = newestFrameDrawer((frame) => drawFrame(views, frame, state), debug);
  const onFrame = (frame) => draw((state.frame = frame)); // the newest arrived, drawn or not
  const redraw = () => state.frame && draw(state.frame);
  let wanted = params.has("session") ? {} : configFromParams(params, catalog.controls); // the URL's, once

  function setCurves(curves) {
    state.view.curves = CURVES.includes(curves) ? curves : "both";
    for (const radio of document.querySelectorAll('input[name="curves-view"]')) radio.checked = radio.value === state.view.curves;
    live?.writeView({ curves: state.view.curves });
    redraw();
  }
  function showControls(values) {
    state.controls = values;
    controls.show(values);
    showFormulas(values);
    setText(byId("depth-name"), nameKey(values.depth_activation));
    setText(byId("compare-name"), nameKey(values.compare_activation));
    live?.writeView(values);
  }
  const resample = () => act({ type: "resample" }).catch(() => {});
  for (const radio of document.querySelectorAll('input[name="curves-view"]')) radio.addEventListener("change", () => setCurves(radio.value));
  byId("resample").addEventListener("click", resample);
  bindActivationKeys(state, controls, setCurves, resample, () => state.driving);
  setCurves(state.view.curves);

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    onHello: (info) => {
      debug.session = info;
      live?.writeView(info.config);
      showControls(info.controls);
      if (Object.keys(wanted).length && live?.session.token) controls.set(wanted);
      wanted = {};
    },
    onState: (message) => showControls(message.controls),
    onFrame,
    onAccess: (driving) => {
      state.driving = debug.driving = driving;
      controls.setEnabled(driving);
      byId("resample").disabled = !driving;
    },
    onView: (query) => setCurves(readView(query, { curves: "both" }).curves),
  });
}

main();
