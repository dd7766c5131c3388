// @ts-check
// A text's QR code drawn to a canvas: one square per module inside the standard quiet zone, made in
// the browser by the vendored qrcode-generator (the link never leaves the page).

import qrcode from "../../../vendor/qrcode-generator/qrcode.mjs";

const QUIET_ZONE = 4; // modules of white around the code, as the standard asks
const MODULE_PX = 8; // canvas pixels per module; CSS scales the canvas up, pixelated

/** `text`'s QR code (error correction M, the smallest version that holds it) as rows of dark flags. */
export function qrModules(text) {
  const code = qrcode(0, "M");
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  return Array.from({ length: count }, (_, row) => Array.from({ length: count }, (_, col) => code.isDark(row, col)));
}

/** Draw `text`'s QR code onto `canvas`, black on white; data-modules holds its size in modules. */
export function drawQr(canvas, text) {
  const modules = qrModules(text);
  const size = (modules.length + 2 * QUIET_ZONE) * MODULE_PX;
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, size, size);
  context.fillStyle = "#000";
  modules.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (dark) context.fillRect((c + QUIET_ZONE) * MODULE_PX, (r + QUIET_ZONE) * MODULE_PX, MODULE_PX, MODULE_PX);
    }),
  );
  canvas.dataset.modules = modules.length;
  canvas.dataset.quiet = QUIET_ZONE;
}
