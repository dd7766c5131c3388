// @ts-check
// The one DOM helper the views share.

/** A new `tag` element with a class name (or none) and children (elements or text). */
export function element(tag, className = "", ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/** Set a node's text only when it differs, so an unchanged label costs no style or layout work. */
export function setTextIfChanged(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
