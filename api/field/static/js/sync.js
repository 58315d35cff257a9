// Sync with the server, in this order: push the outbox (inspections and answers, in the order
// they were made), upload the photos of inspections whose records are all on the server (tus,
// resumable), pull what changed elsewhere, refresh the offline package (If-None-Match).
//
// Each mutation gets its base_version when it is first sent and keeps it (with its
// mutation_id) until the server answers, so a retry after a lost response is a `duplicate`.
// One batch never holds two mutations of one record: the second's base is the first's result.

import * as db from "./db.js";
import { API, ApiError, Offline, request } from "./api.js";
import { sha256 } from "./ui.js";
import { label } from "/app/labels.js";

/** The statuses of an inspection that is still the visit of its campaign and site. */
export const OPEN = ["draft", "submitted", "returned"];

export const STATUS_VI = {
  applied: "Đã áp dụng",
  duplicate: "Đã gửi trước đó (không áp dụng lại)",
  conflict: "Xung đột",
  rejected: "Bị từ chối",
  merged: label("sync_result", "merged"),
};

const listeners = new Set();
/** @param {(what: string, detail?: any) => void} fn */
export function onChange(fn) { listeners.add(fn); }
/** @param {string} what @param {any} [detail] */
function changed(what, detail) { for (const fn of listeners) fn(what, detail); }

let running = null;
let again = false;
let uploading = null;

/** Sync once; a call while one runs asks for one more run after it (changes made meanwhile
 *  are sent too) and resolves when that is done. Resolves to a summary. */
export function sync() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    let result;
    do {
      again = false;
      result = await run();
    } while (again && result.ok);
    return result;
  })().finally(() => { running = null; changed("sync-end"); });
  return running;
}

export function isSyncing() { return running !== null; }

async function run() {
  if (!navigator.onLine) return { offline: true };
  changed("sync-start");
  try {
    await push();
    await uploadPhotos();
    await pull();
    await refreshPackage();
    await db.put("last_sync", new Date().toISOString());
    return { ok: true };
  } catch (err) {
    if (err instanceof Offline) return { offline: true };
    if (err instanceof ApiError && err.status === 401) {
      await db.put("session_expired", true);
      changed("unauthorized");
      return { unauthorized: true };
    }
    console.warn("sync stopped:", err);
    return { error: err.message };
  }
}

// --- push ------------------------------------------------------------------------------------

async function baseVersion(m) {
  if (m.entity === "answer") {
    const answer = await db.one("answers", m.key);
    return answer?.version ?? null;
  }
  if (m.entity === "inspection") {
    const inspection = await db.one("inspections", m.id);
    return inspection?.version ?? null;
  }
  return null;
}

async function nextBatch(limit = 100) {
  const batch = [];
  const keys = new Set();
  for (const m of await db.outbox()) {
    if (keys.has(m.key) || batch.length >= limit) break;
    keys.add(m.key);
    if (!m.sent) {
      m.base_version = await baseVersion(m);
      m.sent = true;
      await db.save("outbox", m);
    }
    batch.push(m);
  }
  return batch;
}

async function push() {
  for (;;) {
    const batch = await nextBatch();
    if (!batch.length) return;
    const device_id = await db.deviceId();
    const { data } = await request("POST", "/sync/push", {
      body: {
        device_id,
        mutations: batch.map((m) => ({
          mutation_id: m.mutation_id, entity: m.entity, op: m.op, id: m.id,
          base_version: m.base_version, data: m.data, client_time: m.client_time,
        })),
      },
    });
    const byId = new Map(data.results.map((r) => [r.mutation_id, r]));
    const log = [];
    for (const m of batch) {
      const r = byId.get(m.mutation_id);
      if (!r) continue;
      log.push(await settle(m, r));
      await db.remove("outbox", m.seq);
    }
    await db.logResults(log);
    changed("push");
  }
}

/** Local inspections found a duplicate at push (id -> the open inspection they joined). */
const merged = new Map();

/** Record one result: the record's new version, a conflict to resolve, or a rejection. A
 *  creation refused because the campaign and site already have an open inspection (409 with
 *  `existing_id`) merges the local inspection into that one; its answers sent in the same
 *  batch (refused too) were moved along and are logged as merged. */
