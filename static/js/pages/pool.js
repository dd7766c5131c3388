// The pooling page (/pool): max or average pooling with window f, stride s and padding p on a
// feature map — the window sliding over the input with each output cell's arithmetic — and the
// backward pass: where an upstream gradient goes (torch autograd on the server). The settings are
// the session's config: changing one starts a new session, carrying the input over when it fits.
// Opened from /conv ("Pool this output →", `?from=conv`), it pools that page's ReLU map, kept in
// this tab's sessionStorage, and says so while its input is that map.
// For tests, window.nnlive holds the last drawn frame, the session info, the selected output cell
// and whether this tab drives.

import { scaleFor } from "../math/colormap.js";
import { bindConfigForm, catalogEntry } from "../ui/configform.js";
import { bindKeys } from "../ui/controls.js";
import { FROM_CONV, backAddress, holdsMap, storedMap } from "../ui/convtopool.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { layerFormula } from "../math/layers.js";
import { startLivePage } from "../session/livepage.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { formatValue } from "../math/numbers.js";
import { createPlayer } from "../ui/player.js";
import { gradientTerms, windowCells, windowOf } from "../math/poolmath.js";
import { bindSamplePicker } from "../ui/samples.js";
import { cellOf, flatIndex } from "../math/tensorindex.js";
import { nest } from "../math/typed.js";
import { configFromParams, readView } from "../session/urlstate.js";
import * as gridedit from "../views/gridedit.js";
import * as legend from "../views/legend.js";
import * as poolcalc from "../views/poolcalc.js";
import * as valuegrid from "../views/valuegrid.js";

const MODELS = { max: "maxpool2d", avg: "avgpool2d" };
const SPEED = 1.25; // windows per second while playing

const byId = (id) => document.getElementById(id);
const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

/** A value grid with its legend, drawn from one tensor. */
function gridPanel(name, options = {}) {
  const grid = valuegrid.mount(byId(`${name}-grid`), { label: name, ...options });
  const key = legend.mount(byId(`${name}-legend`));
  return {
    grid,
    draw(tensor, scale, extra) {
      valuegrid.update(grid, { values: tensor.data, shape: tensor.shape, scale, ...extra });
      legend.update(key, { scale });
    },
  };
}

/** The frame's tensors under short names, with the geometry from the session info. */
function readFrame(info, { tensors }) {
  const { kernel, stride, padding } = info.config;
  return {
    op: info.op,
    geometry: { kernel, stride, padding },
    input: tensors.input,
    output: tensors.output,
    upstream: tensors["output.grad"],
    grad: tensors["input.grad"],
    argmax: tensors.argmax?.data ?? null,
  };
}

/** Forward arithmetic of output cell k: its window's values and max(…) or (… + …)/f². */
function forwardContent(d, k) {
  const [, height, width] = d.input.shape;
  const [, outHeight, outWidth] = d.output.shape;
  const { channel, row: i, column: j } = cellOf(k, outHeight, outWidth);
  const padValue = d.op === "max" ? -Infinity : 0;
  const cells = windowCells(windowOf(i, j, d.geometry), height, width).map((cell) => {
    const value = cell.inside ? d.input.data[flatIndex(channel, cell.row, cell.column, height, width)] : padValue;
    const winner = d.op === "max" && cell.inside && d.argmax[k] === cell.row * width + cell.column;
    return { value, text: poolcalc.valueText(value), winner, pad: !cell.inside };
  });
  const line = poolcalc.formula(d.op, { values: cells.map((cell) => cell.value), area: d.geometry.kernel ** 2, result: d.output.data[k] });
  const where = { c: channel, i, j, f: d.geometry.kernel };
  return { lead: { key: d.op === "max" ? "pool.forward_max" : "pool.forward_avg", params: where }, cells, size: d.geometry.kernel, line, note: tieNote(d, k, cells) };
}

/**
 * Max pooling's tie in output cell k's window: how many cells hold the maximum and the one that wins,
 * the first in reading order (torch's max_pool2d keeps the first maximum it meets; tests check it).
 */
function tieNote(d, k, cells) {
  if (d.op !== "max") return null;
  const best = d.output.data[k];
  const tied = cells.filter((cell) => !cell.pad && cell.value === best).length;
  if (tied < 2) return null;
  const [, height, width] = d.input.shape;
  const { row, column } = cellOf(d.argmax[k], height, width);
  return { key: "pool.tie_note", params: { n: tied, r: row, col: column } };
}

