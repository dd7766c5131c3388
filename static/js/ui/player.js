// @ts-check
// An animation clock over positions 0 … count − 1: play (one position every 1/speed seconds,
// stopping at the last), pause, step either way, jump. It only counts; the page draws.

/** The speeds a page offers, positions per second. */
export const SPEEDS = [0.25, 0.5, 1, 2, 3, 5, 8, 12, 20];

/** The offered speed nearest to `wanted` (the middle one when it is not a number). */
export function nearestSpeed(wanted) {
  if (!Number.isFinite(wanted)) return SPEEDS[Math.floor(SPEEDS.length / 2)];
  return SPEEDS.reduce((best, speed) => (Math.abs(speed - wanted) < Math.abs(best - wanted) ? speed : best));
}

/**
 * A player calling `onChange({position, count, speed, playing})` after every change.
 * `timers` ({setTimeout, clearTimeout}) replaces the global ones in tests.
 */
export function createPlayer({ count = 1, position = 0, speed = 1, onChange, timers = globalThis }) {
  const state = { count, position: clamp(position, count), speed, playing: false };
  let timer = null;

  const emit = () => onChange({ ...state });
  const stop = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    state.playing = false;
  };
  const schedule = () => {
    timer = timers.setTimeout(tick, 1000 / state.speed);
  };
  function tick() {
    timer = null;
    state.position = clamp(state.position + 1, state.count);
    if (state.position >= state.count - 1) state.playing = false;
    else schedule();
    emit();
  }
  const moveTo = (position) => {
    stop();
    state.position = clamp(position, state.count);
    emit();
  };

  return {
    /** The current {position, count, speed, playing}. */
    get state() {
      return { ...state };
    },
    /** Run forwards from here (from the first position when at the last). */
    play() {
      stop();
      if (state.position >= state.count - 1) state.position = 0;
      state.playing = state.count > 1;
      if (state.playing) schedule();
      emit();
    },
    pause() {
      stop();
      emit();
    },
    toggle() {
      if (state.playing) this.pause();
      else this.play();
    },
    /** Pause and move `delta` positions (clamped to the ends). */
    step(delta = 1) {
      moveTo(state.position + delta);
    },
    /** Pause and go to `position`. */
    jump(position) {
      moveTo(position);
    },
    first() {
      moveTo(0);
    },
    last() {
      moveTo(state.count - 1);
    },
    /** Positions per second; a running animation keeps going at the new pace. */
    setSpeed(speed) {
      state.speed = speed;
      if (state.playing) {
        timers.clearTimeout(timer);
        schedule();
      }
      emit();
    },
    /** A new number of positions (new settings): pause and go to `position`. */
    reset(count, position = 0) {
      stop();
      state.count = count;
      state.position = clamp(position, count);
      emit();
    },
  };
}

function clamp(position, count) {
  return Math.min(Math.max(0, position), Math.max(0, count - 1));
}
