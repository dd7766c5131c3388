// @ts-check
// Drawpad: draw a digit with mouse, finger or pen (pointer events, a thick round brush).
// While drawing it emits, at most once per animation frame, the drawing as 32 rows of 32 numbers
// in [0, 1] (ink = 1), each the average ink over its block of canvas pixels. A pad that only watches
// shows a drawing it is given (`ink`: the presenter's, in a lecture).

import { setAttributeText, setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";

export const GRID = 32;
const PIXELS_PER_CELL = 10;
const SIZE = GRID * PIXELS_PER_CELL;
const BRUSH = SIZE * 0.075;

/**
 * Mount a drawing canvas and a clear button into `el`.
 * @param {HTMLElement} el
 * @param {{onDraw: (grid: number[][]) => void, onClear?: () => void}} opts
 */
export function mount(el, { onDraw, onClear = () => {} }) {
  const canvas = element("canvas");
  canvas.width = SIZE;
  canvas.height = SIZE;
  canvas.setAttribute("role", "img");
  setAttributeText(canvas, "aria-label", "draw.canvas_label");
  const clearButton = element("button", "drawpad-clear");
  clearButton.type = "button";
  setText(clearButton, "draw.clear");
  const root = element("div", "drawpad", canvas, clearButton);
  el.append(root);

  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d", { willReadFrequently: true }));
  context.lineCap = "round";
  context.lineJoin = "round";
  context.lineWidth = BRUSH;
  context.strokeStyle = "#000";
  context.fillStyle = "#000";
  const view = { root, canvas, clearButton, context, last: null, frameRequest: null, disabled: false, onDraw };

  canvas.addEventListener("pointerdown", (event) => {
    if (view.disabled || event.button > 0) return;
    canvas.setPointerCapture(event.pointerId);
    view.last = pointOf(canvas, event);
    dotAt(view, view.last);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!view.last) return;
    for (const sample of event.getCoalescedEvents?.() ?? [event]) strokeTo(view, pointOf(canvas, sample));
  });
  for (const type of ["pointerup", "pointercancel"]) {
    canvas.addEventListener(type, () => {
      view.last = null;
    });
  }
  clearButton.addEventListener("click", () => {
    clear(view);
    onClear();
  });
  return view;
}

/**
 * Enable or disable drawing (`{disabled}`: viewers watch without drawing); a disabled pad shows `ink`
 * when given (rows of GRID numbers in [0, 1]; null wipes it).
 * @param {ReturnType<typeof mount>} view
 * @param {{disabled: boolean, ink?: number[][]|null}} props
 */
export function update(view, { disabled, ink }) {
  view.disabled = disabled;
  view.clearButton.disabled = disabled;
  view.root.classList.toggle("disabled", disabled);
  if (disabled && ink !== undefined) paintGrid(view, ink);
}

/** Paint a grid of ink values, a block of canvas pixels per cell (what readGrid reads back). */
function paintGrid(view, grid) {
  clear(view);
  grid?.forEach((row, r) =>
    row.forEach((value, c) => {
      view.context.globalAlpha = value;
      view.context.fillRect(c * PIXELS_PER_CELL, r * PIXELS_PER_CELL, PIXELS_PER_CELL, PIXELS_PER_CELL);
    }),
  );
  view.context.globalAlpha = 1;
}

/** Wipe the drawing; a drawing not yet emitted is not emitted. */
export function clear(view) {
  cancelAnimationFrame(view.frameRequest);
  view.frameRequest = null;
  view.context.clearRect(0, 0, SIZE, SIZE);
  view.last = null;
}

/**
 * Remove the pad.
 * @param {ReturnType<typeof mount>} view
 */
export function destroy(view) {
  cancelAnimationFrame(view.frameRequest);
  view.root.remove();
}

/** The drawing as GRID rows of GRID numbers in [0, 1]: mean ink (alpha) over each cell. */
function readGrid(view) {
  const { data } = view.context.getImageData(0, 0, SIZE, SIZE);
  const cellArea = PIXELS_PER_CELL * PIXELS_PER_CELL;
  const sums = new Float64Array(GRID * GRID);
  for (let y = 0; y < SIZE; y++) {
    const row = Math.floor(y / PIXELS_PER_CELL) * GRID;
    for (let x = 0; x < SIZE; x++) sums[row + Math.floor(x / PIXELS_PER_CELL)] += data[(y * SIZE + x) * 4 + 3];
  }
  return Array.from({ length: GRID }, (_, r) =>
    Array.from({ length: GRID }, (_, c) => Number((sums[r * GRID + c] / (255 * cellArea)).toFixed(4))),
  );
}

function pointOf(canvas, event) {
  const box = canvas.getBoundingClientRect();
  return { x: ((event.clientX - box.left) / box.width) * SIZE, y: ((event.clientY - box.top) / box.height) * SIZE };
}

function dotAt(view, point) {
  const { context } = view;
  context.beginPath();
  context.arc(point.x, point.y, BRUSH / 2, 0, 2 * Math.PI);
  context.fill();
  scheduleEmit(view);
}

function strokeTo(view, point) {
  const { context, last } = view;
  context.beginPath();
  context.moveTo(last.x, last.y);
  context.lineTo(point.x, point.y);
  context.stroke();
  view.last = point;
  scheduleEmit(view);
}

/** Emit the grid once on the next animation frame, however many strokes come before it. */
function scheduleEmit(view) {
  view.frameRequest ??= requestAnimationFrame(() => {
    view.frameRequest = null;
    view.onDraw(readGrid(view));
  });
}