/** Backward arithmetic of output cell k: where its upstream gradient g goes in its window. */
function backwardContent(d, k) {
  const [, height, width] = d.input.shape;
  const [, outHeight, outWidth] = d.output.shape;
  const { channel, row: i, column: j } = cellOf(k, outHeight, outWidth);
  const g = d.upstream.data[k];
  const area = d.geometry.kernel ** 2;
  const share = d.op === "max" ? g : g / area;
  const winner = d.op === "max" ? cellOf(d.argmax[k], height, width) : null;
  const cells = windowCells(windowOf(i, j, d.geometry), height, width).map((cell) => {
    const won = winner !== null && cell.row === winner.row && cell.column === winner.column;
    if (!cell.inside) return { text: "·", pad: true };
    return { text: poolcalc.valueText(d.op === "avg" || won ? share : 0), winner: won };
  });
  const params = { c: channel, i, j, g: poolcalc.valueText(g), area, share: poolcalc.valueText(share), others: area - 1 };
  const { kernel, stride } = d.geometry;
  let note = null;
  if (stride < kernel) note = { key: "pool.overlap_note", params: { s: stride, f: kernel } };
  else if (stride > kernel) note = { key: "pool.gap_note", params: { s: stride, f: kernel } };
  if (d.op === "max") {
    return {
      lead: { key: "pool.backward_max", params: { ...params, r: winner.row, col: winner.column } },
      cells,
      size: kernel,
      line: `∂L/∂x[${channel}, ${winner.row}, ${winner.column}] += ${poolcalc.valueText(g)}`,
      note,
    };
  }
  return { lead: { key: "pool.backward_avg", params }, cells, size: kernel, line: poolcalc.shareLine(g, area), note };
}

/** The readout of an input-gradient cell: the shares of every window that sends it gradient, summed. */
function describeGradient(d, index) {
  const [, height, width] = d.input.shape;
  const cell = cellOf(index, height, width);
  const { terms } = gradientTerms(d.op, cell, d.geometry, d.input.shape, d.upstream.data, d.argmax);
  const params = { c: cell.channel, r: cell.row, col: cell.column, v: formatValue(d.grad.data[index]) };
  if (terms.length === 0) return t("pool.readout_grad_none", params);
  if (terms.length === 1) return t("pool.readout_grad_one", { ...params, i: terms[0].i, j: terms[0].j });
  return t("pool.readout_grad", { ...params, terms: terms.map((term) => formatValue(term.share)).join(" + ") });
}

/** "⌊(6 − 2 + 2·0)/2⌋ + 1" for one axis of n input cells. */
function sideFormula(n, { kernel, stride, padding }) {
  return layerFormula({ kind: "pool", in: [0, n], kernel, stride, padding });
}

/** The readout of a value cell of `tensor` ([C, H, W]) under i18n `key`. */
function describeValue(key, tensor, index) {
  if (!tensor) return null;
  const [, height, width] = tensor.shape;
  const { channel, row, column } = cellOf(index, height, width);
  return t(key, { c: channel, r: row, col: column, v: formatValue(tensor.data[index]) });
}

/**
 * The page's context, shared by its parts: `state` (session info, the frame and its tensors, what a
 * settings change carries over, the cell wanted), the test hook, `act`, the live page once started,
 * the player and the views.
 * @typedef {{state: object, debug: object, act: Function, live: () => object|null, player: object|null, views: object|null, handed: object|null}} Page
 */

/** The four grids (input, output, upstream gradient, input gradient), the arithmetic and the editors. */
function mountViews(page) {
  const { state, act } = page;
  const jump = (k) => page.player.jump(k);
  return {
    input: gridPanel("input", { describe: (index) => describeValue("pool.readout_x", state.data?.input, index) }),
    output: gridPanel("output", { onPick: jump, describe: (index) => describeValue("pool.readout_y", state.data?.output, index) }),
    upstream: gridPanel("upstream", { onPick: jump, describe: (index) => describeValue("pool.readout_dy", state.data?.upstream, index) }),
    grad: gridPanel("grad", { describe: (index) => state.data && describeGradient(state.data, index) }),
    forward: poolcalc.mount(byId("forward-calc")),
    backward: poolcalc.mount(byId("backward-calc")),
    inputEditor: gridedit.mount(byId("input-editor"), { onSend: (values) => act({ type: "forward", input: values }) }),
    upstreamEditor: gridedit.mount(byId("upstream-editor"), {
      onSend: (values) => act({ type: "upstream", source: "values", values }),
    }),
  };
}

/** Draw the frame's tensors, the cells max pooling routes through, then the selected cell. */
function drawFrame(page) {
  const { views, handed } = page;
  const d = page.state.data;
  const pad = { padding: d.geometry.padding, padText: d.op === "max" ? "−∞" : "0" };
  views.input.draw(d.input, scaleFor(d.input.data), pad);
  views.output.draw(d.output, scaleFor(d.output.data));
  views.upstream.draw(d.upstream, scaleFor(d.upstream.data, { signed: true }));
  views.grad.draw(d.grad, scaleFor(d.grad.data, { signed: true }));
  const [, height, width] = d.input.shape;
  const [, outHeight, outWidth] = d.output.shape;
  const routed = d.argmax ? Array.from(d.argmax, (a, k) => cellOf(k, outHeight, outWidth).channel * height * width + a) : [];
  valuegrid.mark(views.input.grid, "argmax", routed);
  valuegrid.mark(views.grad.grid, "argmax", routed);
  byId("from-conv").hidden = !(handed && holdsMap(d.input, handed));
  drawSelection(page);
}

