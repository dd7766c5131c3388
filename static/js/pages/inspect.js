// The /inspect page: any model a script streams with the Python SDK (app/sdk). It follows the run
// named in the URL (?run=NAME) across reconnects and server restarts, lists the watched modules with
// their types and output shapes, draws the selected module's activation and gradient by rank, and
// plots the logged scalars and every module's gradient norm over steps. Record keeps what the socket
// receives; `?replay=KEY` plays a recording (from /replay) instead of following a run: its curves start
// with the recording, and each `hello` in it (a session joined) starts them over.
// For tests, window.nnlive holds the last drawn frame, the session, the selection and the charts.

import { bindKeys } from "../ui/controls.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText } from "../ui/i18n.js";
import { followRun } from "../session/runfollow.js";
import { bindPageRecording, replayThrough } from "../record/pagerecording.js";
import { SessionHandle } from "../session/handle.js";
import { noticeBoard, showConnection } from "../ui/status.js";
import { readView, writeView } from "../session/urlstate.js";
import * as activation from "../views/activation.js";
import * as curves from "../views/curves.js";
import * as moduletree from "../views/moduletree.js";

const VIEW = { run: "", session: "", module: "" }; // the view state in the URL, with its defaults
// Okabe–Ito: told apart with every common colour-vision deficiency.
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
const RANK_HINTS = { 1: "inspect.rank_bars", 2: "inspect.rank_heatmap", 3: "inspect.rank_sequence", 4: "inspect.rank_maps" };

const byId = (id) => document.getElementById(id);

/** A chart whose series (named by the script: loss, acc, conv1…) appear as frames bring them. */
function namedSeriesChart(el) {
  const chart = { names: [], view: null };
  const remount = (names) => {
    const old = chart.view;
    chart.names = names;
    chart.view = curves.mount(el, { series: names.map((label, i) => ({ label, color: PALETTE[i % PALETTE.length] })) });
    if (!old) return;
    const points = old.columns.flatMap((column, k) => column.map((value, i) => ({ series: k, step: old.steps[i], value })));
    curves.update(chart.view, { points: points.filter((p) => p.value !== null) });
    curves.destroy(old);
  };
  return {
    chart,
    /** Add points: `entries` is a list of [step, {name: number or null}]. */
    add(entries) {
      const fresh = [...new Set(entries.flatMap(([, values]) => Object.keys(values)))].filter((name) => !chart.names.includes(name));
      if (fresh.length) remount([...chart.names, ...fresh]);
      const points = entries.flatMap(([step, values]) =>
        Object.entries(values).map(([name, value]) => ({ series: chart.names.indexOf(name), step, value })),
      );
      if (chart.view) curves.update(chart.view, { points });
    },
    /** Drop every point (a replay going back to a session's start). */
    clear() {
      if (chart.view) curves.clear(chart.view);
    },
  };
}

/** The module to show: the one asked for, else the first with feature maps, else the first drawn. */
function pickModule(asked, modules, tensors) {
  if (modules.some((m) => m.name === asked)) return asked;
  const drawn = modules.filter((m) => tensors[m.name]);
  return (drawn.find((m) => tensors[m.name].shape.length === 4) ?? drawn[0] ?? modules[0])?.name ?? "";
}

/**
 * The module list and the selected module's activation and gradient, drawn from the newest tensors
 * (`page.newest`: a large model's frames take turns carrying its modules). Returns `draw(frame)`.
 */
function moduleViews(page, debug, notice, onSelect) {
  const tree = moduletree.mount(byId("modules"), { onSelect });
  const panels = {
    activation: { view: activation.mount(byId("activation"), { legend: byId("activation-legend") }), suffix: "", signed: false, missing: "inspect.no_activation" },
    gradient: { view: activation.mount(byId("gradient"), { legend: byId("gradient-legend") }), suffix: ".grad", signed: true, missing: "inspect.no_gradient" },
  };
  return function draw(frame) {
    page.frame = frame;
    const { header, tensors } = frame;
    const modules = header.modules ?? [];
    setText(byId("step"), "status.step", { n: header.step ?? 0 });
    if (modules.length === 0) {
      notice.show("inspect.waiting");
      return;
    }
    notice.hide();
    page.selected = pickModule(page.selected, modules, tensors);
    debug.selected = page.selected;
    const module = modules.find((m) => m.name === page.selected);
    moduletree.update(tree, { modules, selected: page.selected, drawn: new Set(modules.map((m) => m.name).filter((name) => page.newest.has(name))) });
    for (const [id, { view: tensorView, suffix, signed, missing }] of Object.entries(panels)) {
      byId(`${id}-module`).textContent = `${module.name} (${module.type})`;
      const newest = page.newest.get(module.name + suffix);
      if (newest) activation.update(tensorView, { tensor: newest.tensor, signed });
      else activation.clear(tensorView);
      const hint = byId(`${id}-hint`);
      if (!newest) setText(hint, missing);
      else if (newest.step === header.step) setText(hint, RANK_HINTS[newest.tensor.shape.length]);
      else setText(hint, "inspect.older", { step: newest.step });
    }
  };
}

