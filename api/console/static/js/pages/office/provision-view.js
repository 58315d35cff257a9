// What both sides of an annual KT1 provision report show: its content read-only, its review,
// and its rendered PDF (waiting for the rendering job when it is still running).

import { date, dateTime, h, number, replace } from "../../dom.js";
import { actionButton, badge, download, facts, followJob, section } from "../../ui.js";
import { label } from "/console/labels.js";
import { apiPath } from "./common.js";

export const FIGURES = ["total_volume", "local_volume", "staff_involved", "revenue_vnd"];
export const ASPECTS = ["service", "quality", "connection", "security", "archiving"];

/** "Việc chấp hành quy định về cung cấp dịch vụ". @param {string} aspect */
export const aspectTitle = (aspect) => `Chấp hành quy định về ${label("compliance_aspect", aspect)}`;

/** The report's content as the Sở reads it. @param {any} r */
export function contentView(r) {
  return h("div", { class: "office-provision-content" },
    section("Số liệu", facts(FIGURES.map((f) => [label("provision_field", f),
      r[f] === null || r[f] === undefined ? null : number(r[f])]))),
    section(label("provision_field", "compliance"), facts(ASPECTS.map((a) => [aspectTitle(a), r.compliance?.[a]]))),
    section(label("provision_field", "incidents"), incidentsView(r.incidents)),
    section("Khó khăn và đề xuất", facts([
      [label("provision_field", "difficulties"), r.difficulties],
      [label("provision_field", "proposals"), r.proposals]])));
}

/** @param {any[] | null} incidents */
function incidentsView(incidents) {
  if (incidents === null || incidents === undefined) return h("p", { class: "muted" }, "Chưa nêu.");
  if (!incidents.length) return h("p", null, "Không có sự cố, vi phạm nào trong năm.");
  return h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, "Sự cố, vi phạm"),
    h("thead", null, h("tr", null, ["Ngày", "Nội dung", "Cách xử lý"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", null, incidents.map((i) => h("tr", null, h("td", null, date(i.occurred_on)),
      h("td", null, i.description), h("td", null, i.handling)))));
}

/** Status, dates and the Sở's comment. @param {any} r */
export function standingView(r) {
  return facts([
    ["Đơn vị", r.organization],
    ["Năm báo cáo", String(r.year)],
    ["Trạng thái", badge("provision_status", r.status)],
    ["Hạn gửi", date(r.due_on)],
    ["Gửi lần đầu", r.first_submitted_on ? date(r.first_submitted_on) : null],
    ["Gửi lần gần nhất", r.submitted_at ? dateTime(r.submitted_at) : null],
    ["Quá hạn", r.overdue ? `${number(r.days_overdue)} ngày` : "Không"],
    ["Ý kiến của Sở", r.review_comment],
  ]);
}

/**
 * The PDF download of a sent report; while its rendering job runs, a progress bar, then the
 * button. @param {any} r @param {ReturnType<typeof import("../../ui.js").outcome>} said
 * @param {() => Promise<any>} reread the report again (its files once rendered)
 */
export function documentArea(r, said, reread) {
  const area = h("div", { class: "office-document" });
  const button = (/** @type {any} */ report) => actionButton("Tải báo cáo (PDF)", async () => {
    await download(apiPath(report.files.pdf), `bao-cao-kt1-${report.year}.pdf`);
    return "Đã tải báo cáo PDF.";
  }, { where: said, kind: "btn-light" });
  if (r.files?.pdf) replace(area, button(r));
  else if (r.job_id && ["submitted", "accepted", "returned"].includes(r.status)) {
    followJob(r.job_id, area).then(async () => {
      const again = await reread();
      replace(area, again.files?.pdf ? button(again) : h("span", { class: "muted" }, "Chưa có văn bản."));
    }).catch((err) => replace(area, h("span", { class: "outcome outcome-error" }, String(err.message || err))));
  } else replace(area, h("span", { class: "muted" }, "Văn bản PDF có sau khi báo cáo được gửi."));
  return area;
}
