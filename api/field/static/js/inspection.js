// The inspection screen: start an inspection at an assigned site (GPS fix against the site),
// fill its checklist offline (a control per answer type, notes, photos, drawn signatures),
// and submit it, showing the server's list of what is missing in place.

import * as api from "./api.js";
import * as db from "./db.js";
import * as form from "./form.js";
import * as sync from "./sync.js";
import {
  $, YES_NO_NA, distanceM, el, isCompliant, sha256, show, valueText,
} from "./ui.js";
import { label } from "/app/labels.js";

const EDITABLE = ["draft", "returned"];
/** The open inspection: {inspection, checklist, site, assignment, items: Map, answers: Map,
 *  pkg, pairs (numerator -> total), absorbed (total -> numerator), findings (by item),
 *  creation (the inspection's creation still queued, unsent, or null)}. @type {any} */
let current = null;
// What the server's location check counts as a fix and as near (KT1_MAX_GPS_ACCURACY_M,
// KT1_FAR_RADIUS_M defaults); the server's own check replaces this one once it has judged.
const MAX_ACCURACY_M = 1000;
const FAR_RADIUS_M = 300;
const POOR_ACCURACY_M = 100;

// --- starting ------------------------------------------------------------------------------

function fix(maximumAge = 60000) {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude,
                       accuracy_m: Math.round(p.coords.accuracy * 10) / 10 }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 15000, maximumAge });
  });
}

/** The checklist an assignment's site is inspected with: among the package's checklists (the
 *  versions the campaigns pin), the one for the site's kind, newest version first. */
export function checklistFor(pkg, site) {
  return pkg.checklists.filter((c) => c.target_kind === site.kind)
    .sort((a, b) => b.version - a.version)[0] || null;
}

export async function start(assignment) {
  const pkg = (await db.get("package")).data;
  const site = pkg.sites.find((s) => s.id === assignment.site_id);
  const checklist = checklistFor(pkg, site);
  const location = await fix();
  const inspection = {
    id: crypto.randomUUID(), site_id: site.id, checklist_id: checklist.id,
    campaign_id: assignment.campaign_id, assignment_id: assignment.id,
    started_at: new Date().toISOString(), location, team: assignment.team,
    status: "draft", version: null, on_server: false,
  };
  await db.save("inspections", inspection);
  const data = {
    site_id: inspection.site_id, checklist_id: inspection.checklist_id,
    campaign_id: inspection.campaign_id, started_at: inspection.started_at,
    location, team: inspection.team,
  };
  await db.enqueue({ entity: "inspection", op: "upsert", id: inspection.id,
                     key: inspection.id, data });
  await open(inspection.id);
  document.dispatchEvent(new CustomEvent("kt1-changed"));
}

// --- the screen -----------------------------------------------------------------------------

export async function open(inspectionId) {
  const inspection = await db.one("inspections", inspectionId);
  const pkg = (await db.get("package")).data;
  const site = pkg.sites.find((s) => s.id === inspection.site_id);
  const checklist = pkg.checklists.find((c) => c.id === inspection.checklist_id);
  const assignment = pkg.assignments.find((a) => a.id === inspection.assignment_id)
    || pkg.assignments.find((a) => a.site_id === inspection.site_id);
  const items = new Map();
  for (const s of checklist.sections) for (const i of s.items) items.set(i.code, i);
  const answers = new Map((await db.answersOf(inspectionId)).map((a) => [a.item_code, a]));
  const { pairs, absorbed } = form.ratioPairs(checklist);
  current = { inspection, checklist, site, assignment, items, answers, pkg, pairs, absorbed,
              findings: form.findingsByItem(pkg, site.id), creation: null };
  current.creation = await queuedCreation();
  $("submit-errors").hidden = true;
  $("submit-message").textContent = "";
  renderHead();
  await renderSections();
  show("inspection-view");
  document.body.dataset.inspection = inspectionId;
  localStorage.setItem(OPEN, inspectionId);
  form.follow(inspectionId);
  form.resume(inspectionId);
}

/** The creation of the open inspection while it waits in the outbox, unsent (its data may
 *  still change: a better GPS fix), else null. */
async function queuedCreation() {
  const id = current.inspection.id;
  return (await db.outbox()).find((m) => m.entity === "inspection" && m.key === id
                                         && !m.sent && m.data?.site_id) || null;
}

const OPEN = "kt1.form.open"; // the inspection on screen

