// @ts-check
// The part every training page shares: the controls form (Train/Pause, Step, Reset and the live
// controls of the catalog), the settings form (a change replaces the session), the run-state and
// step pills, the curves (trainingcurves.js: the previous run stays as a ghost named by what changed),
// the "loss exploded" alert the server's frames raise, the keyboard shortcuts and enabling it all while
// this page drives. A page binds it once and lets it handle hello, state, frames and access before its own.

import { changedSettings } from "../math/curvemath.js";
import { element } from "../views/parts/dom.js";
import { bindSessionConfig } from "./configform.js";
import { bindKeys, bindTrainingControls, showRunState } from "./controls.js";
import { setText } from "./i18n.js";
import { trainingCurves } from "./trainingcurves.js";

/** @param {string} id */
const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @typedef {object} TrainingOptions
 * @property {{lastFrame: any, frames: number, [key: string]: any}} debug the page's window.nnlive (state, driving)
 * @property {HTMLFormElement} [controls] the controls form (default #controls)
 * @property {HTMLFormElement|null} [settings] the settings form (default #settings, if the page has one)
 * @property {Record<string, any>} [charts] curves views by name, cleared when the steps start again
 * @property {Record<string, () => any>} [keys] shortcuts besides Space (train/pause), S (step) and R (reset)
 * @property {string} [inputs] a selector of the page's own inputs, enabled while it drives
 * @property {() => void} [onShow] runs after the controls show new values (a page's labels)
 */

/**
 * @typedef {object} LiveHandlers what startLivePage calls
 * @property {(info: any, hello: any) => void} [onHello]
 * @property {(state: any) => void} [onState]
 * @property {(frame: any) => void} [onFrame]
 * @property {(driving: boolean, role: string) => void} [onAccess]
 */

/**
 * Bind the shared controls of a training page of `model` (`catalog`: its entry of GET /api/models,
 * `live()`: the page's live session once started). Returns `{act, controls, settings, curves, driving,
 * handlers(page)}`: `handlers` wraps the page's own hello/state/frame/access handlers for startLivePage.
 * @param {string} model
 * @param {{controls: object[], config: object[]}} catalog
 * @param {() => import("../session/livepage.js").LivePage|null} live
 * @param {TrainingOptions} options
 */
export function bindTrainingPage(model, catalog, live, { debug, controls: form, settings: settingsForm, charts = {}, keys = {}, inputs = "", onShow }) {
  const act = (/** @type {object} */ message) => /** @type {NonNullable<ReturnType<typeof live>>} */ (live()).act(message);
  const controlsForm = form ?? byId("controls");
  const controls = bindTrainingControls(controlsForm, act, { onShow });
  const exploded = explodedAlert(controlsForm);
  controls.applyFields(catalog.controls);
  const settingsElement = settingsForm === undefined ? document.getElementById("settings") : settingsForm;
  const settings = settingsElement ? bindSessionConfig(settingsElement, model, live) : null;
  settings?.applyFields(catalog.config);
  const curves = trainingCurves(charts);
  let driving = false;
  /** @type {Record<string, unknown>} */
  let runSettings = {}; // the current run's config and controls
  /** @type {Record<string, unknown> | null} */
  let ghostSettings = null; // the previous run's, once there is a ghost
  let sessionId = null;
  bindKeys({ " ": controls.toggleTraining, s: controls.step, r: controls.reset, ...keys }, () => driving);

  /** A new session: its config in the form and the URL, its controls, curves from its step on. @param {any} info */
  function hello(info) {
    if (settings) {
      settings.show(info.config);
      live()?.writeView(info.config);
    }
    controls.showState(info);
    const newSession = sessionId !== null && info.id !== sessionId; // a setting changed (not a reconnection)
    if (newSession) ghostSettings = runSettings;
    sessionId = info.id;
    runSettings = { ...info.config, ...info.controls };
    curves.restart(info.step, newSession);
    exploded.show(false);
    nameGhost();
  }

  /** The curves restarted at `step` when it went back (a reset): the run so far is the ghost. @param {number} step */
  function noteStep(step) {
    if (!curves.noteStep(step)) return;
    ghostSettings = runSettings;
    exploded.show(false);
  }

  /** Name the ghost runs by the settings they had that differ from the current run's. */
  function nameGhost() {
    if (ghostSettings) curves.labelGhost(changedSettings(ghostSettings, runSettings).join(", "));
  }

  /** @param {any} state */
  function state(state) {
    noteStep(state.step);
    runSettings = { ...runSettings, ...state.controls };
    nameGhost();
    debug.state = state;
    showRunState(state);
    controls.showState(state);
  }

  /**
   * The curves follow every frame's step (states are sent on changes only); the alert its training
   * metrics' `exploded`.
   * @param {{step: number, train?: {exploded?: boolean} | null}} header
   */
  function frame({ step, train }) {
    noteStep(step);
    if (train) exploded.show(Boolean(train.exploded));
    debug.exploded = exploded.shown;
  }

  /** @param {boolean} now */
  function access(now) {
    driving = now;
    debug.driving = now;
    settings?.setEnabled(now);
    controls.setEnabled(now);
    if (inputs) for (const input of document.querySelectorAll(inputs)) /** @type {HTMLInputElement} */ (input).disabled = !now;
  }

  return {
    act,
    controls,
    settings,
    curves,
    get driving() {
      return driving;
    },
    /**
     * The page's handlers for startLivePage, each run after the shared part.
     * @param {LiveHandlers} page
     * @returns {Required<LiveHandlers>}
     */
    handlers({ onHello = () => {}, onState = () => {}, onFrame = () => {}, onAccess = () => {} }) {
      return {
        onHello: (info, message) => {
          hello(info);
          onHello(info, message);
        },
        onState: (message) => {
          state(message);
          onState(message);
        },
        onFrame: (message) => {
          frame(message.header);
          onFrame(message);
        },
        onAccess: (now, role) => {
          access(now);
          onAccess(now, role);
        },
      };
    },
  };
}

/**
 * The "loss exploded" alert, after the controls form: shown while the server says the run exploded.
 * It is touched only when that changes (no layout on the frame path).
 * @param {HTMLElement} form
 */
function explodedAlert(form) {
  const alert = element("p", "exploded-alert");
  alert.setAttribute("role", "alert");
  alert.hidden = true;
  setText(alert, "training.exploded");
  form.after(alert);
  return {
    get shown() {
      return !alert.hidden;
    },
    /** @param {boolean} now */
    show(now) {
      if (alert.hidden === now) alert.hidden = !now;
    },
  };
}
