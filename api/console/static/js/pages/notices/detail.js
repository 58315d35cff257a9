// A notice as the office reads it (#/notices/:id): facts, documents, findings with the verdict
// on each reported remediation (verify, or reject with a required comment), and its timeline.

import { fresh, hasRole, patch } from "../../api.js";
import { h, replace } from "../../dom.js";
import { actionButton, field, outcome, section } from "../../ui.js";
import { documents, findingCard, loadNotice, noticeFacts, numberText, timeline } from "./parts.js";

const REVIEWERS = ["supervisor", "inspector", "police"];

/** @param {import("../../router.js").PageContext} ctx @param {string} [said] what was just done */
export async function renderNotice(ctx, said) {
  const notice = await loadNotice(ctx.root, ctx.params.id);
  if (!notice) return;
  ctx.setTitle(`Thông báo ${notice.number || ""}`.trim());
  const reload = (/** @type {string} */ text) => { replace(ctx.root); return renderNotice(ctx, text); };
  const done = outcome();
  if (said) done.show(said, "ok");
  const reviewer = hasRole(REVIEWERS, ctx.user);
  ctx.root.append(
    h("p", null, h("a", { href: "#/notices" }, "← Danh sách thông báo")),
    h("h1", null, `Thông báo vi phạm ${numberText(notice)}`),
    done,
    h("div", { class: "grid-2" },
      section("Thông tin", noticeFacts(notice), h("h3", null, "Văn bản"), documents(notice)),
      await timeline(notice.id)),
    section("Phát hiện", notice.findings.map((f) => findingCard(f,
      reviewer && f.status === "remediated" ? verdictForm(notice.id, f, reload) : null))));
}

/**
 * Verify the finding's remediation, or reject it with a comment (PATCH /notices/{id} with
 * this finding only; the notice's ETag read just before as If-Match).
 * @param {string} noticeId @param {import("./parts.js").Finding} f
 * @param {(said: string) => Promise<void>} reload
 */
function verdictForm(noticeId, f, reload) {
  const where = outcome();
  const comment = /** @type {HTMLTextAreaElement} */ (h("textarea", { rows: "2", maxlength: "5000" }));
  const act = (/** @type {string} */ action) => async () => {
    const text = comment.value.trim();
    if (action === "reject_remediation" && !text) {
      comment.focus();
      throw new Error("Hãy ghi lý do không chấp nhận khắc phục.");
    }
    const { etag } = await fresh(`/notices/${noticeId}`);
    await patch(`/notices/${noticeId}`, { action, finding_ids: [f.id], comment: text || null }, etag);
    await reload(action === "verify" ? `Đã xác minh khắc phục ${f.item_code}.`
      : `Đã không chấp nhận khắc phục ${f.item_code}.`);
  };
  return h("div", { class: "verdict" },
    field(`Nhận xét về khắc phục ${f.item_code} (bắt buộc khi không chấp nhận)`, comment),
    h("div", { class: "toolbar" },
      actionButton(`Xác minh đã khắc phục ${f.item_code}`, act("verify"), { where }),
      actionButton(`Không chấp nhận ${f.item_code}`, act("reject_remediation"), { where, kind: "btn-danger" })),
    where);
}
