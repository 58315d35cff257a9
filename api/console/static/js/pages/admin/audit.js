// #/admin/audit: the audit chain's verification (every entry rehashed and checked against
// the signed checkpoints) and the most recent entries of the chain, newest first.

import * as api from "../../api.js";
import { dateTime, h, number, replace } from "../../dom.js";
import { actionButton, facts, outcome, pagedTable, section } from "../../ui.js";
import { label } from "/console/labels.js";
import { selectBox } from "./forms.js";
import { choices } from "./users.js";

/** @param {import("../../router.js").PageContext} ctx */
export function renderAudit(ctx) {
  ctx.root.classList.add("kt1-forms");
  const result = h("div", { class: "audit-verdict", "aria-live": "polite" });
  const said = outcome();
  async function verify() {
    replace(result, h("p", { class: "muted" }, "Đang kiểm tra toàn bộ chuỗi…"));
    const report = await api.get("/audit/verify");
    replace(result, verdict(report));
    return report.ok ? "Chuỗi nhật ký toàn vẹn." : "Chuỗi nhật ký có chỗ bị sửa hoặc xoá.";
  }
  const again = actionButton("Kiểm tra lại", verify, { where: said, kind: "btn-light" });
  verify().catch((err) => { replace(result); said.show(err instanceof api.ApiError ? err.message : String(err), "error"); });

  const entity = selectBox(choices("audit_entity", "Mọi đối tượng"), "", { "aria-label": "Lọc theo đối tượng" });
  const names = new Map();
  const table = pagedTable({
    path: "/audit",
    caption: "Các mục nhật ký gần đây",
    empty: "Nhật ký chưa có mục nào.",
    query: () => ({ newest_first: true, entity: entity.value }),
    transform: async (entries) => {
      const unknown = [...new Set(entries.map((e) => e.actor_id).filter((id) => id && !names.has(id)))];
      await Promise.all(unknown.map(async (id) => {
        const user = await api.get(`/users/${id}`).catch(() => null);
        names.set(id, user ? user.full_name || user.username : `${id.slice(0, 8)}…`);
      }));
      return entries;
    },
    columns: [
      { title: "Số", cell: (e) => String(e.id), class: "num" },
      { title: "Thời điểm", cell: (e) => dateTime(e.at) },
      { title: "Người thực hiện", cell: (e) => (e.actor_id ? names.get(e.actor_id) : "Hệ thống") },
      { title: "Thao tác", cell: (e) => label("audit_action", e.action) },
      { title: "Đối tượng", cell: (e) => label("audit_entity", e.entity) },
      { title: "Mã", cell: (e) => h("code", { class: "short", title: e.entity_id }, e.entity_id.length > 13 ? `${e.entity_id.slice(0, 8)}…` : e.entity_id) },
      { title: "Nội dung", cell: (e) => changed(e), class: "audit-change" },
    ],
  });
  entity.addEventListener("change", () => table.reload());
  ctx.root.append(h("h1", null, "Nhật ký kiểm toán"),
    section("Kiểm tra tính toàn vẹn", h("p", { class: "muted" },
      "Mỗi mục nhật ký được băm nối chuỗi với mục trước; sửa hay xoá một mục làm chuỗi bị gãy."),
    result, h("div", { class: "toolbar" }, again), said),
    section("Các mục gần đây", h("div", { class: "toolbar" }, entity), table.element));
}

/** The verification report as people read it. @param {any} report */
function verdict(report) {
  const problems = report.problems || [];
  const first = problems[0];
  return h("div", { dataset: { ok: String(report.ok) } },
    h("p", { class: `outcome ${report.ok ? "outcome-ok" : "outcome-error"}`, role: report.ok ? "status" : "alert" },
      report.ok ? "Toàn vẹn: chuỗi nhật ký không bị sửa, xoá hay viết lại."
        : `Không toàn vẹn: ${problems.length} vấn đề; mục hỏng đầu tiên là số ${first ? first.id : "?"}.`),
    facts([
      ["Số mục", number(report.entries)],
      ["Mã băm tổng hợp các chuỗi", h("code", { class: "hash" }, report.head)],
      ["Mốc ký số bên ngoài", report.anchors ? `${number(report.anchors.checkpoints)} mốc${report.anchors.latest_at ? `, gần nhất ${dateTime(report.anchors.latest_at)}` : ""}` : ""],
      ...(first ? /** @type {[string, any][]} */ ([["Mục hỏng đầu tiên", `Số ${first.id}: ${first.problem}${first.detail ? ` — ${first.detail}` : ""}`]]) : []),
    ]),
    chainTable(report.chains || []));
}

/** Each chain's own verdict: a province's writes, its reads, the national one, the legacy one.
 * @param {{chain: string, ok: boolean, entries: number}[]} chains */
function chainTable(chains) {
  return h("table", { class: "table audit-chains" },
    h("caption", null, "Từng chuỗi nhật ký"),
    h("thead", null, h("tr", null, h("th", null, "Chuỗi"), h("th", { class: "num" }, "Số mục"), h("th", null, "Kết quả"))),
    h("tbody", null, chains.map((c) => h("tr", { dataset: { chain: c.chain, ok: String(c.ok) } },
      h("td", null, chainName(c.chain)), h("td", { class: "num" }, number(c.entries)),
      h("td", null, c.ok ? "Toàn vẹn" : "Không toàn vẹn")))));
}

/** @param {string} chain */
function chainName(chain) {
  if (chain === "legacy") return label("audit_chain", "legacy");
  if (chain === "VN" || chain === "VN:read") return label("audit_chain", "national");
  const [code, reads] = chain.split(":");
  return label("audit_chain", reads ? "reads" : "writes").replace("{code}", code);
}

/** What an entry changed: its fields, with the new values when they are short. @param {any} e */
function changed(e) {
  const after = e.after || {};
  const keys = Object.keys(after);
  if (!keys.length) return "";
  return h("span", { class: "muted" }, keys.slice(0, 4).map((k) => {
    const v = after[k];
    const text = v === null ? "—" : typeof v === "object" ? "…" : String(v);
    return `${k}: ${text.length > 24 ? `${text.slice(0, 24)}…` : text}`;
  }).join("; ") + (keys.length > 4 ? `; +${keys.length - 4}` : ""));
}
