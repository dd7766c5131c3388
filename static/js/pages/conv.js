// The convolution page (/conv): one nn.Conv2d on the server, the kernel window sliding over the
// padded input position by position, each position's products and sums next to the value PyTorch
// computed, the output filling in. The settings are the session's config: changing one starts a
// new session (carrying the input and kernels over where their shapes still fit). Settings, the
// selected cell and the speed live in the URL. For tests, window.nnlive holds the last drawn frame,
// the session info, the selected cell and whether this tab drives.

import { scaleFor } from "../math/colormap.js";
import { bindConfigForm, catalogEntry } from "../ui/configform.js";
import { bindKeys } from "../ui/controls.js";
import { spanFormula, sideFormula } from "../math/convformula.js";
import { cellProducts, positionAt, positionCount, positionIndex, windowAt } from "../math/convgeometry.js";
import { fitsPool, poolAddress, storeMap } from "../ui/convtopool.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { newestWins } from "../net/latest.js";
import { formatValue } from "../math/numbers.js";
import { SPEEDS, createPlayer, nearestSpeed } from "../ui/player.js";
import { resizeArea } from "../math/resample.js";
import { bindSamplePicker } from "../ui/samples.js";
import { nest } from "../math/typed.js";
import { configFromParams, readView } from "../session/urlstate.js";
import * as convgrid from "../views/convgrid.js";
import * as convproducts from "../views/convproducts.js";
import { element } from "../views/parts/dom.js";
import * as drawpad from "../views/drawpad.js";
import * as gridedit from "../views/gridedit.js";
import * as legend from "../views/legend.js";

const MODEL = "conv2d";
const POOL_MODEL = "maxpool2d"; // the page "Pool this output →" opens (its config bounds the map)
// The server's bounds on typed numbers: inputs (docs/protocol.md) and kernels (app/engine/live/conv.py).
const INPUT_LIMIT = 1000;
const WEIGHT_LIMIT = 100;
const PRESET_KEYS = {
  identity: "conv.preset_identity",
  box_blur: "conv.preset_box_blur",
  sharpen: "conv.preset_sharpen",
  sobel_x: "conv.preset_sobel_x",
  sobel_y: "conv.preset_sobel_y",
  edge: "conv.preset_edge",
};

const VIEW = { cell: 0, speed: 2, play: false }; // the view state in the URL, with its defaults

const byId = (id) => document.getElementById(id);
const sameShape = (a, b) => a.length === b.length && a.every((d, i) => d === b[i]);

/** A grid with its legend. */
function gridPanel(name, options) {
  const grid = convgrid.mount(byId(`${name}-grid`), { label: name, ...options });
  const key = legend.mount(byId(`${name}-legend`));
  return {
    grid,
    draw(state) {
      convgrid.update(grid, state);
      legend.update(key, { scale: state.scale });
    },
  };
}

/** The padded lines the kernel never reaches: the last `count` of `padded` (the server's `unreached`). */
function lastLines(padded, count) {
  return Array.from({ length: count }, (_, i) => padded - count + i);
}

/** The output-size formula for both axes with the session's numbers, and what floor leaves out. */
function showFormula(box, info) {
  const { height, width, kernel: f, padding: p, stride: s, dilation: d } = info.config;
  const line = (key, params, className = "") => {
    const paragraph = element("p", className);
    setText(paragraph, key, params);
    return paragraph;
  };
  const lines = [];
  const span = spanFormula(f, d);
  if (span) lines.push(line("conv.formula_span", { formula: span }));
  const sides = [
    [sideFormula({ n: height, f, p, s, d }), "conv.formula_height", "conv.spare_rows"],
    [sideFormula({ n: width, f, p, s, d }), "conv.formula_width", "conv.spare_cols"],
  ];
  for (const [formula, key] of sides) lines.push(line(key, { formula: formula.text }, "formula"));
  const [channels, outHeight, outWidth] = info.output;
  lines.push(line("conv.formula_output", { o: channels, h: outHeight, w: outWidth }));
  for (const [formula, , key] of sides) {
    if (formula.spare.count > 0) lines.push(line(key, { expr: formula.spare.text, n: formula.spare.count }, "spare"));
  }
  if (info.unreached.some((n) => n > 0)) lines.push(line("conv.floor_note", {}, "hint"));
  box.replaceChildren(...lines);
}

