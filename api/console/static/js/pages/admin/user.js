// #/admin/users/:id: one user: what the admin may change (name, role, agency, province,
// organisation), locking and unlocking the account, and its devices with revocation.

import * as api from "../../api.js";
import { dateTime, h, replace } from "../../dom.js";
import { actionButton, badge, facts, field, outcome, section } from "../../ui.js";
import { label } from "/console/labels.js";
import { formValues, input, showFieldErrors, selectBox } from "./forms.js";
import { orNotFound } from "../../ui.js";
import { choices, provinceNames, provinceSelect, tieAgencyToRole } from "./users.js";

/** @param {import("../../router.js").PageContext} ctx */
export async function renderUser(ctx) {
  ctx.root.classList.add("kt1-forms");
  const path = `/users/${encodeURIComponent(ctx.params.id)}`;
  const first = await orNotFound(ctx.root, () => api.fresh(path), "Không có người dùng này trong phạm vi quản lý của bạn.");
  if (!first) return;
  const provinces = await provinceNames();
  let { data: user, etag } = first;
  const heading = h("h1");
  const summary = h("div");
  const lockPlace = h("div", { class: "toolbar" });
  const lockSaid = outcome();
  const editSaid = outcome();
  const form = h("form", { class: "admin-form", novalidate: true });

  const isSelf = () => user.id === ctx.user.id;
  /** A PATCH with the ETag last read; the page redraws with the answer. @param {Record<string, unknown>} body */
  async function change(body) {
    const answer = await api.patch(path, body, etag);
    user = answer.data;
    etag = answer.etag;
    draw();
    return user;
  }

  function draw() {
    ctx.setTitle(user.full_name || user.username);
    replace(heading, user.full_name || user.username, " ", badge("account_status", user.active ? "active" : "inactive"));
    replace(summary, facts([
      ["Tên đăng nhập", user.username],
      ["Vai trò", label("role", user.role)],
      ["Cơ quan", label("agency", user.agency)],
      ["Tỉnh, thành phố", user.province_code ? provinces.get(user.province_code) || user.province_code : "Toàn quốc"],
      ["Tổ chức", user.organization],
      ["Tạo lúc", dateTime(user.created_at)],
      ["Phiên bản", String(user.version)],
    ]));
    replace(lockPlace, isSelf()
      ? h("p", { class: "muted" }, "Đây là tài khoản của bạn: hãy nhờ một quản trị viên khác khóa hoặc đổi vai trò.")
      : user.active
        ? actionButton("Khóa tài khoản", async () => {
          await change({ active: false });
          return "Đã khóa tài khoản; mọi phiên đăng nhập của người này đã kết thúc.";
        }, { where: lockSaid, kind: "btn-danger" })
        : actionButton("Mở khóa tài khoản", async () => {
          await change({ active: true });
          return "Đã mở khóa; người này đăng nhập lại được.";
        }, { where: lockSaid }));
    replace(form,
      h("div", { class: "form-grid" },
        field("Họ và tên", input("full_name", { value: user.full_name || "", autocomplete: "off" })),
        field("Vai trò", selectBox(choices("role"), user.role, { name: "role", disabled: isSelf() })),
        field("Cơ quan", selectBox(choices("agency"), user.agency, { name: "agency" })),
        field("Tỉnh, thành phố", provinceSelect(provinces, ctx.user, user.province_code || "")),
        field("Tổ chức (nhân viên bưu điện)", input("organization", { value: user.organization || "", autocomplete: "off" }))),
      h("button", { type: "submit", class: "btn btn-primary" }, "Lưu thay đổi"), editSaid);
    tieAgencyToRole(form);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = formValues(form);
    editSaid.clear();
    try {
      const body = { full_name: values.full_name || "", agency: values.agency, province_code: values.province_code,
        organization: values.organization };
      await change(isSelf() ? body : { ...body, role: values.role });
      editSaid.show("Đã lưu thay đổi.", "ok");
    } catch (err) {
      showFieldErrors(form, err);
      editSaid.show(err instanceof api.ApiError ? err.message : String(err), "error");
    }
  });

  draw();
  ctx.root.append(
    h("p", null, h("a", { href: "#/admin/users" }, "‹ Danh sách người dùng")),
    heading,
    h("div", { class: "grid-2" },
      section("Thông tin", summary),
      section("Tài khoản", h("p", { class: "muted" },
        "Khóa tài khoản làm mọi phiên đăng nhập của người này kết thúc ngay; dữ liệu vẫn được giữ."),
      lockPlace, lockSaid)),
    section("Sửa thông tin", form),
    devices(user.id),
  );
}

/** The user's devices with the last time each was seen, and revocation. @param {string} userId */
function devices(userId) {
  const said = outcome();
  const body = h("tbody");
  const table = h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, "Thiết bị của người dùng"),
    h("thead", null, h("tr", null, ["Tên thiết bị", "Mã thiết bị", "Dùng lần đầu", "Lần cuối", "Trạng thái", "Thao tác"]
      .map((t) => h("th", { scope: "col" }, t)))),
    body);
  async function load() {
    const list = await api.get("/devices", { user_id: userId });
    replace(body, list.length ? list.map((/** @type {any} */ d) => h("tr", { dataset: { device: d.client_id } },
      h("td", null, d.name || "—"),
      h("td", null, h("code", null, d.client_id)),
      h("td", null, dateTime(d.created_at)),
      h("td", null, dateTime(d.last_seen_at)),
      h("td", null, badge("device_status", d.revoked_at ? "revoked" : "active"),
        d.revoked_at ? h("small", { class: "muted" }, ` ${dateTime(d.revoked_at)}`) : null),
      h("td", null, d.revoked_at ? null : actionButton("Thu hồi", async () => {
        await api.request("DELETE", `/devices/${encodeURIComponent(d.id)}`);
        await load();
        return `Đã thu hồi thiết bị “${d.name || d.client_id}”: mọi mã truy cập của nó hết hiệu lực.`;
      }, { where: said, kind: "btn-danger btn-small", attrs: { "aria-label": `Thu hồi thiết bị ${d.name || d.client_id}` } }))))
      : h("tr", null, h("td", { colspan: "6", class: "empty" }, "Người này chưa đăng nhập trên thiết bị nào.")));
  }
  load().catch((err) => said.show(err instanceof api.ApiError ? err.message : String(err), "error"));
  return section("Thiết bị đăng nhập", h("div", { class: "table-wrap" }, table), said);
}
