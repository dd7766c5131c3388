// The admin view: every session with its viewers, CPU and memory, refreshed every few seconds, and an
// End button per row. The admin token is typed into the page and kept in this tab's sessionStorage
// (never in the URL); a refused token is forgotten and asked for again.

import { initI18n, setText } from "../ui/i18n.js";
import { formatFixed } from "../math/numbers.js";
import { noticeBoard, runStateText } from "../ui/status.js";

const TOKEN_KEY = "nnlive.admin_token";
const REFRESH_MS = 3000;
const MIB = 1024 * 1024;
const byId = (id) => document.getElementById(id);

/** Call the admin API with the stored token; a refusal rejects with the server's `code`. */
async function adminFetch(path, method = "GET") {
  const response = await fetch(path, { method, headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` } });
  if (response.ok) return response.status === 204 ? null : response.json();
  const { code, message } = (await response.json().catch(() => ({}))).error ?? {};
  throw Object.assign(new Error(message ?? response.statusText), { code, status: response.status });
}

/** A table cell showing the i18n text `{key, params}` (re-translated on a language switch). */
function textCell({ key, params }, className = "") {
  const cell = document.createElement("td");
  cell.className = className;
  setText(cell, key, params);
  return cell;
}

/** A table cell showing a value as it is (ids, model names, addresses). */
function plainCell(value) {
  const cell = document.createElement("td");
  cell.textContent = String(value);
  return cell;
}

/** Memory in MiB; null when the session could not be measured in time. */
function memoryText(bytes) {
  return bytes === null ? { key: "admin.unknown" } : { key: "admin.mib", params: { n: formatFixed(bytes / MIB, 2) } };
}

const seconds = (value, digits) => ({ key: "admin.seconds", params: { n: formatFixed(value, digits) } });

async function main() {
  await initI18n();
  const notice = noticeBoard(byId("admin-notice"));
  const view = byId("admin-view");
  let timer = null;

  function endButton(row) {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.session = row.id;
    setText(button, "admin.end");
    button.addEventListener("click", () => {
      button.disabled = true;
      adminFetch(`/api/admin/sessions/${encodeURIComponent(row.id)}`, "DELETE").then(refresh, refused);
    });
    const cell = document.createElement("td");
    cell.append(button);
    return cell;
  }

  function showRow(row) {
    const tr = document.createElement("tr");
    tr.dataset.session = row.id;
    tr.append(
      plainCell(row.id),
      plainCell(row.model),
      textCell(runStateText(row)),
      plainCell(row.step),
      plainCell(row.viewers),
      plainCell(row.client),
      textCell(seconds(row.idle_s, 0), "number"),
      textCell(seconds(row.cpu_s, 2), "number"),
      textCell(memoryText(row.memory_bytes), "number"),
      endButton(row),
    );
    return tr;
  }

  function show({ sessions, totals }) {
    notice.hide();
    view.hidden = false;
    byId("admin-rows").replaceChildren(...sessions.map(showRow));
    byId("admin-empty").hidden = sessions.length > 0;
    setText(byId("admin-totals"), "admin.totals", {
      sessions: totals.sessions,
      viewers: totals.viewers,
      training: totals.queue.training,
      queued: totals.queue.queued,
      rss: formatFixed(totals.rss_bytes / MIB, 1),
    });
  }

  function refused(error) {
    notice.error(error);
    if (error.code !== "forbidden") return;
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(timer);
    view.hidden = true;
  }

  function refresh() {
    return adminFetch("/api/admin/sessions").then(show, refused);
  }

  function start() {
    clearInterval(timer);
    timer = setInterval(refresh, REFRESH_MS);
    refresh();
  }

  byId("admin-login").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, byId("admin-token").value);
    byId("admin-token").value = "";
    start();
  });
  if (sessionStorage.getItem(TOKEN_KEY)) start();
}

main();
