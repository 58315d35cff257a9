// #/reports: a supervisor asks for the province's annual report or a campaign's, watches the
// job write it (progress bar), and downloads the reports listed, newest first (PDF, XLSX).

import { all, post } from "../../api.js";
import { dateTime, h, replace } from "../../dom.js";
import { actionButton, badge, download, field, followJob, outcome, pagedTable, section, select } from "../../ui.js";
import { label } from "/console/labels.js";
import { apiPath, heading, numberInput, provinceChoice, thisYear } from "./common.js";
import { signerChoice } from "../admin/signers.js";

/** @param {import("../../router.js").PageContext} ctx */
export async function render(ctx) {
  const campaigns = await all("/campaigns");
  /** @type {Map<string, string>} */
  const campaignNames = new Map(campaigns.map((c) => [c.id, c.name]));
  const province = await provinceChoice(ctx.user);

  const kind = /** @type {HTMLSelectElement} */ (select(
    [["annual", label("report_kind", "annual")], ["campaign", label("report_kind", "campaign")]],
    ctx.query.get("campaign") ? "campaign" : "annual", { name: "kind", "aria-label": "Loại báo cáo" }));
  const year = numberInput({ name: "year", min: "2000", max: "2100", value: String(thisYear()) });
  const campaign = /** @type {HTMLSelectElement} */ (select(
    campaigns.map((c) => [c.id, c.name]), ctx.query.get("campaign") || undefined, { name: "campaign_id", "aria-label": "Đợt kiểm tra" }));
  const yearField = field("Năm báo cáo", year);
  const campaignField = field("Đợt kiểm tra", campaign,
    campaigns.length ? undefined : "Tỉnh, thành phố chưa có đợt kiểm tra nào.");
  const showKind = () => {
    yearField.hidden = kind.value !== "annual";
    campaignField.hidden = kind.value !== "campaign";
  };
  kind.addEventListener("change", showKind);
  showKind();
  const signerPlace = h("div", { class: "office-signer" });
  /** @type {() => string | null} */
  let signer = () => null;
  const chooseSigner = async () => {
    const choice = await signerChoice(province.value());
    signer = choice.value;
    replace(signerPlace, choice.element);
  };
  await chooseSigner();
  province.select?.addEventListener("change", () => { chooseSigner(); });

  const said = outcome();
  const progress = h("div", { class: "office-progress", "aria-label": "Tiến độ lập báo cáo" });
  const list = reportList(campaignNames);

  const ask = actionButton("Lập báo cáo", async () => {
    /** @type {Record<string, any>} */
    const body = { kind: kind.value, province_code: province.value(), signer_id: signer() };
    if (kind.value === "annual") body.year = Number(year.value);
    else body.campaign_id = campaign.value;
    const asked = (await post("/reports", body)).data;
    said.show("Đã gửi yêu cầu; hệ thống đang tổng hợp số liệu…", "info");
    list.table.reload();
    await followJob(asked.job_id, progress);
    list.table.reload();
    return "Báo cáo đã lập xong; tải về ở danh sách bên dưới.";
  }, { where: said });

  replace(ctx.root,
    heading("Báo cáo tổng hợp", "Báo cáo năm của tỉnh, thành phố hoặc báo cáo theo đợt kiểm tra, xuất ra PDF và Excel."),
    section("Yêu cầu lập báo cáo",
      h("div", { class: "office-form-row" },
        province.element,
        field("Loại báo cáo", kind), yearField, campaignField, signerPlace),
      h("div", { class: "toolbar" }, ask), progress, said),
    section("Các báo cáo đã lập", list.filters, list.table.element));
}

/** The paged list of reports with filters. @param {Map<string, string>} campaignNames */
function reportList(campaignNames) {
  const kind = /** @type {HTMLSelectElement} */ (select(
    [["", "Tất cả"], ["annual", label("report_kind", "annual")], ["campaign", label("report_kind", "campaign")]],
    "", { name: "filter_kind", "aria-label": "Lọc theo loại" }));
  const year = numberInput({ name: "filter_year", min: "2000", max: "2100", placeholder: "Mọi năm" });
  const said = outcome();
  const table = pagedTable({
    path: "/reports",
    caption: "Các báo cáo đã lập",
    empty: "Chưa có báo cáo nào.",
    query: () => ({ kind: kind.value, year: year.value }),
    row: (r) => ({ dataset: { report: r.id, status: r.status } }),
    columns: [
      { title: "Loại", cell: (r) => label("report_kind", r.kind) },
      { title: "Số", cell: (r) => r.number || "—" },
      { title: "Kỳ báo cáo", cell: (r) => r.year ? `Năm ${r.year}` : (campaignNames.get(r.campaign_id) || "Đợt kiểm tra") },
      { title: "Yêu cầu lúc", cell: (r) => dateTime(r.created_at) },
      { title: "Trạng thái", cell: (r) => badge("report_status", r.status) },
      { title: "Tải về", cell: (r) => files(r, said) },
    ],
  });
  for (const input of [kind, year]) input.addEventListener("change", () => table.reload());
  const filters = h("div", { class: "office-form-row" }, field("Lọc theo loại", kind), field("Lọc theo năm", year), said);
  return { table, filters };
}

/** PDF and XLSX buttons of a ready report. @param {any} report @param {ReturnType<typeof outcome>} said */
function files(report, said) {
  if (!report.files?.pdf) return h("span", { class: "muted" }, report.status === "failed" ? "—" : "Chưa có");
  const stem = `bao-cao-${report.province_code}-${report.year || "dot-kiem-tra"}`;
  const period = report.year ? `năm ${report.year}` : "đợt kiểm tra";
  return h("span", { class: "office-files" }, ["pdf", "xlsx"].map((ext) =>
    actionButton(ext.toUpperCase(), async () => {
      await download(apiPath(report.files[ext]), `${stem}.${ext}`);
    }, { where: said, kind: "btn-light btn-small", attrs: { "aria-label": `Tải ${ext.toUpperCase()} báo cáo ${period}` } })));
}
