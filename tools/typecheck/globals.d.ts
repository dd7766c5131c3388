// What the pages add to the browser's globals, for the type check of static/js.

interface Window {
  /** The page's test hook: lastFrame, frames, session, … (docs/frontend.md, "Tests"). */
  nnlive: Record<string, any>;
}
