// #/conflicts and #/conflicts/:id: writes kept from stale tablets. The list (unresolved or
// resolved), and one conflict with the tablet's data beside the server's record (the item's
// text, the values, who and when), kept or taken over with the outcome shown in place.

import { all, get, post } from "../../api.js";
import { dateTime, h, replace } from "../../dom.js";
import { actionButton, badge, facts, field, outcome, pagedTable, section, select } from "../../ui.js";
import { label } from "/console/labels.js";
import { heading, showNotFound } from "./common.js";

/** @param {import("../../router.js").PageContext} ctx */
export function renderList(ctx) {
  const state = /** @type {HTMLSelectElement} */ (select(
    [["false", "Chưa xử lý"], ["true", "Đã xử lý"]], ctx.query.get("resolved") || "false", { name: "resolved", "aria-label": "Tình trạng" }));
  const table = pagedTable({
    path: "/sync/conflicts",
    caption: "Xung đột dữ liệu đồng bộ",
    empty: state.value === "true" ? "Chưa có xung đột nào được xử lý." : "Không có xung đột nào chờ xử lý.",
    query: () => ({ resolved: state.value }),
    row: (c) => ({ dataset: { conflict: c.id } }),
    columns: [
      { title: "Loại dữ liệu", cell: (c) => label("sync_entity", c.entity) },
      { title: "Nội dung", cell: (c) => c.entity === "answer" ? `Mục ${c.data?.item_code || ""}` : c.entity_id.slice(0, 8) },
      { title: "Người gửi", cell: (c) => c.user_full_name },
      { title: "Thiết bị", cell: (c) => c.device_id },
      { title: "Nhận lúc", cell: (c) => dateTime(c.created_at) },
      { title: "Xử lý", cell: (c) => c.resolved ? label("conflict_resolution", c.resolution) : "Chưa xử lý" },
      { title: "", cell: (c) => h("a", { class: "btn btn-light btn-small", href: `#/conflicts/${c.id}`,
        "aria-label": `Xem xung đột ${c.entity === "answer" ? `mục ${c.data?.item_code}` : c.entity_id} của ${c.user_full_name}` }, "Xem") },
    ],
  });
  state.addEventListener("change", () => ctx.navigate(`#/conflicts?resolved=${state.value}`));
  replace(ctx.root,
    heading("Xung đột dữ liệu", "Dữ liệu máy tính bảng gửi lên dựa trên bản cũ; máy chủ đã giữ lại để giám sát viên quyết định."),
    section("Danh sách", h("div", { class: "office-form-row" }, field("Tình trạng", state)), table.element));
}

/** @param {import("../../router.js").PageContext} ctx */
export async function renderOne(ctx) {
  let conflict;
  try {
    conflict = await get(`/sync/conflicts/${encodeURIComponent(ctx.params.id)}`);
  } catch (err) {
    if (showNotFound(ctx.root, err, "xung đột dữ liệu", "#/conflicts")) return;
    throw err;
  }
  const [context, users] = await Promise.all([aboutAnswer(conflict), all("/users").catch(() => [])]);
  /** @type {Map<string, string>} */
  const names = new Map(users.map((u) => [u.id, u.full_name || u.username]));
  draw(ctx, conflict, context, names);
}

/**
 * For an answer: the inspection's site and the checklist item it answers (best effort).
 * @param {any} c @returns {Promise<{item?: any, site?: any, inspection?: any}>}
 */
async function aboutAnswer(c) {
  const inspectionId = c.entity === "answer" ? c.data?.inspection_id : c.entity === "inspection" ? c.entity_id : null;
  if (!inspectionId) return {};
  try {
    const inspection = await get(`/inspections/${inspectionId}`);
    const [checklist, site] = await Promise.all([
      get(`/checklists/${inspection.checklist_id}`), get(`/sites/${inspection.site_id}`).catch(() => null)]);
    const items = checklist.sections.flatMap((/** @type {any} */ s) => s.items);
    return { inspection, site, item: items.find((/** @type {any} */ i) => i.code === c.data?.item_code) };
  } catch {
    return {};
  }
}

