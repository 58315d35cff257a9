// Approve or return a submitted inspection, with a comment (a return needs one: it is what
// the inspector's tablet shows). The write carries the ETag the page was drawn from.

import * as api from "../../api.js";
import { h } from "../../dom.js";
import { actionButton, field, outcome } from "../../ui.js";

/**
 * @param {string} id @param {string | null} etag
 * @param {(message: string) => Promise<void>} done redraws the page with the outcome
 */
export function decisionPanel(id, etag, done) {
  const where = outcome();
  const comment = /** @type {HTMLTextAreaElement} */ (h("textarea", { rows: "3", maxlength: "5000", id: "review-comment" }));
  const send = async (/** @type {"approve" | "return"} */ decision) => {
    const text = comment.value.trim();
    if (decision === "return" && !text) {
      comment.focus();
      throw new Error("Cần ghi nhận xét để đoàn kiểm tra biết phải bổ sung gì.");
    }
    await api.post(`/inspections/${id}/review`, { decision, comment: text || null }, { ifMatch: etag });
    await done(decision === "approve" ? "Đã duyệt phiên kiểm tra." : "Đã trả lại phiên kiểm tra cho đoàn kiểm tra.");
  };
  return h("div", { class: "review-decision" },
    field("Nhận xét (bắt buộc khi trả lại; đoàn kiểm tra sẽ thấy trên máy tính bảng)", comment),
    h("div", { class: "toolbar" },
      actionButton("Duyệt", () => send("approve"), { where }),
      actionButton("Trả lại", () => send("return"), { where, kind: "btn-danger" })),
    where);
}