/** After a reload: the inspection that was on screen, opened again at the section and place
 *  it was left (the app's boot calls it after drawing the home screen; "← Danh sách cơ sở"
 *  and logging out forget it). Whether there was one. @returns {Promise<boolean>} */
export async function reopen() {
  const id = localStorage.getItem(OPEN);
  if (!id || !(await db.one("inspections", id))) return false;
  await open(id);
  return true;
}

document.getElementById("back")?.addEventListener("click", () => {
  localStorage.removeItem(OPEN);
});

export function currentId() { return current?.inspection.id || null; }

/** Re-read the open inspection from the database (after a sync or a conflict resolved):
 *  only items whose answer changed are drawn again, never the one being edited; the others'
 *  badges and photo captions follow. */
export async function refresh() {
  if (!current || $("inspection-view").hidden) return;
  const inspection = await db.one("inspections", current.inspection.id);
  if (!inspection) return;
  const statusChanged = inspection.status !== current.inspection.status;
  current.inspection = inspection;
  current.creation = await queuedCreation();
  const before = current.answers;
  current.answers = new Map((await db.answersOf(inspection.id)).map((a) => [a.item_code, a]));
  renderHead();
  form.updateNav(current.checklist, current.answers);
  if (statusChanged) {
    await renderSections();
    return;
  }
  const changed = [...current.items.keys()].filter((code) => {
    const a = before.get(code);
    const b = current.answers.get(code);
    return JSON.stringify([a?.value ?? null, a?.note ?? null])
      !== JSON.stringify([b?.value ?? null, b?.note ?? null]);
  });
  await redraw(changed);
}

function editable() { return EDITABLE.includes(current.inspection.status); }

function renderHead() {
  const { inspection, site, assignment } = current;
  $("insp-site").textContent = site.name;
  $("insp-address").textContent = [site.organization, site.address].filter(Boolean).join(" · ");
  $("insp-status").textContent = `Trạng thái: ${label("inspection_status", inspection.status)}`
    + (inspection.on_server ? "" : " · chưa gửi lên máy chủ");
  renderGps();
  const team = $("insp-team");
  team.replaceChildren(...(assignment?.team_members || []).map((m) => el("li", {},
    el("span", { class: "name", text: m.full_name }),
    el("span", { class: `agency agency-${m.agency}`, text: label("agency", m.agency) }))));
  $("submit").disabled = !editable();
}

/** The location check as the server makes it (its own once it has judged the fix), and a
 *  "retry GPS" button while the fix is missing, poor or far and the inspection editable. */
function renderGps() {
  const { inspection, site } = current;
  const gps = $("insp-gps");
  const loc = inspection.location;
  const judged = inspection.location_check; // the server's, for the fix it holds
  const d = judged ? judged.distance_m ?? null
    : loc && site.location ? distanceM(loc, site.location) : null;
  const acc = judged ? judged.accuracy_m ?? null : loc?.accuracy_m ?? null;
  const status = judged?.status || (d === null || acc === null || acc > MAX_ACCURACY_M
    ? "no_fix" : d - acc > FAR_RADIUS_M ? "far" : "ok");
  const parts = [`Kiểm tra vị trí: ${label("location_check", status)}`];
  if (d !== null) parts.push(`cách cơ sở ${Math.round(d).toLocaleString("vi-VN")} m`);
  if (acc !== null) parts.push(`sai số ±${Math.round(acc).toLocaleString("vi-VN")} m`);
  if (d === null) parts.push("không lấy được vị trí (không có tín hiệu hoặc chưa cho phép)");
  const poor = status !== "ok" || (acc !== null && acc > POOR_ACCURACY_M);
  gps.className = poor ? "warn gps" : "gps";
  gps.dataset.check = status;
  const retry = poor && editable() ? el("button", {
    type: "button", class: "secondary", id: "retry-gps", text: "Thử lại định vị",
    onclick: () => retryGps(),
  }) : null;
  gps.replaceChildren(...[el("span", { class: "gps-text", text: parts.join(" · ") }), retry,
    el("span", { class: "gps-message hint", role: "status" })].filter(Boolean));
}

/** Take a fresh fix (no cached position) and put it in the inspection: in its creation while
 *  that is still queued, else as a change of its own (PUT /inspections/{id}/location through
 *  the outbox); the server judges it when it arrives. */