/** An answer's value as people read it. @param {any} value */
function shown(value) {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "string" && ["yes", "no", "na"].includes(value)) return label("answer", value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function draw(/** @type {import("../../router.js").PageContext} */ ctx, /** @type {any} */ c,
  /** @type {{item?: any, site?: any}} */ context, /** @type {Map<string, string>} */ names) {
  const said = outcome();
  const data = c.data || {};
  const server = c.server || {};
  const what = c.entity === "answer"
    ? facts([
      ["Địa điểm", context.site?.name],
      ["Mục kiểm tra", `${data.item_code}${context.item ? ` — ${context.item.text}` : ""}`],
      ["Căn cứ", context.item?.legal_basis],
      ["Mức độ", context.item?.severity ? badge("severity", context.item.severity) : null],
      ["Lý do không áp dụng được", c.reason]])
    : facts([["Loại dữ liệu", label("sync_entity", c.entity)], ["Mã", c.entity_id], ["Lý do không áp dụng được", c.reason]]);
  const tablet = section("Dữ liệu máy tính bảng", facts([
    ["Giá trị", h("strong", { class: "office-value", dataset: { side: "client" } }, shown(data.value) ?? (c.entity === "answer" ? "—" : JSON.stringify(data)))],
    ["Ghi chú", data.note],
    ["Người gửi", c.user_full_name],
    ["Thiết bị", c.device_id],
    ["Trả lời lúc (giờ máy tính bảng)", dateTime(data.answered_at || c.client_time)],
    ["Máy chủ nhận lúc", dateTime(c.created_at)],
    ["Dựa trên phiên bản", c.base_version ?? "—"]]));
  const record = section("Dữ liệu máy chủ", facts([
    ["Giá trị", h("strong", { class: "office-value", dataset: { side: "server" } }, shown(server.value) ?? (c.entity === "answer" ? "Chưa có câu trả lời" : JSON.stringify(server)))],
    ["Ghi chú", server.note],
    ["Người trả lời", server.answered_by ? names.get(server.answered_by) || server.answered_by : null],
    ["Trả lời lúc", dateTime(server.answered_at)],
    ["Phiên bản", c.server_version ?? "—"]]));
  const now = h("div", { class: "office-now", "aria-live": "polite" });
  const resolve = (/** @type {string} */ resolution) => async () => {
    const done = (await post(`/sync/conflicts/${c.id}/resolve`, { resolution })).data;
    const again = draw(ctx, done.conflict, context, names);
    const current = done.record;
    const text = current && c.entity === "answer"
      ? `Giá trị hiện tại: ${shown(current.value) ?? "—"} (phiên bản ${current.version}).` : "";
    again.said.show(`Đã xử lý: ${label("conflict_resolution", resolution)}. ${text}`.trim(), "ok");
    if (current && c.entity === "answer") {
      replace(again.now, facts([
        ["Giá trị hiện tại", h("strong", { class: "office-value", dataset: { side: "current" } }, shown(current.value) ?? "—")],
        ["Phiên bản", String(current.version)]]));
    }
  };
  replace(ctx.root,
    h("p", { class: "office-back" }, h("a", { href: "#/conflicts" }, "‹ Danh sách xung đột")),
    heading(`Xung đột: ${label("sync_entity", c.entity)}${c.entity === "answer" ? ` mục ${data.item_code}` : ""}`),
    section("Nội dung", what),
    h("div", { class: "grid-2 office-sides" }, tablet, record),
    h("section", { class: "card office-resolution", "aria-label": "Xử lý" }, h("h2", null, "Xử lý"),
      c.resolved
        ? h("p", null, badge("conflict_resolution", c.resolution),
          ` · ${c.resolved_by_full_name || ""} · ${dateTime(c.resolved_at)}`)
        : h("div", { class: "toolbar" },
          actionButton(label("conflict_resolution", "keep_server"), resolve("keep_server"), { where: said, kind: "btn-light" }),
          actionButton(label("conflict_resolution", "take_client"), resolve("take_client"), { where: said })),
      now, said));
  return { said, now };
}
