// The field app's entry point: service worker, login and logout, the home screen (assignments,
// sync results, conflicts) and the sync status bar that is always visible.
//
// Settings for testing and slow links: `?chunk_kib=N` (or localStorage "kt1.chunk_kib") sets the
// tus chunk size in KiB (default 256).

import * as db from "./db.js";
import * as sync from "./sync.js";
import * as inspection from "./inspection.js";
import { ApiError, Offline, request } from "./api.js";
import { $, dateTime, day, el, megabytes, show, valueText } from "./ui.js";
import { label } from "/app/labels.js";

// --- start -----------------------------------------------------------------------------------

async function boot() {
  const params = new URLSearchParams(location.search);
  if (params.has("chunk_kib")) localStorage.setItem("kt1.chunk_kib", params.get("chunk_kib"));
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch((err) => {
      console.warn("service worker not registered:", err);
    });
  }
  wire();
  const session = await db.get("session");
  if (!session) {
    showLogin();
  } else {
    await showHome();
    if (await inspection.reopen()) await renderReview(); // a reload: back where it was
    if (navigator.onLine) runSync();
  }
  document.body.dataset.state = "ready";
}

function wire() {
  $("login-form").addEventListener("submit", (e) => { e.preventDefault(); login(); });
  $("logout").addEventListener("click", logout);
  $("sync-now").addEventListener("click", () => runSync());
  $("back").addEventListener("click", () => showHome());
  $("submit").addEventListener("click", async () => {
    await inspection.submit();
    await renderReview();
  });
  window.addEventListener("online", () => { renderBar(); runSync(); });
  window.addEventListener("offline", () => { sync.abortUpload(); renderBar(); });
  document.addEventListener("kt1-changed", () => { renderBar(); soon(); });
  sync.onChange(async (what, detail) => {
    if (what === "unauthorized") {
      showLogin("Phiên đăng nhập đã hết hạn hoặc bị thu hồi; hãy đăng nhập lại.");
      return;
    }
    if (what === "merged" && inspection.currentId() === detail.from
        && !$("inspection-view").hidden) {
      await openInspection(detail.to); // the team's inspection, with our answers merged in
      return;
    }
    await renderBar();
    if (["push", "pull", "conflicts", "sync-end", "package"].includes(what)) {
      await renderConflicts();
      if (!$("home-view").hidden) await renderHome();
      if (["pull", "conflicts", "sync-end", "package"].includes(what)) {
        await inspection.refresh();
        await renderReview();
      }
    }
  });
}

let timer = null;

/** Sync a moment after the last change, when online (changes come in bursts). */
function soon() {
  clearTimeout(timer);
  if (navigator.onLine) timer = setTimeout(() => runSync(), 1500);
}

async function runSync() {
  document.body.dataset.sync = "running";
  await renderBar();
  await sync.sync();
  document.body.dataset.sync = "idle";
  await renderBar();
}

// --- login and logout ------------------------------------------------------------------------

function showLogin(message) {
  show("login-view");
  $("who").hidden = true;
  $("syncbar").hidden = true;
  $("conflicts").hidden = true;
  const err = $("login-error");
  err.hidden = !message;
  err.textContent = message || "";
}

async function login() {
  const err = $("login-error");
  err.hidden = true;
  const username = $("username").value.trim();
  const password = $("password").value;
  const button = $("login-submit");
  button.disabled = true;
  try {
    const held = await db.get("session");
    if (held && held.user.username !== username && !(await confirmLoss(
      `Đăng nhập bằng tài khoản khác sẽ xoá dữ liệu của ${held.user.full_name} trên máy này.`))) {
      return;
    }
    const device_id = await db.deviceId();
    const { data } = await request("POST", "/auth/login", {
      auth: false,
      body: { username, password, device_id, device_name: "Máy tính bảng (ứng dụng hiện trường)" },
    });
    const previous = await db.get("session");
    if (previous && previous.user.id !== data.user.id) { // another person's data: gone
      await db.wipe();
      await db.put("device_id", device_id);
    }
    await db.put("session", { token: data.access_token, expires_at: data.expires_at,
                              user: data.user, device_id: data.device_id });
    await db.put("session_expired", false);
    $("password").value = "";
    await sync.refreshPackage();
    await showHome();
    runSync();
  } catch (e) {
    err.textContent = e instanceof Offline
      ? "Không có mạng: lần đăng nhập đầu tiên cần có mạng."
      : e instanceof ApiError && e.status === 401 ? "Sai tên đăng nhập hoặc mật khẩu."
      : e instanceof ApiError && e.status === 429
        ? "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút."
      : e instanceof ApiError && e.status === 403
        ? "Tài khoản này không dùng được ứng dụng hiện trường; hãy dùng bảng điều khiển tại /console/."
      : `Không đăng nhập được: ${e.message}`;
    err.hidden = false;
  } finally {
    button.disabled = false;
  }
}

