// A notice as the post office addressed reads it (#/post/notices/:id): the facts, the PDF,
// its findings and, for each finding still to fix, a remediation report: a text and evidence
// photos sent by tus (progress and refusals shown in place), then PATCH /notices/{id}.

import { fresh, patch } from "../../api.js";
import { h, replace } from "../../dom.js";
import { actionButton, errorText, field, outcome, section } from "../../ui.js";
import { documents, findingCard, loadNotice, noticeFacts, numberText, timeline } from "../notices/parts.js";
import { sendEvidence } from "./upload.js";

/** @param {import("../../router.js").PageContext} ctx @param {string} [said] what was just done */
export async function renderPostNotice(ctx, said) {
  const notice = await loadNotice(ctx.root, ctx.params.id);
  if (!notice) return;
  ctx.setTitle(`Thông báo ${notice.number || ""}`.trim());
  const reload = (/** @type {string} */ text) => { replace(ctx.root); return renderPostNotice(ctx, text); };
  const done = outcome();
  if (said) done.show(said, "ok");
  ctx.root.append(
    h("p", null, h("a", { href: "#/post/notices" }, "← Thông báo gửi đơn vị")),
    h("h1", null, `Thông báo vi phạm ${numberText(notice)}`),
    done,
    h("div", { class: "grid-2" },
      section("Thông tin", noticeFacts(notice), h("h3", null, "Văn bản"), documents(notice, { docx: false })),
      await timeline(notice.id)),
    section("Phát hiện cần khắc phục", notice.findings.map((f) => findingCard(f, stateOf(notice, f, reload)))));
}

/**
 * What the post office can do about a finding now.
 * @param {import("../notices/parts.js").Notice} notice @param {import("../notices/parts.js").Finding} f
 * @param {(said: string) => Promise<void>} reload
 */
function stateOf(notice, f, reload) {
  if (f.status === "remediated") return h("p", { class: "muted" }, "Đã gửi báo cáo khắc phục; chờ đoàn kiểm tra xác minh.");
  if (f.status === "verified") return h("p", { class: "muted" }, "Đoàn kiểm tra đã xác minh khắc phục.");
  if (f.status !== "confirmed" || notice.status !== "issued") return null;
  return reportForm(notice, f, reload);
}

/**
 * The report of one finding's remediation: its text, its photos (each sent and processed
 * before the report is recorded), the notice's ETag read just before as If-Match.
 * @param {import("../notices/parts.js").Notice} notice @param {import("../notices/parts.js").Finding} f
 * @param {(said: string) => Promise<void>} reload
 */
function reportForm(notice, f, reload) {
  const where = outcome();
  const text = /** @type {HTMLTextAreaElement} */ (h("textarea", { rows: "3", maxlength: "10000" }));
  const files = /** @type {HTMLInputElement} */ (h("input", { type: "file", accept: "image/jpeg,image/png", multiple: true }));
  const progress = h("ul", { class: "uploads", "aria-label": `Ảnh đang gửi cho ${f.item_code}` });
  const send = async () => {
    const report = text.value.trim();
    if (!report) {
      text.focus();
      throw new Error("Hãy ghi nội dung đã khắc phục.");
    }
    replace(progress);
    const photoIds = [];
    for (const file of Array.from(files.files || [])) photoIds.push(await sendOne(file, notice, f, progress));
    const { etag } = await fresh(`/notices/${notice.id}`);
    await patch(`/notices/${notice.id}`, {
      action: "report_remediation", report, finding_ids: [f.id], photo_ids: photoIds,
    }, etag);
    await reload(`Đã gửi báo cáo khắc phục ${f.item_code}.`);
  };
  return h("form", { class: "report-form", onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
    field(`Nội dung khắc phục ${f.item_code}`, text),
    field(`Ảnh bằng chứng ${f.item_code}`, files, "Ảnh JPEG hoặc PNG; có thể chọn nhiều ảnh."),
    progress,
    h("div", { class: "toolbar" }, actionButton(`Gửi báo cáo khắc phục ${f.item_code}`, send, { where })),
    where);
}

/**
 * Sends one photo with its own progress line; the line tells its refusal, which also stops
 * the report (rethrown).
 * @param {File} file @param {import("../notices/parts.js").Notice} notice
 * @param {import("../notices/parts.js").Finding} f @param {HTMLElement} list
 */
async function sendOne(file, notice, f, list) {
  const bar = /** @type {HTMLProgressElement} */ (h("progress", { max: "100", value: "0", "aria-label": `Tiến độ gửi ${file.name}` }));
  const state = h("span", { class: "upload-state", "aria-live": "polite" }, "Đang gửi…");
  const line = h("li", { class: "upload", dataset: { state: "sending" } }, h("span", null, file.name), bar, state);
  list.append(line);
  try {
    const id = await sendEvidence(file, {
      inspectionId: notice.inspection_id, itemCode: f.item_code,
      onProgress: (sent, total) => {
        bar.value = total ? Math.round((100 * sent) / total) : 0;
        state.textContent = `Đang gửi ${bar.value}%`;
      },
      onProcessing: () => { bar.value = 100; state.textContent = "Đã gửi; đang xử lý ảnh…"; },
    });
    line.dataset.state = "ready";
    state.textContent = "Ảnh đã sẵn sàng.";
    return id;
  } catch (err) {
    line.dataset.state = "error";
    line.classList.add("upload-error");
    state.textContent = `Không gửi được: ${errorText(err)}`;
    throw err;
  }
}