async function settle(m, r) {
  let outcome = r.status === "duplicate" ? (r.original_status || "applied") : r.status;
  const existing = r.error?.existing_id;
  if (outcome === "rejected" && m.entity === "inspection" && existing && !m.base_version) {
    try {
      await mergeInto(m.id, existing);
      outcome = "merged";
    } catch (err) { // offline or logged out: merged at the next sync; else shown as refused
      if (err instanceof Offline || (err instanceof ApiError && err.status === 401)) throw err;
      merged.delete(m.id);
    }
  } else if (outcome === "rejected" && merged.has(m.data?.inspection_id)) {
    outcome = "merged";
  }
  const entry = {
    at: new Date().toISOString(), mutation_id: m.mutation_id, status: r.status, outcome,
    entity: m.entity, id: m.id, key: m.key, item_code: m.data?.item_code || null,
    inspection_id: m.entity === "inspection" ? m.id : m.data?.inspection_id || null,
    detail: outcome === "merged" ? null : r.error ? (r.error.detail || r.error.title) : null,
    errors: outcome === "merged" ? null : r.error?.errors || null,
  };
  if (outcome === "merged") entry.status = "merged";
  if (outcome === "applied") {
    await adopt(m.entity, m.key, r.server, r.version, { keepValue: true });
  } else if (outcome === "conflict") {
    await db.save("conflicts", {
      key: m.key, entity: m.entity, id: m.id, data: m.data, base_version: m.base_version,
      server: r.server || null, version: r.version ?? null, at: entry.at,
      conflict_id: r.conflict_id || null,
    });
  }
  return entry;
}

/** Take the server's record: its version always; its value too unless `keepValue` (our own
 *  write, just applied, is already what we hold locally). */
async function adopt(entity, key, server, version, { keepValue = false } = {}) {
  if (entity === "answer") {
    const local = await db.one("answers", key);
    if (!server) { // cleared on the server
      if (local && !keepValue) await db.remove("answers", key);
      else if (local) await db.save("answers", { ...local, version: version ?? null });
      return;
    }
    const next = keepValue && local ? { ...local } : {
      ...(local || {}), key, inspection_id: server.inspection_id, item_code: server.item_code,
      value: server.value, note: server.note ?? null, answered_at: server.answered_at,
    };
    next.id = server.id;
    next.version = server.version ?? version;
    await db.save("answers", next);
  } else if (entity === "inspection") {
    const local = await db.one("inspections", key);
    if (!local || !server) return;
    await db.save("inspections", {
      ...local, ...serverFields(server), version: server.version ?? version,
      location_check: server.location_check || local.location_check,
    });
  }
}

/** What the tablet keeps of the server's inspection record (REST detail, package or pull). */
function serverFields(server) {
  const out = {
    id: server.id, site_id: server.site_id, checklist_id: server.checklist_id,
    campaign_id: server.campaign_id, started_at: server.started_at, team: server.team,
    status: server.status, version: server.version, on_server: true,
    review: server.review || null, flags: server.flags || [],
    location_check: server.location_check || null,
  };
  if (server.location) out.location = server.location;
  for (const k of ["members", "updated_at", "updated_by", "photos"]) {
    if (server[k] !== undefined) out[k === "photos" ? "server_photos" : k] = server[k];
  }
  return out;
}

/** Take a server inspection (with its answers when the record carries them) onto the
 *  tablet: the record unless a change of ours to it is on its way, and each answer unless
 *  ours is queued or in conflict or already as new. */
export async function absorb(server) {
  const local = await db.one("inspections", server.id);
  if (!(await pending(server.id))) {
    await db.save("inspections", { ...(local || {}), ...serverFields(server),
                                   location: server.location || local?.location || null });
  } else if (local) {
    const { status: _s, version: _v, ...info } = serverFields(server);
    await db.save("inspections", { ...local, ...info, status: local.status,
                                   version: local.version });
  }
  for (const a of server.answers || []) {
    const key = db.answerKey(server.id, a.item_code);
    if (await pending(key)) continue;
    const mine = await db.one("answers", key);
    if (mine && mine.version != null && mine.version >= a.version) continue;
    await adopt("answer", key, a, a.version);
  }
}

/** Whether `server` (an inspection) is the visit of one of the package's assignments. */
async function ours(server) {
  const held = await db.get("package");
  return (held?.data.assignments || []).some((a) => a.campaign_id === server.campaign_id
    && a.site_id === server.site_id);
}

/** The open inspection of an assignment the tablet knows of (from the package, the pull or
 *  started here), newest first. */
export async function openOf(assignment) {
  return (await db.all("inspections"))
    .filter((i) => i.site_id === assignment.site_id
      && (i.campaign_id || null) === (assignment.campaign_id || null) && OPEN.includes(i.status))
    .sort((x, y) => (y.started_at || "").localeCompare(x.started_at || ""))[0] || null;
}

