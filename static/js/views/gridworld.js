// @ts-check
// Grid world: the cells (start, goal, pits), the policy as an arrow per move from each cell's centre
// (length ∝ π(move | cell)), and one episode replayed cell by cell: the agent's path so far and where it
// stands. A new episode waits until the one on screen has been played to its end.

import { element } from "./parts/dom.js";

const CELL = 56;
const STEP_MS = 180;
const MOVES = [[0, -1], [1, 0], [0, 1], [-1, 0]]; // up, right, down, left as (dx, dy)
const FILL = ["#ffffff", "#d9ecff", "#c8f0d8", "#3a3a3a"]; // empty, start, goal, pit
const MARK = ["", "S", "G", ""];

/** Mount an empty grid world into `el`; `label` names it for tests (data-view). */
export function mount(el, { label = "gridworld" } = {}) {
  const canvas = element("canvas", "gridworld");
  canvas.dataset.view = label;
  el.append(canvas);
  const view = { canvas, props: null, episode: [], shown: 0, next: null };
  view.timer = setInterval(() => advance(view), STEP_MS);
  return view;
}

/** Show `map` {data, shape [R, C]} cell codes, `policy` {data [R·C·4]} and `episode` (cells visited). */
export function update(view, { map, policy, episode }) {
  view.props = { map, policy };
  if (view.shown >= view.episode.length - 1) start(view, episode);
  else view.next = episode;
  draw(view);
}

function start(view, episode) {
  view.episode = Array.from(episode);
  view.shown = 0;
  view.next = null;
}

function advance(view) {
  if (!view.props) return;
  if (view.shown < view.episode.length - 1) view.shown++;
  else if (view.next) start(view, view.next);
  else return;
  draw(view);
}

function draw(view) {
  const { map, policy } = view.props;
  const [rows, cols] = map.shape;
  const { canvas } = view;
  canvas.width = cols * CELL;
  canvas.height = rows * CELL;
  const ctx = canvas.getContext("2d");
  const centre = (cell) => [(cell % cols) * CELL + CELL / 2, Math.floor(cell / cols) * CELL + CELL / 2];
  ctx.font = "bold 16px system-ui, sans-serif";
  for (let cell = 0; cell < rows * cols; cell++) {
    const code = map.data[cell];
    const [x, y] = centre(cell);
    ctx.fillStyle = FILL[code];
    ctx.fillRect(x - CELL / 2, y - CELL / 2, CELL, CELL);
    ctx.strokeStyle = "#999";
    ctx.strokeRect(x - CELL / 2, y - CELL / 2, CELL, CELL);
    ctx.fillStyle = "#333";
    ctx.fillText(MARK[code], x - CELL / 2 + 4, y - CELL / 2 + 17);
    if (code === 2 || code === 3) continue;
    ctx.strokeStyle = "#0072B2";
    ctx.lineWidth = 2.5;
    MOVES.forEach(([dx, dy], move) => arrow(ctx, x, y, dx, dy, policy.data[cell * 4 + move] * (CELL / 2 - 6)));
  }
  drawAgent(ctx, view.episode.slice(0, view.shown + 1).map(centre));
}

/** An arrow of `length` pixels from (x, y) along (dx, dy), its head in proportion. */
function arrow(ctx, x, y, dx, dy, length) {
  if (length < 1) return;
  const [tipX, tipY] = [x + dx * length, y + dy * length];
  const head = Math.min(7, length / 2);
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(tipX, tipY);
  ctx.moveTo(tipX - dx * head - dy * head, tipY - dy * head - dx * head);
  ctx.lineTo(tipX, tipY);
  ctx.lineTo(tipX - dx * head + dy * head, tipY - dy * head + dx * head);
  ctx.stroke();
}

function drawAgent(ctx, path) {
  if (path.length === 0) return;
  ctx.strokeStyle = "rgba(213, 94, 0, 0.7)";
  ctx.lineWidth = 4;
  ctx.beginPath();
  path.forEach(([x, y], i) => ctx[i ? "lineTo" : "moveTo"](x, y));
  ctx.stroke();
  const [x, y] = path.at(-1);
  ctx.fillStyle = "#D55E00";
  ctx.beginPath();
  ctx.arc(x, y, 9, 0, 2 * Math.PI);
  ctx.fill();
}

/** Stop the replay and remove the grid. */
export function destroy(view) {
  clearInterval(view.timer);
  view.canvas.remove();
}
