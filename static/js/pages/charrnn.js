// The char-RNN page (/charrnn): a character-level RNN learning to write (after Karpathy). The loss
// curve and characters/s while it trains; every few seconds a sample, coloured by the probability of
// each drawn character or by one hidden unit, with the top-5 next characters at a chosen position and
// the hidden state as a units × time heat strip; the user's prompt continued the same way. The
// architecture and corpus are the session's config (a change starts a new session); a pasted or
// uploaded text replaces the corpus, and with it the vocabulary, so the model starts again.
// For tests, window.nnlive holds the last frame, the session, the loss curves and both samples.

import { clampIndex, readSample, topAt, unitRow, charLabel } from "../math/charrnnsample.js";
import { catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { startLivePage } from "../session/livepage.js";
import { TRAIN_VAL_SERIES } from "../ui/trainingcurves.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import { framePoints, historyPoints } from "../math/losspoints.js";
import { formatPercent, formatValue } from "../math/numbers.js";
import { configFromParams } from "../session/urlstate.js";
import * as charrnnheat from "../views/charrnnheat.js";
import * as charrnntext from "../views/charrnntext.js";
import * as charrnntop from "../views/charrnntop.js";
import * as curves from "../views/curves.js";
import { element } from "../views/parts/dom.js";
import * as legend from "../views/legend.js";

const MODEL = "charrnn";
const PROBABILITY_SCALE = { kind: "sequential", min: 0, max: 1 };
const HIDDEN_SCALE = { kind: "diverging", min: -1, max: 1 }; // tanh-bounded h of nn.RNN, nn.GRU and nn.LSTM

// The corpus line's text per corpus name.
const CORPUS_FACTS = {
  stdlib: { key: "charrnn.facts_stdlib" },
  shipped: { key: "charrnn.facts_shipped" },
  upload: { key: "charrnn.facts_upload" },
};

const byId = (id) => document.getElementById(id);

/**
 * One generated text's card: the characters, the chosen position's top 5, the colour key and the
 * heat strip. Characters are coloured by the drawn character's probability, or by a unit once one
 * is picked on the strip. Arrow keys move the position (←/→) and the unit (↑/↓).
 */
function sampleView(name) {
  const box = byId(`${name}-view`);
  box.hidden = true; // until the first sample
  const detail = element("p", "charrnn-detail");
  const topBox = element("div", "charrnn-top-box");
  const keyCaption = element("p", "charrnn-key-caption");
  const keyBox = element("div", "charrnn-key");
  const byProbability = element("button", "charrnn-by-p");
  byProbability.type = "button";
  setText(byProbability, "charrnn.colour_by_p");
  const heatTitle = element("h3", "charrnn-heat-title");
  setText(heatTitle, "charrnn.heat_title");
  const heatKey = element("div", "charrnn-key");
  const card = { sample: null, t: 0, unit: null };
  const text = charrnntext.mount(box, { onPick: (t) => pick(t, card.unit) });
  box.append(element("div", "charrnn-side", detail, topBox, element("div", "charrnn-keyline", keyCaption, byProbability), keyBox));
  box.append(heatTitle);
  const heat = charrnnheat.mount(box, {
    onPick: (unit, t) => pick(t, unit),
    describe: (unit, pos) => {
      const s = card.sample;
      return t("charrnn.heat_readout", { unit, t: pos, c: charLabel(s.chars[pos]), h: formatValue(unitRow(s, unit)[pos]) });
    },
  });
  box.append(heatKey);
  const top = charrnntop.mount(topBox);
  const keys = { text: legend.mount(keyBox), heat: legend.mount(heatKey) };
  legend.update(keys.heat, { scale: HIDDEN_SCALE });
  byProbability.addEventListener("click", () => pick(card.t, null));

  function pick(t, unit) {
    card.t = t;
    card.unit = unit;
    draw();
  }

  function draw() {
    const s = card.sample;
    if (!s) return;
    const values = card.unit === null ? s.chosen : unitRow(s, card.unit);
    const scale = card.unit === null ? PROBABILITY_SCALE : HIDDEN_SCALE;
    charrnntext.update(text, { prompt: s.prompt, chars: s.chars, values, scale, selected: card.t });
    charrnntop.update(top, { top: topAt(s, card.t) });
    legend.update(keys.text, { scale });
    byProbability.hidden = card.unit === null;
    if (card.unit === null) setText(keyCaption, "charrnn.colour_p");
    else setText(keyCaption, "charrnn.colour_unit", { unit: card.unit });
    const c = charLabel(s.chars[card.t]);
    setText(detail, "charrnn.detail", { t: card.t, c, p: formatPercent(s.chosen[card.t]) });
    charrnnheat.update(heat, { hidden: s.hidden, units: s.units, length: s.length, scale: HIDDEN_SCALE, unit: card.unit ?? 0, t: card.t });
  }

  const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  for (const root of [text.root, heat.root]) {
    root.addEventListener("keydown", (event) => {
      const move = moves[event.key];
      if (!move || !card.sample) return;
      event.preventDefault();
      const unit = move[1] ? clampIndex(card.unit ?? 0, move[1], card.sample.units) : card.unit;
      pick(clampIndex(card.t, move[0], card.sample.length), unit);
    });
  }

  return {
    /** Show a new sample; the unit picked stays (when the new one has it), the position goes back to 0. */
    show(sample) {
      box.hidden = false;
      card.sample = sample;
      card.t = 0;
      if (card.unit !== null && card.unit >= sample.units) card.unit = null;
      draw();
    },
    get sample() {
      return card.sample;
    },
  };
}

/** A frame with a sample is never skipped for a newer one without: the newer header goes with it. */
function keepSample(waiting, arriving) {
  if (!waiting.header.sample || arriving.header.sample) return arriving;
  return { ...waiting, header: { ...arriving.header, sample: waiting.header.sample } };
}

/** The prompt form: its continuation comes back as a frame with a `generate` sample. */
function bindPrompt(act) {
  const generate = () =>
    act({
      type: "generate",
      prompt: byId("prompt").value,
      length: Number(byId("prompt-length").value),
      temperature: Number(byId("temperature").value),
    }).catch(() => {});
  byId("prompt-form").addEventListener("submit", (event) => {
    event.preventDefault();
    generate();
  });
  return generate;
}

/**
 * A user's corpus, pasted or a file: PUT …/text (checked there: size, UTF-8; up to 1 MiB, more than
 * a websocket text message may carry). The vocabulary changes, so the server starts the model again
 * at step 0, which clears the curves.
 */
function bindCorpus(live) {
  async function useCorpus(send) {
    try {
      await send();
      live().notice.show("charrnn.corpus_replaced");
    } catch (error) {
      live().notice.error(error);
    }
  }
  byId("corpus-paste").addEventListener("click", () => useCorpus(() => uploadText(live().session, byId("corpus-text").value)));
  byId("corpus-file").addEventListener("change", (event) => {
    const [file] = event.target.files;
    event.target.value = "";
    if (file) useCorpus(() => uploadText(live().session, file));
  });
}

/** The samples' cards and the speed and corpus lines, drawn from a frame. */
function frameShower(debug) {
  const cards = { sample: sampleView("sample"), generate: sampleView("prompt") };
  const metas = { sample: byId("sample-meta"), generate: byId("prompt-meta") };
  return (frame) => {
    const { header } = frame;
    if (header.chars_per_s !== null) setText(byId("speed"), "charrnn.speed_value", { n: Math.round(header.chars_per_s).toLocaleString() });
    const corpus = header.corpus;
    setText(byId("corpus-facts"), CORPUS_FACTS[corpus.name].key, { n: corpus.train + corpus.val, v: corpus.vocab });
    const sample = readSample(frame);
    if (!sample) return;
    cards[sample.kind].show(sample);
    setText(metas[sample.kind], "charrnn.meta", { step: header.step, temperature: formatValue(sample.temperature), n: sample.length });
    const card = sample.kind === "sample" ? "sample" : "prompt";
    debug[card] = { header: header.sample, step: header.step };
    debug.lastSampleFrame[card] = frame;
  };
}

async function main() {
  await initI18n();
  const params = new URLSearchParams(location.search);
  const catalog = await catalogEntry(MODEL);
  const debug = { lastFrame: null, frames: 0, session: null, driving: false, state: null, curves: null, sample: null, prompt: null, lastSampleFrame: {} };
  window.nnlive = debug;
  let live = null;
  const act = (message) => live.act(message);

  const loss = curves.mount(byId("loss-panel"), { series: TRAIN_VAL_SERIES, yKey: "curve.y_char_loss" });
  debug.curves = { loss };
  const temperature = byId("temperature");
  const showTemperature = () => setText(byId("temperature-value"), "charrnn.temperature_value", { t: formatValue(Number(temperature.value)) });
  temperature.addEventListener("input", showTemperature);
  const generate = bindPrompt(act);
  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    charts: { loss },
    keys: { ArrowRight: () => training.controls.step(), g: generate },
    inputs: "#prompt-form input, #prompt-form button, #corpus-text, #corpus-paste, #corpus-file",
    onShow: showTemperature,
  });
  bindCorpus(() => live);

  const showFrame = frameShower(debug);
  const drawFrame = newestFrameDrawer(
    (frame) => {
      training.curves.draw();
      showFrame(frame);
    },
    debug,
    { keep: keepSample },
  );
  const handlers = training.handlers({
    onHello: (info, hello) => {
      debug.session = info;
      training.curves.add({ loss: historyPoints(hello.history) });
    },
    onFrame: (frame) => {
      training.curves.add({ loss: framePoints(frame.header) });
      drawFrame(frame);
    },
  });
  live = await startLivePage(MODEL, { config: configFromParams(params, catalog.config), ...handlers });
}

/** PUT a text or a file as the session's corpus; a refusal rejects with the server's {code, message, field}. */
async function uploadText(session, body) {
  const response = await fetch(`/api/sessions/${encodeURIComponent(session.id)}/text`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${session.token}`, "Content-Type": "text/plain; charset=utf-8" },
    body,
  });
  if (response.ok) return response.json();
  const reply = await response.json().catch(() => ({}));
  const { code = "other", message = response.statusText, field } = reply.error ?? {};
  throw Object.assign(new Error(message), { code, message, field, status: response.status });
}

main();
