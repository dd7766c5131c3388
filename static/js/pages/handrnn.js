// The char-RNN by hand (/handrnn): min-char-rnn's five tensors, forward loop, backpropagation through
// time and Adagrad written out on the server, training on the char-RNN's corpora. The page shows that
// code (the session sends the source of the functions that run) beside the last chunk's numbers: the
// chosen step's h_t, p(next character), the gradient norms and the gap to autograd, checked every frame.
// For tests, window.nnlive holds the last frame, the session, the loss curve and the shown step.

import { charLabel } from "../math/charrnnsample.js";
import { framePoints, historyPoints } from "../math/losspoints.js";
import { formatPercent, formatValue } from "../math/numbers.js";
import { catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { TRAIN_VAL_SERIES } from "../ui/trainingcurves.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import { startLivePage } from "../session/livepage.js";
import { configFromParams } from "../session/urlstate.js";
import * as codeview from "../views/codeview.js";
import * as curves from "../views/curves.js";
import * as legend from "../views/legend.js";
import { element } from "../views/parts/dom.js";
import * as valuebars from "../views/valuebars.js";

const MODEL = "handrnn";
const TANH_SCALE = { kind: "diverging", min: -1, max: 1 };
const TENSORS = ["W_xh", "W_hh", "W_hy", "b_h", "b_y"];
const CORPUS_FACTS = { stdlib: "handrnn.facts_stdlib", shipped: "handrnn.facts_shipped" };

const byId = (id) => document.getElementById(id);

/** The numbers beside each function of the code, for step `at` of the frame's chunk. */
function notesAt(frame, at, lr) {
  const { chunk } = frame.header;
  const { h, p_target: p } = frame.tensors;
  const units = h.shape[1];
  const norm = Math.hypot(...h.data.subarray((at + 1) * units, (at + 2) * units));
  const note = (key, value) => ({ label: t(key), value });
  return {
    forward: [
      note("handrnn.note_step", `t = ${at}: x = “${charLabel(chunk.inputs[at])}” → “${charLabel(chunk.targets[at])}”`),
      note("handrnn.note_h", `‖h_${at}‖ = ${formatValue(norm)}`),
      note("handrnn.note_p", formatPercent(p.data[at])),
      note("handrnn.note_loss", formatValue(chunk.loss)),
    ],
    backward: TENSORS.map((name) => ({
      label: `‖d${name}‖`,
      value: t("handrnn.note_grad", { n: formatValue(chunk.grad_norms[name]), e: chunk.check.errors[name].toExponential(1) }),
    })),
    clip: [note("handrnn.note_clipped", String(chunk.clipped))],
    adagrad: [note("handrnn.note_lr", formatValue(lr))],
  };
}

/** A frame with a sample is not skipped for a newer one without: the newer header takes its sample. */
function keepSample(waiting, arriving) {
  if (!waiting.header.sample || arriving.header.sample) return arriving;
  return { ...arriving, header: { ...arriving.header, sample: waiting.header.sample } };
}

/** The chunk as buttons, one per step; the chosen one shows h_t as bars and its numbers in the code. */
function chunkView(onPick, debug) {
  const chars = byId("chunk-chars");
  const bars = valuebars.mount(byId("h-bars"));
  debug.hView = bars;
  legend.update(legend.mount(byId("h-legend")), { scale: TANH_SCALE });
  chars.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-t]");
    if (button) onPick(Number(button.dataset.t));
  });
  return {
    show(frame, t) {
      const { chunk } = frame.header;
      const buttons = [...chunk.inputs].map((c, i) => {
        const button = element("button", i === t ? "handrnn-char picked" : "handrnn-char", charLabel(c));
        button.type = "button";
        button.dataset.t = String(i);
        button.setAttribute("aria-pressed", String(i === t));
        return button;
      });
      chars.replaceChildren(...buttons);
      const { h } = frame.tensors;
      const units = h.shape[1];
      valuebars.update(bars, { values: h.data.subarray((t + 1) * units, (t + 2) * units), scale: TANH_SCALE });
      setText(byId("h-caption"), "handrnn.h_caption", { t, c: charLabel(chunk.inputs[t]) });
    },
  };
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, state: null, curves: null, step: 0, sample: null, hView: null };
  window.nnlive = debug;
  let live = null;

  const loss = curves.mount(byId("loss-panel"), { series: TRAIN_VAL_SERIES, yKey: "curve.y_char_loss" });
  debug.curves = { loss };
  const training = bindTrainingPage(MODEL, catalog, () => live, { debug, charts: { loss }, keys: { ArrowRight: () => training.controls.step() } });
  const code = codeview.mount(byId("code-view"));
  let source = [];
  const lr = () => debug.state?.controls?.lr ?? debug.session?.controls?.lr ?? 0;
  const draw = (frame) => {
    const { chunk } = frame.header;
    if (!chunk) return;
    debug.step = Math.min(debug.step, chunk.inputs.length - 1);
    chunks.show(frame, debug.step);
    codeview.update(code, { code: source, notes: notesAt(frame, debug.step, lr()) });
    setText(byId("check"), "handrnn.check_value", { e: chunk.check.max_abs_error.toExponential(1) });
  };
  const chunks = chunkView((step) => {
    debug.step = step;
    if (debug.lastFrame) draw(debug.lastFrame);
  }, debug);

  const drawFrame = newestFrameDrawer(
    (frame) => {
      training.curves.draw();
      const { header } = frame;
      if (header.chars_per_s !== null) setText(byId("speed"), "handrnn.speed_value", { n: Math.round(header.chars_per_s).toLocaleString() });
      if (header.sample !== null) {
        debug.sample = { text: header.sample, step: header.step };
        byId("sample").textContent = header.sample;
        setText(byId("sample-meta"), "handrnn.sample_meta", { step: header.step });
      }
      draw(frame);
    },
    debug,
    { keep: keepSample },
  );
  const handlers = training.handlers({
    onHello: (info, hello) => {
      debug.session = info;
      source = info.code;
      codeview.update(code, { code: source, notes: {} });
      setText(byId("corpus-facts"), CORPUS_FACTS[info.corpus.name], { n: info.corpus.train + info.corpus.val, v: info.corpus.vocab });
      training.curves.add({ loss: historyPoints(hello.history) });
    },
    onFrame: (frame) => {
      training.curves.add({ loss: framePoints(frame.header) });
      drawFrame(frame);
    },
  });
  live = await startLivePage(MODEL, { config: configFromParams(params, catalog.config), ...handlers });
}

main();