async function retryGps() {
  const button = $("retry-gps");
  if (button) { button.disabled = true; button.textContent = "Đang lấy vị trí…"; }
  const location = await fix(0);
  const message = () => document.querySelector("#insp-gps .gps-message");
  current.creation = await queuedCreation();
  if (!location) {
    renderGps();
    message().textContent = "Vẫn chưa lấy được vị trí; hãy ra chỗ thoáng, bật định vị và "
      + "cho phép ứng dụng dùng vị trí, rồi thử lại.";
    return;
  }
  const inspection = { ...current.inspection, location, location_check: null };
  await db.save("inspections", inspection);
  await db.enqueue({ entity: "inspection", op: "upsert", id: inspection.id, key: inspection.id,
                     data: current.creation ? { ...current.creation.data, location }
                       : { location } });
  current.inspection = inspection;
  current.creation = await queuedCreation();
  renderGps();
  message().textContent = "Đã cập nhật vị trí.";
  document.dispatchEvent(new CustomEvent("kt1-changed"));
}

async function renderSections() {
  const photos = await db.photosOf(current.inspection.id);
  const values = Object.fromEntries([...current.answers].map(([c, a]) => [c, a.value]));
  const conflicts = new Set((await db.all("conflicts")).map((c) => c.key));
  const root = $("sections");
  const codes = new Set(current.items.keys());
  const elsewhere = [...current.findings].filter(([code]) => !codes.has(code))
    .flatMap(([, list]) => list);
  root.replaceChildren(...[form.nav(current.checklist, current.answers),
    elsewhere.length ? el("section", { class: "card" }, form.findingsBox(elsewhere)) : null,
    ...current.checklist.sections.map((s) => el("section", {
      class: "card checklist-section", dataset: { section: s.code }, id: `section-${s.code}`,
    }, el("h3", { text: `${s.code}. ${s.title}` }),
    ...s.items.filter((item) => !current.absorbed.has(item.code))
      .map((item) => renderItem(item, values, photos, conflicts))))].filter(Boolean));
}

function renderItem(item, values, photos, conflicts) {
  if (current.pairs.has(item.code)) return renderRatio(item, values, photos, conflicts);
  return renderPlain(item, values, photos, conflicts);
}

function renderPlain(item, values, photos, conflicts) {
  const answer = current.answers.get(item.code);
  const value = answer?.value ?? null;
  const mine = photos.filter((p) => p.item_code === item.code);
  const theirs = teamPhotos(photos).filter((p) => p.item_code === item.code);
  const judged = isCompliant(item, value, values);
  return el("article", {
    class: `item${judged === false ? " noncompliant" : ""}`,
    dataset: { item: item.code, node: item.code }, id: `item-${item.code}`,
  },
  el("div", { class: "item-head" }, el("span", { class: "code", text: item.code }),
    el("p", { class: "text", text: item.text })),
  badgesOf(item, values, mine, conflicts),
  form.findingsBox(current.findings.get(item.code)),
  control(item, answer),
  roster(item, value),
  item.answer_type !== "photo" && item.answer_type !== "signature"
    ? photoInput(item, "evidence", "Chụp ảnh bằng chứng") : null,
  thumbs(mine, theirs, item.answer_type === "signature"),
  noteField(item, answer),
  el("p", { class: "item-error", role: "alert", hidden: true }));
}

function badgesOf(item, values, mine, conflicts) {
  const value = values[item.code] ?? null;
  const judged = isCompliant(item, value, values);
  const key = db.answerKey(current.inspection.id, item.code);
  return el("div", { class: "badges", dataset: { live: "" } },
    item.required ? el("span", { class: "badge required", text: "Bắt buộc" }) : null,
    item.photo_required
      ? el("span", { class: "badge photo", text: "Cần ảnh khi không đạt" }) : null,
    judged === true ? el("span", { class: "badge ok", text: "Đạt" }) : null,
    judged === false ? el("span", { class: "badge bad", text: "Không đạt" }) : null,
    judged === false && item.photo_required
      && !mine.some((p) => p.kind === "evidence" && !photoState(p).refused)
      ? el("span", { class: "badge bad", text: "Cần ảnh bằng chứng" }) : null,
    conflicts.has(key) ? el("span", { class: "badge bad", text: "Xung đột" }) : null,
    toFix(item) ? el("span", { class: "badge bad to-fix", text: "Cần sửa" }) : null);
}

