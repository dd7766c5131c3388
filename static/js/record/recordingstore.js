// @ts-check
// The recording /replay opened, kept in the browser (IndexedDB) for the model page that plays it:
// one at a time, a newer one replacing it.

const DATABASE = "nnlive-replay";
const STORE = "recordings";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, use) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(STORE, mode);
    const request = use(transaction.objectStore(STORE));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
  }).finally(() => db.close());
}

/**
 * Keep `buffer` (the file's bytes) in place of any earlier recording; resolves with its key.
 * @param {ArrayBuffer} buffer
 * @returns {Promise<string>}
 */
export async function keepRecording(buffer) {
  const key = Math.random().toString(36).slice(2, 10);
  await run("readwrite", (store) => {
    store.clear();
    store.put(buffer, key);
  });
  return key;
}

/**
 * The recording kept under `key` (an ArrayBuffer), or undefined.
 * @param {string} key
 * @returns {Promise<ArrayBuffer | undefined>}
 */
export function keptRecording(key) {
  return run("readonly", (store) => store.get(key));
}
