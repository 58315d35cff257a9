// #/police/vetting: the province's vetting queue (workers the post offices asked the police to
// vet) and the officer's record of the outcome: vetted or not, the police's document and its
// date. The same list shows the decided ones by status.

import * as api from "../../api.js";
import { date, h, replace, today } from "../../dom.js";
import { badge, field, outcome, pagedTable, section } from "../../ui.js";
import { label } from "/console/labels.js";
import { formValues, input, showFieldErrors, selectBox } from "../admin/forms.js";
import { siteNames } from "./sites.js";

/** @param {import("../../router.js").PageContext} ctx */
export function renderVetting(ctx) {
  ctx.root.classList.add("kt1-forms");
  const sites = siteNames();
  /** @type {[string, string][]} */
  const statuses = [["requested", label("vetting_status", "requested")], ["vetted", label("vetting_status", "vetted")],
    ["not_vetted", label("vetting_status", "not_vetted")]];
  const status = selectBox(statuses, ctx.query.get("status") || "requested", { "aria-label": "Lọc theo trạng thái thẩm tra" });
  const panel = h("div", { class: "vetting-panel" });
  const said = outcome();
  const table = pagedTable({
    path: "/staff",
    caption: "Người lao động theo trạng thái thẩm tra",
    empty: status.value === "requested" ? "Không có đề nghị thẩm tra nào đang chờ." : "Không có người lao động nào.",
    query: () => ({ vetting_status: status.value }),
    transform: (items) => sites.fill(items),
    row: (m) => ({ dataset: { member: m.full_name } }),
    columns: [
      { title: "Họ tên", cell: (m) => h("a", { href: `#/police/staff/${m.id}` }, m.full_name) },
      { title: "Bưu điện", cell: (m) => [m.organization, h("br"), h("small", { class: "muted" }, sites.name(m.site_id))] },
      { title: "Chức danh", cell: (m) => m.position },
      { title: "Ngày đề nghị", cell: (m) => date(m.vetting_requested_on) },
      { title: "Trạng thái", cell: (m) => badge("vetting_status", m.vetting_status) },
      { title: "Kết quả", cell: (m) => (m.vetting_reference ? `${m.vetting_reference}, ${date(m.vetting_decided_on)}` : "") },
      { title: "Thao tác", cell: (m) => (m.vetting_status === "requested" ? h("button", {
        type: "button", class: "btn btn-primary btn-small", "aria-label": `Ghi kết quả thẩm tra: ${m.full_name}`,
        onclick: () => openForm(m),
      }, "Ghi kết quả") : null) },
    ],
  });
  status.addEventListener("change", () => { replace(panel); table.reload(); });

  /** The form recording the outcome for `member`, below the list. @param {any} member */
  function openForm(member) {
    said.clear();
    const formSaid = outcome();
    const form = h("form", { class: "admin-form", novalidate: true, "aria-label": `Kết quả thẩm tra của ${member.full_name}` },
      h("h3", null, `Kết quả thẩm tra: ${member.full_name}`),
      h("p", { class: "muted" }, `${member.position}, ${member.organization} — đề nghị ngày ${date(member.vetting_requested_on)}`),
      h("fieldset", { class: "outcomes" }, h("legend", null, "Kết quả"),
        ["vetted", "not_vetted"].map((code) => h("label", { class: "check" },
          h("input", { type: "radio", name: "outcome", value: code, checked: code === "vetted" }), ` ${label("vetting_outcome", code)}`))),
      h("div", { class: "form-grid" },
        field("Số, ký hiệu văn bản", input("reference", { autocomplete: "off", required: true, placeholder: "123/ANCTNB-PC" })),
        field("Ngày văn bản", input("decided_on", { type: "date", value: today(), max: today(), required: true }))),
      h("div", { class: "toolbar" },
        h("button", { type: "submit", class: "btn btn-primary" }, "Ghi kết quả"),
        h("button", { type: "button", class: "btn btn-light", onclick: () => replace(panel) }, "Huỷ")), formSaid);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = formValues(form);
      const chosen = /** @type {HTMLInputElement | null} */ (form.querySelector("input[name=outcome]:checked"));
      try {
        const current = await api.fresh(`/staff/${member.id}`);
        await api.post(`/staff/${member.id}/vetting`, {
          outcome: chosen ? chosen.value : null, reference: values.reference, decided_on: values.decided_on,
        }, { ifMatch: current.etag });
        replace(panel);
        said.show(`Đã ghi kết quả thẩm tra của ${member.full_name}: ${label("vetting_outcome", chosen?.value)}, văn bản ${values.reference} ngày ${date(String(values.decided_on))}.`, "ok");
        table.reload(false);
      } catch (err) {
        showFieldErrors(form, err);
        formSaid.show(err instanceof api.ApiError ? err.message : String(err), "error");
      }
    });
    replace(panel, form);
    /** @type {HTMLInputElement} */ (form.querySelector("[name=reference]")).focus();
  }

  ctx.root.append(h("h1", null, "Thẩm tra nhân viên"),
    section("Đề nghị thẩm tra của bưu điện trong tỉnh", h("div", { class: "toolbar" }, status), table.element, said, panel));
}