/** Whether the supervisor, returning the inspection, marked `item` for the team to fix. */
function toFix(item) {
  const { status, review } = current.inspection;
  return status === "returned" && (review?.items || []).some(
    (/** @type {any} */ x) => (typeof x === "string" ? x : x.item_code) === item.code);
}

/** The roster's figure for this item, offered; answered only when the inspector takes it. */
function roster(item, value) {
  const figure = form.rosterFigure(current.pkg, current.site.id, item.code);
  return form.rosterHint(item, figure, value, editable(), async (v) => {
    for (const input of document.querySelectorAll(`input[data-answers="${item.code}"]`)) {
      /** @type {HTMLInputElement} */ (input).value = String(v);
    }
    await answerItem(item, v);
  });
}

/** A count and its total as one block: both inputs, the ratio and the rule's verdict computed
 *  ("45/50 = 90 %", đạt / không đạt), never typed. Each item is a part of the block (its own
 *  input, badges, roster figure and error line); a total other pairs use too stays an item of
 *  its own and the block holds a second input for it. Photos and the note are the count's. */
function renderRatio(item, values, photos, conflicts) {
  const total = current.items.get(current.pairs.get(item.code));
  const own = current.absorbed.get(total.code) === item.code;
  const answer = current.answers.get(item.code);
  const mine = photos.filter((p) => p.item_code === item.code);
  const judged = isCompliant(item, values[item.code] ?? null, values);
  const text = form.ratioText(values[item.code], values[total.code]);
  const part = (/** @type {any} */ it) => el("div", {
    class: "item", id: `item-${it.code}`, dataset: { item: it.code } },
  el("label", { class: "ratio-label" }, el("b", { text: it.code }), ` ${it.text}`,
    numberField(it, current.answers.get(it.code)?.value ?? null, "value")),
  badgesOf(it, values, it === item ? mine : [], conflicts),
  roster(it, values[it.code] ?? null),
  el("p", { class: "item-error", role: "alert", hidden: true }));
  const mirror = el("div", { class: "ratio-part shared", dataset: { mirror: total.code } },
    el("label", { class: "ratio-label" }, el("b", { text: total.code }), ` ${total.text}`,
      numberField(total, current.answers.get(total.code)?.value ?? null)),
    el("p", { class: "hint", text: `Trả lời chung với mục ${total.code}.` }));
  return el("article", {
    class: `item ratio${judged === false ? " noncompliant" : ""}`,
    dataset: { node: item.code, ratio: item.code },
  },
  el("div", { class: "item-head" }, el("span", { class: "code", text: "Tỉ lệ" }),
    el("p", { class: "text", text: `${item.code} trên ${total.code}` })),
  form.findingsBox([...(current.findings.get(total.code) || []),
    ...(current.findings.get(item.code) || [])]),
  el("div", { class: "ratio-block" },
    el("div", { class: "ratio-inputs" }, own ? part(total) : mirror, part(item)),
    el("p", { class: "ratio-result", dataset: { live: "" } },
      el("span", { class: "ratio-value", text: text ?? "Nhập đủ hai số để tính tỉ lệ" }),
      judged === null ? null : el("span", {
        class: `verdict ${judged ? "ok" : "bad"}`, text: form.verdict(judged) }))),
  photoInput(item, "evidence", "Chụp ảnh bằng chứng"),
  thumbs(mine, teamPhotos(photos).filter((p) => p.item_code === item.code)),
  noteField(item, answer));
}

function disabled() { return editable() ? null : true; }

function control(item, answer) {
  const value = answer?.value ?? null;
  const name = `v-${item.code}`;
  const radios = (options) => el("div", { class: "choices", role: "radiogroup",
    "aria-label": item.text },
  ...options.map(([v, label]) => el("label", { class: "choice" },
    el("input", { type: "radio", name, value: v, checked: value === v, disabled: disabled(),
                  onchange: () => answerItem(item, v) }),
    el("span", { text: label }))));
  switch (item.answer_type) {
    case "yes_no_na": return radios(YES_NO_NA);
    case "choice": return radios((item.choices || []).map((c) => [c, c]));
    case "number": return numberField(item, value, "value");
    case "date": return el("input", {
      type: "date", class: "value", "aria-label": item.text, value: value ?? "",
      dataset: { answers: item.code },
      disabled: disabled(), onchange: (e) => answerItem(item, e.target.value || null),
    });
    case "text": return el("textarea", {
      class: "value", rows: 3, "aria-label": item.text, disabled: disabled(),
      onchange: (e) => answerItem(item, e.target.value.normalize("NFC") || null),
    }, value ?? "");
    case "photo": return photoInput(item, "answer", value ? "Chụp lại ảnh" : "Chụp ảnh");
    case "signature": return signaturePad(item, value);
    default: return el("p", { text: `Kiểu câu trả lời chưa hỗ trợ: ${item.answer_type}` });
  }
}

