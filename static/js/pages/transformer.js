// The transformer page (/transformer): a real pretrained model, all-MiniLM-L6-v2, reading one or two
// sentences typed by the user. Its tokens; one head's attention between them as lines or a heatmap;
// all 6 × 12 heads as thumbnails to pick from; and the two sentences' embedding similarity. The
// picked layer, head and drawing mode live in the URL and follow the presenter in a lecture.
// For tests, window.nnlive holds the last frame, the session, the view and the heatmap's geometry.

import { initI18n, setText, t } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { newestWins } from "../net/latest.js";
import { COLOURS, colouring } from "../math/attentioncolour.js";
import { formatValue } from "../math/numbers.js";
import { readView } from "../session/urlstate.js";
import * as attentiongrid from "../views/attentiongrid.js";
import * as attentionhead from "../views/attentionhead.js";
import { element } from "../views/parts/dom.js";
import * as legend from "../views/legend.js";
import * as qkv from "../views/qkv.js";

const MODEL = "transformer";
const DEFAULT_VIEW = { layer: 0, head: 0, mode: "heatmap", query: 0, colour: "absolute" };
const MODES = ["heatmap", "lines"];
const COLOUR_CAPTIONS = {
  absolute: "transformer.colour_caption_absolute",
  head: "transformer.colour_caption_head",
  sqrt: "transformer.colour_caption_sqrt",
};

const byId = (id) => document.getElementById(id);

/** The picked head's weights: where layer × head starts in the frame's [layers, heads, T, T] attentions. */
function headStart(page) {
  const [, heads, count] = page.frame.tensors.attentions.shape;
  return (page.view.layer * heads + page.view.head) * count * count;
}

/** `view` within the frame's layers, heads and tokens, its mode one of MODES and its colour one of COLOURS. */
function clampView(page, view) {
  const [layers, heads, count] = page.frame ? page.frame.tensors.attentions.shape : [Infinity, Infinity, Infinity];
  const within = (v, n) => Math.min(Math.max(Math.trunc(v) || 0, 0), n - 1);
  const mode = MODES.includes(view.mode) ? view.mode : DEFAULT_VIEW.mode;
  const colour = COLOURS.includes(view.colour) ? view.colour : DEFAULT_VIEW.colour;
  return { layer: within(view.layer, layers), head: within(view.head, heads), mode, query: within(view.query, count), colour };
}

/**
 * The picked head (lines or heatmap), its legend, the grid of every head and the mode switch; a pick
 * calls `choose(values)`. Returns `{draw(), showFrame(frame)}`.
 */
function headViews(page, debug, choose) {
  const weights = () => page.frame.tensors.attentions.data;
  const head = attentionhead.mount(byId("head-view"), {
    describe: (query, key) => {
      const tokens = page.frame.header.tokens;
      const weight = weights()[headStart(page) + query * tokens.length + key];
      return t("transformer.readout", { q: tokens[query], k: tokens[key], w: formatValue(weight) });
    },
  });
  const key = legend.mount(byId("legend"));
  const projections = qkv.mount(byId("qkv-view"), { onPick: (query) => choose({ query }) });
  byId("colour").addEventListener("change", () => choose({ colour: byId("colour").value }));
  const grid = attentiongrid.mount(byId("grid"), { onPick: (layer, headIndex) => choose({ layer, head: headIndex }), cornerKey: "transformer.grid_corner" });
  for (const input of document.querySelectorAll('#mode input[name="mode"]')) {
    input.addEventListener("change", () => choose({ mode: input.value }));
  }

  function draw() {
    for (const input of document.querySelectorAll('#mode input[name="mode"]')) input.checked = input.value === page.view.mode;
    byId("colour").value = page.view.colour;
    setText(byId("head-title"), "transformer.head_title", { layer: page.view.layer, head: page.view.head });
    setText(byId("colour-caption"), COLOUR_CAPTIONS[page.view.colour]);
    byId("legend").hidden = page.view.mode !== "heatmap";
    if (!page.frame) return;
    const { tokens } = page.frame.header;
    const [layers, heads, count] = page.frame.tensors.attentions.shape;
    const { values, scales } = colouring(page.view.colour, weights(), count * count);
    const scale = scales[page.view.layer * heads + page.view.head];
    attentionhead.update(head, { tokens, weights: values, start: headStart(page), mode: page.view.mode, scale });
    legend.update(key, { scale });
    debug.heat = head.geometry;
    debug.colour = { scale, kind: page.view.colour };
    attentiongrid.update(grid, { weights: values, layers, heads, tokens: count, scales, picked: [page.view.layer, page.view.head] });
    const { q, k, v, scores, attentions } = page.frame.tensors;
    qkv.update(projections, { tokens, q, k, v, scores, attentions, layer: page.view.layer, head: page.view.head, query: page.view.query });
  }

  function showFrame(frame) {
    page.frame = frame;
    const { header } = frame;
    const count = frame.tensors.attentions.shape[2];
    page.view = clampView(page, page.view);
    showTokens(header.tokens, header.segments);
    showSentences(header.sentences);
    if (header.similarity === null) setText(byId("similarity"), "transformer.similarity_none");
    else setText(byId("similarity"), "transformer.similarity_value", { s: formatValue(header.similarity) });
    setText(byId("token-count"), "transformer.token_count", { n: count, max: debug.session?.max_tokens ?? count });
    showUnknown(header.unknown);
    draw();
  }
  return { draw, showFrame };
}

