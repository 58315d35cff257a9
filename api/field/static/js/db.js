// The device's data in IndexedDB (through the vendored `idb` wrapper, global `idb`).
//
// Stores: kv (session, device id, package and its ETag, pull cursor, last sync), inspections,
// answers (key "<inspection id>|<item code>"), outbox (mutations in order of `seq`), photos
// (bytes, sha256, tus upload URL and progress), results (the log of push results) and
// conflicts (kept until the user resolves them). Logout deletes the whole database.

export const DB_NAME = "kt1-field";
const DB_VERSION = 2;
let dbPromise = null;

export function open() {
  if (!dbPromise) {
    dbPromise = idb.openDB(DB_NAME, DB_VERSION, {
      upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          db.createObjectStore("kv");
          db.createObjectStore("inspections", { keyPath: "id" });
          const answers = db.createObjectStore("answers", { keyPath: "key" });
          answers.createIndex("inspection_id", "inspection_id");
          const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
          outbox.createIndex("mutation_id", "mutation_id", { unique: true });
          const photos = db.createObjectStore("photos", { keyPath: "id" });
          photos.createIndex("inspection_id", "inspection_id");
          db.createObjectStore("results", { keyPath: "seq", autoIncrement: true });
          db.createObjectStore("conflicts", { keyPath: "key" });
        }
        if (oldVersion < 2) { // a pull asks these for every change it applies
          tx.objectStore("outbox").createIndex("key", "key");
          tx.objectStore("answers").createIndex("id", "id");
        }
      },
      blocking() { // another tab wants to delete or upgrade: let it
        dbPromise?.then((db) => db.close());
        dbPromise = null;
      },
    });
  }
  return dbPromise;
}

export async function get(key) { return (await open()).get("kv", key); }
export async function put(key, value) { return (await open()).put("kv", value, key); }

export async function all(store) { return (await open()).getAll(store); }
export async function one(store, key) { return (await open()).get(store, key); }
export async function save(store, value) { return (await open()).put(store, value); }
export async function remove(store, key) { return (await open()).delete(store, key); }

export function answerKey(inspectionId, itemCode) { return `${inspectionId}|${itemCode}`; }

export async function answersOf(inspectionId) {
  return (await open()).getAllFromIndex("answers", "inspection_id", inspectionId);
}

/** How many queued mutations there are for the record `key`. */
export async function queued(key) {
  return (await open()).countFromIndex("outbox", "key", key);
}

export async function answerById(id) {
  return (await open()).getFromIndex("answers", "id", id);
}

export async function photosOf(inspectionId) {
  return (await open()).getAllFromIndex("photos", "inspection_id", inspectionId);
}

/** The device's id: a UUID made once, sent at login and with every push. */
export async function deviceId() {
  let id = await get("device_id");
  if (!id) {
    id = crypto.randomUUID();
    await put("device_id", id);
  }
  return id;
}

/** Queue a mutation, or fold it into a queued one for the same record that has not been sent
 *  yet (so one answer edited twice offline is pushed once, with its latest data). A mutation
 *  already sent keeps its id and data: a retry must be answered `duplicate`. */
export async function enqueue({ entity, op, id, key, data }) {
  const db = await open();
  const tx = db.transaction("outbox", "readwrite");
  let cursor = await tx.store.openCursor(null, "prev");
  while (cursor) {
    const m = cursor.value;
    if (m.key === key) {
      if (!m.sent && m.op === op) {
        await cursor.update({ ...m, data, client_time: new Date().toISOString() });
        await tx.done;
        return m;
      }
      break;
    }
    cursor = await cursor.continue();
  }
  const mutation = {
    mutation_id: crypto.randomUUID(), entity, op, id, key, data, base_version: null,
    sent: false, client_time: new Date().toISOString(),
  };
  mutation.seq = await tx.store.add(mutation);
  await tx.done;
  return mutation;
}

export async function outbox() { return (await open()).getAll("outbox"); }

export async function logResults(entries) {
  const db = await open();
  const tx = db.transaction("results", "readwrite");
  for (const entry of entries) await tx.store.add(entry);
  // Keep the last 200 results.
  const count = await tx.store.count();
  let cursor = await tx.store.openCursor();
  for (let extra = count - 200; extra > 0 && cursor; extra--) {
    await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}

/** Forget everything on this device (logout): the database goes. */
export async function wipe() {
  if (dbPromise) {
    (await dbPromise).close();
    dbPromise = null;
  }
  await new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
    req.onblocked = () => resolve();
  });
}