/** A number input answering `item` (every input of one item carries `data-answers`). */
function numberField(item, value, cls = "number") {
  const figure = form.rosterFigure(current.pkg, current.site.id, item.code);
  return el("input", {
    type: "number", inputmode: "decimal", step: "any", class: cls, "aria-label": item.text,
    value: value ?? "", disabled: disabled(), dataset: { answers: item.code },
    placeholder: typeof figure === "number" && value === null ? String(figure) : null,
    onchange: (e) => answerItem(item, e.target.value === "" ? null : Number(e.target.value)),
  });
}

function noteField(item, answer) {
  return el("label", { class: "note" }, el("span", { text: "Ghi chú" }),
    el("textarea", {
      rows: 2, disabled: disabled(), "aria-label": `Ghi chú ${item.code}`,
      onchange: (e) => saveAnswer(item, { note: e.target.value.normalize("NFC") || null }),
    }, answer?.note || ""));
}

async function answerItem(item, value) { await saveAnswer(item, { value }); }

/** Write the local answer and queue its mutation (the whole answer, PUT semantics). */
async function saveAnswer(item, change) {
  const inspectionId = current.inspection.id;
  const key = db.answerKey(inspectionId, item.code);
  const local = (await db.one("answers", key)) || {
    key, id: crypto.randomUUID(), inspection_id: inspectionId, item_code: item.code,
    value: null, note: null, version: null,
  };
  const next = { ...local, ...change, answered_at: new Date().toISOString() };
  await db.save("answers", next);
  current.answers.set(item.code, next);
  await db.enqueue({ entity: "answer", op: "upsert", id: next.id, key,
                     data: sync.answerData(next) });
  await rerenderItem(item);
  form.updateNav(current.checklist, current.answers);
  document.dispatchEvent(new CustomEvent("kt1-changed"));
}

/** After an answer to `item`: its badges, and the items whose rule depends on it drawn again
 *  (a ratio pair shows the total's input too) unless being edited. */
async function rerenderItem(item) {
  const dependents = [...current.items.values()].filter(
    (other) => other.compliant_when?.gte_item === item.code).map((other) => other.code);
  await redraw(dependents, [item.code]);
}

/** The code of the node an item is drawn in: a total drawn inside its pair's block is in the
 *  block's node. */
function nodeOf(code) { return current.absorbed.get(code) || code; }

/** Draw `replace` items again (unless one is being edited: then only its badges), and
 *  refresh the badges and photos of `badges` items and of every item whose badges (conflict
 *  marks) or photos (sent, refused) changed. */
async function redraw(replace, badges = []) {
  const photos = await db.photosOf(current.inspection.id);
  const values = Object.fromEntries([...current.answers].map(([c, a]) => [c, a.value]));
  const conflicts = new Set((await db.all("conflicts")).map((c) => c.key));
  const toReplace = new Set(replace.map(nodeOf));
  const toSync = new Set(badges.map(nodeOf));
  for (const other of current.items.values()) {
    if (current.absorbed.has(other.code)) continue; // drawn with its pair
    const old = document.querySelector(`[data-node="${other.code}"]`);
    if (!old) continue;
    const fresh = renderItem(other, values, photos, conflicts);
    const live = (/** @type {Element} */ n) => [...n.querySelectorAll("[data-live], .thumbs")]
      .map((p) => p.textContent).join("|");
    if (toReplace.has(other.code) && !old.contains(document.activeElement)) {
      old.replaceWith(fresh);
    } else if (toReplace.has(other.code) || toSync.has(other.code) || live(old) !== live(fresh)) {
      syncBadges(old, fresh);
    }
  }
}

/** Bring the parts of an item that follow its answer (badges, roster hint, ratio, photos) up
 *  to date without touching its inputs. */
