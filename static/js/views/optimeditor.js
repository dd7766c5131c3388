// @ts-check
// Optimizer editor: one row per optimizer (its colour, name, learning rate and the torch parameters it
// takes — blank means torch's default), a remove button per row and an add button. Every change hands
// the whole list, as the config's `optimizers`, to `onChange`.

import { setText, t } from "../ui/i18n.js";
import { element } from "./parts/dom.js";
import { COLUMN_KEYS, OPTIMIZER_KEYS } from "./optimtable.js";

// The optional fields each optimizer takes (the server refuses the others).
const FIELDS = {
  sgd: ["momentum", "weight_decay"],
  momentum: ["momentum", "weight_decay"],
  nesterov: ["momentum", "weight_decay"],
  adagrad: ["weight_decay", "eps"],
  rmsprop: ["momentum", "weight_decay", "eps"],
  adam: ["beta1", "beta2", "weight_decay", "eps"],
  adamw: ["beta1", "beta2", "weight_decay", "eps"],
};
const COLUMNS = ["lr", "momentum", "beta1", "beta2", "weight_decay", "eps"];
const MAX_ROWS = 8;

/** Mount into `el`; `colors[i]` marks row i; `onChange(entries)` gets the edited list. */
export function mount(el, { colors, onChange }) {
  const body = element("tbody");
  const head = element("tr", "", element("th"), ...["name", ...COLUMNS, "remove"].map((c) => headCell(c)));
  const add = element("button", "optimeditor-add");
  add.type = "button";
  setText(add, "optim.add_optimizer");
  const root = element("div", "optimeditor", element("table", "optimeditor-table", element("thead", "", head), body), add);
  el.append(root);
  const view = { root, body, add, colors, entries: [], enabled: false };
  const changed = () => onChange(readEntries(view));
  body.addEventListener("change", changed);
  body.addEventListener("click", (event) => {
    const row = event.target.closest("[data-remove]");
    if (!row || view.entries.length < 2) return;
    view.entries.splice(Number(row.dataset.remove), 1);
    onChange(view.entries);
  });
  add.addEventListener("click", () => onChange([...view.entries, { name: "adam", lr: 0.05 }]));
  return view;
}

/** Show `entries` (the session's optimizers, lr filled in) and whether they may be edited. */
export function update(view, { entries, enabled }) {
  view.entries = entries.map((entry) => ({ ...entry }));
  view.enabled = enabled;
  view.body.replaceChildren(...view.entries.map((entry, i) => row(view, entry, i)));
  view.add.disabled = !enabled || entries.length >= MAX_ROWS;
}

/** Remove the editor. */
export function destroy(view) {
  view.root.remove();
}

function headCell(column) {
  const cell = element("th");
  setText(cell, COLUMN_KEYS[column]);
  return cell;
}

function row(view, entry, i) {
  const swatch = element("span", "optim-swatch");
  swatch.style.background = view.colors[i % view.colors.length];
  const name = element("select");
  name.name = "name";
  name.setAttribute("aria-label", t(COLUMN_KEYS.name));
  for (const choice of Object.keys(FIELDS)) {
    const option = element("option", "", t(OPTIMIZER_KEYS[choice]));
    option.value = choice;
    name.append(option);
  }
  name.value = entry.name;
  const values = { ...entry, beta1: entry.betas?.[0], beta2: entry.betas?.[1] };
  const cells = COLUMNS.map((column) => {
    if (column !== "lr" && !FIELDS[entry.name].includes(column)) return element("td");
    const input = element("input");
    Object.assign(input, { type: "number", step: "any", name: column, value: values[column] ?? "", placeholder: t("optim.default") });
    input.setAttribute("aria-label", t(COLUMN_KEYS[column]));
    return element("td", "", input);
  });
  const remove = element("button", "", "×");
  Object.assign(remove, { type: "button", title: t("optim.remove") });
  remove.dataset.remove = String(i);
  const tr = element("tr", "", element("td", "", swatch), element("td", "", name), ...cells, element("td", "", remove));
  for (const control of tr.querySelectorAll("input, select, button")) control.disabled = !view.enabled;
  return tr;
}

/** The rows as config entries: blank fields left out (torch's defaults), the betas as a pair. */
function readEntries(view) {
  return [...view.body.rows].map((tr) => {
    const field = (name) => tr.querySelector(`[name="${name}"]`);
    const entry = { name: field("name").value };
    const number = (name) => (field(name) && field(name).value !== "" ? Number(field(name).value) : undefined);
    for (const key of ["lr", "momentum", "weight_decay", "eps"]) if (number(key) !== undefined) entry[key] = number(key);
    if (number("beta1") !== undefined || number("beta2") !== undefined) entry.betas = [number("beta1") ?? 0.9, number("beta2") ?? 0.999];
    if (!FIELDS[entry.name].includes("beta1")) delete entry.betas;
    for (const key of ["momentum", "weight_decay", "eps"]) if (!FIELDS[entry.name].includes(key)) delete entry[key];
    return entry;
  });
}
