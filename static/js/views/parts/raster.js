// @ts-check
// Painting a block of values onto a canvas, one colour per value: upscaled nearest-neighbour onto a
// larger canvas (paintRaster), or one pixel per value onto a canvas of the block's size that CSS scales
// (putRaster, the cheapest: no second copy, a small backing store). A scratch canvas and its ImageData
// are kept per block size and reused: a paint allocates nothing.

import { paintValues } from "../../math/colormap.js";

/** @typedef {{canvas: HTMLCanvasElement, context: CanvasRenderingContext2D, image: ImageData}} Scratch */
/** @type {Map<string, Scratch>} */
const scratches = new Map();
const MAX_SIZES = 32; // pages with ever-changing sizes (text lengths) start the cache again past this

/** The scratch canvas and ImageData of a `width`×`height` block, made on first use. */
function scratchOf(width, height) {
  const key = `${width}x${height}`;
  let scratch = scratches.get(key);
  if (!scratch) {
    if (scratches.size >= MAX_SIZES) scratches.clear();
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    scratch = { canvas, context, image: context.createImageData(width, height) };
    scratches.set(key, scratch);
  }
  return scratch;
}

/**
 * Paint the `width`×`height` values starting at `start` (row-major) onto the whole of `canvas`,
 * each value a crisp rectangle (imageSmoothingEnabled = false), with a scale from scaleFor.
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} values
 * @param {number} start
 * @param {number} width
 * @param {number} height
 * @param {import('../../math/colormap.js').Scale} scale
 */
export function paintRaster(canvas, values, start, width, height, scale) {
  const scratch = scratchOf(width, height);
  paintValues(values, start, width * height, scale, scratch.image.data);
  scratch.context.putImageData(scratch.image, 0, 0);
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.imageSmoothingEnabled = false;
  context.drawImage(scratch.canvas, 0, 0, canvas.width, canvas.height);
}

/**
 * Put the `width`×`height` values starting at `start` onto `canvas`, which is `width`×`height` pixels
 * (one per value; CSS `image-rendering: pixelated` keeps them crisp when it is shown larger).
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} values
 * @param {number} start
 * @param {number} width
 * @param {number} height
 * @param {import('../../math/colormap.js').Scale} scale
 */
export function putRaster(canvas, values, start, width, height, scale) {
  const { image } = scratchOf(width, height);
  paintValues(values, start, width * height, scale, image.data);
  /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d")).putImageData(image, 0, 0);
}