/** Whether the user agrees to lose what this tablet has not sent or resolved (asked only when
 *  there is some: the exact counts of conflicts, changes and photos). */
async function confirmLoss(what) {
  const { mutations, photos, conflicts } = await sync.waiting();
  if (!mutations && !photos && !conflicts) return true;
  return window.confirm(`${what} Còn ${conflicts} xung đột chưa xử lý, ${mutations} thay đổi `
    + `và ${photos} ảnh chưa gửi lên máy chủ; chúng sẽ bị xoá khỏi máy và không khôi phục được. `
    + "Vẫn tiếp tục?");
}

async function logout() {
  if (!(await confirmLoss("Đăng xuất sẽ xoá dữ liệu trên máy này."))) return;
  if (navigator.onLine) {
    try { await request("POST", "/auth/logout"); } catch { /* revoked or offline: wipe anyway */ }
  }
  sync.abortUpload();
  await db.wipe();
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith("tus::") || key.startsWith("kt1.")) localStorage.removeItem(key);
  }
  if ("caches" in window) { // the shell may stay; anything else cached goes
    for (const name of await caches.keys()) {
      if (!name.startsWith("kt1-field-shell-")) await caches.delete(name);
    }
  }
  document.body.dataset.loggedOut = "true";
  showLogin();
}

// --- home ------------------------------------------------------------------------------------

async function showHome() {
  const session = await db.get("session");
  $("who").hidden = false;
  $("who-name").textContent = `${session.user.full_name} · ${label("agency", session.user.agency)}`;
  $("syncbar").hidden = false;
  show("home-view");
  delete document.body.dataset.inspection;
  await renderBar();
  await renderConflicts();
  await renderHome();
}

async function renderHome() {
  const held = await db.get("package");
  const list = $("assignment-list");
  if (!held) {
    $("package-info").textContent = "Chưa tải gói dữ liệu ngoại tuyến; hãy đồng bộ khi có mạng.";
    list.replaceChildren();
    return;
  }
  const pkg = held.data;
  $("package-info").textContent = `Gói dữ liệu tạo lúc ${dateTime(pkg.generated_at)}: `
    + `${pkg.assignments.length} phân công, ${pkg.sites.length} cơ sở, `
    + `${pkg.open_findings.length} phát hiện chưa khắc phục.`;
  const inspections = await db.all("inspections");
  const session = await db.get("session");
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" })
    .format(new Date());
  list.replaceChildren(...pkg.assignments.map((a) => {
    const site = pkg.sites.find((s) => s.id === a.site_id);
    const visits = inspections.filter((i) => i.site_id === a.site_id
      && (i.campaign_id || null) === (a.campaign_id || null))
      .sort((x, y) => (y.started_at || "").localeCompare(x.started_at || ""));
    const open = visits.find((i) => sync.OPEN.includes(i.status)) || null;
    const latest = open || visits[0] || null;
    const state = visitState(latest);
    const overdue = a.due_on < today && !["submitted", "approved"].includes(state);
    const findings = pkg.open_findings.filter((f) => f.site_id === a.site_id).length;
    const checklist = inspection.checklistFor(pkg, site);
    const names = new Map([...(a.team_members || []), ...(latest?.members || [])]
      .map((m) => [m.id, m.full_name]));
    return el("li", { class: `assignment state-${state}${overdue ? " overdue" : ""}`,
                      dataset: { site: site.id, state, overdue: String(overdue) } },
      el("div", { class: "info" },
        el("h3", { text: site.name }),
        el("div", { class: "badges" },
          el("span", { class: `badge visit visit-${state}`, text: label("visit_state", state) }),
          overdue ? el("span", { class: "badge bad overdue",
                                 text: label("visit_state", "overdue") }) : null),
        el("p", { class: "hint", text: [site.organization, site.address]
          .filter(Boolean).join(" · ") }),
        el("p", { text: `Hạn kiểm tra: ${day(a.due_on)}` + (findings
          ? ` · ${findings} phát hiện chưa khắc phục` : "") }),
        el("p", { class: "hint", text: a.team_members.map((m) =>
          `${m.full_name} (${label("agency", m.agency)})`).join(", ") }),
        latest ? el("p", { class: "visit-detail", text: visitText(latest, names, session) })
          : null,
        latest?.status === "returned" ? returnedNote(latest) : null),
      el("div", { class: "actions" },
        open && open.status !== "submitted"
          ? el("button", { type: "button", class: "primary", text: "Tiếp tục kiểm tra",
                           onclick: () => openInspection(open.id) })
          : open || latest?.status === "approved" ? null
            : el("button", { type: "button", class: "primary", text: "Bắt đầu kiểm tra",
                             disabled: checklist ? null : true,
                             onclick: (e) => begin(a, e.currentTarget) }),
        ...visits.filter((i) => i !== open || i.status === "submitted").map((i) => el("button", {
          type: "button", class: "secondary",
          text: `Xem phiên ${label("inspection_status", i.status).toLowerCase()}`,
          onclick: () => openInspection(i.id) }))));
  }));
  if (!pkg.assignments.length) {
    list.append(el("li", { class: "hint", text: "Chưa có phân công nào đang mở." }));
  }
  await renderResults();
}

