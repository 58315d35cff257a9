// The inspection screen: start an inspection at an assigned site (GPS fix against the site),
// fill its checklist offline (a control per answer type, notes, photos, drawn signatures),
// and submit it, showing the server's list of what is missing in place.

import * as db from "./db.js";
import * as sync from "./sync.js";
import {
  $, YES_NO_NA, distanceM, el, isCompliant, sha256, show, valueText,
} from "./ui.js";
import { label } from "/app/labels.js";

const EDITABLE = ["draft", "returned"];
let current = null; // {inspection, checklist, site, assignment, items: Map, answers: Map}

// --- starting ------------------------------------------------------------------------------

function fix() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude,
                       accuracy_m: Math.round(p.coords.accuracy * 10) / 10 }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
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
  current = { inspection, checklist, site, assignment, items, answers };
  $("submit-errors").hidden = true;
  $("submit-message").textContent = "";
  renderHead();
  await renderSections();
  show("inspection-view");
  document.body.dataset.inspection = inspectionId;
  window.scrollTo(0, 0);
}

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
  const before = current.answers;
  current.answers = new Map((await db.answersOf(inspection.id)).map((a) => [a.item_code, a]));
  renderHead();
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
  const gps = $("insp-gps");
  gps.className = "";
  if (!inspection.location) {
    gps.textContent = "Vị trí GPS: không lấy được vị trí (không có tín hiệu hoặc chưa cho phép).";
    gps.className = "warn";
  } else {
    const d = Math.round(distanceM(inspection.location, site.location));
    const acc = Math.round(inspection.location.accuracy_m);
    gps.textContent = `Vị trí GPS: sai số ±${acc} m · cách cơ sở ${d.toLocaleString("vi-VN")} m`;
    if (d > 200 + acc) {
      gps.textContent += " (xa cơ sở: kiểm tra lại vị trí)";
      gps.className = "warn";
    }
  }
  const team = $("insp-team");
  team.replaceChildren(...(assignment?.team_members || []).map((m) => el("li", {},
    el("span", { class: "name", text: m.full_name }),
    el("span", { class: `agency agency-${m.agency}`, text: label("agency", m.agency) }))));
  $("submit").disabled = !editable();
}

async function renderSections() {
  const photos = await db.photosOf(current.inspection.id);
  const values = Object.fromEntries([...current.answers].map(([c, a]) => [c, a.value]));
  const conflicts = new Set((await db.all("conflicts")).map((c) => c.key));
  const root = $("sections");
  root.replaceChildren(...current.checklist.sections.map((s) => el("section", {
    class: "card checklist-section", dataset: { section: s.code },
  }, el("h3", { text: `${s.code}. ${s.title}` }),
  ...s.items.map((item) => renderItem(item, values, photos, conflicts)))));
}

function renderItem(item, values, photos, conflicts) {
  const answer = current.answers.get(item.code);
  const value = answer?.value ?? null;
  const mine = photos.filter((p) => p.item_code === item.code);
  const judged = isCompliant(item, value, values);
  const key = db.answerKey(current.inspection.id, item.code);
  const badges = el("div", { class: "badges" },
    item.required ? el("span", { class: "badge required", text: "Bắt buộc" }) : null,
    item.photo_required
      ? el("span", { class: "badge photo", text: "Cần ảnh khi không đạt" }) : null,
    judged === true ? el("span", { class: "badge ok", text: "Đạt" }) : null,
    judged === false ? el("span", { class: "badge bad", text: "Không đạt" }) : null,
    judged === false && item.photo_required
      && !mine.some((p) => p.kind === "evidence" && !photoState(p).refused)
      ? el("span", { class: "badge bad", text: "Cần ảnh bằng chứng" }) : null,
    conflicts.has(key) ? el("span", { class: "badge bad", text: "Xung đột" }) : null);
  const node = el("article", {
    class: `item${judged === false ? " noncompliant" : ""}`, dataset: { item: item.code },
    id: `item-${item.code}`,
  },
  el("div", { class: "item-head" }, el("span", { class: "code", text: item.code }),
    el("p", { class: "text", text: item.text })),
  badges,
  control(item, answer),
  item.answer_type !== "photo" && item.answer_type !== "signature"
    ? photoInput(item, "evidence", "Chụp ảnh bằng chứng") : null,
  thumbs(mine),
  noteField(item, answer),
  el("p", { class: "item-error", role: "alert", hidden: true }));
  return node;
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
    case "number": return el("input", {
      type: "number", inputmode: "decimal", step: "any", class: "value", "aria-label": item.text,
      value: value ?? "", disabled: disabled(),
      onchange: (e) => answerItem(item, e.target.value === "" ? null : Number(e.target.value)),
    });
    case "date": return el("input", {
      type: "date", class: "value", "aria-label": item.text, value: value ?? "",
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
  document.dispatchEvent(new CustomEvent("kt1-changed"));
}

/** After an answer to `item`: its badges, and those of items whose rule depends on it. */
async function rerenderItem(item) {
  const codes = [...current.items.values()].filter((other) => other.code === item.code
    || other.compliant_when?.gte_item === item.code).map((other) => other.code);
  await redraw([], codes);
}

/** Draw `replace` items again (unless one is being edited: then only its badges), and
 *  refresh the badges and photos of `badges` items and of every item whose badges (conflict
 *  marks) or photos (sent, refused) changed. */
async function redraw(replace, badges = []) {
  const photos = await db.photosOf(current.inspection.id);
  const values = Object.fromEntries([...current.answers].map(([c, a]) => [c, a.value]));
  const conflicts = new Set((await db.all("conflicts")).map((c) => c.key));
  for (const other of current.items.values()) {
    const old = document.getElementById(`item-${other.code}`);
    if (!old) continue;
    const fresh = renderItem(other, values, photos, conflicts);
    if (replace.includes(other.code) && !old.contains(document.activeElement)) {
      old.replaceWith(fresh);
    } else if (replace.includes(other.code) || badges.includes(other.code)
               || [".badges", ".thumbs"].some((part) => old.querySelector(part).textContent
                                                    !== fresh.querySelector(part).textContent)) {
      syncBadges(old, fresh);
    }
  }
}

function syncBadges(old, fresh) {
  old.querySelector(".badges").replaceWith(fresh.querySelector(".badges"));
  old.className = fresh.className;
  old.querySelector(".thumbs").replaceWith(fresh.querySelector(".thumbs"));
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

function thumbs(photos) {
  for (const p of photos) if (!blobUrls.has(p.id)) blobUrls.set(p.id, URL.createObjectURL(p.blob));
  return el("div", { class: "thumbs" }, ...photos.map((p) => {
    const state = photoState(p);
    return el("figure", { class: state.refused ? "refused" : null },
      el("img", { src: blobUrls.get(p.id), alt: p.kind === "signature" ? "Chữ ký" : "Ảnh",
                  class: p.kind === "signature" ? "signature-img" : "photo-img" }),
      el("figcaption", { text: state.text }));
  }));
}

function signaturePad(item, value) {
  const canvas = el("canvas", { class: "signature", width: 600, height: 200,
                                "aria-label": `Ký tên ${item.code}` });
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
    onclick: () => {
      if (!drawn) return;
      canvas.toBlob((blob) => capture(item, "signature", blob, `chu-ky-${item.code}.png`),
        "image/png");
    },
  });
  const clear = el("button", {
    type: "button", class: "secondary", disabled: disabled(), text: "Xoá nét ký",
    onclick: () => { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; },
  });
  return el("div", { class: "signature-pad" },
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
