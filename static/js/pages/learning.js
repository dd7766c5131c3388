// The four kinds of learning (/learning), training side by side on one seeded set of 2-D points:
// a classifier that sees every label (decision regions, test accuracy); k-means that sees none
// (centroids and their paths, points recoloured by cluster, inertia per iteration, clusters against
// the labels); self-training from k labels and its confident pseudo-labels beside the same classifier
// on the k labels alone; and a REINFORCE agent in a grid world (policy arrows, one episode replayed,
// mean return per step). Which panel is enlarged is view state (URL, lecture). For tests,
// window.nnlive holds the last drawn frame, the session and whether this page drives.

import { formatPercent, formatValue } from "../math/numbers.js";
import { startLivePage } from "../session/livepage.js";
import { configFromParams, readView } from "../session/urlstate.js";
import { catalogEntry } from "../ui/configform.js";
import { newestFrameDrawer } from "../ui/framedraw.js";
import { initI18n, setText, t } from "../ui/i18n.js";
import { bindTrainingPage } from "../ui/trainingpage.js";
import * as gridworld from "../views/gridworld.js";
import * as lineplot from "../views/lineplot.js";
import * as plane from "../views/plane.js";

const MODEL = "learning";
const VIEW = { focus: 0 };
const SMALL_PLOT = 110; // px: the inertia and return curves under their panels
const byId = (id) => document.getElementById(id);

/** Point colours: the labels, the clusters, or the labels of the labelled points (and pseudo-labels). */
function colourings(tensors) {
  const labels = Array.from(tensors.labels.data);
  const labelled = Array.from(tensors["semi.labelled"].data);
  const onlyLabelled = labels.map(() => -1);
  for (const n of labelled) onlyLabelled[n] = labels[n];
  const pseudo = Array.from(tensors["semi.pseudo"].data, (p, n) => (onlyLabelled[n] >= 0 ? onlyLabelled[n] : p));
  return { labels, clusters: Array.from(tensors["kmeans.assign"].data), pseudo, onlyLabelled, labelled };
}

/** Draw every panel from one frame. */
function drawFrame(frame, info, views) {
  const { header: h, tensors } = frame;
  const points = tensors.points;
  const extent = info.extent;
  const c = colourings(tensors);
  plane.update(views.sup, { extent, points, colors: c.labels, probs: tensors["sup.probs"] });
  setText(byId("sup-numbers"), "learning.sup_numbers", { acc: formatPercent(h.sup_acc), step: h.step });
  plane.update(views.kmeans, { extent, points, colors: c.clusters, centroids: tensors["kmeans.centroids"], trail: tensors["kmeans.trail"] });
  lineplot.update(views.inertia, { series: [{ values: tensors["kmeans.inertia"].data, color: "#0072B2" }] });
  setText(byId("kmeans-numbers"), h.kmeans_converged ? "learning.kmeans_converged" : "learning.kmeans_numbers", {
    iteration: h.kmeans_iteration,
    inertia: formatValue(h.inertia),
    purity: formatPercent(h.kmeans_purity),
  });
  const table = tensors["kmeans.contingency"];
  const rows = Array.from({ length: table.shape[0] }, (_, k) => `${k + 1}: [${Array.from(table.data.slice(k * table.shape[1], (k + 1) * table.shape[1])).join(", ")}]`);
  setText(byId("kmeans-table"), "learning.kmeans_table", { rows: rows.join(" · ") });
  plane.update(views.semi, { extent, points, colors: c.pseudo, rings: c.labelled, probs: tensors["semi.probs"] });
  plane.update(views.base, { extent, points, colors: c.onlyLabelled, rings: c.labelled, probs: tensors["base.probs"] });
  setText(byId("semi-numbers"), "learning.semi_numbers", { acc: formatPercent(h.semi_acc) });
  setText(byId("base-numbers"), "learning.base_numbers", { acc: formatPercent(h.base_acc), k: c.labelled.length });
  setText(byId("pseudo-numbers"), "learning.pseudo_numbers", { count: h.pseudo_count, correct: h.pseudo_correct, threshold: h.threshold });
  gridworld.update(views.world, { map: tensors["rl.map"], policy: tensors["rl.policy"], episode: tensors["rl.episode"].data });
  lineplot.update(views.returns, { series: [{ values: tensors["rl.returns"].data, color: "#D55E00" }] });
  setText(byId("rl-numbers"), "learning.rl_numbers", { episodes: h.rl_episodes, ret: h.rl_return === null ? "–" : formatValue(h.rl_return), reward: h.step_reward });
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
  const views = {
    sup: plane.mount(byId("sup-plane"), { label: "supervised" }),
    kmeans: plane.mount(byId("kmeans-plane"), { label: "kmeans" }),
    inertia: lineplot.mount(byId("inertia"), { label: t("learning.inertia_label"), height: SMALL_PLOT }),
    semi: plane.mount(byId("semi-plane"), { label: "semi" }),
    base: plane.mount(byId("base-plane"), { label: "base" }),
    world: gridworld.mount(byId("world"), { label: "world" }),
    returns: lineplot.mount(byId("returns"), { label: t("learning.returns_label"), height: SMALL_PLOT }),
  };
  const drawNewest = newestFrameDrawer((frame) => drawFrame(frame, info, views), debug);

  function showFocus(focus) {
    view.focus = focus;
    if (view.focus) byId("panels").dataset.focus = view.focus;
    else delete byId("panels").dataset.focus;
    live?.writeView({ focus: view.focus || null });
  }

  const restartKmeans = () => act({ type: "resample" }).catch(() => {});
  const toggleFocus = (n) => showFocus(view.focus === n ? 0 : n);
  const focusKeys = Object.fromEntries([1, 2, 3, 4].map((n) => [String(n), () => toggleFocus(n)]));
  const training = bindTrainingPage(MODEL, catalog, () => live, {
    debug,
    keys: { ArrowRight: () => training.controls.step(), k: restartKmeans, ...focusKeys },
    inputs: ".focus-toggle, #kmeans-restart",
  });
  byId("kmeans-restart").addEventListener("click", restartKmeans);
  for (const button of document.querySelectorAll(".focus-toggle")) button.addEventListener("click", () => toggleFocus(Number(button.dataset.focus)));
  showFocus(view.focus);

  live = await startLivePage(MODEL, {
    config: configFromParams(params, catalog.config),
    ...training.handlers({
      onHello: (session) => {
        info = session;
        debug.session = session;
      },
      onFrame: (frame) => frame.header.session === info?.id && drawNewest(frame),
    }),
    onView: (query) => showFocus(readView(query, VIEW).focus),
  });
}

main();
