// @ts-check
// Every head of every layer at once: a layers × heads grid of small T×T attention maps (rows: layers,
// columns: heads, numbered along the edges). Click or Enter picks a head; the arrow keys move the pick;
// the picked head is outlined.

import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";
import { paintRaster } from "./parts/raster.js";

const THUMB_PX = 64; // canvas pixels per thumbnail side, whatever the token count

/**
 * Mount an empty grid into `el`; `onPick(layer, head)` when the user picks a head; `cornerKey`: the
 * i18n key of the text where the layer numbers meet the head numbers.
 * @param {HTMLElement} el
 * @param {{onPick: (layer: number, head: number) => void, cornerKey: string}} opts
 */
export function mount(el, { onPick, cornerKey }) {
  const grid = element("div", "attentiongrid-grid");
  const root = element("div", "attentiongrid", grid);
  root.tabIndex = 0;
  el.append(root);
  const view = { root, grid, layers: 0, heads: 0, canvases: [], picked: [0, 0], cornerKey };
  grid.addEventListener("click", (event) => {
    const canvas = event.target.closest("canvas");
    if (canvas) onPick(Number(canvas.dataset.layer), Number(canvas.dataset.head));
  });
  const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  root.addEventListener("keydown", (event) => {
    const move = moves[event.key];
    if (!move || !view.layers) return;
    event.preventDefault();
    const clamp = (v, n) => Math.min(Math.max(v, 0), n - 1);
    onPick(clamp(view.picked[0] + move[0], view.layers), clamp(view.picked[1] + move[1], view.heads));
  });
  return view;
}

/**
 * Paint `weights` ([layers, heads, T, T], flat), one thumbnail per head on its own scale (`scales`,
 * one per head in layer-major order), and outline `picked` ([layer, head]).
 * @param {ReturnType<typeof mount>} view
 * @param {{weights: ArrayLike<number>, layers: number, heads: number, tokens: number, scales: import('../math/colormap.js').Scale[], picked: [number, number]}} props
 */
export function update(view, { weights, layers, heads, tokens, scales, picked }) {
  ensureCanvases(view, layers, heads);
  const block = tokens * tokens;
  view.canvases.forEach((canvas, i) => paintRaster(canvas, weights, i * block, tokens, tokens, scales[i]));
  pick(view, picked);
}

/** Outline the head `picked` ([layer, head]). */
export function pick(view, picked) {
  view.picked = picked;
  for (const canvas of view.canvases) {
    canvas.classList.toggle("picked", Number(canvas.dataset.layer) === picked[0] && Number(canvas.dataset.head) === picked[1]);
  }
}

/**
 * Remove the grid.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}

/** The canvases with their layer and head numbers, built once per grid size. */
function ensureCanvases(view, layers, heads) {
  if (view.layers === layers && view.heads === heads) return;
  Object.assign(view, { layers, heads, canvases: [] });
  const corner = element("span", "attentiongrid-corner");
  setText(corner, view.cornerKey);
  const headNumbers = Array.from({ length: heads }, (_, h) => element("span", "attentiongrid-head", String(h)));
  const cells = [corner, ...headNumbers];
  for (let l = 0; l < layers; l++) {
    cells.push(element("span", "attentiongrid-layer", String(l)));
    for (let h = 0; h < heads; h++) {
      const canvas = element("canvas");
      canvas.width = THUMB_PX;
      canvas.height = THUMB_PX;
      canvas.dataset.layer = l;
      canvas.dataset.head = h;
      view.canvases.push(canvas);
      cells.push(canvas);
    }
  }
  view.grid.style.setProperty("--heads", heads);
  view.grid.replaceChildren(...cells);
}
