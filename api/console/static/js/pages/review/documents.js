// The documents of an approved inspection: the violation notice (of its confirmed findings)
// and the inspection record, each issued by a background job followed live, then its number,
// its PDF and DOCX and, for the notice, its verification page. The record shown is the
// inspection's current one (after a return and a resubmission, the one that replaced the
// record issued before, which it names).

import * as api from "../../api.js";
import { h, date, replace } from "../../dom.js";
import { actionButton, badge, download, facts, followJob, openDocument, outcome } from "../../ui.js";
import { signerChoice } from "../admin/signers.js";

/** The files of a document: open the PDF, download PDF and DOCX. */
function files(kind, doc) {
  const where = outcome();
  const name = (doc.number || doc.id).replace(/[^\p{L}\p{N}-]+/gu, "-");
  const path = (/** @type {string} */ ext) => `/${kind}/${doc.id}/document.${ext}`;
  return h("div", null, h("div", { class: "toolbar" },
    actionButton("Mở PDF", async () => { await openDocument(path("pdf")); }, { where, kind: "btn-light" }),
    actionButton("Tải PDF", async () => { await download(path("pdf"), `${name}.pdf`); }, { where, kind: "btn-light" }),
    actionButton("Tải DOCX", async () => { await download(path("docx"), `${name}.docx`); }, { where, kind: "btn-light" })),
  where);
}

/** A notice's facts, its files and its links. @param {any} notice */
function noticeView(notice) {
  const verify = `${location.origin}/notices/${notice.id}/verify`;
  return h("div", { class: "review-document", dataset: { notice: notice.id } },
    facts([
      ["Số", h("strong", { class: "review-number" }, notice.number || "—")],
      ["Trạng thái", badge("notice_status", notice.status)],
      ["Ngày ban hành", date(notice.issued_on)],
      ["Hạn khắc phục", date(notice.due_on)],
      ["Kiểm chứng", h("a", { href: verify, target: "_blank", rel: "noopener" }, verify)],
    ]),
    notice.files?.pdf ? files("notices", notice) : null,
    h("p", null, h("a", { href: `#/notices/${notice.id}` }, "Theo dõi khắc phục của thông báo này →")));
}

/** A record's facts and files; a re-issued record names the one it replaces. @param {any} record */
function recordView(record) {
  /** @type {[string, any][]} */
  const shown = [
    ["Số", h("strong", { class: "review-number" }, record.number || "—")],
    ["Trạng thái", badge("document_status", record.status)],
  ];
  if (record.replaces) {
    const old = h("span", { class: "review-replaces" }, "…");
    shown.push(["Thay thế biên bản", old]);
    api.get(`/records/${record.replaces}`)
      .then((/** @type {any} */ prior) => replace(old, `Số ${prior.number || "—"}`))
      .catch(() => replace(old, "—"));
  }
  return h("div", { class: "review-document", dataset: { record: record.id } },
    facts(shown), record.files?.pdf ? files("records", record) : null);
}

/**
 * Issue a document: POST, follow the job, then read and show the document.
 * @param {string} start POST path @param {string} idKey @param {string} readPath e.g. "/notices"
 * @param {HTMLElement} where @param {(doc: any) => HTMLElement} view @param {unknown} [body]
 */
async function issue(start, idKey, readPath, where, view, body = undefined) {
  const answer = await api.post(start, body);
  const progress = h("div", { class: "review-job" });
  replace(where, progress);
  await followJob(answer.data.job_id, progress);
  const doc = await api.get(`${readPath}/${answer.data[idKey]}`);
  replace(where, view(doc));
  return doc;
}

/** The documents panel of an approved inspection. @param {any} inspection */
export async function documentsPanel(inspection) {
  const id = inspection.id;
  const noticeBox = h("div", { class: "review-notice" });
  const recordBox = h("div", { class: "review-record" });
  const noticeOut = outcome();
  const recordOut = outcome();
  // Each offer is a button; when its job fails the offer comes back (asking again retries).
  // The notice is signed by the official chosen here (the only active one preselected).
  // A refused or failed attempt offers it again with the signer chosen before.
  const offerNotice = async (/** @type {string | null} */ chosen = null) => {
    const signer = await signerChoice();
    signer.keep(chosen);
    replace(noticeBox,
      h("p", { class: "muted" }, "Chưa có thông báo vi phạm. Thông báo liệt kê các phát hiện đã xác nhận."),
      signer.element,
      actionButton("Ban hành thông báo vi phạm", async () => {
        const doc = await issue(`/inspections/${id}/notices`, "notice_id", "/notices", noticeBox, noticeView,
          { signer_id: signer.value() })
          .catch((err) => { offerNotice(signer.value()); throw err; });
        return `Đã ban hành thông báo số ${doc.number}.`;
      }, { where: noticeOut }));
  };
  const offerRecord = () => replace(recordBox,
    h("p", { class: "muted" }, "Biên bản kiểm tra ghi lại toàn bộ kết quả của phiên kiểm tra."),
    actionButton("Lập biên bản kiểm tra", async () => {
      const doc = await issue(`/inspections/${id}/record`, "record_id", "/records", recordBox, recordView)
        .catch((err) => { offerRecord(); throw err; });
      return `Biên bản số ${doc.number} đã sẵn sàng.`;
    }, { where: recordOut, kind: "btn-light" }));
  const existing = (await api.get("/notices", { inspection_id: id }).catch(() => [])) || [];
  if (existing.length) replace(noticeBox, noticeView(existing[0]));
  else await offerNotice();
  offerRecord();
  return h("div", { class: "grid-2" },
    h("div", null, h("h3", null, "Thông báo vi phạm"), noticeBox, noticeOut),
    h("div", null, h("h3", null, "Biên bản kiểm tra"), recordBox, recordOut));
}