/** The selected output cell: its window on the input and its gradient, its arithmetic. */
function drawSelection(page) {
  const { views, player } = page;
  const d = page.state.data;
  if (!d) return;
  const k = player.state.position;
  const [, height, width] = d.input.shape;
  const [, outHeight, outWidth] = d.output.shape;
  const { channel, row: i, column: j } = cellOf(k, outHeight, outWidth);
  const cellWindow = { channel, ...windowOf(i, j, d.geometry) };
  const winner = d.argmax ? [channel * height * width + d.argmax[k]] : [];
  for (const view of [views.input, views.grad]) {
    valuegrid.setWindow(view.grid, cellWindow);
    valuegrid.mark(view.grid, "winner", winner);
  }
  for (const view of [views.output, views.upstream]) valuegrid.mark(view.grid, "selected", [k]);
  poolcalc.update(views.forward, forwardContent(d, k));
  poolcalc.update(views.backward, backwardContent(d, k));
  setText(byId("position"), "pool.position", { k: k + 1, n: player.state.count, c: channel, i, j });
}

/** The player over the output cells: its buttons and keys; the cell goes into the URL. */
function bindPlayer(page) {
  const player = createPlayer({
    speed: SPEED,
    onChange({ position, playing }) {
      page.debug.cell = position;
      page.state.wantedCell = position;
      setText(byId("play"), playing ? "pool.pause" : "pool.play");
      byId("play").classList.toggle("running", playing);
      drawSelection(page);
      page.live()?.writeView({ cell: position });
    },
  });
  page.player = player;
  byId("prev").addEventListener("click", () => player.step(-1));
  byId("next").addEventListener("click", () => player.step(1));
  byId("play").addEventListener("click", () => player.toggle());
  bindKeys({ " ": () => player.toggle(), s: () => player.step(1), ArrowRight: () => player.step(1), ArrowLeft: () => player.step(-1) }, () => true);
}

/** The session's sizes: the output size with its formula, both shapes. */
function showSizes(info) {
  const { height, width } = info.config;
  const [, outHeight, outWidth] = info.output;
  setText(byId("out-size"), "pool.out_size", {
    h: outHeight,
    w: outWidth,
    fh: sideFormula(height, info.config),
    fw: sideFormula(width, info.config),
  });
  setText(byId("input-shape"), "pool.shape", { c: info.input[0], h: height, w: width });
  setText(byId("output-shape"), "pool.shape", { c: info.output[0], h: outHeight, w: outWidth });
  byId("pool").dataset.op = info.op;
}

/** The note over the input: which convolution the map is the ReLU of, and the way back. */
function showOrigin(map) {
  const { input: [c, h, w], kernel: f, padding: p, stride: s, dilation: d } = map.source;
  setText(byId("from-conv-text"), "pool.from_conv", { c, h, w, o: map.shape[0], f, p, s, d });
  byId("from-conv-back").href = backAddress(map, location.origin);
}

/**
 * Once, in the session this page created from /conv's link: the map /conv kept, as the input;
 * when this tab has none (a link opened elsewhere), the default input stays and the notice says so.
 */
function sendHanded(page, info) {
  const live = page.live();
  if (!page.state.handOffPending || !live?.session.token) return;
  page.state.handOffPending = false;
  if (!page.handed) live.notice.show("pool.from_conv_missing");
  else if (sameShape(page.handed.shape, info.input)) {
    page.act({ type: "forward", input: nest(page.handed.data, page.handed.shape) }).catch(() => {});
  }
}

/** After a settings change: the previous input and upstream gradient, where their shapes still fit. */
function sendCarried(page, info) {
  const { state, act } = page;
  const carry = state.carry;
  state.carry = null;
  if (!carry || !page.live()?.session.token) return;
  if (sameShape(carry.input.shape, info.input)) act({ type: "forward", input: nest(carry.input.data, info.input) }).catch(() => {});
  if (sameShape(carry.upstream.shape, info.output)) {
    act({ type: "upstream", source: "values", values: nest(carry.upstream.data, info.output) }).catch(() => {});
  }
}

/** The settings form (the op picks the model): a change starts a new session, carrying the tensors over. */
function bindSettings(page, catalog) {
  const { state } = page;
  const form = bindConfigForm(byId("settings"), async ({ op, ...config }) => {
    form.clearErrors();
    state.carry = state.data && { input: state.data.input, upstream: state.data.upstream };
    try {
      await page.live().replace(MODELS[op], config);
    } catch (error) {
      state.carry = null;
      if (!form.showError(error)) page.live().notice.error(error);
    }
  });
  form.applyFields(catalog.config);
  return form;
}

