// @ts-check
// The view state of a page in its URL query, so that a link reproduces the view: parsing values
// back by the type of their defaults (or of the catalog's config fields), writing them with
// history.replaceState (no new history entry per click).

/** A query value parsed like `example` (a number, a boolean "1"/"0", a list of numbers "2,3,1", or text); undefined if absent or bad. */
function parseLike(text, example) {
  if (text === null) return undefined;
  if (Array.isArray(example)) {
    const items = text.split(",").map(Number);
    return text.trim() !== "" && items.every(Number.isFinite) ? items : undefined;
  }
  if (typeof example === "number") {
    const value = Number(text);
    return text.trim() !== "" && Number.isFinite(value) ? value : undefined;
  }
  if (typeof example === "boolean") return text === "1" || text === "true";
  return text;
}

/** A query value written as JSON (a list config field); undefined if absent or not JSON. */
function parseJson(text) {
  if (text === null) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `defaults` with each key the query holds replaced by its parsed value. */
export function readView(params, defaults) {
  return Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, parseLike(params.get(key), value) ?? value]));
}

/** A list field's query value ("8,8", "x1,x2", "" for none): whole numbers for `ints`, listed choices for `names`. */
function parseList(text, field) {
  if (text === null) return undefined;
  const items = text === "" ? [] : text.split(",");
  if (field.type === "names") return items.every((item) => field.choices.includes(item)) ? items : undefined;
  const numbers = items.map(Number);
  return numbers.every(Number.isInteger) ? numbers : undefined;
}

/**
 * The config values the query holds for the catalog's `fields` ({name, type, default, choices}):
 * numbers as numbers, bools as booleans, choices only when listed, lists from comma-separated items.
 * Absent fields are left out.
 */
export function configFromParams(params, fields) {
  const config = {};
  for (const field of fields) {
    if (field.type === "list") {
      const listed = parseJson(params.get(field.name));
      if (listed !== undefined) config[field.name] = listed;
      continue;
    }
    const text = params.get(field.name);
    const value = Array.isArray(field.default) ? parseList(text, field) : parseLike(text, field.default);
    if (value === undefined) continue;
    if (field.type === "choice" && !field.choices.includes(value)) continue;
    config[field.name] = value;
  }
  return config;
}

/** `url` with `values` set in its query (booleans as 1/0, lists comma-separated; null or undefined removes the key). */
export function withView(url, values) {
  const next = new URL(url);
  for (const [key, value] of Object.entries(values)) {
    if (value === null || value === undefined) next.searchParams.delete(key);
    else next.searchParams.set(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return next;
}

/** Put `values` into this page's URL without a new history entry. */
export function writeView(values) {
  history.replaceState(null, "", withView(location.href, values));
}
