// The review queue (#/review): the province's inspections by status (submitted, returned,
// approved), filtered by commune and campaign, sorted by submission or by findings, paged by
// the server. The filters live in the address (replaceState) so a reload or "back" keeps them.

import * as api from "../../api.js";
import { h, dateTime, number } from "../../dom.js";
import { href } from "../../router.js";
import { field, pagedTable, select } from "../../ui.js";
import { label } from "/console/labels.js";
import { locationCheck, teamList } from "./team.js";

const TABS = /** @type {const} */ (["submitted", "returned", "approved"]);
const SORTS = /** @type {[string, string][]} */ ([
  ["submitted_at", "Nộp sớm nhất trước"], ["-submitted_at", "Nộp mới nhất trước"],
  ["-non_compliant", "Nhiều mục không đạt nhất trước"], ["non_compliant", "Ít mục không đạt nhất trước"],
]);

/** @param {import("../../router.js").PageContext} ctx */
export async function renderQueue(ctx) {
  const state = {
    status: TABS.includes(/** @type {any} */ (ctx.query.get("status"))) ? ctx.query.get("status") : "submitted",
    commune_code: ctx.query.get("commune") || "",
    campaign_id: ctx.query.get("campaign") || "",
    sort: SORTS.some(([v]) => v === ctx.query.get("sort")) ? ctx.query.get("sort") : "submitted_at",
  };
  const province = ctx.user.province_code;
  // A national admin has no province: the commune filter would list the whole country.
  const [communes, campaigns] = await Promise.all([
    province ? api.all("/communes", { province_code: province }).catch(() => []) : [],
    api.all("/campaigns").catch(() => []),
  ]);

  const table = pagedTable({
    path: "/inspections",
    caption: "Các phiên kiểm tra",
    empty: "Không có phiên kiểm tra nào khớp bộ lọc.",
    query: () => ({ status: state.status, commune_code: state.commune_code, campaign_id: state.campaign_id, sort: state.sort }),
    row: (item) => ({ dataset: { id: item.id } }),
    columns: [
      { title: "Địa điểm", cell: (i) => [h("a", { href: `#/inspections/${i.id}` }, i.site?.name || "—"),
        h("div", { class: "muted review-small" }, i.site?.organization || "")] },
      { title: "Xã/phường", cell: (i) => i.site?.commune_name || i.commune_code || "—" },
      { title: "Đoàn kiểm tra", cell: (i) => teamList(i.members) },
      { title: "Nộp lúc", cell: (i) => dateTime(i.submitted_at) || "—" },
      { title: "Kiểm tra vị trí", cell: (i) => locationCheck(i.location_check) },
      { title: "Ảnh nghi vấn", class: "num", cell: (i) => i.photo_flags
        ? h("span", { class: "badge badge-flag", title: (i.flags || []).map((f) => label("photo_flag", f)).join("; ") }, number(i.photo_flags))
        : "0" },
      { title: "Mục không đạt", class: "num", cell: (i) => h("strong", { class: i.non_compliant ? "review-bad" : "" }, number(i.non_compliant)) },
    ],
  });

  const remember = () => history.replaceState(null, "", href("/review", {
    status: state.status === "submitted" ? "" : state.status, commune: state.commune_code,
    campaign: state.campaign_id, sort: state.sort === "submitted_at" ? "" : state.sort,
  }));
  const apply = () => { remember(); table.reload(); };

  const tabs = h("div", { class: "review-tabs", role: "group", "aria-label": "Trạng thái" },
    TABS.map((code) => h("button", {
      type: "button", class: "btn btn-light review-tab", "aria-pressed": String(code === state.status),
      dataset: { status: code },
      onclick: (/** @type {Event} */ e) => {
        state.status = code;
        for (const b of tabs.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === e.currentTarget));
        apply();
      },
    }, label("inspection_status", code))));

  const communeSelect = select([["", "Tất cả xã/phường"], ...communes.map((c) => /** @type {[string, string]} */ ([c.code, c.name]))],
    state.commune_code, { onchange: (/** @type {Event} */ e) => { state.commune_code = /** @type {HTMLSelectElement} */ (e.target).value; apply(); } });
  const campaignSelect = select([["", "Tất cả đợt kiểm tra"], ...campaigns.map((c) => /** @type {[string, string]} */ ([c.id, c.name]))],
    state.campaign_id, { onchange: (/** @type {Event} */ e) => { state.campaign_id = /** @type {HTMLSelectElement} */ (e.target).value; apply(); } });
  const sortSelect = select(SORTS, state.sort,
    { onchange: (/** @type {Event} */ e) => { state.sort = /** @type {HTMLSelectElement} */ (e.target).value; apply(); } });

  ctx.root.append(
    h("h1", null, "Duyệt kết quả kiểm tra"),
    h("section", { class: "card", "aria-label": "Hàng đợi duyệt" },
      h("div", { class: "toolbar review-filters" }, tabs,
        communes.length ? field("Xã/phường", communeSelect) : null, field("Đợt kiểm tra", campaignSelect),
        field("Sắp xếp", sortSelect)),
      table.element));
}