/** Ask the server (online) for an open inspection of `assignment` another tablet started;
 *  taken onto this tablet with its answers. Resolves to its id, or null (none, offline). */
export async function findOpen(assignment) {
  if (!navigator.onLine) return null;
  try {
    const q = `?campaign_id=${assignment.campaign_id}&site_id=${assignment.site_id}`;
    const { data } = await request("GET", `/inspections${q}`);
    const open = (data || []).find((i) => OPEN.includes(i.status));
    if (!open) return null;
    const { data: detail } = await request("GET", `/inspections/${open.id}`);
    await absorb(detail);
    return detail.id;
  } catch (err) {
    if (err instanceof Offline) return null;
    throw err;
  }
}

/** The tablet started `fromId` offline, but the team's open inspection of that visit is
 *  `toId`: its answers go to `toId` (queued again; where the server already has another
 *  value for the item, a conflict card), its photos not yet sent follow, and `fromId` goes.
 *  Nothing the inspector entered is dropped. */
async function mergeInto(fromId, toId) {
  merged.set(fromId, toId);
  const { data: server } = await request("GET", `/inspections/${toId}`);
  await absorb(server);
  const theirs = new Map((server.answers || []).map((a) => [a.item_code, a]));
  for (const m of await db.outbox()) { // the duplicate's queued answers: queued again below
    if (m.data?.inspection_id === fromId && m.key !== fromId) await db.remove("outbox", m.seq);
  }
  for (const a of await db.answersOf(fromId)) {
    const key = db.answerKey(toId, a.item_code);
    const server = theirs.get(a.item_code);
    await db.remove("answers", a.key);
    if (server && JSON.stringify([server.value ?? null, server.note ?? null])
        === JSON.stringify([a.value ?? null, a.note ?? null])) continue; // the same: nothing to do
    const moved = { ...a, key, inspection_id: toId, id: server?.id || a.id,
                    version: server ? server.version : null };
    await db.save("answers", moved);
    const data = answerData(moved);
    if (server) {
      await db.save("conflicts", {
        key, entity: "answer", id: moved.id, data, base_version: null, server,
        version: server.version, at: new Date().toISOString(), conflict_id: null,
      });
    } else {
      await db.enqueue({ entity: "answer", op: "upsert", id: moved.id, key, data });
    }
  }
  for (const p of await db.photosOf(fromId)) {
    await db.save("photos", { ...p, inspection_id: toId, upload_url: p.done ? p.upload_url : null });
  }
  for (const m of await db.outbox()) if (m.key === fromId && m.sent === false) await db.remove("outbox", m.seq);
  await db.remove("inspections", fromId);
  changed("merged", { from: fromId, to: toId });
}

// --- conflicts -------------------------------------------------------------------------------

/** "Keep the server's": the local copy becomes the server's record. */
export async function keepServer(key) {
  const c = await db.one("conflicts", key);
  if (!c) return;
  if (c.server) await adopt(c.entity, c.key, c.server, c.version);
  else if (c.entity === "answer") await db.remove("answers", c.key);
  await db.remove("conflicts", key);
  changed("conflicts");
}

/** "Overwrite with mine": send the local data again, based on the server's current version. */
export async function takeMine(key) {
  const c = await db.one("conflicts", key);
  if (!c) return;
  if (c.entity === "answer") {
    const local = await db.one("answers", c.key);
    if (local) await db.save("answers", { ...local, version: c.server?.version ?? c.version });
    const data = local ? answerData(local) : c.data;
    await db.enqueue({ entity: "answer", op: "upsert", id: data.id, key: c.key, data });
  }
  await db.remove("conflicts", key);
  changed("conflicts");
  return sync();
}

export function answerData(a) {
  return {
    id: a.id, inspection_id: a.inspection_id, item_code: a.item_code, value: a.value ?? null,
    note: a.note || null, answered_at: a.answered_at, location: a.location || null,
  };
}

// --- pull ------------------------------------------------------------------------------------

async function pending(key) {
  if (await db.one("conflicts", key)) return true;
  return (await db.queued(key)) > 0;
}

async function pull() {
  let cursor = await db.get("cursor");
  for (;;) {
    const q = cursor ? `?cursor=${encodeURIComponent(cursor)}&limit=200` : "?limit=200";
    const { data } = await request("GET", `/sync/pull${q}`);
    for (const change of data.changes) await apply(change);
    cursor = data.cursor;
    await db.put("cursor", cursor);
    if (!data.has_more) break;
  }
  changed("pull");
}