/** Where the visit of an assignment stands, as a `visit_state` code. */
function visitState(i) {
  if (!i) return "not_started";
  if (i.status === "draft") return "in_progress";
  return i.status;
}

/** "In progress since…, last change by whom, when" as the home shows it. */
function visitText(i, names, session) {
  const who = (id) => (id === session?.user.id ? "bạn" : names.get(id)
    || (id === i.review?.reviewed_by ? "lãnh đạo" : "người khác"));
  const parts = [`Bắt đầu ${dateTime(i.started_at)}`];
  if (!i.on_server) parts.push("chưa gửi lên máy chủ");
  if (i.updated_at) {
    parts.push(`thay đổi gần nhất ${dateTime(i.updated_at)}`
      + (i.updated_by ? ` bởi ${who(i.updated_by)}` : ""));
  }
  return parts.join(" · ");
}

/** The supervisor's comment on a returned inspection, and the items marked (when the review
 *  names them: `review.items`, codes or {item_code, comment}). */
function returnedNote(i, { links = false } = {}) {
  const items = (i.review?.items || []).map((x) => (typeof x === "string" ? { item_code: x } : x));
  const line = (x) => {
    const code = x.item_code || x.code;
    const text = `Mục ${code}${x.comment ? `: ${x.comment}` : ""}`;
    if (!links) return el("li", { text });
    // On the inspection's screen: each marked item is a button that brings it into view.
    return el("li", {}, el("button", { type: "button", class: "link", text, onclick: () => {
      document.getElementById(`item-${code}`)?.scrollIntoView({ block: "center" });
    } }));
  };
  return el("div", { class: "returned-note" },
    el("p", { class: "comment", text: `Lãnh đạo trả lại: ${i.review?.comment || "(không có ý kiến)"}` }),
    items.length ? el("ul", { class: "returned-items" }, ...items.map(line)) : null);
}

/** "Bắt đầu kiểm tra": join the open inspection of the assignment if the server has one
 *  (another tablet of the team started it), else start one here. */
async function begin(assignment, button) {
  button.disabled = true;
  try {
    const known = await sync.openOf(assignment);
    const joined = known ? known.id : await sync.findOpen(assignment);
    if (joined) await openInspection(joined);
    else await inspection.start(assignment);
    await renderReview();
  } finally {
    button.disabled = false;
  }
}

/** Open an inspection's screen, with the supervisor's return comment above the checklist. */
async function openInspection(id) {
  await inspection.open(id);
  await renderReview();
}

async function renderReview() {
  const box = $("insp-review");
  const id = inspection.currentId();
  const i = id ? await db.one("inspections", id) : null;
  if (!i || i.status !== "returned" || $("inspection-view").hidden) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  box.replaceChildren(el("h3", { text: "Ý kiến của lãnh đạo" }), returnedNote(i, { links: true }), el("p", { class: "hint",
      text: "Sửa các mục theo ý kiến của lãnh đạo rồi nộp lại." }));
  box.hidden = false;
}

/** A function from a result or conflict ({item_code, inspection_id}) to its checklist item,
 *  reading the package and the inspections once for a whole list. */
