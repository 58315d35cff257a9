// Approve or return a submitted inspection, with a comment (a return needs one: it is what
// the inspector's tablet shows) and, with a return, the items the supervisor ticked in the
// answers list for the team to fix. The write carries the ETag the page was drawn from.

import * as api from "../../api.js";
import { h } from "../../dom.js";
import { actionButton, field, outcome } from "../../ui.js";

/**
 * @param {string} id @param {string | null} etag
 * @param {(message: string) => Promise<void>} done redraws the page with the outcome
 * @param {Set<string>} [marked] the item codes ticked in the answers list
 * @param {string[]} [order] every item code in the checklist's order
 */
export function decisionPanel(id, etag, done, marked = new Set(), order = []) {
  const where = outcome();
  const comment = /** @type {HTMLTextAreaElement} */ (h("textarea", { rows: "3", maxlength: "5000", id: "review-comment" }));
  const send = async (/** @type {"approve" | "return"} */ decision) => {
    const text = comment.value.trim();
    if (decision === "return" && !text) {
      comment.focus();
      throw new Error("Cần ghi nhận xét để đoàn kiểm tra biết phải bổ sung gì.");
    }
    if (decision === "approve" && marked.size) {
      throw new Error(`Đang đánh dấu ${marked.size} mục cần sửa: hãy trả lại, hoặc bỏ đánh dấu trước khi duyệt.`);
    }
    const items = order.filter((code) => marked.has(code));
    await api.post(`/inspections/${id}/review`,
      { decision, comment: text || null, ...(decision === "return" ? { items } : {}) }, { ifMatch: etag });
    await done(decision === "approve" ? "Đã duyệt phiên kiểm tra."
      : items.length ? `Đã trả lại phiên kiểm tra cho đoàn kiểm tra, đánh dấu ${items.length} mục cần sửa.`
        : "Đã trả lại phiên kiểm tra cho đoàn kiểm tra.");
  };
  return h("div", { class: "review-decision" },
    field("Nhận xét (bắt buộc khi trả lại; đoàn kiểm tra sẽ thấy trên máy tính bảng)", comment),
    h("p", { class: "muted review-small" },
      "Khi trả lại, đánh dấu “Cần sửa” ở các mục bên dưới để đoàn kiểm tra thấy mục nào phải sửa."),
    h("div", { class: "toolbar" },
      actionButton("Duyệt", () => send("approve"), { where }),
      actionButton("Trả lại", () => send("return"), { where, kind: "btn-danger" })),
    where);
}