async function apply(change) {
  if (change.entity === "inspection") {
    if (change.op !== "upsert" || !change.data || (await pending(change.id))) return;
    if (await db.one("inspections", change.id)) {
      await adopt("inspection", change.id, change.data, change.version);
    } else if (await ours(change.data)) { // a team member's, started on another tablet
      await absorb(change.data);
    }
    return;
  }
  if (change.entity === "photo") {
    await photoChecked(change);
    return;
  }
  if (change.entity !== "answer") return;
  if (change.op === "delete") {
    const a = await db.answerById(change.id);
    if (a && !(await pending(a.key))) await db.remove("answers", a.key);
    return;
  }
  const d = change.data;
  if (!d || !(await db.one("inspections", d.inspection_id))) return; // not an inspection of ours
  const key = db.answerKey(d.inspection_id, d.item_code);
  if (await pending(key)) return; // our change is on its way: the push decides
  const local = await db.one("answers", key);
  if (local && local.version != null && local.version >= d.version) return;
  await adopt("answer", key, d, change.version);
}

/** A photo of ours as the server judged it once its bytes were in: `ready`, or `rejected`
 *  with the reason (not an image, too large, a decompression bomb…): shown on the photo.
 *  Another's photo of an inspection on the tablet (a teammate's) joins, or leaves, that
 *  inspection's `server_photos`, which the checklist draws as thumbnails. */
async function photoChecked(change) {
  const local = change.op === "upsert" && change.data ? await db.one("photos", change.id) : null;
  if (local) {
    await db.save("photos", { ...local, server_status: change.data.status,
                              flags: change.data.flags || [], reason: change.data.reason || null });
    return;
  }
  if (await db.one("photos", change.id)) return; // ours, deleted: it stays until sent
  const inspectionId = change.data?.inspection_id;
  const holders = inspectionId ? [await db.one("inspections", inspectionId)]
    : (await db.all("inspections")).filter((i) => (i.server_photos || []).some(
      (/** @type {any} */ p) => p.id === change.id));
  for (const inspection of holders) {
    if (!inspection) continue;
    const others = (inspection.server_photos || []).filter((/** @type {any} */ p) => p.id !== change.id);
    const keep = change.op === "upsert" && change.data ? [...others, change.data] : others;
    await db.save("inspections", { ...inspection, server_photos: keep });
  }
}

// --- the offline package ---------------------------------------------------------------------

export async function refreshPackage() {
  const held = await db.get("package");
  const headers = held?.etag ? { "If-None-Match": held.etag } : {};
  const resp = await request("GET", "/sync/package", { headers });
  if (resp.status === 304) return false;
  await db.put("package", { etag: resp.headers.get("ETag"), data: resp.data });
  for (const server of resp.data.inspections || []) await absorb(server);
  if (!(await db.get("cursor"))) await db.put("cursor", resp.data.cursor);
  changed("package");
  return true;
}

// --- photos (tus) ----------------------------------------------------------------------------

export function chunkSize() {
  const kib = Number(localStorage.getItem("kt1.chunk_kib"));
  return (Number.isFinite(kib) && kib >= 16 ? kib : 256) * 1024;
}

/** Answers the server gives an upload it will never accept as it is (a malformed request, a
 *  role or an inspection that may not take photos, too large, not an image type it takes): the
 *  photo is not sent again; it shows why, and the inspector takes another. A 460 (the bytes
 *  received do not hash to the sha256 taken at capture; nothing kept) is for good only if the
 *  photo on the device no longer hashes to it either; else the bytes were damaged on the way
 *  and go again. Anything else (offline, 401, 409, 423, 429, 5xx) is tried again at the next
 *  sync, resuming from the server's offset. */
const REFUSED_FOR_GOOD = new Set([400, 403, 413, 415, 422]);
const CHECKSUM_MISMATCH = 460;

/** Photos still to send: their bytes are not all on the server and it has not refused them. */
export function unsent(photos) { return photos.filter((p) => !p.done && !p.refused); }