/** The inputs show the sentences the frame is about, unless the user is typing in them. */
function showSentences([first, second = ""]) {
  for (const [input, text] of [[byId("first"), first], [byId("second"), second]]) {
    if (input !== document.activeElement) input.value = text;
  }
}

/** Typing runs the model as you go: one request in flight, the newest text next. Returns the form. */
function bindSentences(live) {
  const send = newestWins((message) => live().act(message).then(() => live().notice.hide()));
  const submit = () => send({ type: "sentences", first: byId("first").value, second: byId("second").value || null });
  const form = byId("sentences-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  form.addEventListener("input", () => {
    if (byId("first").value.trim()) submit();
  });
  return form;
}

async function main() {
  await initI18n();
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, view: null, heat: null };
  window.nnlive = debug;
  const page = { frame: null, view: readView(new URLSearchParams(location.search), DEFAULT_VIEW) };
  debug.view = page.view;
  let live = null;

  /** Change the view (layer, head, mode): into the URL (and to the viewers), then redraw. */
  const views = headViews(page, debug, (values) => {
    page.view = clampView(page, { ...page.view, ...values });
    debug.view = page.view;
    live?.writeView(page.view);
    views.draw();
  });
  const form = bindSentences(() => live);

  function onAccess(driving) {
    debug.driving = driving;
    for (const control of form.querySelectorAll("input, button")) control.disabled = !driving;
  }

  function onView(params) {
    page.view = clampView(page, readView(params, DEFAULT_VIEW));
    debug.view = page.view;
    views.draw();
  }

  const onFrame = newestFrameDrawer(views.showFrame, debug);
  views.draw();
  live = await startLivePage(MODEL, { onHello: (info) => (debug.session = info), onFrame, onAccess, onView });
}

/** The warning that names the pieces the tokenizer turned into [UNK] (hidden when there are none). */
function showUnknown(unknown) {
  const warning = byId("unknown-warning");
  warning.hidden = unknown.length === 0;
  if (unknown.length === 0) return;
  const pieces = unknown.map((u) => `“${u.text}”`).join(" ");
  setText(warning, "transformer.unknown_warning", { n: unknown.length, pieces });
}

/** The tokens in a row, the second sentence's (segment 1) marked, and [UNK]s. */
function showTokens(tokens, segments) {
  byId("tokens").replaceChildren(
    ...tokens.map((token, i) => {
      const span = element("span", `transformer-token segment-${segments[i]}${token === "[UNK]" ? " unknown" : ""}`, token);
      span.dataset.index = i;
      return span;
    }),
  );
}

main();
