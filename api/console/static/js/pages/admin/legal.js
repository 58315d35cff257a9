// #/admin/legal: the register of legal references the checklists cite. The admin filters it,
// verifies a reference (or marks it superseded by another, repealed, in force from/to), and
// adds one. A notice is refused while one of its findings cites a reference that does not hold.

import * as api from "../../api.js";
import { h } from "../../dom.js";
import { badge, field, outcome, pagedTable, section } from "../../ui.js";
import { formValues, input, onSubmit, selectBox } from "./forms.js";
import { choices } from "./users.js";

/** dd/mm/yyyy of an ISO date, "" for none. @param {string | null | undefined} iso */
function dmy(iso) {
  return iso ? iso.split("-").reverse().join("/") : "";
}

/** "01/7/2026 – 30/6/2027", "từ 01/7/2026", "" @param {any} ref */
function period(ref) {
  if (ref.valid_from && ref.valid_to) return `${dmy(ref.valid_from)} – ${dmy(ref.valid_to)}`;
  if (ref.valid_from) return `từ ${dmy(ref.valid_from)}`;
  if (ref.valid_to) return `đến ${dmy(ref.valid_to)}`;
  return "";
}

/** @param {import("../../router.js").PageContext} ctx */
export async function renderLegal(ctx) {
  ctx.root.classList.add("kt1-forms");
  /** @type {Map<string, any>} */
  const register = new Map((await api.all("/legal-references")).map((r) => [r.id, r]));
  const status = selectBox(choices("legal_status", "Mọi trạng thái"), "", { "aria-label": "Lọc theo trạng thái" });
  const search = /** @type {HTMLInputElement} */ (h("input", { type: "search", placeholder: "Tìm văn bản, điều khoản", "aria-label": "Tìm căn cứ" }));
  const editor = h("div", { class: "legal-editor" });
  const table = pagedTable({
    path: "/legal-references",
    caption: "Danh mục căn cứ pháp lý",
    empty: "Không có căn cứ nào.",
    query: () => ({ status: status.value, q: search.value.trim() }),
    row: (r) => ({ dataset: { label: r.label } }),
    columns: [
      { title: "Căn cứ", cell: (r) => h("span", null, r.label, r.note ? h("small", { class: "muted legal-note" }, r.note) : "") },
      { title: "Cơ quan ban hành", cell: (r) => r.issuing_body },
      { title: "Hiệu lực", cell: (r) => period(r) },
      { title: "Trạng thái", cell: (r) => badge("legal_status", r.status) },
      { title: "Thay thế bởi", cell: (r) => (r.superseded_by_id ? register.get(r.superseded_by_id)?.label || "" : "") },
      { title: "", cell: (r) => h("button", { type: "button", class: "btn btn-light", onclick: () => edit(r.id) }, "Sửa") },
    ],
  });
  let typing = 0;
  search.addEventListener("input", () => { clearTimeout(typing); typing = window.setTimeout(() => table.reload(), 250); });
  status.addEventListener("change", () => table.reload());

  /** Opens the form of one reference, read afresh (its ETag is the version to change). @param {string} id */
  async function edit(id) {
    const answer = await api.request("GET", `/legal-references/${id}`);
    editor.replaceChildren(editForm(answer.data, answer.etag || "", register, async (changed) => {
      register.set(changed.id, changed);
      table.reload();
    }));
    editor.scrollIntoView({ block: "nearest" });
  }

  ctx.root.append(
    h("h1", null, "Căn cứ pháp lý"),
    h("p", { class: "muted" }, "Thông báo vi phạm chỉ được ban hành khi mọi căn cứ pháp lý mà các phát hiện viện dẫn đã được xác minh và còn hiệu lực vào ngày vi phạm."),
    section("Danh mục căn cứ pháp lý", h("div", { class: "toolbar" }, status, search), table.element),
    editor,
    createForm(register, () => table.reload()),
  );
}

/** [id, label] of every reference but `except`. @param {Map<string, any>} register @param {string} except */
function successorChoices(register, except) {
  /** @type {[string, string][]} */
  const options = [...register.values()].filter((r) => r.id !== except)
    .map((r) => /** @type {[string, string]} */ ([r.id, r.label]));
  options.sort((a, b) => a[1].localeCompare(b[1], "vi"));
  /** @type {[string, string][]} */
  const none = [["", "Không"]];
  return [...none, ...options];
}

/** The changeable fields of a reference, with its values. @param {any} ref @param {Map<string, any>} register */
function changeFields(ref, register) {
  return [
    field("Trạng thái", selectBox(choices("legal_status"), ref.status || "unverified", { name: "status" })),
    field("Có hiệu lực từ", input("valid_from", { type: "date", value: ref.valid_from || "" })),
    field("Hết hiệu lực sau ngày", input("valid_to", { type: "date", value: ref.valid_to || "" })),
    field("Được thay thế bởi", selectBox(successorChoices(register, ref.id), ref.superseded_by_id || "", { name: "superseded_by_id" }),
      "Bắt buộc khi trạng thái là “Đã được thay thế”"),
    field("Cơ quan ban hành", input("issuing_body", { value: ref.issuing_body || "" })),
    field("Ghi chú", input("note", { value: ref.note || "" })),
  ];
}

/** @param {Record<string, string | boolean | null>} values */
function changes(values) {
  return { ...values, issuing_body: values.issuing_body || "", note: values.note || "" };
}

/** @param {any} ref @param {string} etag @param {Map<string, any>} register @param {(r: any) => Promise<void>} changed */
function editForm(ref, etag, register, changed) {
  const said = outcome();
  const verified = ref.verified_at ? `Xác minh lúc ${new Date(ref.verified_at).toLocaleString("vi-VN")}` : "Chưa có người xác minh";
  const form = h("form", { class: "admin-form", novalidate: true, "aria-label": `Sửa ${ref.label}` },
    h("h2", null, ref.label), h("p", { class: "muted" }, verified),
    h("div", { class: "form-grid" }, ...changeFields(ref, register)),
    h("button", { type: "submit", class: "btn btn-primary" }, "Lưu căn cứ"), said);
  let version = etag;
  onSubmit(form, said, async () => {
    const answer = await api.patch(`/legal-references/${ref.id}`, changes(formValues(form)), version);
    version = answer.etag || version;
    await changed(answer.data);
    return "Đã lưu căn cứ pháp lý.";
  });
  return h("div", { class: "card" }, form);
}

/** @param {Map<string, any>} register @param {() => void} created */
function createForm(register, created) {
  const said = outcome();
  const form = h("form", { class: "admin-form", novalidate: true },
    h("div", { class: "form-grid" },
      field("Văn bản", input("instrument", { required: true, autocomplete: "off" }), "Ví dụ: Nghị định 174/2026/NĐ-CP"),
      field("Điều, khoản", input("article", { autocomplete: "off" }), "Để trống nếu viện dẫn cả văn bản"),
      ...changeFields({ status: "unverified" }, register)),
    h("button", { type: "submit", class: "btn btn-primary" }, "Thêm căn cứ"), said);
  onSubmit(form, said, async () => {
    const answer = await api.post("/legal-references", changes(formValues(form)));
    register.set(answer.data.id, answer.data);
    form.querySelectorAll("input").forEach((el) => { /** @type {HTMLInputElement} */ (el).value = ""; });
    created();
    return "Đã thêm căn cứ pháp lý.";
  });
  return h("details", { class: "card" }, h("summary", null, h("h2", null, "Thêm căn cứ pháp lý")), form);
}
