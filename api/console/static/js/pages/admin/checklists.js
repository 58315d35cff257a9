// #/admin/checklists: the checklist versions; #/admin/checklists/:id: one version's sections
// and items (answer type, severity, legal basis and the status of each legal reference),
// with publishing a draft and retiring a published version.

import * as api from "../../api.js";
import { dateTime, h, replace } from "../../dom.js";
import { actionButton, badge, facts, outcome, pagedTable, section } from "../../ui.js";
import { label } from "/console/labels.js";
import { selectBox } from "./forms.js";
import { orNotFound } from "../../ui.js";
import { choices } from "./users.js";

/** @param {import("../../router.js").PageContext} ctx */
export function renderChecklists(ctx) {
  ctx.root.classList.add("kt1-forms");
  const status = selectBox(choices("checklist_status", "Mọi trạng thái"), "", { "aria-label": "Lọc theo trạng thái" });
  const kind = selectBox(choices("site_kind", "Mọi loại cơ sở"), "", { "aria-label": "Lọc theo loại cơ sở" });
  const table = pagedTable({
    path: "/checklists",
    caption: "Các phiên bản bảng kiểm tra",
    empty: "Chưa có bảng kiểm tra nào.",
    query: () => ({ status: status.value, target_kind: kind.value }),
    columns: [
      { title: "Mã", cell: (c) => h("code", null, c.code) },
      { title: "Phiên bản", cell: (c) => String(c.version), class: "num" },
      { title: "Tên", cell: (c) => h("a", { href: `#/admin/checklists/${c.id}` }, c.title) },
      { title: "Áp dụng cho", cell: (c) => label("site_kind", c.target_kind) },
      { title: "Trạng thái", cell: (c) => badge("checklist_status", c.status) },
      { title: "Ban hành lúc", cell: (c) => dateTime(c.published_at) },
    ],
  });
  for (const control of [status, kind]) control.addEventListener("change", () => table.reload());
  ctx.root.append(h("h1", null, "Bảng kiểm tra"),
    section("Các phiên bản", h("div", { class: "toolbar" }, status, kind), table.element));
}

/** @param {import("../../router.js").PageContext} ctx */
export async function renderChecklist(ctx) {
  ctx.root.classList.add("kt1-forms");
  const path = `/checklists/${encodeURIComponent(ctx.params.id)}`;
  const first = await orNotFound(ctx.root, () => api.fresh(path), "Không có phiên bản bảng kiểm tra này.");
  if (!first) return;
  let { data: checklist, etag } = first;
  const head = h("div");
  const actions = h("div", { class: "toolbar" });
  const said = outcome();

  /** @param {string} action @param {unknown} [body] */
  async function act(action, body) {
    const answer = await api.request("POST", `${path}/${action}`, { body, ifMatch: etag });
    checklist = answer.data;
    etag = answer.etag;
    draw();
  }

  function draw() {
    ctx.setTitle(`${checklist.code} v${checklist.version}`);
    replace(head, h("h1", null, `${checklist.title} `, badge("checklist_status", checklist.status)),
      facts([
        ["Mã", h("code", null, checklist.code)],
        ["Phiên bản", String(checklist.version)],
        ["Áp dụng cho", label("site_kind", checklist.target_kind)],
        ["Tạo lúc", dateTime(checklist.created_at)],
        ["Ban hành lúc", dateTime(checklist.published_at)],
        ["Số mục", String(checklist.sections.reduce((n, /** @type {any} */ s) => n + s.items.length, 0))],
      ]));
    const retirePrevious = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox" }));
    replace(actions,
      checklist.status === "draft" ? [
        actionButton("Ban hành phiên bản này", async () => {
          await act("publish", { retire_previous: retirePrevious.checked });
          return "Đã ban hành: từ nay phiên bản này không thay đổi nữa.";
        }, { where: said }),
        h("label", { class: "check" }, retirePrevious, " Ngừng áp dụng các phiên bản trước cùng mã"),
      ] : null,
      checklist.status === "published" ? actionButton("Ngừng áp dụng", async () => {
        await act("retire");
        return "Đã ngừng áp dụng: cuộc kiểm tra mới không dùng phiên bản này nữa.";
      }, { where: said, kind: "btn-danger" }) : null,
      checklist.status === "retired" ? h("p", { class: "muted" }, "Phiên bản đã ngừng áp dụng; các cuộc kiểm tra đã dùng vẫn giữ nguyên.") : null);
  }
  draw();
  ctx.root.append(h("p", null, h("a", { href: "#/admin/checklists" }, "‹ Các phiên bản")),
    h("section", { class: "card", "aria-label": "Phiên bản" }, head, actions, said),
    ...checklist.sections.map(sectionTable));
}

/** One section of the checklist as a table of its items. @param {any} part */
function sectionTable(part) {
  return section(`${part.code}. ${part.title}`, h("div", { class: "table-wrap" }, h("table", { class: "table checklist-items" },
    h("caption", { class: "visually-hidden" }, `Các mục của phần ${part.code}`),
    h("thead", null, h("tr", null, ["Mã", "Nội dung", "Kiểu trả lời", "Bắt buộc", "Cần ảnh", "Mức độ", "Căn cứ pháp lý"]
      .map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", null, part.items.map((/** @type {any} */ item) => h("tr", { dataset: { item: item.code } },
      h("td", null, h("code", null, item.code)),
      h("td", { class: "item-text" }, item.text),
      h("td", null, label("answer_type", item.answer_type)),
      h("td", null, item.required ? "Có" : "Không"),
      h("td", null, item.photo_required ? "Có" : "Không"),
      h("td", null, item.severity ? badge("severity", item.severity) : "—"),
      h("td", { class: "legal" }, item.legal_refs.length ? h("ul", { class: "legal-refs", title: item.legal_basis || "" },
        item.legal_refs.map((/** @type {any} */ ref) => h("li", null,
          `${ref.instrument}${ref.article ? `, ${ref.article}` : ""} `, badge("legal_ref_status", ref.status))))
        : item.legal_basis || "—")))))));
}