/**
 * The page's context, shared by its parts: `state` (session info, the frame drawn, settings carried
 * over, the cell wanted), the test hook, `act` and the live page once started, the player.
 * @typedef {{state: object, debug: object, act: Function, live: () => object|null, player: object|null, views: object|null}} Page
 */

/** The cell the player stands on: output plane and position. */
const selected = (page) => positionAt(page.player.state.position, page.state.info.output);
const cellOf = (plane, row, col) => ({ o: plane, row, col });

/** The grids (input, kernel, output, ReLU), the products, the drawing pad and the number editors. */
function mountViews(page) {
  const { state, act } = page;
  const describeInput = (plane, row, col) => {
    const { padding, height, width } = state.info.config;
    const [i, j] = [row - padding, col - padding];
    if (i < 0 || j < 0 || i >= height || j >= width) return t("conv.readout_pad");
    return t("conv.readout_x", { c: plane, i, j, v: formatValue(state.frame.tensors.input.data[(plane * height + i) * width + j]) });
  };
  const describeOutput = (name) => (plane, row, col) => {
    const tensor = state.frame?.tensors[name];
    if (!tensor) return null;
    return t("conv.readout_y", { o: plane, i: row, j: col, v: formatValue(tensor.data[positionIndex(cellOf(plane, row, col), tensor.shape)]) });
  };
  const pick = (plane, row, col) => page.player.jump(positionIndex(cellOf(plane, row, col), state.info.output));
  const describeWeight = (plane, row, col) => {
    const weight = state.frame?.tensors.weight;
    if (!weight) return null;
    const [, channels, f] = weight.shape;
    const { o } = selected(page);
    return t("conv.readout_w", { o, c: plane, i: row, j: col, v: formatValue(weight.data[((o * channels + plane) * f + row) * f + col]) });
  };
  // The drawing, area-averaged to the input's H×W and repeated over its channels.
  const sendDrawing = newestWins((grid) => {
    const [channels, height, width] = state.info.input;
    const plane = resizeArea(grid, height, width);
    return act({ type: "forward", input: Array.from({ length: channels }, () => plane) });
  });
  return {
    input: gridPanel("input", { caption: (n) => ({ key: "conv.caption_input", params: { c: n } }), describe: describeInput }),
    kernel: gridPanel("kernel", { caption: (n) => ({ key: "conv.caption_kernel", params: { o: selected(page).o, c: n } }), describe: describeWeight }),
    output: gridPanel("output", { caption: (n) => ({ key: "conv.caption_output", params: { o: n } }), onPick: pick, describe: describeOutput("output") }),
    relu: gridPanel("relu", { caption: (n) => ({ key: "conv.caption_output", params: { o: n } }), onPick: pick, describe: describeOutput("relu") }),
    products: convproducts.mount(byId("products")),
    pad: drawpad.mount(byId("drawpad"), { onDraw: (grid) => sendDrawing(grid) }),
    sendDrawing,
    inputEditor: gridedit.mount(byId("input-editor"), { limit: INPUT_LIMIT, onSend: (values) => act({ type: "forward", input: values }) }),
    kernelEditor: gridedit.mount(byId("kernel-editor"), {
      limit: WEIGHT_LIMIT,
      onSend: (planes) => act({ type: "kernel", weight: nest(planes.flat(2), state.frame.tensors.weight.shape) }),
    }),
    biasEditor: gridedit.mount(byId("bias-editor"), { limit: WEIGHT_LIMIT, onSend: ([[bias]]) => act({ type: "kernel", bias }) }),
  };
}

