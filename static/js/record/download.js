// @ts-check
// Saving a Blob the page made (a recording, a PNG) as a download.

/**
 * Offer `blob` to the user as the file `name`.
 * @param {Blob} blob
 * @param {string} name
 */
export function saveBlob(blob, name) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/**
 * A file name for this page's downloads: `nnlive-lenet-20261127-184501.ext`.
 * @param {string} extension
 * @param {Date} [date]
 * @returns {string}
 */
export function fileName(extension, date = new Date()) {
  const page = location.pathname.replace(/[^a-z0-9]+/gi, "") || "page";
  const stamp = date.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return `nnlive-${page}-${stamp}.${extension}`;
}
