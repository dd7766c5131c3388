// @ts-check
// The playground's candidate input features over the plane, chosen or not (GET /api/models/mlp/features):
// they depend on the grid size alone, so they come once per size as one binary frame, kept for the page's
// life, not in every frame. A failed fetch is forgotten, so that the next session's hello asks again.

import { decodeFrame } from "./codec.js";

/** @typedef {{grid: number, names: string[], maps: import('./codec.js').Tensor}} PlaneFeatures */

/** @type {Map<number, Promise<PlaneFeatures>>} */
const fetched = new Map();

/**
 * Every candidate feature over the `grid` × `grid` pixel centres of the plane (the session's maps' grid):
 * `maps` is [features, grid, grid] in the order of `names`.
 * @param {number} grid
 * @returns {Promise<PlaneFeatures>}
 */
export function planeFeatures(grid) {
  let promise = fetched.get(grid);
  if (!promise) {
    promise = fetchFeatures(grid);
    promise.catch(() => fetched.delete(grid));
    fetched.set(grid, promise);
  }
  return promise;
}

/** @param {number} grid @returns {Promise<PlaneFeatures>} */
async function fetchFeatures(grid) {
  const response = await fetch(`/api/models/mlp/features?grid=${encodeURIComponent(grid)}`);
  if (!response.ok) {
    const { code, message, field } = (await response.json().catch(() => ({}))).error ?? {}; // a proxy's page: its status
    throw Object.assign(new Error(message ?? response.statusText), { code, field, status: response.status });
  }
  const { header, tensors } = decodeFrame(await response.arrayBuffer());
  return { grid, names: header.features, maps: tensors.feature };
}
