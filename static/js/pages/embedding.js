// The embedding page (/embedding): nn.Embedding as a lookup, then embeddings learned live.
// 1. An `embedding` side session: an index batch looks up rows of W, animated position by position,
//    beside one-hot(index) @ W (the same numbers), and the bytes of both for vocabularies of V words.
// 2. The page's live session, `word2vec` (skip-gram with negative sampling): trained with
//    train/pause/step/reset and lr; its loss curve.
// 3. The vectors as points at their PCA coordinates (computed by the server, axes oriented to follow
//    the previous frame's), redrawn frame by frame; a word's nearest neighbours by cosine and an
//    analogy a − b + c. The source may switch to all-MiniLM-L6-v2's token table (`minilm_tokens`,
//    another side session) when the optional extra is installed; otherwise the server's refusal says
//    how to install it.
// For tests, window.nnlive holds the last drawn word frame (lastFrame), the scatter (pixels and
// transform), the lookup's last frame and position, the loss curves and the session.

import { scaleFor } from "../math/colormap.js";
import { overfitting } from "../math/curvemath.js";
import { bindConfigForm, catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { TRAIN_VAL_SERIES } from "../ui/trainingcurves.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import { framePoints, historyPoints } from "../math/losspoints.js";
import { formatPercent, formatValue } from "../math/numbers.js";
import { createPlayer } from "../ui/player.js";
import { startSideSession } from "../session/sidesession.js";
import { configFromParams, readView } from "../session/urlstate.js";
import * as curves from "../views/curves.js";
import { element } from "../views/parts/dom.js";
import * as scatter from "../views/scatter.js";
import * as valuegrid from "../views/valuegrid.js";

const MODEL = "word2vec";
const VIEW = { source: "word2vec", axes: "0,1", turn: 30 }; // the scatter's view state in the URL
const LOOKUP_SPEED = 1.5; // positions per second while the lookup plays
// The corpus line's text per corpus name.
const CORPUS_FACTS = {
  stdlib: { key: "embedding.facts_stdlib" },
  shipped: { key: "embedding.facts_shipped" },
  upload: { key: "embedding.facts_upload" },
};

const byId = (id) => document.getElementById(id);

/** "1 2 4 5; 4 3 2 9" → [[1, 2, 4, 5], [4, 3, 2, 9]] (rows split by ; or new lines, numbers by spaces or commas). */
function parseIndices(text) {
  return text
    .split(/[;\n]/)
    .map((row) => row.split(/[\s,]+/).filter(Boolean).map(Number))
    .filter((row) => row.length > 0);
}

/** Bytes as text: B, KB, MB, GB, TB (powers of 1000), three significant digits. */
function formatBytes(bytes) {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${formatValue(value)} ${units[unit]}`;
}

/** Scroll `box` (a scrolling container) so that `cell` sits in its middle; the page itself stays. */
function centreInView(box, cell) {
  if (!cell || box.scrollHeight <= box.clientHeight) return;
  box.scrollTop += cell.getBoundingClientRect().top - box.getBoundingClientRect().top - box.clientHeight / 2;
}

/** The lookup card: index batch, W, the output, one position's one-hot row × W, and the memory table. */
function lookupCard(debug, onPosition) {
  const grids = {
    indices: valuegrid.mount(byId("lookup-indices"), { label: "indices" }),
    weight: valuegrid.mount(byId("lookup-weight"), { label: "weight" }),
    output: valuegrid.mount(byId("lookup-output"), { label: "output" }),
    onehot: valuegrid.mount(byId("lookup-onehot"), { label: "onehot" }),
    product: valuegrid.mount(byId("lookup-product"), { label: "onehot_output" }),
  };
  const card = { frame: null, position: 0, wanted: null }; // wanted: the presenter's position (lecture)
  const player = createPlayer({ speed: LOOKUP_SPEED, onChange: ({ position, playing }) => {
    card.position = position;
    onPosition(position);
    setText(byId("lookup-play"), playing ? "embedding.pause" : "embedding.play");
    draw();
  } });
  byId("lookup-play").addEventListener("click", () => player.toggle());
  byId("lookup-prev").addEventListener("click", () => player.step(-1));
  byId("lookup-next").addEventListener("click", () => player.step(1));

  function draw() {
    const frame = card.frame;
    if (!frame) return;
    const { indices, weight, output, onehot, onehot_output: product } = frame.tensors;
    const [batch, length] = indices.shape;
    const [vocab, dim] = weight.shape;
    const p = Math.min(card.position, batch * length - 1);
    const index = indices.data[p];
    const [b, t] = [Math.floor(p / length), p % length];
    const signed = scaleFor(weight.data, { signed: true });
    valuegrid.update(grids.indices, { values: indices.data, shape: [1, batch, length], scale: { kind: "sequential", min: 0, max: vocab - 1 } });
    valuegrid.update(grids.weight, { values: weight.data, shape: [1, vocab, dim], scale: signed });
    valuegrid.update(grids.output, { values: output.data, shape: [batch, length, dim], scale: signed });
    const onehotRow = onehot.data.subarray(p * vocab, (p + 1) * vocab);
    valuegrid.update(grids.onehot, { values: onehotRow, shape: [1, 1, vocab], scale: { kind: "sequential", min: 0, max: 1 } });
    valuegrid.update(grids.product, { values: product.data.subarray(p * dim, (p + 1) * dim), shape: [1, 1, dim], scale: signed });
    const row = (start) => Array.from({ length: dim }, (_, j) => start + j);
    valuegrid.mark(grids.indices, "selected", [p]);
    valuegrid.mark(grids.weight, "selected", row(index * dim));
    valuegrid.mark(grids.output, "selected", row(p * dim));
    valuegrid.mark(grids.onehot, "selected", [index]);
    centreInView(byId("lookup-weight"), grids.weight.cells[index * dim]);
    setText(byId("lookup-position"), "embedding.position", { b, t, i: index, k: p + 1, n: batch * length });
    setText(byId("onehot-line"), "embedding.onehot_line", { i: index, v: vocab });
    setText(byId("indices-caption"), "embedding.indices_caption", { b: batch, t: length });
    setText(byId("weight-caption"), "embedding.weight_caption", { v: vocab, d: dim });
    setText(byId("output-caption"), "embedding.output_caption", { b: batch, t: length, d: dim });
    setText(byId("lookup-code"), "embedding.code", { v: vocab, d: dim, b: batch, t: length });
    setText(byId("lookup-check"), "embedding.check", { diff: formatValue(frame.header.max_diff) });
    debug.lookup = { frame, position: p, index };
  }

  function showMemory(rows) {
    byId("memory-rows").replaceChildren(
      ...rows.map((row) => {
        const cells = [row.vocab.toLocaleString(), formatBytes(row.onehot_table), formatBytes(row.embedding_table), formatBytes(row.onehot_batch), formatBytes(row.index_batch)];
        return element("tr", "", ...cells.map((text) => element("td", "", text)));
      }),
    );
  }

  return {
    player,
    show(frame) {
      const count = frame.tensors.indices.data.length;
      const resized = card.frame === null || card.frame.tensors.indices.data.length !== count;
      card.frame = frame;
      if (resized) player.reset(count);
      if (resized && card.wanted !== null) player.jump(card.wanted);
      else if (!resized) draw();
      showMemory(frame.header.memory);
    },
    /** Go to the presenter's position (a viewer in a lecture), now and once the lookup's frame comes. */
    follow(position) {
      card.wanted = position;
      player.jump(position);
    },
  };
}

/** A ranked list of {word, cos} under its title ({key, params}); hidden when nothing was asked. */
function showResults(list, title, results, heading) {
  title.hidden = !results;
  if (results) setText(title, heading.key, heading.params);
  list.replaceChildren(...(results ?? []).map((r) => element("li", "", element("span", "embedding-word", r.word), element("span", "embedding-cos", formatValue(r.cos)))));
}

/** The words offered while typing a query (word2vec's vocabulary; none for MiniLM's 30,522 tokens). */
function showWords(words) {
  byId("vocab-words").replaceChildren(...words.map((w) => Object.assign(element("option"), { value: w })));
}

/**
 * The scatter of the source's vectors (word2vec's or MiniLM's table, `page.frames[source]`) on the
 * chosen axes, with the neighbours and analogy asked. Returns `draw()`: draw the source's newest
 * frame at the next animation frame.
 */
function spaceView(page, debug, { source, axes, turn }) {
  const edgeNote = byId("scatter-edge");
  const view = scatter.mount(byId("scatter"), {
    label: "scatter",
    onDraw: (beyond) => {
      edgeNote.hidden = beyond === 0;
      setText(edgeNote, "embedding.edge", { n: beyond });
    },
  });
  debug.scatter = view;

  function drawSpace({ header, tensors }) {
    const { coords } = tensors;
    const marks = new Map();
    const position = new Map(header.ids.map((id, i) => [id, i]));
    for (const n of header.query?.neighbours ?? []) if (position.has(n.id)) marks.set(position.get(n.id), "neighbour");
    for (const word of header.analogy?.terms ?? []) if (header.words.includes(word)) marks.set(header.words.indexOf(word), "analogy");
    if (header.query && header.words.includes(header.query.word)) marks.set(header.words.indexOf(header.query.word), "query");
    const chosen = axes.value === "3d" ? { turn: Number(turn.value) } : axes.value.split(",").map(Number);
    scatter.update(view, { coords: coords.data, k: coords.shape[1], words: header.words, axes: chosen, marks });
    setText(byId("variance"), "embedding.variance", {
      n: header.words.length,
      a: formatPercent(header.variance[0]),
      b: formatPercent(header.variance[1]),
      c: formatPercent(header.variance[2]),
    });
    showResults(byId("neighbours"), byId("neighbours-title"), header.query?.neighbours, { key: "embedding.neighbours_of", params: { w: header.query?.word } });
    const terms = header.analogy?.terms ?? [];
    showResults(byId("analogy-results"), byId("analogy-title"), header.analogy?.results, { key: "embedding.analogy_of", params: { a: terms[0], b: terms[1], c: terms[2] } });
    debug.source = source.value;
  }

  // A frame of the source shown before a switch is not drawn.
  const drawNewest = newestFrameDrawer((frame) => {
    if (frame !== page.frames[source.value]) return false;
    drawSpace(frame);
  }, debug);
  return () => {
    const frame = page.frames[source.value];
    if (frame) drawNewest(frame);
  };
}

/** The query and analogy forms: `sendTo` gets a `query` message that keeps the other half asked now. */
function bindQueries(page, source, sendTo) {
  const queryMessage = (change) => {
    const header = page.frames[source.value]?.header;
    const current = { word: header?.query?.word ?? null, analogy: header?.analogy?.terms ?? null };
    return { type: "query", ...current, ...change };
  };
  const quiet = (promise) => promise.catch(() => {});
  byId("query-form").addEventListener("submit", (event) => {
    event.preventDefault();
    quiet(sendTo(queryMessage({ word: byId("query-word").value.trim() || null })));
  });
  byId("analogy-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const terms = ["a", "b", "c"].map((k) => byId(`analogy-${k}`).value.trim());
    quiet(sendTo(queryMessage({ analogy: terms.every(Boolean) ? terms : null })));
  });
}

/**
 * The lookup: a side session of `embedding`, its id in the URL as `lookup`, with its own settings
 * and index batch. Resolves with the side session (null in a replay or when it could not open).
 */
async function startLookup(live, lookupCatalog, debug, sideOf) {
  const lookup = lookupCard(debug, (position) => live.writeView({ lookup_at: position }));
  sideOf.follow = (position) => lookup.follow(position);
  let side = null;
  const settings = bindConfigForm(byId("lookup-settings"), async (config) => {
    settings.clearErrors();
    try {
      await side?.replace(config);
    } catch (error) {
      if (!settings.showError(error)) live.notice.error(error);
    }
  });
  settings.applyFields(lookupCatalog.config);
  byId("lookup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    side?.act({ type: "forward", input: parseIndices(byId("indices-text").value) }).catch((error) => live.notice.error(error));
  });
  // A recording holds the page's own session only: its side sessions are not opened in a replay.
  if (live.replaying) return null;
  side = await startSideSession("embedding", "lookup", {
    onHello: (info) => settings.show(info.config),
    onFrame: (frame) => lookup.show(frame),
    onError: (error) => live.notice.error(error),
    onAccess: (driving) => {
      settings.setEnabled(driving);
      byId("indices-text").disabled = !driving;
      byId("lookup-send").disabled = !driving;
    },
    writeView: (values) => live.writeView(values),
    create: Boolean(live.session.token), // a viewer attaches to the presenter's (onView)
  }).catch((error) => live.notice.error(error));
  return side ?? null;
}

/** The pretrained table: a side session of `minilm_tokens`; the server's refusal (extra not installed) shows on its notice. */
async function startMinilm(live, page, onFrame) {
  const notice = byId("minilm-notice");
  try {
    return await startSideSession("minilm_tokens", "minilm", {
      onHello: () => {
        notice.hidden = true;
      },
      onFrame: (frame) => {
        page.frames.minilm = frame;
        byId("minilm-tokens").value ||= frame.header.words.join(" ");
        onFrame();
      },
      onError: (error) => live.notice.error(error),
      onAccess: (driving) => {
        for (const id of ["minilm-tokens", "minilm-show"]) byId(id).disabled = !driving;
      },
      writeView: (values) => live.writeView(values),
      create: Boolean(live.session.token),
    });
  } catch (error) {
    setText(notice, "embedding.minilm_unavailable", { message: error.message });
    notice.hidden = false;
    return null;
  }
}

/**
 * The scatter's source: word2vec's vectors, or MiniLM's token table (a side session opened when first
 * chosen, `sideOf.minilm`) with its own token form. Returns `showSource()`: show the chosen one.
 */
function bindSource(live, page, { source, sideOf, drawSpace }) {
  byId("minilm-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sideOf.minilm?.act({ type: "text", purpose: "input", text: byId("minilm-tokens").value }).catch((error) => live.notice.error(error));
  });
  async function openMinilm() {
    if (sideOf.minilm || live.replaying) return;
    sideOf.minilm = await startMinilm(live, page, () => source.value === "minilm" && drawSpace());
  }
  async function showSource() {
    byId("minilm-box").hidden = source.value !== "minilm";
    live.writeView({ source: source.value });
    if (source.value === "minilm") await openMinilm();
    showWords(source.value === "word2vec" ? page.vocabWords : []);
    drawSpace();
  }
  source.addEventListener("change", showSource);
  if (source.value === "minilm") showSource();
  return showSource;
}

/** The scatter's inputs: which source, which axes and turn, from the URL's view. */
function spaceInputs(view) {
  const inputs = { source: byId("source"), axes: byId("axes"), turn: byId("turn") };
  inputs.source.value = view.source;
  inputs.axes.value = view.axes;
  inputs.turn.value = String(view.turn);
  byId("turn-field").hidden = inputs.axes.value !== "3d";
  return inputs;
}

/**
 * Name overfitting under the loss chart while a new validation point shows it (validation rising, training
 * still falling): checked once per validation point, the note touched only when that changes.
 * @param {ReturnType<typeof curves.mount>} loss
 */
function overfittingNote(loss) {
  const note = byId("overfitting");
  let lastValStep = null;
  return (header) => {
    const valStep = header.val?.step ?? null;
    if (valStep === lastValStep) return;
    lastValStep = valStep;
    const shown = valStep !== null && overfitting(loss.steps, loss.columns[0], loss.columns[1]);
    if (note.hidden === shown) note.hidden = !shown;
  };
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const [catalog, lookupCatalog] = await Promise.all([catalogEntry(MODEL), catalogEntry("embedding")]);
  const page = { view: readView(params, VIEW), frames: {}, vocabWords: [] };
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, state: null, curves: null, scatter: null, lookup: null, source: page.view.source };
  window.nnlive = debug;
  let live = null;
  const act = (message) => live.act(message);

  const loss = curves.mount(byId("loss-panel"), { series: TRAIN_VAL_SERIES, yKey: "embedding.loss_axis" });
  debug.curves = { loss };
  const noteOverfitting = overfittingNote(loss);
  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    charts: { loss },
    inputs: "#corpus-text, #corpus-paste, #query-form input, #query-form button, #analogy-form input, #analogy-form button",
  });
  byId("corpus-paste").addEventListener("click", () =>
    act({ type: "text", purpose: "corpus", text: byId("corpus-text").value }).then(() => live.notice.show("embedding.corpus_replaced"), () => {}),
  );

  const inputs = spaceInputs(page.view);
  const { source, axes, turn } = inputs;
  const drawSpace = spaceView(page, debug, inputs);
  const sideOf = { minilm: null, lookup: null, follow: null };
  bindQueries(page, source, (message) => {
    if (source.value === "word2vec") return act(message);
    if (!sideOf.minilm) return Promise.resolve();
    return sideOf.minilm.act(message).catch((error) => {
      live.notice.error(error);
      throw error;
    });
  });
  for (const input of [axes, turn]) {
    input.addEventListener("input", () => {
      byId("turn-field").hidden = axes.value !== "3d";
      live?.writeView({ axes: axes.value, turn: Number(turn.value) });
      drawSpace();
    });
  }

  // The word2vec session: frames carry training points and the space.
  const handlers = training.handlers({
    onHello: (info, hello) => {
      debug.session = info;
      training.curves.add({ loss: historyPoints(hello.history) });
      training.curves.draw();
      page.vocabWords = info.vocab_words;
      if (source.value === "word2vec") showWords(info.vocab_words);
    },
    onFrame: (frame) => {
      training.curves.add({ loss: framePoints(frame.header) });
      training.curves.draw();
      noteOverfitting(frame.header);
      const c = frame.header.corpus;
      setText(byId("corpus-facts"), CORPUS_FACTS[c.name].key, { w: c.words, v: c.vocab, n: c.train });
      page.frames.word2vec = frame;
      if (source.value === "word2vec") drawSpace();
    },
  });
  let showSource = null; // once the page's own session is open
  live = await startLivePage(MODEL, { config: configFromParams(params, catalog.config), ...handlers, onView });
  if (!live) return;
  showSource = bindSource(live, page, { source, sideOf, drawSpace });
  sideOf.lookup = await startLookup(live, lookupCatalog, debug, sideOf);

  /** A viewer follows the driver's scatter view and side sessions (lecture mode). */
  function onView(values) {
    if (!showSource) return;
    const wanted = readView(values, VIEW);
    axes.value = wanted.axes;
    turn.value = String(wanted.turn);
    byId("turn-field").hidden = axes.value !== "3d";
    sideOf.lookup?.attach(values.get("lookup"));
    if (values.has("lookup_at")) sideOf.follow?.(Number(values.get("lookup_at")));
    if (source.value !== wanted.source) {
      source.value = wanted.source;
      showSource();
    }
    sideOf.minilm?.attach(values.get("minilm"));
    drawSpace();
  }
}

main();
