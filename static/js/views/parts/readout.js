// @ts-check
// A one-line readout of the value under the pointer, shared by the canvas views.

import { element } from "./dom.js";

/**
 * Show `describe(fx, fy)` (fx, fy: the pointer's position across the canvas, 0–1) in a small
 * <output> after `canvas` while the pointer is over it; describe returns text or null.
 * Returns the <output> element.
 */
export function attachReadout(container, canvas, describe) {
  const output = container.querySelector(":scope > output.readout") ?? createOutput(container);
  canvas.addEventListener("pointermove", (event) => {
    const box = canvas.getBoundingClientRect();
    const text = describe((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
    output.textContent = text ?? "";
  });
  canvas.addEventListener("pointerleave", () => {
    output.textContent = "";
  });
  return output;
}

function createOutput(container) {
  const output = element("output", "readout");
  container.append(output);
  return output;
}
