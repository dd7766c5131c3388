// @ts-check
// Run list: the SDK runs streaming to this server now, each a link to its live /inspect view with the
// step it has reached; a hint says when there are none.

import { setText } from "../ui/i18n.js";
import { element } from "./parts/dom.js";

/** Mount an empty list into `el`; `hint` is the element that says whether any run streams. */
export function mount(el, { hint }) {
  const list = element("ul", "runlist");
  el.append(list);
  return { list, hint };
}

/** Show `runs` (GET /api/runs's entries: {run, viewer_url, session}). */
export function update(view, { runs }) {
  view.list.replaceChildren(
    ...runs.map(({ run, viewer_url: url, session }) => {
      const link = element("a", "runlist-name", run);
      link.href = url;
      const step = element("span", "runlist-step");
      setText(step, "status.step", { n: session.step });
      return element("li", "", link, " ", step);
    }),
  );
  setText(view.hint, runs.length ? "inspect.runs_pick" : "inspect.runs_none");
}

/** Remove the list. */
export function destroy(view) {
  view.list.remove();
}
