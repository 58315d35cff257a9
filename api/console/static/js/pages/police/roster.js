// #/post/staff: the post office's KT1 staff roster: its workers with their vetting status,
// adding one, editing one, recording who left, and asking the police to vet a worker.

import * as api from "../../api.js";
import { date, h, replace, today } from "../../dom.js";
import { actionButton, badge, field, outcome, pagedTable, section } from "../../ui.js";
import { formValues, input, showFieldErrors, selectBox } from "../admin/forms.js";
import { siteNames } from "./sites.js";

const REQUESTABLE = ["not_requested", "not_vetted"];

/** @param {import("../../router.js").PageContext} ctx */
export async function renderRoster(ctx) {
  ctx.root.classList.add("kt1-forms");
  const providers = (await api.all("/sites", { kind: "kt1_provider" }));
  /** @type {[string, string][]} */
  const siteOptions = providers.map((s) => [s.id, s.name]);
  const sites = siteNames();
  const said = outcome();
  const panel = h("div", { class: "roster-panel" });
  const withLeft = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox" }));
  const table = pagedTable({
    path: "/staff",
    caption: "Nhân viên KT1 của đơn vị",
    empty: "Chưa có nhân viên KT1 nào trong danh sách.",
    query: () => ({ include_left: withLeft.checked }),
    transform: (items) => sites.fill(items),
    row: (m) => ({ dataset: { member: m.full_name } }),
    columns: [
      { title: "Họ tên", cell: (m) => h("a", { href: `#/police/staff/${m.id}` }, m.full_name) },
      { title: "Chức danh", cell: (m) => m.position },
      { title: "Điểm phục vụ", cell: (m) => sites.name(m.site_id) },
      { title: "Từ ngày", cell: (m) => date(m.joined_on) },
      { title: "Thôi làm từ", cell: (m) => date(m.left_on) },
      { title: "Thẩm tra", cell: (m) => badge("vetting_status", m.vetting_status) },
      { title: "Thao tác", cell: (m) => h("div", { class: "row-actions" },
        h("button", { type: "button", class: "btn btn-light btn-small", "aria-label": `Sửa: ${m.full_name}`, onclick: () => edit(m) }, "Sửa"),
        REQUESTABLE.includes(m.vetting_status) && !m.left_on ? actionButton("Đề nghị thẩm tra", async () => {
          const current = await api.fresh(`/staff/${m.id}`);
          await api.post(`/staff/${m.id}/vetting-request`, {}, { ifMatch: current.etag });
          await table.reload(false);
          return `Đã đề nghị Công an thẩm tra ${m.full_name}.`;
        }, { where: said, kind: "btn-primary btn-small", attrs: { "aria-label": `Đề nghị thẩm tra: ${m.full_name}` } }) : null) },
    ],
  });
  withLeft.addEventListener("change", () => table.reload());

  /** The worker form (new when `member` is null), with its submit. @param {any} member */
  function workerForm(member) {
    const formSaid = outcome();
    const form = h("form", { class: "admin-form", novalidate: true, "aria-label": member ? `Sửa thông tin ${member.full_name}` : "Thêm nhân viên KT1" },
      h("h3", null, member ? `Sửa thông tin: ${member.full_name}` : "Thêm nhân viên KT1"),
      h("div", { class: "form-grid" },
        field("Họ và tên", input("full_name", { value: member?.full_name || "", autocomplete: "off", required: true })),
        field("Chức danh", input("position", { value: member?.position || "", autocomplete: "off", required: true })),
        field("Điểm phục vụ", selectBox(siteOptions, member?.site_id || siteOptions[0]?.[0], { name: "site_id" })),
        field("Bắt đầu làm KT1", input("joined_on", { type: "date", value: member?.joined_on || today(), required: true })),
        field("Tập huấn gần nhất", input("trained_on", { type: "date", value: member?.trained_on || "", max: today() })),
        member ? field("Thôi làm KT1 từ ngày", input("left_on", { type: "date", value: member.left_on || "", max: today() }), "Để trống nếu vẫn làm") : null),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "secrecy_commitment", checked: !!member?.secrecy_commitment }), " Đã ký cam kết bảo vệ bí mật nhà nước"),
      h("div", { class: "toolbar" },
        h("button", { type: "submit", class: "btn btn-primary" }, member ? "Lưu thay đổi" : "Thêm vào danh sách"),
        h("button", { type: "button", class: "btn btn-light", onclick: () => replace(panel) }, "Huỷ")),
      formSaid);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = formValues(form);
      try {
        if (member) {
          const current = await api.fresh(`/staff/${member.id}`);
          if (current.data.version !== member.version) throw new api.ApiError(412, { title: "Dữ liệu đã thay đổi" });
          const answer = await api.patch(`/staff/${member.id}`, values, current.etag);
          const warnings = (answer.data.warnings || []).map((/** @type {any} */ w) => w.detail);
          said.show([`Đã lưu thông tin của ${answer.data.full_name}.`, ...warnings].join(" "), warnings.length ? "info" : "ok");
        } else {
          const answer = await api.post("/staff", values);
          said.show(`Đã thêm ${answer.data.full_name} vào danh sách nhân viên KT1.`, "ok");
        }
        replace(panel);
        await table.reload(!member);
      } catch (err) {
        showFieldErrors(form, err);
        formSaid.show(err instanceof api.ApiError ? err.message : String(err), "error");
      }
    });
    return form;
  }

  /** @param {any} member */
  function edit(member) {
    said.clear();
    replace(panel, workerForm(member));
    /** @type {HTMLInputElement} */ (panel.querySelector("[name=full_name]")).focus();
  }

  ctx.root.append(h("h1", null, "Nhân viên KT1"),
    section("Danh sách nhân viên trực tiếp làm KT1",
      h("div", { class: "toolbar" },
        h("button", { type: "button", class: "btn btn-primary", onclick: () => { said.clear(); replace(panel, workerForm(null)); } }, "Thêm nhân viên"),
        h("label", { class: "check" }, withLeft, " Cả người đã thôi làm")),
      table.element, said, panel));
}