function syncBadges(old, fresh) {
  const parts = (/** @type {Element} */ n) => [...n.querySelectorAll("[data-live], .thumbs")];
  const before = parts(old);
  const after = parts(fresh);
  if (before.length === after.length) before.forEach((p, k) => p.replaceWith(after[k]));
  old.className = fresh.className;
}

// --- photos and signatures -------------------------------------------------------------------

function photoInput(item, kind, label) {
  const input = el("input", {
    type: "file", accept: "image/*", capture: "environment", class: "camera",
    "aria-label": `${label} ${item.code}`, disabled: disabled(),
    onchange: async (e) => {
      const file = e.target.files[0];
      if (!file) return;
      await capture(item, kind, file, file.name || "anh.jpg");
      e.target.value = "";
    },
  });
  return el("label", { class: "button camera-button" }, input, el("span", { text: label }));
}

/** Keep a photo on the device, hashed now (sha256 of its exact bytes), and queue its upload;
 *  a photo or signature item's answer names it by its id. */
async function capture(item, kind, blob, filename) {
  const photo = {
    id: crypto.randomUUID(), inspection_id: current.inspection.id, item_code: item.code, kind,
    blob, size: blob.size, filetype: blob.type || "image/jpeg", filename,
    sha256: await sha256(blob), captured_at: new Date().toISOString(), offset: 0, done: false,
    upload_url: null,
  };
  await db.save("photos", photo);
  if (kind === "answer" || kind === "signature") await saveAnswer(item, { value: photo.id });
  else {
    await rerenderItem(item);
    document.dispatchEvent(new CustomEvent("kt1-changed"));
  }
}

const blobUrls = new Map(); // photo id -> object URL, made once per photo
/** @type {Map<string, Promise<string>>} a server photo's id -> its thumbnail's object URL */
const serverThumbs = new Map();

/** Where a photo stands, as its caption says it; `refused` when it will not count. */
function photoState(p) {
  if (p.refused) return { refused: true, text: `Không gửi được: ${p.refused}` };
  if (p.server_status === "rejected") {
    // The server's reason is "<reason code>: <message in Vietnamese>"; people read the message.
    const reason = (p.reason || "").replace(/^[a-z0-9_-]+: /, "") || "không phải ảnh hợp lệ.";
    return { refused: true, text: `Máy chủ từ chối ảnh: ${reason}` };
  }
  return { refused: false, text: p.done ? "Đã gửi" : "Chờ gửi" };
}

/** The inspection's photos on the server that this tablet did not take (a teammate's, or
 *  its own from before a logout), from the package and the pull; not those refused.
 *  @param {any[]} local the tablet's own photos of the inspection */
function teamPhotos(local) {
  const ours = new Set(local.map((p) => p.id));
  return (current.inspection.server_photos || [])
    .filter((/** @type {any} */ p) => !ours.has(p.id) && p.status !== "rejected");
}

/** A photo on the server: its thumbnail fetched with the token once (kept for the app's
 *  life), or, offline, a caption saying it is there. */
function teamFigure(p, signature) {
  const img = el("img", { alt: signature ? "Chữ ký (trên máy chủ)" : "Ảnh của nhóm (trên máy chủ)",
                          class: signature ? "signature-img" : "photo-img" });
  const url = p.urls?.thumbnail;
  if (url) {
    // One fetch per photo, however often the item is drawn (every sync draws it afresh to
    // compare); a failed one (offline) is forgotten, so a later drawing tries again.
    if (!serverThumbs.has(p.id)) {
      serverThumbs.set(p.id, api.image(url).then((blob) => URL.createObjectURL(blob))
        .catch((err) => { serverThumbs.delete(p.id); throw err; }));
    }
    serverThumbs.get(p.id).then((src) => { img.src = src; })
      .catch(() => { img.alt = "Ảnh trên máy chủ: cần có mạng để xem."; });
  }
  return el("figure", { class: "team", dataset: { photo: p.id } }, img,
    el("figcaption", { text: p.status === "ready" ? "Trên máy chủ"
      : `Trên máy chủ · ${label("photo_status", p.status)}` }),
    ...(p.flags || []).map((flag) => el("p", { class: "photo-flag", dataset: { flag },
                                               text: label("photo_flag", flag) })));
}

