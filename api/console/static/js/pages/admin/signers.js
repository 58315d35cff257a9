// #/admin/signers: the officials who sign the province's notices and reports (all provinces
// for a national admin): the list, the form that adds one, editing and deactivating.

import * as api from "../../api.js";
import { h, replace } from "../../dom.js";
import { actionButton, badge, field, outcome, pagedTable, section } from "../../ui.js";
import { formValues, input, onSubmit, showFieldErrors } from "./forms.js";
import { provinceNames, provinceSelect } from "./users.js";

/** @typedef {{id: string, province_code: string, full_name: string, title: string,
 *   delegation: string | null, active: boolean, version: number}} Signer */

/** The signature block as printed: delegation, title, name. @param {Signer} s */
export function signerText(s) {
  return [s.delegation, s.title, s.full_name].filter(Boolean).join(" – ");
}

/** @param {import("../../router.js").PageContext} ctx */
export async function renderSigners(ctx) {
  ctx.root.classList.add("kt1-forms");
  const provinces = await provinceNames();
  const said = outcome();
  const editor = h("div");
  const table = pagedTable({
    path: "/signers",
    caption: "Danh sách người ký",
    empty: "Chưa có người ký nào. Hãy thêm người ký để ban hành thông báo và báo cáo.",
    row: (s) => ({ dataset: { signer: s.id } }),
    columns: [
      { title: "Họ và tên", cell: (s) => s.full_name },
      { title: "Chức vụ", cell: (s) => s.title },
      { title: "Thẩm quyền ký", cell: (s) => s.delegation || "Ký trực tiếp" },
      { title: "Tỉnh, thành phố", cell: (s) => provinces.get(s.province_code) || s.province_code },
      { title: "Trạng thái", cell: (s) => badge("signer_status", s.active ? "active" : "inactive") },
      { title: "Thao tác", cell: (s) => h("div", { class: "toolbar" },
        actionButton("Sửa", async () => { edit(s); }, { where: said, kind: "btn-light btn-small", attrs: { "aria-label": `Sửa ${s.full_name}` } }),
        actionButton(s.active ? "Ngừng ký" : "Cho ký lại", async () => {
          await change(s, { active: !s.active });
          return s.active ? `${s.full_name} không còn được chọn làm người ký.` : `${s.full_name} được chọn làm người ký trở lại.`;
        }, { where: said, kind: s.active ? "btn-danger btn-small" : "btn-light btn-small",
          attrs: { "aria-label": `${s.active ? "Ngừng ký" : "Cho ký lại"}: ${s.full_name}` } })) },
    ],
  });

  /** PATCH with the signer's version as If-Match; the list reloads. @param {Signer} s @param {Record<string, unknown>} body */
  async function change(s, body) {
    const answer = await api.patch(`/signers/${encodeURIComponent(s.id)}`, body, `"${s.version}"`);
    await table.reload();
    return answer.data;
  }

  /** The edit form of one signer, below the list. @param {Signer} s */
  function edit(s) {
    const out = outcome();
    const form = h("form", { class: "admin-form edit-signer", novalidate: true, "aria-label": `Sửa người ký ${s.full_name}` },
      h("div", { class: "form-grid" }, ...fields(s)),
      h("div", { class: "toolbar" },
        h("button", { type: "submit", class: "btn btn-primary" }, "Lưu thay đổi"),
        h("button", { type: "button", class: "btn btn-light", onclick: () => replace(editor) }, "Đóng")),
      out);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const values = formValues(form);
      try {
        await change(s, { full_name: values.full_name || "", title: values.title || "", delegation: values.delegation });
        showFieldErrors(form, null);
        replace(editor);
        said.show(`Đã lưu thông tin người ký ${values.full_name}.`, "ok");
      } catch (err) {
        showFieldErrors(form, err);
        out.show(err instanceof api.ApiError ? err.message : String(err), "error");
      }
    });
    replace(editor, section(`Sửa người ký: ${s.full_name}`, form));
    /** @type {HTMLInputElement | null} */ (form.querySelector("input[name=full_name]"))?.focus();
  }

  ctx.root.append(
    h("h1", null, "Người ký văn bản"),
    h("p", { class: "muted" }, "Người ký được chọn khi ban hành thông báo vi phạm và báo cáo; tên, chức vụ và thẩm quyền ký được in dưới chữ ký."),
    section("Danh sách người ký", table.element, said),
    editor,
    createForm(ctx.user, provinces, () => table.reload()),
  );
}

/** The name, title and delegation fields, filled from `s`. @param {Partial<Signer>} [s] */
function fields(s = {}) {
  return [
    field("Họ và tên", input("full_name", { value: s.full_name || "", autocomplete: "off", required: true })),
    field("Chức vụ", input("title", { value: s.title || "", autocomplete: "off", required: true }), "Ví dụ: Giám đốc, Phó Giám đốc"),
    field("Thẩm quyền ký", input("delegation", { value: s.delegation || "", autocomplete: "off" }),
      "Ví dụ: KT. GIÁM ĐỐC; để trống khi Giám đốc ký"),
  ];
}

/** @param {api.User} me @param {Map<string, string>} provinces @param {() => void} created */
function createForm(me, provinces, created) {
  const said = outcome();
  const form = h("form", { class: "admin-form", novalidate: true, "aria-label": "Thêm người ký" },
    h("div", { class: "form-grid" }, ...fields({ title: "Phó Giám đốc", delegation: "KT. GIÁM ĐỐC" }),
      field("Tỉnh, thành phố", provinceSelect(provinces, me))),
    h("button", { type: "submit", class: "btn btn-primary" }, "Thêm người ký"), said);
  onSubmit(form, said, async () => {
    const values = formValues(form);
    const answer = await api.post("/signers", { ...values, full_name: values.full_name || "", title: values.title || "" });
    /** @type {HTMLInputElement} */ (form.querySelector("input[name=full_name]")).value = "";
    created();
    return `Đã thêm người ký “${answer.data.full_name}”.`;
  });
  return h("details", { class: "card create-signer" },
    h("summary", null, h("h2", null, "Thêm người ký")), form);
}

/**
 * A select of the province's active signers for issuing a document (the only one chosen
 * already), named `signer_id`; `value()` is the choice or null. With none, a hint says an
 * admin must add one first. `keep(id)` chooses an earlier choice again. `provinceCode`: a
 * national admin's province.
 * @param {string | null} [provinceCode]
 * @returns {Promise<{element: HTMLElement, value: () => string | null, keep: (id: string | null) => void}>}
 */
export async function signerChoice(provinceCode = null) {
  /** @type {Signer[]} */
  const active = await api.all("/signers", { active: true, ...(provinceCode ? { province_code: provinceCode } : {}) })
    .catch(() => []);
  const select = /** @type {HTMLSelectElement} */ (h("select", { name: "signer_id", "aria-label": "Người ký" },
    active.length === 1 ? null : h("option", { value: "" }, active.length ? "— Chọn người ký —" : "— Chưa có người ký —"),
    active.map((s) => h("option", { value: s.id }, signerText(s)))));
  const element = field("Người ký", select,
    active.length ? undefined : "Quản trị viên cần thêm người ký (trang Người ký) trước khi ban hành.");
  element.classList.add("signer-choice");
  return {
    element,
    value: () => select.value || null,
    /** Keeps an earlier choice (when it is still offered). @param {string | null} id */
    keep: (id) => { if (id && [...select.options].some((o) => o.value === id)) select.value = id; },
  };
}