/** Everything that depends on the frame and the selected cell. */
function draw(page) {
  const { state, views, debug } = page;
  const { info, frame } = state;
  if (!info || !frame) return;
  const { input, output, relu, weight, bias } = frame.tensors;
  const { config } = info;
  const cell = selected(page);
  const [, outHeight, outWidth] = output.shape;
  const [channels, f] = [weight.shape[1], weight.shape[2]];
  const padding = config.padding;
  const unreached = [lastLines(config.height + 2 * padding, info.unreached[0]), lastLines(config.width + 2 * padding, info.unreached[1])];
  const window = windowAt(cell.row, cell.col, config);
  views.input.draw({ values: input.data, shape: input.shape, scale: scaleFor(input.data), padding, unreached, marks: () => ({ window }) });

  const kernelSize = channels * f * f;
  const kernels = weight.data.subarray(cell.o * kernelSize, (cell.o + 1) * kernelSize);
  views.kernel.draw({ values: kernels, shape: [channels, f, f], scale: scaleFor(weight.data, { signed: true }) });
  if (bias) setText(byId("bias-value"), "conv.bias_value", { o: cell.o, b: formatValue(bias.data[cell.o]) });
  else setText(byId("bias-value"), "conv.no_bias");

  const progress = (plane) => {
    if (plane < cell.o) return {};
    if (plane > cell.o) return { filled: 0 };
    return { filled: cell.row * outWidth + cell.col + 1, current: { row: cell.row, col: cell.col } };
  };
  views.output.draw({ values: output.data, shape: output.shape, scale: scaleFor(output.data, { signed: true }), marks: progress });
  views.relu.draw({ values: relu.data, shape: relu.shape, scale: scaleFor(relu.data), marks: progress });

  const k = positionIndex(cell, output.shape);
  const computation = cellProducts(input.data, weight.data, bias?.data ?? null, cell, config);
  convproducts.update(views.products, { cell, computation, kernel: f, value: output.data[k], relu: relu.data[k] });
  setText(byId("position"), "conv.position", { k: k + 1, n: positionCount(output.shape), o: cell.o, i: cell.row, j: cell.col });
  setText(byId("kernel-shape"), "conv.shape_kernel", { o: cell.o, c: channels, f });
  setText(byId("output-shape"), "conv.shape", { c: output.shape[0], h: outHeight, w: outWidth });
  debug.cell = { ...cell, k };
}

/**
 * The player over the output's positions: its buttons, speed and keys; the cell and speed go into
 * the URL (while playing only at the start and on a new speed: browsers throttle frequent history
 * updates, and viewers play along on their own clock). Returns `applyView(values)`: a viewer takes
 * the driver's cell and speed, and plays from that cell while the driver plays.
 */
function bindPlayer(page, view) {
  const { state } = page;
  const speed = byId("speed");
  function showPlayer({ position, playing, speed: perSecond }) {
    setText(byId("play"), playing ? "conv.pause" : "conv.play");
    byId("play").classList.toggle("running", playing);
    setText(byId("speed-value"), "conv.speed_value", { v: perSecond });
    if (!state.info) return; // no session yet: the URL's cell waits for it
    state.wantedCell = position;
    draw(page);
    const started = playing && (!state.played || state.played.speed !== perSecond);
    state.played = playing ? { speed: perSecond } : null;
    if (!playing || started) page.live()?.writeView({ cell: position, speed: perSecond, play: playing });
  }
  const player = createPlayer({ speed: nearestSpeed(view.speed), onChange: showPlayer });
  page.player = player;
  speed.max = SPEEDS.length - 1;
  speed.value = SPEEDS.indexOf(player.state.speed);
  speed.addEventListener("input", () => player.setSpeed(SPEEDS[Number(speed.value)]));
  showPlayer(player.state);
  byId("first").addEventListener("click", () => player.first());
  byId("prev").addEventListener("click", () => player.step(-1));
  byId("play").addEventListener("click", () => player.toggle());
  byId("next").addEventListener("click", () => player.step(1));
  byId("last").addEventListener("click", () => player.last());
  const next = () => player.step(1);
  const keys = { " ": () => player.toggle(), s: next, ArrowRight: next, ArrowLeft: () => player.step(-1), Home: () => player.first(), End: () => player.last() };
  bindKeys(keys, () => true);
  return (values) => {
    const wanted = readView(values, VIEW);
    player.setSpeed(nearestSpeed(wanted.speed));
    speed.value = SPEEDS.indexOf(player.state.speed);
    player.jump(wanted.cell);
    if (wanted.play) player.play();
  };
}

