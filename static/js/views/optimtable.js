// @ts-check
// The optimizers' standings: per optimizer its colour, name, current learning rate, loss, point and
// whether it diverged; a radio button picks the one whose update rule is written out.

import { setText, t } from "../ui/i18n.js";
import { formatSetting, formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

/** The i18n key of each optimizer's name. */
export const OPTIMIZER_KEYS = {
  sgd: "optim.opt_sgd",
  momentum: "optim.opt_momentum",
  nesterov: "optim.opt_nesterov",
  adagrad: "optim.opt_adagrad",
  rmsprop: "optim.opt_rmsprop",
  adam: "optim.opt_adam",
  adamw: "optim.opt_adamw",
};
/** The i18n key of each column heading (here and in the editor). */
export const COLUMN_KEYS = {
  name: "optim.col_name",
  lr: "optim.col_lr",
  loss: "optim.col_loss",
  point: "optim.col_point",
  status: "optim.col_status",
  momentum: "optim.col_momentum",
  beta1: "optim.col_first_beta",
  beta2: "optim.col_second_beta",
  weight_decay: "optim.col_weight_decay",
  eps: "optim.col_eps",
  remove: "optim.col_remove",
};
const COLUMNS = ["name", "lr", "loss", "point", "status"];

/** Mount into `el`; `onSelect(i)` gets a picked optimizer. */
export function mount(el, { colors, onSelect }) {
  const body = element("tbody");
  const head = element("tr", "", element("th"), ...COLUMNS.map((c) => {
    const cell = element("th");
    setText(cell, COLUMN_KEYS[c]);
    return cell;
  }));
  const root = element("table", "optimtable", element("thead", "", head), body);
  el.append(root);
  body.addEventListener("change", (event) => onSelect(Number(event.target.value)));
  return { root, body, colors };
}

/** Show `rows` [{name, lr, loss, point, diverged, diverged_at}] with optimizer `selected` picked. */
export function update(view, { rows, selected }) {
  view.body.replaceChildren(
    ...rows.map((r, i) => {
      const pick = element("input");
      Object.assign(pick, { type: "radio", name: "optim-selected", value: String(i), checked: i === selected });
      pick.setAttribute("aria-label", t(OPTIMIZER_KEYS[r.name]));
      const swatch = element("span", "optim-swatch");
      swatch.style.background = view.colors[i % view.colors.length];
      const status = element("td", "optim-status");
      setText(status, r.diverged ? "optim.diverged_at" : "optim.running", { step: r.diverged_at });
      const tr = element(
        "tr",
        "",
        element("td", "", pick, " ", swatch),
        element("td", "", t(OPTIMIZER_KEYS[r.name])),
        element("td", "", formatSetting(r.lr)),
        element("td", "optim-loss", formatValue(r.loss)),
        element("td", "", `(${formatValue(r.point[0])}, ${formatValue(r.point[1])})`),
        status,
      );
      tr.dataset.diverged = String(r.diverged);
      return tr;
    }),
  );
}

/** Remove the table. */
export function destroy(view) {
  view.root.remove();
}