async function itemFinder() {
  const held = await db.get("package");
  const checklists = new Map((held?.data.checklists || []).map((c) => [c.id, new Map(
    c.sections.flatMap((s) => s.items.map((i) => [i.code, i])))]));
  const checklistOf = new Map((await db.all("inspections")).map((i) => [i.id, i.checklist_id]));
  return ({ item_code: code, inspection_id: inspectionId }) => {
    if (!code) return null;
    const pinned = checklists.get(checklistOf.get(inspectionId));
    if (pinned) return pinned.get(code) || null;
    for (const items of checklists.values()) if (items.has(code)) return items.get(code);
    return null;
  };
}

function describe(entry, item) {
  if (entry.entity === "inspection") return "Phiên kiểm tra";
  if (entry.entity === "photo") return `Ảnh của mục ${entry.item_code || ""}`.trim();
  if (entry.entity === "answer") {
    return `Mục ${entry.item_code}${item ? ` (${item.text})` : ""}`;
  }
  return entry.entity;
}

async function renderResults() {
  const results = (await db.all("results")).slice(-30).reverse();
  const list = $("result-list");
  const itemOf = await itemFinder();
  const rows = [];
  for (const r of results) {
    const item = itemOf(r);
    rows.push(el("li", { class: `result ${r.outcome}`, dataset: { status: r.status } },
      el("span", { class: "status", text: sync.STATUS_VI[r.status] || r.status }),
      el("span", { text: describe(r, item) }),
      el("span", { class: "hint", text: dateTime(r.at) }),
      r.detail ? el("span", { class: "detail", text: r.detail }) : null));
  }
  list.replaceChildren(...rows);
  if (!rows.length) list.append(el("li", { class: "hint", text: "Chưa đồng bộ lần nào." }));
}

// --- conflicts -------------------------------------------------------------------------------

async function renderConflicts() {
  const conflicts = await db.all("conflicts");
  const box = $("conflicts");
  box.hidden = conflicts.length === 0 || !$("login-view").hidden;
  const list = $("conflict-list");
  const itemOf = await itemFinder();
  const rows = [];
  for (const c of conflicts) {
    const item = itemOf({ item_code: c.data?.item_code, inspection_id: c.data?.inspection_id });
    const local = c.entity === "answer" ? await db.one("answers", c.key) : null;
    const mine = local ? local.value : c.data?.value;
    const what = c.entity === "answer"
      ? `mục ${c.data.item_code}${item ? ` «${item.text}»` : ""}` : "phiên kiểm tra";
    rows.push(el("li", { class: "conflict", dataset: { key: c.key } },
      el("p", { class: "title", text: `Xung đột: ${what} đã được sửa trên thiết bị khác.` }),
      c.entity === "answer" ? el("p", {},
        el("span", { class: "server", text: `Trên máy chủ: ${valueText(item, c.server?.value)}` }),
        " · ",
        el("span", { class: "mine", text: `Trên máy này: ${valueText(item, mine)}` })) : null,
      el("div", { class: "row" },
        el("button", { type: "button", class: "secondary", text: "Giữ bản trên máy chủ",
                       onclick: () => sync.keepServer(c.key) }),
        c.entity === "answer" ? el("button", {
          type: "button", class: "primary", text: "Ghi đè bằng bản của tôi",
          onclick: async () => { await sync.takeMine(c.key); await renderBar(); },
        }) : null)));
  }
  list.replaceChildren(...rows);
}

// --- the sync status bar ---------------------------------------------------------------------

async function renderBar() {
  const online = navigator.onLine;
  const net = $("net");
  net.textContent = online ? "Trực tuyến" : "Ngoại tuyến";
  net.className = `net ${online ? "online" : "offline"}`;
  document.body.dataset.online = String(online);
  const last = await db.get("last_sync");
  $("last-sync").textContent = `Đồng bộ lần cuối: ${last ? dateTime(last) : "chưa đồng bộ"}`;
  const w = await sync.waiting();
  $("waiting").textContent = `Chờ gửi: ${w.mutations} thay đổi, ${w.photos} ảnh `
    + `(${megabytes(w.bytes)})`;
  document.body.dataset.waitingMutations = String(w.mutations);
  document.body.dataset.waitingPhotos = String(w.photos);
  const button = $("sync-now");
  button.disabled = !online || sync.isSyncing();
  button.textContent = sync.isSyncing() ? "Đang đồng bộ…" : "Đồng bộ";
}

boot().catch((err) => {
  console.error(err);
  document.body.dataset.state = "failed";
});
