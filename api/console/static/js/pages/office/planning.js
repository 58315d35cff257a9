// #/planning: the province's sites in risk order with the reasons in words, and a campaign
// opened from the top N sites of its checklist's kind with one joint team (Sở KH&CN + Công an).

import { all, get, post } from "../../api.js";
import { date, h, number, replace, today } from "../../dom.js";
import { actionButton, field, outcome, section, select } from "../../ui.js";
import { label } from "/console/labels.js";
import { heading, numberInput, provinceChoice } from "./common.js";

const LIMITS = [["20", "20 địa điểm"], ["50", "50 địa điểm"], ["100", "100 địa điểm"]];

/** @param {import("../../router.js").PageContext} ctx */
export async function render(ctx) {
  const [checklists, users, province] = await Promise.all([
    all("/checklists"), all("/users"), provinceChoice(ctx.user),
  ]);
  const published = checklists.filter((c) => c.status === "published");
  const checklist = /** @type {HTMLSelectElement} */ (select(
    published.map((c) => [c.id, `${c.title} (phiên bản ${c.version}) — ${label("site_kind", c.target_kind)}`]),
    published.find((c) => c.target_kind === "kt1_provider")?.id, { name: "checklist_id", "aria-label": "Bộ câu hỏi kiểm tra" }));
  const limit = /** @type {HTMLSelectElement} */ (select(/** @type {[string, string][]} */ (LIMITS), "20", { name: "limit", "aria-label": "Hiển thị" }));
  const top = numberInput({ name: "top", min: "1", max: "200", value: "5" });
  const listArea = h("div", { class: "office-risk", "aria-live": "polite" });
  const kindOf = () => published.find((c) => c.id === checklist.value)?.target_kind;

  async function loadRisk() {
    listArea.setAttribute("aria-busy", "true");
    try {
      const risk = await get("/planning/risk", { province_code: province.value(), kind: kindOf(), limit: limit.value });
      replace(listArea, riskTable(risk, Number(top.value) || 0));
    } catch (err) {
      const said = outcome();
      said.show(String(/** @type {any} */ (err).message || err), "error");
      replace(listArea, said);
    } finally {
      listArea.setAttribute("aria-busy", "false");
    }
  }
  for (const input of [checklist, limit, top, province.select]) input?.addEventListener("change", loadRisk);

  replace(ctx.root,
    heading("Lập kế hoạch kiểm tra", "Địa điểm xếp theo mức độ rủi ro (điểm cao trước) với lý do của từng điểm số; mở đợt kiểm tra từ các địa điểm đứng đầu danh sách."),
    h("div", { class: "office-planning" },
      section("Danh sách rủi ro", h("div", { class: "office-form-row" }, province.element, field("Hiển thị", limit)), listArea),
      campaignForm(province.value, checklist, top, users, loadRisk)));
  await loadRisk();
}

/** The ranked sites; the first `top` (with a score above zero) are marked as chosen. */
function riskTable(/** @type {any} */ risk, /** @type {number} */ top) {
  /** @type {Map<string, string>} */
  const communes = new Map(risk.communes.map((/** @type {any} */ c) => [c.code, c.name]));
  let chosen = 0;
  const rows = risk.sites.map((/** @type {any} */ s) => {
    const picked = s.score > 0 && chosen < top;
    if (picked) chosen += 1;
    return h("tr", { class: picked ? "office-picked" : null, dataset: { site: s.site_id, score: String(s.score) } },
      h("td", { class: "num" }, String(s.rank), picked ? h("span", { class: "badge badge-office-picked" }, "Sẽ giao") : null),
      h("td", null, h("strong", null, s.name), h("br"), h("small", { class: "muted" },
        [communes.get(s.commune_code) || s.commune_code, s.last_inspected_on ? `kiểm tra gần nhất ${date(s.last_inspected_on)}` : "chưa kiểm tra lần nào"]
          .filter(Boolean).join(" · "))),
      h("td", { class: "num" }, h("span", { class: "office-score" }, String(s.score))),
      h("td", null, s.reasons.length ? h("ul", { class: "office-reasons" }, s.reasons.map((/** @type {any} */ r) =>
        h("li", null, `${r.text} `, h("span", { class: "muted" }, `(+${r.points})`)))) : h("span", { class: "muted" }, "Không có yếu tố rủi ro")));
  });
  return h("div", null,
    h("p", { class: "muted" }, `Tính đến ${date(risk.as_of)} · ${number(risk.total_sites)} địa điểm · báo cáo năm xét: ${risk.report_year}`),
    h("div", { class: "table-wrap" }, h("table", { class: "table office-risk-table" },
      h("caption", { class: "visually-hidden" }, "Địa điểm theo mức độ rủi ro"),
      h("thead", null, h("tr", null, ["Hạng", "Địa điểm", "Điểm", "Lý do"].map((t) =>
        h("th", { scope: "col" }, t)))),
      h("tbody", null, rows.length ? rows : h("tr", null, h("td", { colspan: "4", class: "empty" }, "Không có địa điểm nào."))))));
}

