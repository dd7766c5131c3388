// @ts-check
// One attention head's queries, keys and values: Q, K and V (tokens × d) as heat maps, and for the
// picked query token the scaled scores q·k / √d against every key beside the softmax weights they
// become. Every number is the server's (frame tensors `q`, `k`, `v`, `scores`, `attentions`).

import { scaleFor } from "../math/colormap.js";
import { formatValue } from "../math/numbers.js";
import { t } from "../ui/i18n.js";
import { element } from "./parts/dom.js";
import * as heat from "./labelledheat.js";

/**
 * @typedef {{data: ArrayLike<number>, shape: number[]}} Tensor
 * @typedef {{tokens: string[], q: Tensor, k: Tensor, v: Tensor, scores: Tensor, attentions: Tensor,
 *   layer: number, head: number, query: number}} QkvProps
 */

/**
 * Mount into `el`; clicking a row of Q picks that query token (`onPick(row)`).
 * @param {HTMLElement} el
 * @param {{onPick: (query: number) => void}} opts
 */
export function mount(el, { onPick }) {
  const scaling = element("p", "qkv-scaling");
  const maps = element("div", "qkv-maps");
  const table = element("table", "qkv-table");
  const root = element("div", "qkv", scaling, maps, table);
  el.append(root);
  /** @type {{props: QkvProps|null}} */
  const state = { props: null };
  const views = Object.fromEntries(
    ["q", "k", "v"].map((name) => {
      const box = element("figure", "qkv-map", element("figcaption", "", name.toUpperCase()));
      maps.append(box);
      const describe = (/** @type {number} */ row, /** @type {number} */ column) => {
        const p = state.props;
        if (!p) return "";
        const value = p[name].data[headStart(p, name) + row * p[name].shape[3] + column];
        return t("transformer.qkv_readout", { m: name.toUpperCase(), token: p.tokens[row], i: row, j: column, v: formatValue(value) });
      };
      return [name, heat.mount(box, { describe, onPick: name === "q" ? onPick : () => {} })];
    }),
  );
  return { root, scaling, table, views, state };
}

/** Where the picked head's block of tensor `name` starts in its flat data. @param {QkvProps} p @param {string} name */
function headStart(p, name) {
  const [, heads, rows, columns] = p[name].shape;
  return (p.layer * heads + p.head) * rows * columns;
}

/**
 * Draw the picked head's Q, K, V and the picked query's scores and weights.
 * @param {ReturnType<typeof mount>} view
 * @param {QkvProps} props
 */
export function update(view, props) {
  view.state.props = props;
  const { tokens, query } = props;
  const count = tokens.length;
  const d = props.q.shape[3];
  setScaling(view.scaling, d);
  const labels = tokens.map((_, i) => String(i));
  for (const name of ["q", "k", "v"]) {
    const start = headStart(props, name);
    const values = Array.prototype.slice.call(props[name].data, start, start + count * d);
    const picked = name === "q" ? query : null;
    heat.update(view.views[name], { values, rows: count, columns: d, rowLabels: labels, columnLabels: null, scale: scaleFor(values, { signed: true }), picked });
  }
  const row = headStart(props, "scores") + query * count;
  const head = element("tr", "", ...["transformer.qkv_key", "transformer.qkv_score", "transformer.qkv_weight"].map((key) => element("th", "", t(key, { d }))));
  const rows = tokens.map((token, j) => {
    const score = formatValue(props.scores.data[row + j]);
    const weight = formatValue(props.attentions.data[row + j]);
    return element("tr", "", element("td", "", `${j} ${token}`), element("td", "", score), element("td", "", weight));
  });
  view.table.replaceChildren(element("caption", "", t("transformer.qkv_query", { i: query, token: tokens[query] })), element("thead", "", head), element("tbody", "", ...rows));
}

/** "scores = Q Kᵀ / √d = Q Kᵀ / √32 = Q Kᵀ / 5.66". @param {HTMLElement} el @param {number} d */
function setScaling(el, d) {
  el.textContent = t("transformer.qkv_scaling", { d, root: formatValue(Math.sqrt(d)) });
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  view.root.remove();
}
