// #/police/staff/:id: one KT1 worker and their history from the audit chain: put on the
// roster, edited, vetting asked for and decided, left; who did each and when.

import * as api from "../../api.js";
import { date, dateTime, h } from "../../dom.js";
import { badge, facts, pagedTable, section } from "../../ui.js";
import { label } from "/console/labels.js";
import { orNotFound } from "../../ui.js";
import { siteNames } from "./sites.js";

/** @param {import("../../router.js").PageContext} ctx */
export async function renderHistory(ctx) {
  ctx.root.classList.add("kt1-forms");
  const path = `/staff/${encodeURIComponent(ctx.params.id)}`;
  const member = await orNotFound(ctx.root, () => api.get(path), "Không có người lao động này trong phạm vi của bạn.");
  if (!member) return;
  const sites = siteNames();
  await sites.fill([member]);
  ctx.setTitle(member.full_name);
  const back = ctx.user.roles.includes("post") ? ["#/post/staff", "‹ Nhân viên KT1"] : ["#/police/vetting", "‹ Thẩm tra nhân viên"];
  const table = pagedTable({
    path: `${path}/history`,
    caption: `Lịch sử của ${member.full_name}`,
    empty: "Chưa có thay đổi nào được ghi.",
    columns: [
      { title: "Thời điểm", cell: (s) => dateTime(s.at) },
      { title: "Người thực hiện", cell: (s) => (s.actor_name ? [s.actor_name, s.actor_agency ? h("small", { class: "muted" }, ` (${label("agency", s.actor_agency)})`) : null] : "Hệ thống") },
      { title: "Sự việc", cell: (s) => what(s) },
    ],
    row: () => ({ class: "history-step" }),
  });
  ctx.root.append(h("p", null, h("a", { href: back[0] }, back[1])),
    h("h1", null, `${member.full_name} `, badge("vetting_status", member.vetting_status)),
    section("Thông tin", facts([
      ["Doanh nghiệp", member.organization],
      ["Điểm phục vụ", sites.name(member.site_id)],
      ["Chức danh", member.position],
      ["Bắt đầu làm KT1", date(member.joined_on)],
      ["Thôi làm KT1", date(member.left_on)],
      ["Tập huấn gần nhất", date(member.trained_on)],
      ["Cam kết bảo vệ bí mật", member.secrecy_commitment ? "Đã ký" : "Chưa ký"],
      ["Đề nghị thẩm tra", date(member.vetting_requested_on)],
      ["Kết quả thẩm tra", member.vetting_reference ? `${label("vetting_status", member.vetting_status)}, văn bản ${member.vetting_reference} ngày ${date(member.vetting_decided_on)}` : ""],
    ])),
    section("Lịch sử", table.element));
}

/** What one step did, as people say it. @param {any} step */
function what(step) {
  const after = step.after || {};
  const before = step.before || {};
  if (step.action === "create") return h("span", null, h("strong", null, "Đưa vào danh sách KT1"), `: ${after.position || ""}, từ ${date(after.joined_on)}`);
  if (step.action === "delete") return h("strong", null, "Xoá khỏi danh sách");
  const status = after.vetting_status;
  if (status === "requested") return h("strong", null, `Bưu điện đề nghị thẩm tra (ngày ${date(after.vetting_requested_on)})`);
  if (status === "vetted" || status === "not_vetted") {
    return h("span", null, h("strong", null, `Công an ghi kết quả thẩm tra: ${label("vetting_outcome", status)}`),
      ` — văn bản ${after.vetting_reference || ""} ngày ${date(after.vetting_decided_on)}`);
  }
  /** @type {string[]} */
  const parts = [];
  if ("left_on" in after) parts.push(after.left_on ? `Thôi làm KT1 từ ngày ${date(after.left_on)}` : "Trở lại làm KT1");
  const edited = Object.keys(after).filter((k) => k in FIELDS && k !== "left_on");
  if (edited.length) parts.push(`Sửa ${edited.map((k) => `${label("staff_field", k)}${k === "full_name" ? ` (“${before[k] || ""}” → “${after[k]}”)` : ""}`).join(", ")}`);
  if (status === "not_requested") parts.push("trạng thái thẩm tra đặt lại “Chưa đề nghị” vì đổi họ tên");
  return h("span", null, parts.join("; ") || label("audit_action", step.action));
}

const FIELDS = { full_name: 1, position: 1, site_id: 1, joined_on: 1, trained_on: 1, secrecy_commitment: 1, left_on: 1 };