function thumbs(photos, theirs = [], signature = false) {
  for (const p of photos) if (!blobUrls.has(p.id)) blobUrls.set(p.id, URL.createObjectURL(p.blob));
  return el("div", { class: "thumbs" }, ...theirs.map((p) => teamFigure(p, signature)),
    ...photos.map((p) => {
    const state = photoState(p);
    return el("figure", { class: state.refused ? "refused" : null },
      el("img", { src: blobUrls.get(p.id), alt: p.kind === "signature" ? "Chữ ký" : "Ảnh",
                  class: p.kind === "signature" ? "signature-img" : "photo-img" }),
      el("figcaption", { text: state.text }),
      ...(p.flags || []).map((flag) => el("p", { class: "photo-flag", dataset: { flag },
                                                 text: label("photo_flag", flag) })));
  }));
}

function signaturePad(item, value) {
  const canvas = el("canvas", { class: "signature", width: 600, height: 200,
                                "aria-label": `Ký tên: ${item.text}` });
  const ctx = canvas.getContext("2d");
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#0b2530";
  let drawing = false;
  let drawn = false;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width),
            (e.clientY - r.top) * (canvas.height / r.height)];
  };
  canvas.addEventListener("pointerdown", (e) => {
    if (!editable()) return;
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(e));
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
    drawn = true;
  });
  const end = () => { drawing = false; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  const save = el("button", {
    type: "button", class: "primary", disabled: disabled(), text: "Lưu chữ ký",
    "aria-label": `Lưu chữ ký: ${item.text}`,
    onclick: () => {
      if (!drawn) return;
      canvas.toBlob((blob) => capture(item, "signature", blob, `chu-ky-${item.code}.png`),
        "image/png");
    },
  });
  const clear = el("button", {
    type: "button", class: "secondary", disabled: disabled(), text: "Xoá nét ký",
    "aria-label": `Xoá nét ký: ${item.text}`,
    onclick: () => { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; },
  });
  return el("div", { class: "signature-pad", dataset: { signer: item.code } },
    el("p", { class: "signer", text: `Người ký: ${item.text}` }),
    value ? el("p", { class: "hint", text: "Đã lưu chữ ký; ký lại để thay." }) : null,
    canvas, el("div", { class: "row" }, clear, save));
}

// --- submitting ------------------------------------------------------------------------------

export async function submit() {
  const msg = $("submit-message");
  const box = $("submit-errors");
  box.hidden = true;
  for (const n of document.querySelectorAll(".item.missing")) n.classList.remove("missing");
  for (const n of document.querySelectorAll(".item-error")) { /** @type {HTMLElement} */ (n).hidden = true; n.textContent = ""; }
  if (!navigator.onLine) {
    msg.textContent = "Cần có mạng để nộp. Dữ liệu đã lưu trên máy; hãy nộp khi có mạng.";
    return;
  }
  msg.textContent = "Đang đồng bộ và nộp…";
  let result;
  try {
    result = await sync.submit(current.inspection.id);
  } catch (err) {
    msg.textContent = err.status === 412
      ? "Phiên kiểm tra vừa được thay đổi trên máy chủ; hãy đồng bộ rồi nộp lại."
      : `Không nộp được: ${err.message}`;
    return;
  }
  if (result.ok) {
    msg.textContent = "Đã nộp phiên kiểm tra.";
    await refresh();
    return;
  }
  if (result.notSynced) {
    msg.textContent = "Chưa gửi hết dữ liệu (thay đổi hoặc ảnh) lên máy chủ; hãy đồng bộ rồi nộp.";
    return;
  }
  msg.textContent = "";
  showMissing(result.missing);
}

/** The server's 422: every item it names is marked in place and listed at the top. */
function showMissing(problem) {
  const errors = problem.errors || {};
  $("submit-errors-detail").textContent = problem.detail || "";
  const list = $("submit-errors-list");
  list.replaceChildren();
  for (const [code, messages] of Object.entries(errors)) {
    const item = current.items.get(code);
    const text = (Array.isArray(messages) ? messages : [String(messages)]).join(" ");
    list.append(el("li", {}, el("a", { href: `#item-${code}`, text: `Mục ${code}` }),
      item ? `: ${item.text} — ${text}` : `: ${text}`));
    const node = document.getElementById(`item-${code}`);
    if (node) {
      node.classList.add("missing");
      const err = /** @type {HTMLElement} */ (node.querySelector(".item-error"));
      err.textContent = text;
      err.hidden = false;
    }
  }
  $("submit-errors").hidden = false;
  $("submit-errors").scrollIntoView({ block: "start" });
}

export { valueText };