async function uploadPhotos() {
  const box = await db.outbox();
  const waiting = new Set(box.map((m) => m.entity === "inspection" ? m.id : m.data?.inspection_id));
  for (const photo of unsent(await db.all("photos"))) {
    const inspection = await db.one("inspections", photo.inspection_id);
    // Answers first: the inspection and every answer naming this photo are on the server.
    if (!inspection?.on_server || waiting.has(photo.inspection_id)) continue;
    try {
      await uploadOne(photo);
    } catch (err) {
      if (err instanceof Offline) throw err;
      if (err instanceof ApiError && err.status === 401) throw err; // log in again, then resume
      let refused = REFUSED_FOR_GOOD.has(err.status) ? err.message : null;
      if (err.status === CHECKSUM_MISMATCH) {
        photo.upload_url = null; // the server kept nothing: start again
        if (await sha256(photo.blob) !== photo.sha256) {
          refused = "ảnh trên máy đã thay đổi sau khi chụp (mã sha256 không khớp); hãy chụp lại.";
        }
      }
      await db.save("photos", { ...photo, refused });
      // In the results either way; the other photos go on.
      await db.logResults([{
        at: new Date().toISOString(), mutation_id: photo.id, status: "rejected",
        outcome: "rejected", entity: "photo", id: photo.id, key: photo.id,
        item_code: photo.item_code, inspection_id: photo.inspection_id,
        detail: `Ảnh không tải lên được${refused ? "" : " (sẽ thử lại)"}: ${refused || err.message}`,
      }]);
    }
  }
}

/** The problem+json a tus request was refused with, as an ApiError (status 0: no answer). */
function refusal(err) {
  const resp = err.originalResponse;
  if (!resp) return new Offline(String(err));
  let problem = null;
  try { problem = JSON.parse(resp.getBody() || "null"); } catch { /* not JSON */ }
  return new ApiError(resp.getStatus(), problem);
}

async function uploadOne(photo) {
  const s = await db.get("session");
  return new Promise((resolve, reject) => {
    let saving = Promise.resolve();
    const upload = new tus.Upload(photo.blob, {
      endpoint: new URL(`${API}/uploads`, location.href).href,
      uploadUrl: photo.upload_url || null,
      chunkSize: chunkSize(),
      retryDelays: [0, 1000, 3000],
      storeFingerprintForResuming: false,
      headers: { Authorization: `Bearer ${s?.token}` },
      metadata: {
        inspection_id: photo.inspection_id, item_code: photo.item_code || "",
        filename: photo.filename, filetype: photo.filetype, sha256: photo.sha256,
        captured_at: photo.captured_at, photo_id: photo.id,
      },
      onUploadUrlAvailable() {
        photo.upload_url = upload.url;
        saving = saving.then(() => db.save("photos", photo));
      },
      onChunkComplete(_size, accepted) {
        photo.offset = accepted;
        saving = saving.then(() => db.save("photos", photo)).then(() => changed("upload"));
      },
      onSuccess() {
        photo.offset = photo.size;
        photo.done = true;
        photo.uploaded_at = new Date().toISOString();
        saving.then(() => db.save("photos", photo)).then(() => {
          changed("upload");
          resolve();
        });
      },
      onError(err) {
        saving.then(() => reject(refusal(err)));
      },
    });
    uploading = { upload, reject };
    upload.start();
  }).finally(() => { uploading = null; });
}

/** Stop an upload in flight (going offline); it resumes from the server's offset later. */
export function abortUpload() {
  if (!uploading) return;
  const { upload, reject } = uploading;
  uploading = null;
  upload.abort(false);
  reject(new Offline("upload interrupted"));
}

// --- what is waiting -------------------------------------------------------------------------

export async function waiting() {
  const box = await db.outbox();
  const photos = unsent(await db.all("photos"));
  const bytes = photos.reduce((n, p) => n + (p.size - (p.offset || 0)), 0);
  const conflicts = (await db.all("conflicts")).length;
  return { mutations: box.length, photos: photos.length, bytes, conflicts };
}

/** Submit an inspection (online): sync first, then POST /inspections/{id}/submit.
 *  Resolves to {ok, inspection} or {missing: problem} (the server's 422). */
export async function submit(inspectionId) {
  await sync();
  const box = await db.outbox();
  const photos = unsent(await db.photosOf(inspectionId));
  if (box.some((m) => m.id === inspectionId || m.data?.inspection_id === inspectionId)
      || photos.length) {
    return { notSynced: true };
  }
  const inspection = await db.one("inspections", inspectionId);
  try {
    const { data } = await request("POST", `/inspections/${inspectionId}/submit`, {
      headers: { "If-Match": `"${inspection.version}"` },
    });
    await db.save("inspections", { ...inspection, status: data.status, version: data.version });
    changed("submit");
    return { ok: true, inspection: data };
  } catch (err) {
    if (err instanceof ApiError && err.status === 422) return { missing: err.problem };
    throw err;
  }
}
