// @ts-check
// Drag bars: one bar per input value of the mini-batch, up from zero (down when negative), with each
// value's target marked; the driver drags a bar to a new height, and `onDrag(index, value)` gets it on
// release (the server answers with the new losses).

import { formatValue } from "../math/numbers.js";
import { element } from "./parts/dom.js";

const HEIGHT = 180;
const COLORS = { bar: "#0072B2", dragged: "#D55E00", target: "#000" };

/** Mount into `el`; `onDrag(index, value)` gets a bar's new value (rounded to 0.01). */
export function mount(el, { label = "", onDrag }) {
  const canvas = element("canvas", "dragbars-canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", label);
  const root = element("div", "dragbars", canvas);
  el.append(root);
  const view = { root, canvas, props: null, dragging: null };
  canvas.addEventListener("pointerdown", (event) => {
    if (!view.props?.enabled) return;
    const index = barAt(view, event);
    if (index === null) return;
    canvas.setPointerCapture(event.pointerId);
    view.dragging = { index, value: view.props.values[index] };
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!view.dragging) return;
    view.dragging.value = valueAt(view, event);
    draw(view);
  });
  canvas.addEventListener("pointerup", () => {
    if (!view.dragging) return;
    const { index, value } = view.dragging;
    view.dragging = null;
    onDrag(index, value);
  });
  return view;
}

/** Show `values` and `targets` (same length, or null) in `range` [low, high]; `enabled` allows dragging. */
export function update(view, props) {
  view.props = props;
  if (!view.dragging) draw(view);
}

/** Remove the bars. */
export function destroy(view) {
  view.root.remove();
}

function geometry(view) {
  const width = view.root.clientWidth || 400;
  const count = view.props.values.length;
  const [low, high] = view.props.range;
  const y = (v) => ((high - v) / (high - low)) * HEIGHT;
  return { width, count, low, high, y, slot: width / count };
}

function barAt(view, event) {
  const { slot, count } = geometry(view);
  const index = Math.floor((event.clientX - view.canvas.getBoundingClientRect().left) / slot);
  return index >= 0 && index < count ? index : null;
}

function valueAt(view, event) {
  const { low, high } = geometry(view);
  const fraction = (event.clientY - view.canvas.getBoundingClientRect().top) / HEIGHT;
  return Math.round(Math.min(high, Math.max(low, high - fraction * (high - low))) * 100) / 100;
}

/**
 * Where a bar's number goes: beyond the bar's end (above a positive bar, below a negative one), or
 * in white inside the bar's end when the canvas has no room beyond it.
 * @param {number} end the bar's end (y pixel) @param {boolean} negative
 */
function labelPlace(end, negative) {
  const LINE = 12;
  if (!negative) return end - 3 >= LINE ? { baseline: end - 3, inside: false } : { baseline: end + LINE, inside: true };
  return end + LINE + 1 <= HEIGHT ? { baseline: end + LINE + 1, inside: false } : { baseline: end - 3, inside: true };
}

function draw(view) {
  const { canvas } = view;
  const { values, targets } = view.props;
  const { width, slot, y } = geometry(view);
  canvas.width = width;
  canvas.height = HEIGHT;
  const context = canvas.getContext("2d");
  context.clearRect(0, 0, width, HEIGHT);
  context.strokeStyle = "#999";
  context.beginPath();
  context.moveTo(0, y(0));
  context.lineTo(width, y(0));
  context.stroke();
  context.font = "12px system-ui, sans-serif";
  context.textAlign = "center";
  Array.from(values).forEach((stored, i) => {
    const dragged = view.dragging?.index === i;
    const v = dragged ? view.dragging.value : stored;
    context.fillStyle = dragged ? COLORS.dragged : COLORS.bar;
    const left = i * slot + slot * 0.2;
    context.fillRect(left, Math.min(y(v), y(0)), slot * 0.6, Math.abs(y(v) - y(0)));
    const { baseline, inside } = labelPlace(y(v), v < 0);
    context.fillStyle = inside ? "#fff" : "#222";
    context.fillText(formatValue(v), left + slot * 0.3, baseline);
    if (targets) {
      context.strokeStyle = COLORS.target;
      context.lineWidth = 2;
      context.beginPath();
      context.moveTo(i * slot + slot * 0.1, y(targets[i]));
      context.lineTo(i * slot + slot * 0.9, y(targets[i]));
      context.stroke();
      context.lineWidth = 1;
    }
  });
}