/** The form opening a campaign from the top of the list. */
function campaignForm(/** @type {() => string | undefined} */ province, /** @type {HTMLSelectElement} */ checklist,
  /** @type {HTMLInputElement} */ top, /** @type {any[]} */ users, /** @type {() => Promise<void>} */ reload) {
  const year = today().slice(0, 4);
  const name = /** @type {HTMLInputElement} */ (h("input", { name: "name", required: true, maxlength: "300",
    value: `Kiểm tra theo mức độ rủi ro năm ${year}` }));
  const starts = /** @type {HTMLInputElement} */ (h("input", { type: "date", name: "starts_on", value: today() }));
  const ends = /** @type {HTMLInputElement} */ (h("input", { type: "date", name: "ends_on", value: `${year}-12-31` }));
  const due = /** @type {HTMLInputElement} */ (h("input", { type: "date", name: "due_on" }));
  const team = teamPicker(users);
  const said = outcome();
  const result = h("div", { class: "office-result" });
  const open = actionButton("Mở đợt kiểm tra", async () => {
    replace(result);
    const members = team.chosen();
    if (!members.some((u) => u.agency === "skhcn") || !members.some((u) => u.agency === "police")) {
      throw new Error("Đoàn kiểm tra liên ngành cần ít nhất một thành viên Sở KH&CN và một thành viên Công an.");
    }
    /** @type {Record<string, any>} */
    const body = { name: name.value.trim(), starts_on: starts.value, ends_on: ends.value,
      checklist_id: checklist.value, top: Number(top.value), team: members.map((u) => u.id) };
    const code = province();
    if (code) body.province_code = code;
    if (due.value) body.due_on = due.value;
    const plan = (await post("/planning/campaigns", body)).data;
    replace(result, h("p", null, "Xem và lập báo cáo của đợt: ",
      h("a", { href: `#/reports?campaign=${plan.campaign.id}` }, plan.campaign.name)));
    await reload();
    return `Đã mở đợt kiểm tra “${plan.campaign.name}” và giao ${plan.assignments.length} địa điểm cho đoàn ${members.length} người.`;
  }, { where: said });
  return h("section", { class: "card office-plan-form", "aria-label": "Mở đợt kiểm tra từ danh sách rủi ro" },
    h("h2", null, "Mở đợt kiểm tra"),
    field("Tên đợt kiểm tra", name), field("Bộ câu hỏi kiểm tra", checklist),
    field("Số địa điểm đứng đầu", top, "Chỉ giao các địa điểm có điểm rủi ro trên 0 (tô màu trong danh sách)."),
    h("div", { class: "office-dates" }, field("Ngày bắt đầu", starts), field("Ngày kết thúc", ends)),
    field("Hạn hoàn thành", due, "Mặc định: ngày kết thúc đợt."),
    team.element, h("div", { class: "toolbar" }, open), said, result);
}

/** Checkboxes of the province's users who may join a joint team, by agency. @param {any[]} users */
function teamPicker(users) {
  const eligible = users.filter((u) => u.roles.some((/** @type {string} */ r) => ["inspector", "supervisor", "police"].includes(r)));
  /** @type {Map<HTMLInputElement, any>} */
  const boxes = new Map();
  const group = (/** @type {string} */ agency) => h("fieldset", { class: "office-team-group" },
    h("legend", null, label("agency", agency)),
    eligible.filter((u) => u.agency === agency).map((u) => {
      const box = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox", name: "team", value: u.id }));
      boxes.set(box, u);
      return h("label", { class: "office-check" }, box, ` ${u.full_name || u.username}`,
        h("small", { class: "muted" }, ` · ${u.roles.map((/** @type {string} */ r) => label("role", r)).join(", ")}`));
    }));
  return {
    element: h("div", { class: "office-team", role: "group", "aria-label": "Đoàn kiểm tra liên ngành" },
      h("p", { class: "field-label" }, "Đoàn kiểm tra liên ngành: ít nhất một thành viên Sở KH&CN và một thành viên Công an"),
      group("skhcn"), group("police")),
    chosen: () => [...boxes].filter(([box]) => box.checked).map(([, u]) => u),
  };
}
