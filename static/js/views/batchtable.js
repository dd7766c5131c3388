// @ts-check
// The mini-batch as a table: per sample its input values and target (editable by the driver), its loss
// (reduction "none") and ∂loss/∂input, all as the server computed them. An edit hands the whole batch
// to `onEdit(input, target)` as nested lists.

import { setText } from "../ui/i18n.js";
import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

/** Mount into `el`. */
export function mount(el, { onEdit }) {
  const head = element("tr");
  const body = element("tbody");
  const table = element("table", "batchtable-table", element("thead", "", head), body);
  const root = element("div", "batchtable-scroll", table); // a wide batch scrolls inside its card
  el.append(root);
  const view = { root, head, body, shape: null, classes: false };
  body.addEventListener("change", () => onEdit(...readBatch(view)));
  return view;
}

/**
 * Show the frame's `input` and `target` tensors ({data, shape}), `perSample` and `grad`, whether the
 * targets are class indices (`classes`) and whether the cells may be edited (`enabled`).
 */
export function update(view, { input, target, perSample, grad, classes, enabled }) {
  view.shape = input.shape;
  view.classes = classes;
  const width = input.shape.length === 2 ? input.shape[1] : 1;
  const heading = (key, params) => {
    const cell = element("th");
    setText(cell, key, params);
    return cell;
  };
  const inputHeads = width === 1 ? [heading("losses.col_input")] : Array.from({ length: width }, (_, j) => heading("losses.col_input_j", { j }));
  view.head.replaceChildren(heading("losses.col_sample"), ...inputHeads, heading("losses.col_target"), heading("losses.col_loss"), heading("losses.col_grad"));
  const rows = input.shape[0];
  const perRow = perSample.data.length / rows;
  view.body.replaceChildren(
    ...Array.from({ length: rows }, (_, i) => {
      const cells = Array.from({ length: width }, (_, j) => numberCell(input.data[i * width + j], `input-${i}-${j}`, enabled));
      const targets = classes || width === 1 ? [target.data[i * (classes ? 1 : width)]] : Array.from(target.data.slice(i * width, (i + 1) * width));
      const targetCell = element("td", "", ...targets.map((v, j) => numberInput(v, `target-${i}-${j}`, enabled)));
      const losses = Array.from(perSample.data.slice(i * perRow, (i + 1) * perRow), formatValue).join(", ");
      const grads = Array.from(grad.data.slice(i * width, (i + 1) * width), formatValue).join(", ");
      const tr = element("tr", "", element("td", "", String(i)), ...cells, targetCell, element("td", "batchtable-loss", losses), element("td", "batchtable-grad", grads));
      tr.dataset.sample = String(i);
      return tr;
    }),
  );
}

/** Remove the table. */
export function destroy(view) {
  view.root.remove();
}

function numberInput(value, name, enabled) {
  const input = element("input");
  Object.assign(input, { type: "number", step: "any", name, value: String(Number(value.toPrecision(6))), disabled: !enabled });
  input.setAttribute("aria-label", name);
  return input;
}

const numberCell = (value, name, enabled) => element("td", "", numberInput(value, name, enabled));

/** The table's values back as the protocol's nested lists (input [N] or [N, C]; target [N] or [N, D]). */
function readBatch(view) {
  const rows = [...view.body.rows];
  const values = (tr, prefix) => [...tr.querySelectorAll(`input[name^="${prefix}-"]`)].map((input) => Number(input.value));
  const flat = view.shape.length === 1;
  const input = rows.map((tr) => (flat ? values(tr, "input")[0] : values(tr, "input")));
  const target = rows.map((tr) => (flat || view.classes ? values(tr, "target")[0] : values(tr, "target")));
  return [input, target];
}
