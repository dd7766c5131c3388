// @ts-check
// Painting a block of values onto a canvas, one colour per value, upscaled nearest-neighbour.

import { paintValues } from "../../math/colormap.js";

let scratch = null;

/**
 * Paint the `width`×`height` values starting at `start` (row-major) onto the whole of `canvas`,
 * each value a crisp rectangle (imageSmoothingEnabled = false), with a scale from scaleFor.
 */
export function paintRaster(canvas, values, start, width, height, scale) {
  scratch ??= document.createElement("canvas");
  if (scratch.width !== width || scratch.height !== height) {
    scratch.width = width;
    scratch.height = height;
  }
  const scratchContext = scratch.getContext("2d");
  const image = scratchContext.createImageData(width, height);
  paintValues(values, start, width * height, scale, image.data);
  scratchContext.putImageData(image, 0, 0);
  const context = canvas.getContext("2d");
  context.imageSmoothingEnabled = false;
  context.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}
