// The page as a PNG: its visible boxes painted onto one canvas at their places on the page —
// background colours, borders, text (word by word, in its font and colour), form values, every
// canvas as drawn and every SVG (its computed fills and strokes written onto a copy). Nothing outside
// the page is loaded, so it works under the pages' Content-Security-Policy.

import { fileName, saveBlob } from "./download.js";

const SVG_PAINT = ["fill", "stroke", "stroke-width", "opacity", "font-size", "font-family", "font-weight", "text-anchor"];

/** Draw `root` (an element) onto a new canvas, at the screen's pixel density. */
export async function pagePicture(root) {
  const box = root.getBoundingClientRect();
  const scale = window.devicePixelRatio || 1;
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(box.width * scale);
  canvas.height = Math.ceil(box.height * scale);
  const context = canvas.getContext("2d");
  context.scale(scale, scale);
  context.translate(-box.left, -box.top);
  context.fillStyle = getComputedStyle(document.body).backgroundColor;
  context.fillRect(box.left, box.top, box.width, box.height);
  await paint(context, root);
  return canvas;
}

async function paint(context, element) {
  const style = getComputedStyle(element);
  if (style.display === "none" || element.hidden) return;
  const visible = style.visibility !== "hidden";
  const box = element.getBoundingClientRect();
  if (visible) {
    paintBox(context, box, style);
    if (element instanceof HTMLCanvasElement && element.width > 0 && element.height > 0) {
      context.drawImage(element, box.left, box.top, box.width, box.height);
    } else if (element instanceof SVGSVGElement) {
      await paintSvg(context, element, box);
      return;
    } else if (element.matches("input:not([type=checkbox], [type=radio], [type=range]), textarea, select")) {
      const value = element instanceof HTMLSelectElement ? (element.selectedOptions[0]?.text ?? "") : element.value;
      paintText(context, value, box.left + 4, box.top + box.height / 2, style);
      return;
    }
  }
  for (const child of element.childNodes) {
    if (child.nodeType === Node.ELEMENT_NODE) await paint(context, child);
    else if (visible && child.nodeType === Node.TEXT_NODE) paintWords(context, child, style);
  }
}

function paintBox(context, box, style) {
  if (!transparent(style.backgroundColor)) {
    context.fillStyle = style.backgroundColor;
    context.fillRect(box.left, box.top, box.width, box.height);
  }
  const width = parseFloat(style.borderTopWidth);
  if (width > 0 && style.borderTopStyle !== "none" && !transparent(style.borderTopColor)) {
    context.strokeStyle = style.borderTopColor;
    context.lineWidth = width;
    context.strokeRect(box.left + width / 2, box.top + width / 2, box.width - width, box.height - width);
  }
}

/** A text node word by word, each at the place the page laid it out. */
function paintWords(context, node, style) {
  const range = document.createRange();
  for (const match of node.textContent.matchAll(/\S+/g)) {
    range.setStart(node, match.index);
    range.setEnd(node, match.index + match[0].length);
    const box = range.getBoundingClientRect();
    if (box.width > 0) paintText(context, match[0], box.left, box.top + box.height / 2, style);
  }
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

/** The "PNG" button: saves the picture of `root`. */
export function bindPngExport(button, root) {
  button.addEventListener("click", async () => {
    const canvas = await pagePicture(root);
    canvas.toBlob((blob) => saveBlob(blob, fileName("png")), "image/png");
  });
}