/**
 * The input with a tie in output cell k's window: its first cell (reading order) inside the input is
 * given the window's maximum, or, when it already holds it, the last cell is. Nested as [C, H, W].
 */
function tiedInput(d, k) {
  const [, height, width] = d.input.shape;
  const [, outHeight, outWidth] = d.output.shape;
  const { channel, row: i, column: j } = cellOf(k, outHeight, outWidth);
  const inside = windowCells(windowOf(i, j, d.geometry), height, width).filter((cell) => cell.inside);
  const at = (cell) => flatIndex(channel, cell.row, cell.column, height, width);
  const values = Float32Array.from(d.input.data);
  const best = Math.max(...inside.map((cell) => values[at(cell)]));
  const target = values[at(inside[0])] === best ? inside.at(-1) : inside[0];
  values[at(target)] = best;
  return nest(values, d.input.shape);
}

/** The input's and upstream gradient's sources: patterns, ones, random, typed values. */
function bindSources(page) {
  const { state, views } = page;
  const send = (message) => () => page.act(message).catch(() => {});
  byId("pattern-checkerboard").addEventListener("click", send({ type: "pattern", name: "checkerboard" }));
  byId("pattern-random").addEventListener("click", send({ type: "pattern", name: "random" }));
  byId("upstream-ones").addEventListener("click", send({ type: "upstream", source: "ones" }));
  byId("upstream-random").addEventListener("click", send({ type: "upstream", source: "random" }));
  byId("make-tie").addEventListener("click", () => {
    if (state.data) page.act({ type: "forward", input: tiedInput(state.data, page.player.state.position) }).catch(() => {});
  });
  // Typed values within the session's published limits (docs/protocol.md, session info).
  const edit = (editor, tensor, limit) => state.data && gridedit.update(editor, { values: tensor.data, shape: tensor.shape, limit: state.info.limits[limit] });
  byId("input-type").addEventListener("click", () => edit(views.inputEditor, state.data?.input, "input"));
  byId("upstream-type").addEventListener("click", () => edit(views.upstreamEditor, state.data?.upstream, "upstream"));
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODELS.max);
  const startOp = params.get("op") === "avg" ? "avg" : "max";
  const debug = { lastFrame: null, frames: 0, session: null, cell: 0, driving: false };
  const fromConv = params.get("from") === FROM_CONV;
  window.nnlive = debug;
  let live = null;
  /** @type {Page} */
  const page = {
    // handOffPending: a session created by /conv's link (none named yet) takes the map /conv kept, when this tab has it.
    state: { info: null, frame: null, data: null, carry: null, wantedCell: readView(params, { cell: 0 }).cell, handOffPending: fromConv && !params.has("session") },
    debug,
    act: (message) => live.act(message),
    live: () => live,
    player: null,
    views: null,
    handed: fromConv ? storedMap(sessionStorage) : null,
  };
  const { state } = page;
  if (page.handed) showOrigin(page.handed);
  page.views = mountViews(page);
  bindPlayer(page);
  const form = bindSettings(page, catalog);
  const sampler = bindSamplePicker(page.act, () => state.info?.dataset, () => {});
  bindSources(page);
  const drawNewest = newestFrameDrawer(() => {
    if (!state.info) return false;
    state.data = readFrame(state.info, state.frame);
    drawFrame(page);
  }, debug);

  function onHello(info) {
    state.info = info;
    debug.session = info;
    form.show({ op: info.op, ...info.config });
    showSizes(info);
    state.data = null; // the previous session's frame does not fit the new geometry
    live?.writeView({ op: info.op, ...info.config });
    page.player.reset(info.output.reduce((n, d) => n * d, 1), state.wantedCell);
    sampler.setDataset(info.dataset ?? null);
    sendCarried(page, info);
    sendHanded(page, info);
  }

  function onFrame(frame) {
    state.frame = frame;
    drawNewest(frame);
  }

  function onAccess(driving) {
    debug.driving = driving;
    form.setEnabled(driving);
    sampler.setEnabled(driving);
    for (const button of document.querySelectorAll(".pool-source")) button.disabled = !driving;
    if (!driving) {
      gridedit.close(page.views.inputEditor);
      gridedit.close(page.views.upstreamEditor);
    }
  }

  /** A viewer takes the driver's selected cell (lecture mode). */
  const applyView = (values) => page.player.jump(readView(values, { cell: 0 }).cell);

  live = await startLivePage(MODELS[startOp], { config: configFromParams(params, catalog.config), onHello, onFrame, onAccess, onView: applyView });
}

main();
