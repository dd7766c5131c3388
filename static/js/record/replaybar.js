// @ts-check
// The replay bar of a model page opened as `?replay=KEY`: the recording /replay kept under KEY played
// through a ReplaySource, with play / pause, a slider over its time, the speed and where it is.

import { setText } from "../ui/i18n.js";
import { REPLAY_SPEEDS, ReplaySource } from "../net/replay.js";
import { decodeRecording } from "./recording.js";
import { keptRecording } from "./recordingstore.js";

/** `{meta, source}` for the recording kept under `key`, its controls bound in `bar`; null when none is kept. */
export async function openReplay(key, bar) {
  const buffer = await keptRecording(key);
  if (!buffer) return null;
  const recording = decodeRecording(buffer);
  const source = new ReplaySource(recording);
  const [play, slider, time, speed] = ["play", "slider", "time", "speed"].map((name) => bar.querySelector(`#replay-${name}`));
  slider.max = String(source.duration);
  for (const value of REPLAY_SPEEDS) speed.append(new Option(`${value}×`, String(value), value === 1, value === 1));
  play.addEventListener("click", () => (source.playing ? source.pause() : source.play()));
  slider.addEventListener("input", () => source.seek(Number(slider.value)));
  speed.addEventListener("change", () => source.setSpeed(Number(speed.value)));
  source.on("progress", ({ time: now, duration, playing, frames }) => {
    slider.value = String(now);
    setText(time, "replay.time", { now: (now / 1000).toFixed(1), total: (duration / 1000).toFixed(1), frames, count: source.frameCount });
    setText(play, playing ? "replay.pause" : "replay.play");
    play.setAttribute("aria-pressed", String(playing));
  });
  bar.hidden = false;
  return { meta: recording.meta, source };
}
