// #/admin/users: the users of the admin's province (all of them for a national admin), with
// filters, and the form that creates one.

import * as api from "../../api.js";
import { h } from "../../dom.js";
import { badge, field, outcome, pagedTable, section } from "../../ui.js";
import { LABELS, label } from "/console/labels.js";
import { formValues, input, onSubmit, selectBox } from "./forms.js";

/**
 * [code, text] pairs of a label kind, with a first "all" option when `all` is given.
 * @param {string} kind @returns {[string, string][]}
 */
export function choices(kind, all = "") {
  /** @type {[string, string][]} */
  const pairs = Object.entries(/** @type {Record<string, Record<string, string>>} */ (LABELS)[kind]);
  return all ? [["", all], ...pairs] : pairs;
}

/** code → name of the 34 provinces. @returns {Promise<Map<string, string>>} */
export async function provinceNames() {
  const list = await api.get("/provinces");
  return new Map((Array.isArray(list) ? list : []).map((p) => [p.code, p.name]));
}

/** The agency a role goes with (police and post have their own). @param {string} role */
export function agencyOf(role, current = "skhcn") {
  if (role === "police" || role === "post") return role;
  return current === "police" || current === "post" ? "skhcn" : current;
}

/** Keeps the agency select in step with the role select. @param {HTMLElement} form */
export function tieAgencyToRole(form) {
  const role = /** @type {HTMLSelectElement} */ (form.querySelector("[name=role]"));
  const agency = /** @type {HTMLSelectElement} */ (form.querySelector("[name=agency]"));
  role.addEventListener("change", () => { agency.value = agencyOf(role.value, agency.value); });
}

/** @param {Map<string, string>} provinces @param {api.User} me */
export function provinceSelect(provinces, me, selected = me.province_code || "") {
  /** @type {[string, string][]} */
  const options = [...provinces].map(([code, name]) => [code, `${name} (${code})`]);
  if (me.province_code) return selectBox(options.filter(([c]) => c === me.province_code), selected, { name: "province_code" });
  return selectBox([["", "Toàn quốc (chỉ quản trị viên)"], ...options], selected || "", { name: "province_code" });
}

/** @param {import("../../router.js").PageContext} ctx */
export async function renderUsers(ctx) {
  ctx.root.classList.add("kt1-forms");
  const provinces = await provinceNames();
  const role = selectBox(choices("role", "Mọi vai trò"), "", { "aria-label": "Lọc theo vai trò" });
  const agency = selectBox(choices("agency", "Mọi cơ quan"), "", { "aria-label": "Lọc theo cơ quan" });
  const inactive = /** @type {HTMLInputElement} */ (h("input", { type: "checkbox" }));
  const table = pagedTable({
    path: "/users",
    caption: "Danh sách người dùng",
    empty: "Không có người dùng nào.",
    query: () => ({ role: role.value, agency: agency.value, include_inactive: inactive.checked }),
    row: (u) => ({ dataset: { username: u.username } }),
    columns: [
      { title: "Tên đăng nhập", cell: (u) => h("a", { href: `#/admin/users/${u.id}` }, u.username) },
      { title: "Họ tên", cell: (u) => u.full_name },
      { title: "Vai trò", cell: (u) => label("role", u.role) },
      { title: "Cơ quan", cell: (u) => label("agency", u.agency) },
      { title: "Tỉnh, thành phố", cell: (u) => (u.province_code ? provinces.get(u.province_code) || u.province_code : "Toàn quốc") },
      { title: "Tổ chức", cell: (u) => u.organization || "" },
      { title: "Trạng thái", cell: (u) => badge("account_status", u.active ? "active" : "inactive") },
    ],
  });
  for (const control of [role, agency, inactive]) control.addEventListener("change", () => table.reload());
  ctx.root.append(
    h("h1", null, "Người dùng"),
    section("Danh sách người dùng",
      h("div", { class: "toolbar" }, role, agency,
        h("label", { class: "check" }, inactive, " Cả tài khoản đã khóa")),
      table.element),
    createForm(ctx.user, provinces, () => table.reload()),
  );
}

/** @param {api.User} me @param {Map<string, string>} provinces @param {() => void} created */
function createForm(me, provinces, created) {
  const said = outcome();
  const form = h("form", { class: "admin-form", novalidate: true },
    h("div", { class: "form-grid" },
      field("Tên đăng nhập", input("username", { autocomplete: "off", required: true }), "Chữ thường không dấu, số, “.”, “_”, “-”"),
      field("Họ và tên", input("full_name", { autocomplete: "off" })),
      field("Mật khẩu", input("password", { type: "password", autocomplete: "new-password", required: true }), "Ít nhất 8 ký tự"),
      field("Vai trò", selectBox(choices("role"), "inspector", { name: "role" })),
      field("Cơ quan", selectBox(choices("agency"), "skhcn", { name: "agency" })),
      field("Tỉnh, thành phố", provinceSelect(provinces, me)),
      field("Tổ chức (nhân viên bưu điện)", input("organization", { autocomplete: "off" }),
        "Doanh nghiệp có điểm cung cấp dịch vụ KT1 trong tỉnh")),
    h("button", { type: "submit", class: "btn btn-primary" }, "Tạo người dùng"), said);
  tieAgencyToRole(form);
  onSubmit(form, said, async () => {
    const values = formValues(form);
    const answer = await api.post("/users", { ...values, full_name: values.full_name || "" });
    form.querySelectorAll("input").forEach((el) => { /** @type {HTMLInputElement} */ (el).value = ""; });
    created();
    return `Đã tạo người dùng “${answer.data.username}”.`;
  });
  return h("details", { class: "card create-user" },
    h("summary", null, h("h2", null, "Thêm người dùng")), form);
}
