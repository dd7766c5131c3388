// /replay: open a recording (file picker, drop, or one shipped with nnlive), keep it in this browser and
// go to the page it was recorded on, which plays it (`?replay=KEY`, livepage.js) with the view state it
// began with.

import { initI18n } from "../ui/i18n.js";
import { viewValues } from "../session/lecture.js";
import { decodeRecording } from "../record/recording.js";
import { keepRecording } from "../record/recordingstore.js";
import { noticeBoard } from "../ui/status.js";
import { withView } from "../session/urlstate.js";

const byId = (id) => document.getElementById(id);
const notice = noticeBoard(byId("notice"));
const pages = JSON.parse(byId("replay").dataset.pages);

/** Check the recording, keep it and open its page; one that is not a recording of a page here is refused. */
async function open(buffer) {
  notice.hide();
  let meta;
  try {
    ({ meta } = decodeRecording(buffer));
  } catch (error) {
    notice.show("replay.bad", { message: error.message });
    return;
  }
  if (!pages.includes(meta.page)) {
    notice.show("replay.unknown_page", { page: String(meta.page) });
    return;
  }
  const key = await keepRecording(buffer);
  location.assign(withView(new URL(meta.page, location.origin), { ...viewValues(meta.view), replay: key }));
}

/** Fetch a recording shipped with nnlive (static/recordings/) and open it. */
async function openShipped(src) {
  const response = await fetch(src);
  if (!response.ok) return notice.show("replay.bad", { message: `${src}: ${response.status}` });
  return open(await response.arrayBuffer());
}

async function main() {
  await initI18n();
  for (const button of document.querySelectorAll(".replay-shipped button")) {
    button.addEventListener("click", () => openShipped(button.dataset.src));
  }
  const drop = byId("replay-drop");
  byId("replay-file").addEventListener("change", async (event) => event.target.files[0] && open(await event.target.files[0].arrayBuffer()));
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.dataset.over = "true";
  });
  drop.addEventListener("dragleave", () => (drop.dataset.over = "false"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.dataset.over = "false";
    if (event.dataTransfer.files[0]) event.dataTransfer.files[0].arrayBuffer().then(open);
  });
}

main();
