// The presenter's share panel: a "Share" toggle in the session bar opens the viewer link as a QR code
// large enough to scan from the back of a lecture hall, with the link printed under it.

import { drawQr } from "./views/qrcode.js";

/**
 * Bind the panel's elements. `setLink(url)` shows a new viewer link; `setEnabled(on)` shows the
 * toggle (to drivers only) and closes the panel when it hides.
 */
export function bindSharePanel({ toggle, panel, canvas, link }) {
  const show = (open) => {
    panel.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => show(panel.hidden));
  return {
    setLink(url) {
      link.textContent = url;
      drawQr(canvas, url);
    },
    setEnabled(on) {
      toggle.hidden = !on;
      if (!on) show(false);
    },
  };
}
