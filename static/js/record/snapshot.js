// @ts-check
// The page as a PNG: its visible boxes painted onto one canvas at their places on the page —
// background colours, borders, outlines and sharp box-shadow rings (the marks on value grids), text (word by word, in its font and colour), form values, every
// canvas as drawn and every SVG (its computed fills and strokes written onto a copy). Nothing outside
// the page is loaded, so it works under the pages' Content-Security-Policy.

import { fileName, saveBlob } from "./download.js";

const SVG_PAINT = ["fill", "stroke", "stroke-width", "opacity", "font-size", "font-family", "font-weight", "text-anchor"];

/**
 * Draw `root` (an element) onto a new canvas, at the screen's pixel density.
 * @param {HTMLElement} root
 * @returns {Promise<HTMLCanvasElement>}
 */
export async function pagePicture(root) {
  const box = root.getBoundingClientRect();
  const scale = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(box.width * scale);
  canvas.height = Math.ceil(box.height * scale);
  const context = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
  context.scale(scale, scale);
  context.translate(-box.left, -box.top);
  context.fillStyle = getComputedStyle(document.body).backgroundColor;
  context.fillRect(box.left, box.top, box.width, box.height);
  await paint(context, root);
  return canvas;
}

async function paint(context, element) {
  const style = getComputedStyle(element);
  if (style.display === "none") return; // also [hidden] (base.css); `form.hidden` may name a field
  const visible = style.visibility !== "hidden";
  const box = element.getBoundingClientRect();
  if (visible) {
    paintBox(context, box, style);
    if (element instanceof HTMLCanvasElement && element.width > 0 && element.height > 0) {
      context.drawImage(element, box.left, box.top, box.width, box.height);
    } else if (element instanceof SVGSVGElement) {
      await paintSvg(context, element, box);
      return;
    } else if (element.matches("input:is([type=checkbox], [type=radio])")) {
      ring(context, box, 0.5, 1, style.color);
      if (element.checked) {
        context.fillStyle = style.accentColor === "auto" ? style.color : style.accentColor;
        context.fillRect(box.left + 3, box.top + 3, box.width - 6, box.height - 6);
      }
    } else if (element.matches("input:not([type=checkbox], [type=radio], [type=range]), textarea, select")) {
      const value = element instanceof HTMLSelectElement ? (element.selectedOptions[0]?.text ?? "") : element.value;
      context.save();
      context.beginPath();
      context.rect(box.left, box.top, box.width, box.height);
      context.clip();
      paintText(context, value, box.left + 4, box.top + box.height / 2, style);
      context.restore();
      return;
    }
  }
  for (const child of element.childNodes) {
    if (child.nodeType === Node.ELEMENT_NODE) await paint(context, child);
    else if (visible && child.nodeType === Node.TEXT_NODE) paintWords(context, child, style);
  }
  const outline = parseFloat(style.outlineWidth);
  if (visible && style.outlineStyle !== "none" && outline > 0) {
    ring(context, box, -(parseFloat(style.outlineOffset) + outline / 2), outline, style.outlineColor);
  }
}

function paintBox(context, box, style) {
  if (!transparent(style.backgroundColor)) {
    context.fillStyle = style.backgroundColor;
    context.fillRect(box.left, box.top, box.width, box.height);
  }
  const width = parseFloat(style.borderTopWidth);
  if (width > 0 && style.borderTopStyle !== "none" && !transparent(style.borderTopColor)) {
    ring(context, box, width / 2, width, style.borderTopColor);
  }
  // Shadows without offset or blur are rings (inset: inside the box); the first listed is on top.
  const shadows = style.boxShadow === "none" ? [] : style.boxShadow.split(/,(?![^(]*\))/).reverse();
  for (const shadow of shadows) {
    const colour = shadow.match(/rgba?\([^)]*\)/)?.[0];
    const [x, y, blur, spread = 0] = (shadow.replace(colour, "").match(/-?[\d.]+px/g) ?? []).map(parseFloat);
    if (colour && !x && !y && !blur && spread > 0) ring(context, box, ((shadow.includes("inset") ? 1 : -1) * spread) / 2, spread, colour);
  }
}

/** A line of `width` along the box, its middle `inward` from the box's edge (negative: outside). */
function ring(context, box, inward, width, colour) {
  context.strokeStyle = colour;
  context.lineWidth = width;
  context.strokeRect(box.left + inward, box.top + inward, box.width - 2 * inward, box.height - 2 * inward);
}

/** A text node word by word, each at the place the page laid it out (a word broken over lines: by letter). */
function paintWords(context, node, style) {
  const range = document.createRange();
  const paintPiece = (text, start) => {
    range.setStart(node, start);
    range.setEnd(node, start + text.length);
    const boxes = range.getClientRects();
    if (boxes.length > 1 && text.length > 1) {
      let at = start;
      for (const letter of text) {
        paintPiece(letter, at);
        at += letter.length;
      }
    } else if (boxes.length === 1 && boxes[0].width > 0) paintText(context, text, boxes[0].left, boxes[0].top + boxes[0].height / 2, style);
  };
  for (const match of node.textContent.matchAll(/\S+/g)) paintPiece(match[0], match.index);
}

function paintText(context, text, x, y, style) {
  context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  context.fillStyle = style.color;
  context.textBaseline = "middle";
  context.fillText(text, x, y);
}

/** An SVG drawn through an image of a copy that carries its computed paint (stylesheets stay behind). */
async function paintSvg(context, svg, box) {
  const copy = svg.cloneNode(true);
  const originals = [svg, ...svg.querySelectorAll("*")];
  [copy, ...copy.querySelectorAll("*")].forEach((element, k) => {
    const style = getComputedStyle(originals[k]);
    for (const property of SVG_PAINT) element.setAttribute(property, style.getPropertyValue(property));
  });
  copy.setAttribute("width", String(box.width));
  copy.setAttribute("height", String(box.height));
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(copy)], { type: "image/svg+xml" }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    context.drawImage(image, box.left, box.top, box.width, box.height);
  } finally {
    URL.revokeObjectURL(url);
  }
}

const transparent = (colour) => colour === "transparent" || /rgba\(.*,\s*0\)$/.test(colour);

/**
 * The "PNG" button: saves the picture of `root`.
 * @param {HTMLElement} button
 * @param {HTMLElement} root
 */
export function bindPngExport(button, root) {
  button.addEventListener("click", async () => {
    const canvas = await pagePicture(root);
    canvas.toBlob((blob) => saveBlob(blob, fileName("png")), "image/png");
  });
}
