// @ts-check
// The one translation layer for every text on screen (English and Simplified Chinese).
//
// Catalogs are flat JSON objects {key: text} in /static/i18n/<lang>.json, shared with the
// server (app/i18n.py renders the first paint from them). Texts may hold placeholders: {n}.
// Elements carry their keys so the whole page re-translates live:
//   data-i18n="key"                      → textContent
//   data-i18n-attr="title:key;aria-label:key2" → attributes
//   data-i18n-params='{"n": 3}'          → placeholder values for both

const LANGUAGES = ["en", "zh-CN"];
const DEFAULT_LANGUAGE = "en";
const STORAGE_KEY = "nnlive_lang";
const COOKIE_MAX_AGE_S = 365 * 24 * 3600;

const catalogs = new Map();
let language = DEFAULT_LANGUAGE;

/** The supported language that best fits a list of BCP 47 preferences (any zh → zh-CN), else en. */
export function pickLanguage(preferences) {
  for (const preference of preferences ?? []) {
    const tag = String(preference).toLowerCase();
    if (tag === "zh" || tag.startsWith("zh-")) return "zh-CN";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return DEFAULT_LANGUAGE;
}

/** Fill {name} placeholders from params; unknown placeholders stay as written. */
export function format(template, params = {}) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

/** The text for `key` in the current language (English, then the key itself, as fallbacks). */
export function t(key, params) {
  const text = catalogs.get(language)?.[key] ?? catalogs.get(DEFAULT_LANGUAGE)?.[key] ?? key;
  return format(text, params);
}

/** Whether the current catalog has `key`. */
export function hasText(key) {
  return key in (catalogs.get(language) ?? {});
}

/** Set an element's i18n key (and params) and translate it now; what is already so is not written again (no style or layout work). */
export function setText(element, key, params) {
  const encoded = params ? JSON.stringify(params) : undefined;
  if (element.dataset.i18n !== key) element.dataset.i18n = key;
  if (element.dataset.i18nParams !== encoded) {
    if (encoded === undefined) delete element.dataset.i18nParams;
    else element.dataset.i18nParams = encoded;
  }
  const text = t(key, params);
  if (element.textContent !== text) element.textContent = text;
}

/** Set one attribute of an element from an i18n key, now and on every language switch. */
export function setAttributeText(element, attribute, key) {
  const pairs = (element.dataset.i18nAttr ?? "").split(";").filter((pair) => pair && !pair.startsWith(`${attribute}:`));
  element.dataset.i18nAttr = [...pairs, `${attribute}:${key}`].join(";");
  element.setAttribute(attribute, t(key));
}

/** Re-translate every element under `root` (itself included) that carries i18n keys. */
function translateTree(root) {
  const elements = [root, ...root.querySelectorAll("[data-i18n], [data-i18n-attr]")];
  for (const element of elements) {
    if (!element.dataset) continue;
    const params = element.dataset.i18nParams ? JSON.parse(element.dataset.i18nParams) : undefined;
    if (element.dataset.i18n) element.textContent = t(element.dataset.i18n, params);
    for (const pair of (element.dataset.i18nAttr ?? "").split(";").filter(Boolean)) {
      const [attribute, key] = pair.split(":");
      element.setAttribute(attribute.trim(), t(key.trim(), params));
    }
  }
}

async function loadCatalog(lang) {
  if (!catalogs.has(lang)) {
    const response = await fetch(`/static/i18n/${lang}.json`);
    if (!response.ok) throw new Error(`catalog ${lang}: HTTP ${response.status}`);
    catalogs.set(lang, await response.json());
  }
  return catalogs.get(lang);
}

function rememberLanguage(lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage may be off (private mode); the cookie still remembers.
  }
  document.cookie = `${STORAGE_KEY}=${lang}; path=/; max-age=${COOKIE_MAX_AGE_S}; SameSite=Lax`;
}

function storedLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    stored = null;
  }
  const cookie = document.cookie.split("; ").find((c) => c.startsWith(`${STORAGE_KEY}=`));
  stored ??= cookie?.slice(STORAGE_KEY.length + 1);
  return LANGUAGES.includes(stored) ? stored : null;
}

function markSwitches(lang) {
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-lang]"))) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
}

/** Switch the page to `lang`: load its catalog, re-translate the DOM, remember the choice. */
async function setLanguage(lang, { remember = true } = {}) {
  await loadCatalog(lang);
  language = lang;
  document.documentElement.lang = lang;
  if (remember) rememberLanguage(lang);
  markSwitches(lang);
  translateTree(document.documentElement);
}

/**
 * Start the layer: take the catalog the server embedded (<script id="i18n-catalog">), switch to the
 * remembered or browser language if it differs, and wire the EN / 中文 buttons ([data-lang]).
 */
export async function initI18n() {
  const embedded = document.getElementById("i18n-catalog");
  if (embedded) {
    language = embedded.dataset.lang;
    catalogs.set(language, JSON.parse(embedded.textContent));
  }
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-lang]"))) {
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  }
  const stored = storedLanguage();
  const wanted = stored ?? pickLanguage(navigator.languages);
  if (wanted !== language) await setLanguage(wanted, { remember: stored !== null });
  else markSwitches(language);
}
