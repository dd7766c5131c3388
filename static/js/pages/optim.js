// The gradient-descent page (/optim): several torch.optim optimizers from one start on a 2-D function,
// drawn live over the function's contour plot (values computed by torch on a grid), their losses per
// step, who diverged, and the picked optimizer's update rule with the numbers of its last step. The
// function, the start (a click on the plot), the optimizers and the schedule are the session's config
// (a change starts a new session); play / pause / step / reset and the speed drive it. For tests,
// window.nnlive holds the last drawn frame, the session and the picked optimizer.

import { bindConfigForm, catalogEntry } from "../ui/configform.js";
import { bindKeys } from "../ui/controls.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { ruleLines } from "../math/optimrule.js";
import { startLivePage } from "../session/livepage.js";
import { configFromParams, readView } from "../session/urlstate.js";
import * as contour from "../views/contour.js";
import * as formulalist from "../views/formulalist.js";
import * as lineplot from "../views/lineplot.js";
import * as optimeditor from "../views/optimeditor.js";
import * as optimtable from "../views/optimtable.js";
import { OPTIMIZER_KEYS } from "../views/optimtable.js";

const MODEL = "optim";
// Okabe–Ito, one colour per optimizer.
const COLORS = ["#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2", "#F0E442", "#000000"];
const byId = (id) => document.getElementById(id);

/** Optimizer i of a frame: its header entry and tensors, with the point before its last step. */
function runnerOf(frame, i) {
  const path = frame.tensors[`path.${i}`].data;
  const k = path.length / 2;
  const state = {};
  for (const key of ["momentum_buffer", "exp_avg", "exp_avg_sq", "sum", "square_avg"]) {
    const tensor = frame.tensors[`state.${i}.${key}`];
    if (tensor) state[key] = Array.from(tensor.data);
  }
  return {
    ...frame.header.optimizers[i],
    path,
    losses: frame.tensors[`loss.${i}`].data,
    point: [path[2 * k - 2], path[2 * k - 1]],
    before: k > 1 ? [path[2 * k - 4], path[2 * k - 3]] : null,
    grad: frame.tensors[`grad.${i}`] && Array.from(frame.tensors[`grad.${i}`].data),
    used: frame.tensors[`used_grad.${i}`] && Array.from(frame.tensors[`used_grad.${i}`].data),
    state,
  };
}

/** Draw one frame: the contour with paths, the loss chart, the standings and the picked rule. */
function drawFrame(views, frame, { info, selected }) {
  const runners = frame.header.optimizers.map((_, i) => runnerOf(frame, i));
  const pick = runners[Math.min(selected, runners.length - 1)];
  contour.update(views.contour, {
    grid: frame.tensors.grid,
    gridKey: frame.header.session,
    bounds: frame.header.bounds,
    minima: info?.minima ?? [],
    start: info?.start ?? [runners[0].path[0], runners[0].path[1]],
    paths: runners.map((r, i) => ({ points: r.path, color: COLORS[i % COLORS.length], diverged: r.diverged })),
    arrow: pick.grad && { at: pick.point, grad: pick.grad },
  });
  lineplot.update(views.losses, { log: true, series: runners.map((r, i) => ({ values: r.losses, color: COLORS[i % COLORS.length] })) });
  optimtable.update(views.table, { rows: runners.map((r) => ({ ...r, loss: r.losses.at(-1) })), selected });
  const lines = pick.diverged ? [] : ruleLines(pick, { g: pick.used, state: pick.state, before: pick.before, after: pick.point });
  formulalist.update(views.rule, { lines, empty: pick.diverged ? "optim.rule_diverged" : "optim.rule_none" });
  setText(byId("rule-title"), "optim.rule_title", { name: setName(pick.name), step: pick.steps });
  const diverged = runners.filter((r) => r.diverged);
  byId("diverged").hidden = diverged.length === 0;
  setText(byId("diverged"), "optim.diverged_notice", { names: diverged.map((r) => setName(r.name)).join(", ") });
}

const setName = (name) => t(OPTIMIZER_KEYS[name]);

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const page = { info: null, selected: readView(params, { rule: 0 }).rule, frame: null, driving: false, runState: null };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, selected: page.selected };
  window.nnlive = debug;
  let live = null;
  const act = (message) => live.act(message);

  async function replaceWith(changes) {
    settings.clearErrors();
    const config = { ...page.info.config, ...changes };
    try {
      await live.replace(MODEL, config);
      live.writeView({ ...config, start: JSON.stringify(config.start), optimizers: JSON.stringify(config.optimizers) });
    } catch (error) {
      if (!settings.showError(error)) live.notice.error(error);
    }
  }
  const select = (i) => {
    page.selected = debug.selected = i;
    live?.writeView({ rule: i });
    if (page.frame) draw(page.frame);
  };
  const views = {
    contour: contour.mount(byId("contour"), { label: "contour", onPick: (x, y) => page.driving && replaceWith({ start: [round(x), round(y)] }) }),
    losses: lineplot.mount(byId("loss-chart"), { label: "loss", height: 220 }),
    table: optimtable.mount(byId("optimizers"), { colors: COLORS, onSelect: select }),
    rule: formulalist.mount(byId("rule")),
    editor: optimeditor.mount(byId("optimizer-editor"), { colors: COLORS, onChange: (optimizers) => replaceWith({ optimizers }) }),
  };
  const draw = (frame) => drawFrame(views, frame, page);
  const drawNewest = newestFrameDrawer(draw, debug);
  const settings = bindConfigForm(byId("settings"), (values) => replaceWith(values));
  settings.applyFields(catalog.config);
  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    settings: null, // this page's settings replace the session through its own replaceWith (JSON lists)
    keys: { ArrowRight: () => training.controls.step() },
  });
  bindKeys(Object.fromEntries(COLORS.map((_, i) => [String(i + 1), () => select(i)])), () => true);

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    ...training.handlers({
      onHello(info) {
        page.info = debug.session = info;
        settings.show(info.config);
        optimeditor.update(views.editor, { entries: info.optimizers, enabled: page.driving });
      },
      onState(state) {
        page.runState = state.state;
      },
      onFrame(frame) {
        page.frame = frame;
        if (frame.header.done && page.driving && page.runState === "training") act({ type: "pause" }).catch(() => {});
        drawNewest(frame);
      },
      onAccess(driving) {
        page.driving = driving;
        settings.setEnabled(driving);
        if (page.info) optimeditor.update(views.editor, { entries: page.info.optimizers, enabled: driving });
      },
    }),
    onView: (query) => select(readView(query, { rule: 0 }).rule),
  });
}

const round = (v) => Math.round(v * 100) / 100;

main();
