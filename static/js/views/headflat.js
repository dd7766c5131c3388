// @ts-check
// Flatten: S4's 16 maps of 5×5 beside the 400-vector they become, drawn as 16 rows of 25 so that
// map c is row c. Pointing at a cell of either marks its partner in the other and writes the index
// map: flat[c·25 + row·5 + col] = S4[c, row, col], with the numbers.

import { scaleFor } from "../math/colormap.js";
import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { cellOf } from "../math/tensorindex.js";
import { element } from "./parts/dom.js";
import * as legend from "./legend.js";
import * as valuegrid from "./valuegrid.js";

/**
 * Mount S4, the flat vector, the index line and a shared legend into `el`.
 * @param {HTMLElement} el
 */
export function mount(el) {
  const s4Box = element("div", "headflat-s4");
  const flatBox = element("div", "headflat-flat");
  const line = element("p", "headflat-line");
  const legendBox = element("div");
  const root = element("div", "headflat", element("div", "headflat-pair", s4Box, flatBox), line, legendBox);
  el.append(root);
  setText(line, "head.flat_hint");
  const view = { root, line, s4: null, flat: null, key: legend.mount(legendBox), values: null, shape: null };
  const show = (index) => showIndex(view, index);
  view.s4 = valuegrid.mount(s4Box, { label: "head-s4", onHover: show });
  view.flat = valuegrid.mount(flatBox, { label: "head-flat", onHover: show });
  return view;
}

/**
 * Draw `s4` [16, 5, 5] and `flat` [400] (the server's tensors) on one scale.
 * @param {ReturnType<typeof mount>} view
 * @param {{s4: import('../net/codec.js').Tensor, flat: import('../net/codec.js').Tensor}} props
 */
export function update(view, { s4, flat }) {
  const scale = scaleFor(s4.data);
  const [channels, height, width] = s4.shape;
  view.shape = s4.shape;
  view.values = flat.data;
  valuegrid.update(view.s4, { values: s4.data, shape: s4.shape, scale });
  valuegrid.update(view.flat, { values: flat.data, shape: [1, channels, height * width], scale });
  legend.update(view.key, { scale });
}

/**
 * Remove the view.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  valuegrid.destroy(view.s4);
  valuegrid.destroy(view.flat);
  view.root.remove();
}

/** Mark unit `index` in both (S4's flat index is the vector's index) and write the map; null clears. */
function showIndex(view, index) {
  const marked = index === null ? [] : [index];
  valuegrid.mark(view.s4, "partner", marked);
  valuegrid.mark(view.flat, "partner", marked);
  view.root.dataset.index = index ?? "";
  if (index === null || !view.shape) return;
  const [, height, width] = view.shape;
  const { channel: c, row, column: col } = cellOf(index, height, width);
  setText(view.line, "head.flat_index", {
    i: index,
    c,
    row,
    col,
    plane: height * width,
    w: width,
    v: formatValue(view.values[index]),
  });
}
