// The inspection's history from the audit log (GET /audit?entity=inspections&id=…): who, when,
// what changed, in words.

import * as api from "../../api.js";
import { h, dateTime } from "../../dom.js";
import { label } from "/console/labels.js";

/** What one entry changed, in words. @param {any} entry */
function what(entry) {
  if (entry.action === "create") return "Tạo phiên kiểm tra";
  if (entry.action !== "update") return label("audit_action", entry.action);
  const before = entry.before || {};
  const after = entry.after || {};
  const lines = [];
  if (before.status !== after.status && after.status) {
    lines.push(`Trạng thái: ${label("inspection_status", before.status)} → ${label("inspection_status", after.status)}`);
  }
  if (after.review_comment && after.review_comment !== before.review_comment) lines.push(`Nhận xét: “${after.review_comment}”`);
  const others = Object.keys(after).filter((k) => !["status", "review_comment", "version", "reviewed_by", "submitted_at"].includes(k)
    && JSON.stringify(after[k]) !== JSON.stringify(before[k]));
  if (others.length) lines.push(`Cập nhật: ${others.map((k) => label("inspection_field", k)).join(", ")}`);
  return lines.length ? lines.map((l) => h("div", null, l)) : "Cập nhật";
}

/** The history table. @param {string} id @param {Map<string, string>} names user id → name */
export async function historyPanel(id, names) {
  const entries = await api.all("/audit", { entity: "inspections", id });
  if (!entries.length) return h("p", { class: "muted" }, "Chưa có thay đổi nào được ghi.");
  return h("div", { class: "table-wrap" }, h("table", { class: "table review-history" },
    h("caption", { class: "visually-hidden" }, "Lịch sử phiên kiểm tra"),
    h("thead", null, h("tr", null, ["Thời điểm", "Người thực hiện", "Nội dung"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", null, entries.map((e) => h("tr", null,
      h("td", null, dateTime(e.at)),
      h("td", null, (e.actor_id && names.get(e.actor_id)) || (e.actor_id ? "Người dùng khác" : "Hệ thống")),
      h("td", null, what(e)))))));
}