/** Follow the run (or the one session) the URL names; the notice says when there is none yet. */
function follow(handle, view, { notice, debug, charts, received }) {
  if (!view.run && !view.session) {
    setText(byId("connection"), "inspect.no_run_pill");
    notice.show("inspect.no_run");
    return;
  }
  byId("run-name").textContent = view.run || view.session;
  followRun(
    { name: view.run, sessionId: view.session },
    {
      onSession: (session, history) => {
        debug.session = session;
        notice.hide();
        if (!history) return;
        // The run's curves so far (a page opened late); after a restart the new session's start empty.
        charts.scalars.add(history.step.map((step, i) => [step, history.scalars[i]]));
        charts.norms.add(history.step.map((step, i) => [step, history.grad_norms[i]]));
      },
      onFrame: received,
      onStatus: (status) => showConnection(byId("connection"), status),
      onWaiting: () => notice.show("inspect.searching", { run: view.run }),
    },
    { handle },
  );
}

/** Play the recording kept under `key`: no run is followed and nothing is sent; each hello starts the curves over. */
async function replay(handle, key, { page, view, notice, debug, charts, select }) {
  handle.on("status", (status) => showConnection(byId("connection"), status));
  handle.on("hello", (hello) => {
    debug.session = hello.session;
    charts.scalars.clear();
    charts.norms.clear();
    page.newest.clear();
  });
  handle.on("view", ({ state }) => {
    if (typeof state?.module === "string" && state.module !== page.selected) select(state.module);
  });
  const opened = await replayThrough(handle, key);
  if (!opened) notice.show("replay.missing");
  else byId("run-name").textContent = view.run || opened.meta.session || "";
}

async function main() {
  await initI18n();
  const view = readView(new URLSearchParams(location.search), VIEW);
  const replayKey = new URLSearchParams(location.search).get("replay");
  const notice = noticeBoard(byId("notice"));
  // newest: each tensor's latest value and step (a large model's frames take turns carrying its modules).
  const page = { frame: null, selected: view.module, newest: new Map() };
  const charts = { scalars: namedSeriesChart(byId("scalars")), norms: namedSeriesChart(byId("norms")) };
  const debug = { lastFrame: null, frames: 0, session: null, run: view.run, selected: page.selected, scalars: charts.scalars.chart, norms: charts.norms.chart };
  window.nnlive = debug;
  // The run's sessions are watched (never driven) through one handle, which a replay plays into.
  const handle = new SessionHandle({ follow: false });
  const recording = bindPageRecording(handle, { notice, model: "inspect" });
  const draw = moduleViews(page, debug, notice, select);
  const drawNewest = newestFrameDrawer(draw, debug);

  function select(name) {
    page.selected = name;
    writeView({ module: name });
    recording.viewChanged();
    if (page.frame) draw(page.frame);
  }

  /** Select the module `by` rows below (above, when negative) the selected one. */
  const move = (by) => () => {
    const names = (page.frame?.header.modules ?? []).map((m) => m.name);
    const at = names.indexOf(page.selected) + by;
    if (at >= 0 && at < names.length) select(names[at]);
  };
  bindKeys({ ArrowUp: move(-1), ArrowDown: move(1) }, () => Boolean(page.frame));

  /** Every frame's scalars and norms go on the charts (drawing waits for the screen). */
  function received(frame) {
    const { step = 0, scalars: logged = {}, grad_norms: gradNorms = {} } = frame.header;
    charts.scalars.add([[step, logged]]);
    charts.norms.add([[step, gradNorms]]);
    for (const [name, tensor] of Object.entries(frame.tensors)) page.newest.set(name, { tensor, step });
    drawNewest(frame);
  }

  if (replayKey !== null) {
    handle.on("frame", received);
    await replay(handle, replayKey, { page, view, notice, debug, charts, select });
  } else follow(handle, view, { notice, debug, charts, received });
}

main();
