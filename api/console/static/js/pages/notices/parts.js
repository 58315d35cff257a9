// Pieces of a violation notice shared by the office's pages (notices/) and the post office's
// (post/): its facts, its documents, a finding, the timeline of its follow-up, the overdue
// mark and the "not found" page of a notice outside the reader's scope.

import { get } from "../../api.js";
import { h, date, dateTime } from "../../dom.js";
import { apiImage, actionButton, badge, download, facts, openDocument, orNotFound, outcome, section } from "../../ui.js";
import { label } from "/console/labels.js";

/**
 * @typedef {{id: string, item_code: string, severity: string, status: string,
 *   status_comment: string | null, description: string, legal_basis: string, version: number}} Finding
 * @typedef {{id: string, inspection_id: string, number: string | null, status: string,
 *   issued_on: string | null, due_on: string | null, overdue?: boolean, days_overdue?: number,
 *   last_reminded_on?: string | null, version: number, findings: Finding[],
 *   files: {pdf: string | null, docx: string | null},
 *   site?: {id: string, name: string, organization: string | null, address: string | null},
 *   remediation: {report: string, photo_ids: string[], reported_at: string} | null,
 *   review: {decision: string, comment: string | null, reviewed_at: string} | null}} Notice
 * @typedef {{at: string, kind: string, actor: {id: string, full_name: string, role: string} | null,
 *   item_codes: string[], text: string | null, photo_ids: string[], days_overdue: number | null}} NoticeEvent
 */

/** "Quá hạn 5 ngày" (marked) or "Trong hạn". @param {Notice} n */
export function overdueMark(n) {
  if (n.overdue) return h("span", { class: "overdue" }, `Quá hạn ${n.days_overdue} ngày`);
  if (n.status === "closed") return h("span", { class: "muted" }, "—");
  return h("span", { class: "muted" }, "Trong hạn");
}

/** The site a notice is addressed to, as one line. @param {Notice} n */
export function siteText(n) {
  if (!n.site) return "";
  return n.site.organization && n.site.organization !== n.site.name
    ? `${n.site.name} (${n.site.organization})` : n.site.name;
}

/** The notice's number, or its status while it has none. @param {Notice} n */
export function numberText(n) {
  return n.number ? `Số ${n.number}` : label("notice_status", n.status);
}

/** "2 phát hiện · 1 chờ xác minh". @param {Notice} n */
export function findingsSummary(n) {
  const waiting = n.findings.filter((f) => f.status === "remediated").length;
  const verified = n.findings.filter((f) => f.status === "verified").length;
  return [`${n.findings.length} phát hiện`, waiting ? `${waiting} chờ xác minh` : "",
    verified ? `${verified} đã xác minh` : ""].filter(Boolean).join(" · ");
}

/** The notice's facts. @param {Notice} n */
export function noticeFacts(n) {
  return facts([
    ["Số thông báo", n.number],
    ["Cơ sở", siteText(n)],
    ["Địa chỉ", n.site?.address],
    ["Trạng thái", badge("notice_status", n.status)],
    ["Ngày ban hành", date(n.issued_on)],
    ["Hạn khắc phục", date(n.due_on)],
    ["Tình trạng hạn", overdueMark(n)],
    ["Nhắc gần nhất", date(n.last_reminded_on)],
  ]);
}

/** Open / download the PDF (and the DOCX for the office), and the verification link. */
export function documents(/** @type {Notice} */ n, { docx = true } = {}) {
  const where = outcome();
  if (!n.files.pdf) return h("p", { class: "muted" }, "Văn bản chưa sẵn sàng.");
  const name = (n.number || n.id).replace(/\//g, "-");
  return h("div", { class: "notice-documents" },
    h("div", { class: "toolbar" },
      actionButton("Mở PDF", async () => { await openDocument(`/notices/${n.id}/document.pdf`); },
        { where, kind: "btn-light" }),
      actionButton("Tải PDF", async () => {
        await download(`/notices/${n.id}/document.pdf`, `${name}.pdf`);
        return "Đã tải PDF.";
      }, { where, kind: "btn-light" }),
      docx ? actionButton("Tải DOCX", async () => {
        await download(`/notices/${n.id}/document.docx`, `${name}.docx`);
        return "Đã tải DOCX.";
      }, { where, kind: "btn-light" }) : null,
      h("a", { href: `/notices/${n.id}/verify`, target: "_blank", rel: "noopener", class: "btn btn-light" },
        "Trang xác thực văn bản")),
    where);
}

/** A finding: code, severity, status, what was found and its legal basis; `extra` below. */
export function findingCard(/** @type {Finding} */ f, ...extra) {
  return h("article", { class: "finding-card", dataset: { code: f.item_code, status: f.status },
    "aria-label": `Phát hiện ${f.item_code}` },
  h("header", null, h("strong", null, f.item_code), " ", badge("severity", f.severity), " ",
    badge("finding_status", f.status)),
  h("p", null, f.description),
  f.legal_basis ? h("p", { class: "muted" }, `Căn cứ: ${f.legal_basis}`) : null,
  f.status_comment ? h("p", { class: "status-comment" }, `Ghi chú gần nhất: ${f.status_comment}`) : null,
  ...extra);
}

const ROLE_PREFIX = /** @type {Record<string, string>} */ ({ post: "Bưu điện" });

/** One event of the timeline. @param {NoticeEvent} e */
function eventItem(e) {
  const who = e.actor ? `${e.actor.full_name} (${ROLE_PREFIX[e.actor.role] || label("role", e.actor.role)})` : "";
  return h("li", { class: `event event-${e.kind}`, dataset: { kind: e.kind } },
    h("div", { class: "event-head" },
      h("time", { datetime: e.at }, dateTime(e.at)), " ",
      h("strong", null, label("notice_event", e.kind)),
      e.item_codes.length ? h("span", { class: "event-items" }, ` · ${e.item_codes.join(", ")}`) : null),
    who ? h("div", { class: "muted" }, who) : null,
    e.days_overdue ? h("div", null, `Quá hạn ${e.days_overdue} ngày`) : null,
    e.text ? h("blockquote", { class: "event-text" }, e.text) : null,
    e.photo_ids.length ? h("div", { class: "event-photos" }, e.photo_ids.map((id, i) =>
      apiImage(`/photos/${id}/thumbnail`, `Ảnh khắc phục ${i + 1}`, { width: "120", height: "90" }))) : null);
}

/** The notice's follow-up, oldest first (GET /notices/{id}/timeline). @param {string} id */
export async function timeline(id) {
  const data = await get(`/notices/${id}/timeline`);
  /** @type {NoticeEvent[]} */
  const events = data.events;
  return section("Diễn biến",
    events.length ? h("ol", { class: "timeline" }, events.map(eventItem))
      : h("p", { class: "muted" }, "Chưa có diễn biến."));
}

/** Reads a notice; null (and the page says "Không tìm thấy") for one outside the scope. */
export async function loadNotice(/** @type {HTMLElement} */ root, /** @type {string} */ id) {
  return /** @type {Promise<Notice | null>} */ (orNotFound(root,
    () => get(`/notices/${encodeURIComponent(id)}`),
    "Không tìm thấy thông báo này, hoặc nó không thuộc phạm vi của bạn."));
}