/** The session's shapes: the input line, the layout, the hints and the formula. */
function showShapes(info) {
  const [channels, height, width] = info.input;
  const { padding } = info.config;
  if (padding) setText(byId("input-shape"), "conv.shape_padded", { c: channels, h: height, w: width, p: padding, ph: height + 2 * padding, pw: width + 2 * padding });
  else setText(byId("input-shape"), "conv.shape_unpadded", { c: channels, h: height, w: width });
  // Several input channels side by side need the whole width; so do the products of a wide kernel.
  byId("grids").classList.toggle("wide-input", channels > 1);
  byId("grids").classList.toggle("wide-products", info.config.kernel > 4);
  setText(byId("draw-hint"), "conv.draw_hint", { h: height, w: width });
  byId("key-unreached").hidden = !info.unreached.some((n) => n > 0);
  showFormula(byId("formula"), info);
}

/** "Pool this output →": enabled when /pool takes a map of the output's shape, else why not. Returns `show(output)`. */
function bindHandOff(page, poolCatalog) {
  // Keep the shown frame's ReLU map for /pool in this tab and go there with settings that fit it.
  byId("to-pool").addEventListener("click", () => {
    const relu = page.state.frame?.tensors.relu;
    if (!relu) return;
    const { kernel, padding, stride, dilation } = page.state.info.config;
    const source = { input: page.state.info.input, kernel, padding, stride, dilation, href: location.href };
    storeMap(sessionStorage, relu, source);
    location.assign(poolAddress(relu.shape, poolCatalog.config, location.origin));
  });
  return ([o, h, w]) => {
    const fits = fitsPool([o, h, w], poolCatalog.config);
    const max = Object.fromEntries(poolCatalog.config.map((field) => [field.name, field.max]));
    byId("to-pool").disabled = !fits;
    if (fits) setText(byId("to-pool-hint"), "conv.to_pool_hint", { o, h, w });
    else setText(byId("to-pool-hint"), "conv.to_pool_too_big", { c: max.channels, h: max.height, w: max.width });
  };
}

/** The kernel presets the session offers, as buttons. */
function showPresets(page, presets) {
  byId("presets").replaceChildren(
    ...presets.map((name) => {
      const button = element("button", "conv-action");
      button.type = "button";
      button.dataset.preset = name;
      button.disabled = !page.state.driving;
      if (PRESET_KEYS[name]) setText(button, PRESET_KEYS[name]);
      else button.textContent = name;
      button.addEventListener("click", () => page.act({ type: "kernel", preset: name }).catch(() => {}));
      return button;
    }),
  );
}

/** After a settings change: the previous input and kernels, where their shapes still fit. */
function sendCarried(page, info) {
  const { state } = page;
  const actQuietly = (message) => page.act(message).catch(() => {});
  const carry = state.carry;
  state.carry = null;
  if (!carry || !page.live()?.session.token) return;
  const { input, weight, bias } = carry;
  if (sameShape(input.shape, info.input)) actQuietly({ type: "forward", input: nest(input.data, input.shape) });
  const kernels = {};
  if (sameShape(weight.shape, [info.output[0], info.input[0], info.config.kernel, info.config.kernel])) {
    kernels.weight = nest(weight.data, weight.shape);
  }
  if (bias && info.config.bias && bias.shape[0] === info.output[0]) kernels.bias = Array.from(bias.data);
  if (Object.keys(kernels).length) actQuietly({ type: "kernel", ...kernels });
}

