// #/provision and #/provision/:id: the Sở's side of the post offices' annual KT1 reports: the
// status of every provider for a year, and one report to read, accept or return with a
// comment (If-Match), and download as PDF.

import { fresh, request } from "../../api.js";
import { date, h, number, replace } from "../../dom.js";
import { actionButton, badge, field, outcome, pagedTable, section, select } from "../../ui.js";
import { heading, provinceChoice, showNotFound, thisYear, yearOptions } from "./common.js";
import { contentView, documentArea, standingView } from "./provision-view.js";

/** @param {import("../../router.js").PageContext} ctx */
export async function renderStatus(ctx) {
  const province = await provinceChoice(ctx.user);
  const chosen = ctx.query.get("year") || String(thisYear());
  const year = /** @type {HTMLSelectElement} */ (select(yearOptions(), chosen, { name: "year", "aria-label": "Năm báo cáo" }));
  const table = pagedTable({
    path: "/provision-reports/status",
    caption: "Tình trạng báo cáo năm của các đơn vị cung cấp KT1",
    empty: "Tỉnh, thành phố chưa có đơn vị cung cấp dịch vụ KT1 nào.",
    query: () => ({ year: year.value, province_code: ctx.user.province_code ? undefined : province.value() }),
    row: (s) => ({ dataset: { organization: s.organization, status: s.status || "none" } }),
    columns: [
      { title: "Đơn vị cung cấp", cell: (s) => s.organization },
      { title: "Trạng thái", cell: (s) => badge("provision_status", s.status || "none") },
      { title: "Hạn gửi", cell: (s) => date(s.due_on) },
      { title: "Gửi lần đầu", cell: (s) => s.first_submitted_on ? date(s.first_submitted_on) : "—" },
      { title: "Đúng hạn", cell: (s) => s.on_time === null ? "—" : (s.on_time ? "Đúng hạn" : "Muộn") },
      { title: "Quá hạn", cell: (s) => s.overdue ? h("strong", { class: "office-overdue" }, `${number(s.days_overdue)} ngày`) : "—" },
      { title: "", cell: (s) => s.report_id
        ? h("a", { class: "btn btn-light btn-small", href: `#/provision/${s.report_id}`, "aria-label": `Xem báo cáo của ${s.organization}` }, "Xem báo cáo")
        : h("span", { class: "muted" }, "Chưa lập") },
    ],
  });
  for (const input of [year, province.select]) input?.addEventListener("change", () => table.reload());
  replace(ctx.root,
    heading("Báo cáo cung cấp dịch vụ KT1", "Báo cáo năm của các bưu điện về cung cấp dịch vụ bưu chính KT1 (hạn gửi ngày 10 tháng 12)."),
    section("Tình trạng theo đơn vị", h("div", { class: "office-form-row" }, province.element, field("Năm báo cáo", year)), table.element));
}

/** @param {import("../../router.js").PageContext} ctx */
export async function renderReport(ctx) {
  const path = `/provision-reports/${encodeURIComponent(ctx.params.id)}`;
  let current;
  try {
    current = await fresh(path);
  } catch (err) {
    if (showNotFound(ctx.root, err, "báo cáo năm", "#/provision")) return;
    throw err;
  }
  draw(ctx, path, current.data, current.etag);
}

/** @param {import("../../router.js").PageContext} ctx @param {string} path @param {any} r @param {string | null} etag */
function draw(ctx, path, r, etag) {
  ctx.setTitle(`Báo cáo năm ${r.year} — ${r.organization}`);
  const said = outcome();
  const reread = async () => (await fresh(path)).data;
  replace(ctx.root,
    h("p", { class: "office-back" }, h("a", { href: `#/provision?year=${r.year}` }, "‹ Tình trạng các đơn vị")),
    heading(`Báo cáo năm ${r.year} về cung cấp dịch vụ KT1`, r.organization),
    h("div", { class: "grid-2 office-provision-top" },
      section("Tình trạng", standingView(r), documentArea(r, said, reread)),
      r.status === "submitted" ? reviewForm(ctx, path, r, etag, said) : section("Xử lý", said,
        h("p", { class: "muted" }, r.status === "accepted" ? "Sở đã tiếp nhận báo cáo này."
          : r.status === "returned" ? "Đã trả lại; chờ bưu điện sửa và gửi lại." : "Bưu điện chưa gửi báo cáo này."))),
    contentView(r));
  return said;
}

/** Accept, or return with a required comment; both with If-Match. */
function reviewForm(/** @type {import("../../router.js").PageContext} */ ctx, /** @type {string} */ path,
  /** @type {any} */ r, /** @type {string | null} */ etag, /** @type {ReturnType<typeof outcome>} */ said) {
  const comment = /** @type {HTMLTextAreaElement} */ (h("textarea", { name: "comment", rows: "4", maxlength: "5000" }));
  const decide = (/** @type {"accept" | "return"} */ decision) => async () => {
    const text = comment.value.trim();
    if (decision === "return" && !text) {
      comment.focus();
      throw new Error("Trả lại báo cáo cần ghi rõ lý do.");
    }
    const answer = await request("POST", `${path}/${decision}`, { body: { comment: text || null }, ifMatch: etag });
    draw(ctx, path, answer.data, answer.etag)
      .show(decision === "accept" ? "Đã tiếp nhận báo cáo." : "Đã trả lại báo cáo cho bưu điện kèm ý kiến.", "ok");
  };
  return section("Tiếp nhận hoặc trả lại",
    field("Ý kiến của Sở", comment, "Bắt buộc khi trả lại báo cáo."),
    h("div", { class: "toolbar" },
      actionButton("Tiếp nhận báo cáo", decide("accept"), { where: said }),
      actionButton("Trả lại báo cáo", decide("return"), { where: said, kind: "btn-danger" })),
    said);
}
