// The backprop page (/backprop): a small network and one mini-batch; the forward pass layer by
// layer (z = W·a + b, a = g(z)), the loss, the backward pass from the last layer to the first (∂L/∂a,
// ∂L/∂z, ∂L/∂W, ∂L/∂b with the chain rule written out), then W ← W − α·∂L/∂W and the new loss — every
// number from the server's frame, whose hand-written gradients it checks against autograd (max error
// shown). Step is one SGD update on the batch. The stage and the sample shown are view state (URL,
// lecture). For tests, window.nnlive holds the last drawn frame, the session and the stage.

import { formatBatch, parseBatch, xorBatch } from "../math/batchtext.js";
import { stageLines, stages } from "../math/backprop.js";
import { formatValue } from "../math/numbers.js";
import { startLivePage } from "../session/livepage.js";
import { configFromParams, readView } from "../session/urlstate.js";
import { catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import { initI18n, setText } from "../ui/i18n.js";
import * as formulalist from "../views/formulalist.js";
import * as netdiagram from "../views/netdiagram.js";

const MODEL = "backprop";
const VIEW = { stage: 0, n: 1 };
const STAGE_KEYS = { forward: "backprop.stage_forward", loss: "backprop.stage_loss", backward: "backprop.stage_backward", update: "backprop.stage_update" };
const BATCH_ERROR_KEYS = { input: "backprop.batch_error_input", target: "backprop.batch_error_target" };
const byId = (id) => document.getElementById(id);

/** The numbers in the diagram at `stage` for sample `n`: a with z under it (forward), ∂L/∂z with ∂L/∂a (backward). */
function columnValues(tensors, layers, stage, n) {
  const row = (tensor) => Array.from(tensor.data.slice(n * tensor.shape[1], (n + 1) * tensor.shape[1]));
  const backward = stage.kind === "backward";
  const column = (prefix) => Array.from({ length: layers }, (_, i) => row(tensors[`${prefix}.l${i + 1}`]));
  return {
    values: [row(tensors.input), ...column(backward ? "dz" : "a")],
    below: [[], ...column(backward ? "da" : "z")],
    belowLabel: backward ? "∂L/∂a " : "z ",
  };
}

/** Draw one frame: the diagram, the stage's lines, the loss and the autograd check. */
function drawFrame(frame, info, view, views) {
  const { header, tensors } = frame;
  const layers = info.layers.length - 1;
  const all = stages(layers);
  const stage = all[Math.min(view.stage, all.length - 1)];
  const n = Math.min(view.n, tensors.input.shape[0]) - 1;
  const weights = Array.from({ length: layers }, (_, i) => tensors[`W.l${i + 1}`]);
  netdiagram.update(views.diagram, { sizes: info.layers, weights, ...columnValues(tensors, layers, stage, n), active: stage.layer });
  const net = { activations: info.activations, loss: info.config.loss, lr: header.lr };
  formulalist.update(views.lines, { lines: stageLines(frame, stage, n, net) });
  setText(byId("stage-name"), STAGE_KEYS[stage.kind], { l: stage.layer, index: view.stage + 1, count: all.length });
  const shown = (value, format = formatValue) => (value === null ? "–" : format(value));
  setText(byId("loss"), "backprop.loss_now", { loss: shown(header.loss), next: shown(header.loss_next) });
  setText(byId("max-error"), "backprop.max_error", { error: shown(header.max_error, (v) => v.toExponential(1)) });
  byId("sample").max = tensors.input.shape[0];
  const batch = byId("batch");
  if (!views.editing) batch.value = formatBatch(tensors.input, tensors.target);
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const view = readView(params, VIEW);
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, view };
  window.nnlive = debug;
  let live = null;
  let info = null;
  const act = (message) => live.act(message);
  const views = { diagram: netdiagram.mount(byId("diagram")), lines: formulalist.mount(byId("lines"), { numbered: true, label: "lines" }), editing: false };
  const redraw = () => debug.lastFrame && info && drawFrame(debug.lastFrame, info, view, views);
  const drawNewest = newestFrameDrawer((frame) => drawFrame(frame, info, view, views), debug);
  const stageCount = () => (info ? 2 * info.layers.length : 1); // forward L, loss, backward L, update

  function showView(next) {
    Object.assign(view, next);
    view.stage = Math.max(0, Math.min(view.stage, stageCount() - 1));
    byId("sample").value = view.n;
    live?.writeView({ stage: view.stage, n: view.n });
    redraw();
  }
  const moveStage = (delta) => showView({ stage: view.stage + delta });

  function sendBatch(batch) {
    const error = byId("batch-error");
    const sizes = info.layers;
    const parsed = typeof batch === "string" ? parseBatch(batch, sizes[0], sizes.at(-1)) : batch;
    error.hidden = !parsed.error;
    if (parsed.error) return setText(error, BATCH_ERROR_KEYS[parsed.error.side], parsed.error);
    views.editing = false;
    return act({ type: "forward", input: parsed.input, target: parsed.target }).catch(() => {});
  }

  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    keys: { ArrowLeft: () => moveStage(-1), ArrowRight: () => moveStage(1) },
    inputs: "#batch, #send-batch, #xor, #stage-prev, #stage-next, #sample",
  });
  byId("stage-prev").addEventListener("click", () => moveStage(-1));
  byId("stage-next").addEventListener("click", () => moveStage(1));
  byId("sample").addEventListener("change", () => showView({ n: Math.max(1, Number(byId("sample").value) || 1) }));
  byId("batch").addEventListener("input", () => (views.editing = true));
  byId("send-batch").addEventListener("click", () => sendBatch(byId("batch").value));
  byId("xor").addEventListener("click", () => sendBatch(xorBatch(info.layers[0], info.layers.at(-1))));

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    ...training.handlers({
      onHello: (session) => {
        info = session;
        debug.session = session;
        byId("xor").hidden = !xorBatch(session.layers[0], session.layers.at(-1));
        showView({});
      },
      onFrame: (frame) => frame.header.session === info?.id && drawNewest(frame),
    }),
    onView: (query) => showView(readView(query, VIEW)),
  });
}

main();