/** The input's and kernels' buttons: patterns, and the editors of typed numbers. */
function bindInputButtons(page) {
  const { state, views } = page;
  const actQuietly = (message) => page.act(message).catch(() => {});
  byId("pattern-checkerboard").addEventListener("click", () => actQuietly({ type: "pattern", name: "checkerboard" }));
  byId("pattern-random").addEventListener("click", () => actQuietly({ type: "pattern", name: "random" }));
  const openEditor = (editor, values, shape) => state.frame && gridedit.update(editor, { values, shape });
  byId("input-type").addEventListener("click", () => {
    const input = state.frame?.tensors.input;
    if (input) openEditor(views.inputEditor, input.data, input.shape);
  });
  byId("kernel-type").addEventListener("click", () => {
    const weight = state.frame?.tensors.weight;
    if (weight) openEditor(views.kernelEditor, weight.data, [weight.shape[0] * weight.shape[1], weight.shape[2], weight.shape[3]]);
  });
  byId("bias-type").addEventListener("click", () => {
    const bias = state.frame?.tensors.bias;
    if (bias) openEditor(views.biasEditor, bias.data, [1, 1, bias.shape[0]]);
    else page.live().notice.show("conv.no_bias");
  });
}

/** The settings form: a change starts a new session, carrying the input and kernels over. */
function bindSettings(page, catalog) {
  const changeSettings = newestWins(async (config) => {
    form.clearErrors();
    page.state.carry = page.state.frame?.tensors ?? null;
    try {
      await page.live().replace(MODEL, config);
    } catch (error) {
      page.state.carry = null;
      if (!form.showError(error)) page.live().notice.error(error);
    }
  });
  const form = bindConfigForm(byId("settings"), changeSettings);
  form.applyFields(catalog.config);
  return form;
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const [catalog, poolCatalog] = await Promise.all([catalogEntry(MODEL), catalogEntry(POOL_MODEL)]);
  const view = readView(params, VIEW);
  const debug = { lastFrame: null, frames: 0, session: null, cell: null, driving: false };
  window.nnlive = debug;
  let live = null;
  /** @type {Page} */
  const page = {
    state: { info: null, frame: null, carry: null, wantedCell: view.cell, driving: false, played: null },
    debug,
    act: (message) => live.act(message),
    live: () => live,
    player: null,
    views: null,
  };
  const { state } = page;
  page.views = mountViews(page);
  const applyView = bindPlayer(page, view);
  const showHandOff = bindHandOff(page, poolCatalog);
  const form = bindSettings(page, catalog);
  // A sample replaces the drawing: a drawing not yet sent never goes after it, and the pad is wiped
  // once the sample is shown (a request that fails keeps the drawing).
  const requestSample = (message) => {
    page.views.sendDrawing.drop();
    return page.act(message);
  };
  const sampler = bindSamplePicker(requestSample, () => state.info?.dataset, () => drawpad.clear(page.views.pad));
  bindInputButtons(page);
  const drawNewest = newestFrameDrawer(() => draw(page), debug);

  function onHello(info) {
    state.info = info;
    state.frame = null; // the previous session's frame does not fit the new geometry
    debug.session = info;
    form.show(info.config);
    showShapes(info);
    showPresets(page, info.presets);
    sampler.setDataset(info.dataset ?? null);
    live?.writeView({ ...info.config });
    page.player.reset(positionCount(info.output), state.wantedCell);
    showHandOff(info.output);
    sendCarried(page, info);
  }

  function onFrame(frame) {
    state.frame = frame;
    drawNewest(frame);
  }

  function onAccess(driving) {
    state.driving = driving;
    debug.driving = driving;
    form.setEnabled(driving);
    sampler.setEnabled(driving);
    drawpad.update(page.views.pad, { disabled: !driving });
    for (const button of document.querySelectorAll(".conv-action")) button.disabled = !driving;
    if (!driving) for (const editor of [page.views.inputEditor, page.views.kernelEditor, page.views.biasEditor]) gridedit.close(editor);
  }

  live = await startLivePage(MODEL, { config: configFromParams(params, catalog.config), onHello, onFrame, onAccess, onView: applyView });
}

main();
