// The loss lab (/losses): one torch loss on a mini-batch the driver edits in a table or by dragging
// bars; each sample's loss (reduction "none"), the reduced loss and ∂loss/∂input, the loss written out
// term by term and its facts with the current numbers, and a curve of the loss and its gradient as one
// input value moves — every number computed by torch on the server. The loss and its options are the
// session's config (a change starts a new session); the curve's value is its control. For tests,
// window.nnlive holds the last drawn frame and the session.

import { bindConfigForm, catalogEntry } from "../ui/configform.js";
import { bindKeys } from "../ui/controls.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText } from "../ui/i18n.js";
import { batchOf, withFirst, withInput, withSampleAdded, withSampleRemoved } from "../math/lossbatch.js";
import { factLines, reductionLine, termLines } from "../math/lossformula.js";
import { formatValue } from "../math/numbers.js";
import { startLivePage } from "../session/livepage.js";
import { configFromParams } from "../session/urlstate.js";
import * as batchtable from "../views/batchtable.js";
import * as dragbars from "../views/dragbars.js";
import * as formulalist from "../views/formulalist.js";
import * as lineplot from "../views/lineplot.js";

const MODEL = "loss";
const CLASS_LOSSES = ["nll", "cross_entropy"];
const REGRESSION = ["l1", "mse", "smooth_l1", "huber"];
const byId = (id) => document.getElementById(id);

/** A weight field's text as the config takes it: blank → null, "2" → 2 (pos_weight) or [2], "1, 2" → [1, 2]. */
function listField(text, scalarAllowed) {
  const parts = String(text).split(",").map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return null;
  const numbers = parts.map(Number);
  if (numbers.some((n) => !Number.isFinite(n))) return text; // the server names the field
  return scalarAllowed && numbers.length === 1 ? numbers[0] : numbers;
}

/** The bars' range: probabilities for BCE, else the values and targets with room around them. */
function barRange(name, values, targets) {
  if (name === "bce") return [0, 1];
  const reach = Math.max(1, ...Array.from(values, Math.abs), ...(targets ?? []).map(Math.abs)) * 1.2;
  return [-reach, reach];
}

/** Draw one frame into the views. */
function drawFrame(views, frame, { config, driving }) {
  const { header, tensors } = frame;
  const classes = CLASS_LOSSES.includes(header.loss_name);
  batchtable.update(views.table, { input: tensors.input, target: tensors.target, perSample: tensors.per_sample, grad: tensors["input.grad"], classes, enabled: driving });
  const targets = classes ? null : Array.from(tensors.target.data);
  dragbars.update(views.bars, { values: Array.from(tensors.input.data), targets, range: barRange(header.loss_name, tensors.input.data, targets), enabled: driving });
  setText(byId("loss-value"), header.reduction === "none" ? "losses.value_none" : "losses.value", { value: formatValue(header.value), reduction: header.reduction });
  formulalist.update(views.reduction, { lines: [reductionLine(frame)] });
  formulalist.update(views.terms, { lines: termLines(frame, config) });
  formulalist.update(views.facts, { lines: factLines(frame), empty: "losses.facts_none" });
  const x = tensors["curve.x"].data;
  const marker = tensors.input.data[header.curve_index];
  lineplot.update(views.curveLoss, { x, series: [{ values: tensors["curve.loss"].data, color: "#0072B2" }], marker });
  lineplot.update(views.curveGrad, { x, series: [{ values: tensors["curve.grad"].data, color: "#D55E00" }], marker });
  showCurveChoices(tensors.input, header.curve_index);
  for (const [id, shown] of [["preset-outlier", REGRESSION.includes(header.loss_name)], ["preset-overflow", header.loss_name === "bce_with_logits"], ["preset-logit", header.loss_name === "bce"]]) byId(id).hidden = !shown;
}

function showCurveChoices(input, selected) {
  const select = byId("curve-index");
  const width = input.shape.length === 2 ? input.shape[1] : 0;
  const labels = Array.from(input.data, (_, i) => (width ? `x[${Math.floor(i / width)}][${i % width}]` : `x[${i}]`));
  if (select.options.length !== labels.length) select.replaceChildren(...labels.map((label, i) => new Option(label, String(i))));
  select.value = String(selected);
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const page = { info: null, frame: null, driving: false, config: {} };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false };
  window.nnlive = debug;
  let live = null;
  const classes = () => CLASS_LOSSES.includes(page.config.loss);
  const send = (batch) => live.act({ type: "forward", ...batch }).catch(() => {});
  const edit = (change) => page.frame && page.driving && send(change(batchOf(page.frame, classes())));

  async function changeSettings(values) {
    settings.clearErrors();
    const config = { ...values, weight: listField(values.weight, false), pos_weight: listField(values.pos_weight, true) };
    try {
      await live.replace(MODEL, config);
      live.writeView({ ...config, weight: config.weight && JSON.stringify(config.weight), pos_weight: config.pos_weight && JSON.stringify(config.pos_weight) });
    } catch (error) {
      if (!settings.showError(error)) live.notice.error(error);
    }
  }
  const views = {
    table: batchtable.mount(byId("batch"), { onEdit: (input, target) => send({ input, target }) }),
    bars: dragbars.mount(byId("bars"), { label: "input", onDrag: (i, value) => edit((batch) => withInput(batch, i, value)) }),
    reduction: formulalist.mount(byId("reduction")),
    terms: formulalist.mount(byId("terms")),
    facts: formulalist.mount(byId("facts")),
    curveLoss: lineplot.mount(byId("curve-loss"), { label: "loss" }),
    curveGrad: lineplot.mount(byId("curve-grad"), { label: "gradient" }),
  };
  const drawNewest = newestFrameDrawer((frame) => drawFrame(views, frame, page), debug);
  const settings = bindConfigForm(byId("settings"), changeSettings);
  settings.applyFields(catalog.config);
  const limit = () => page.info?.limits.batch ?? 32;
  const actions = {
    a: () => edit((batch) => withSampleAdded(batch, limit())),
    d: () => edit(withSampleRemoved),
  };
  byId("add-sample").addEventListener("click", actions.a);
  byId("remove-sample").addEventListener("click", actions.d);
  byId("preset-outlier").addEventListener("click", () => edit((batch) => withFirst(batch, 1, 15)));
  byId("preset-overflow").addEventListener("click", () => edit((batch) => withFirst(batch, 40, 0)));
  byId("preset-logit").addEventListener("click", () => edit((batch) => withFirst(batch, 2.5, 1)));
  byId("curve-index").addEventListener("change", (event) => live.act({ type: "set", values: { curve: Number(event.target.value) } }).catch(() => {}));
  bindKeys(actions, () => page.driving);

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    onHello(info) {
      page.info = debug.session = info;
      page.config = info.config;
      const text = (v) => (v === null ? "" : Array.isArray(v) ? v.join(", ") : String(v));
      settings.show({ ...info.config, weight: text(info.config.weight), pos_weight: text(info.config.pos_weight) });
    },
    onFrame(frame) {
      page.frame = frame;
      drawNewest(frame);
    },
    onAccess(driving) {
      page.driving = debug.driving = driving;
      settings.setEnabled(driving);
      for (const id of ["add-sample", "remove-sample", "preset-outlier", "preset-overflow", "preset-logit", "curve-index"]) byId(id).disabled = !driving;
      if (page.frame) drawFrame(views, page.frame, page);
    },
  });
}

main();
