// The findings of an inspection: confirm or dismiss each (a dismissal asks for its reason),
// or confirm every open one at once; each row tells its own outcome.

import * as api from "../../api.js";
import { h, replace } from "../../dom.js";
import { actionButton, badge, errorText, outcome } from "../../ui.js";

/**
 * @typedef {{id: string, item_code: string, severity: string, legal_basis: string,
 *   description: string, status: string, status_comment: string | null, version: number}} Finding
 */

/** PATCH /findings/{id} with the version the page shows as If-Match. @param {Finding} f */
async function move(f, status, comment = null) {
  const answer = await api.patch(`/findings/${f.id}`, { status, comment }, `"${f.version}"`);
  Object.assign(f, answer.data);
  return f;
}

/**
 * The findings panel. @param {Finding[]} findings
 * @param {() => void} [changed] called after any finding moved (the documents panel re-reads)
 */
export function findingsPanel(findings, changed = () => {}) {
  if (!findings.length) return h("p", { class: "muted" }, "Phiên kiểm tra này không có phát hiện nào.");
  // The "all at once" button shows while some finding waits for a decision.
  const settled = () => { confirmAll.hidden = !rows.some((r) => r.finding.status === "open"); changed(); };
  const rows = findings.map((f) => findingRow(f, () => settled()));
  const allOut = outcome();
  const confirmAll = actionButton("Xác nhận tất cả phát hiện chờ xác nhận", async () => {
    const open = rows.filter((r) => r.finding.status === "open");
    if (!open.length) return "Không còn phát hiện nào chờ xác nhận.";
    let done = 0;
    for (const row of open) {
      try {
        await move(row.finding, "confirmed");
        row.refresh("Đã xác nhận.", "ok");
        done += 1;
      } catch (err) {
        row.refresh(errorText(err), "error");
      }
    }
    settled();
    if (done < open.length) throw new Error(`Đã xác nhận ${done}/${open.length} phát hiện; xem lỗi ở từng dòng.`);
    return `Đã xác nhận ${done} phát hiện.`;
  }, { where: allOut });
  confirmAll.hidden = !rows.some((r) => r.finding.status === "open");
  return h("div", { class: "review-findings" },
    h("div", { class: "toolbar" }, confirmAll), allOut,
    h("div", { class: "table-wrap" }, h("table", { class: "table" },
      h("caption", { class: "visually-hidden" }, "Phát hiện của phiên kiểm tra"),
      h("thead", null, h("tr", null, ["Mục", "Nội dung", "Mức độ", "Trạng thái", "Thao tác"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", null, rows.map((r) => r.element)))));
}

/** One finding's row. @param {Finding} f @param {() => void} changed */
function findingRow(f, changed) {
  const status = h("td");
  const actions = h("td", { class: "review-finding-actions" });
  const said = outcome();
  const element = h("tr", { dataset: { finding: f.id, item: f.item_code } },
    h("td", null, h("strong", null, f.item_code)),
    h("td", null, f.description, f.legal_basis ? h("div", { class: "muted review-small" }, "Căn cứ: ", f.legal_basis) : null),
    h("td", null, f.severity ? badge("severity", f.severity) : "—"),
    status, actions);

  function draw() {
    replace(status, badge("finding_status", f.status),
      f.status_comment ? h("div", { class: "muted review-small review-status-comment" }, f.status_comment) : null);
    if (f.status !== "open") { replace(actions, said); return; }
    const confirm = actionButton("Xác nhận", async () => {
      await move(f, "confirmed");
      draw();
      changed();
      return "Đã xác nhận.";
    }, { where: said, kind: "btn-primary btn-small", attrs: { "aria-label": `Xác nhận phát hiện ${f.item_code}` } });
    const dismiss = h("button", { type: "button", class: "btn btn-light btn-small", "aria-label": `Bác bỏ phát hiện ${f.item_code}`,
      onclick: () => askReason() }, "Bác bỏ");
    replace(actions, h("div", { class: "review-finding-buttons" }, confirm, dismiss), said);
  }

  function askReason() {
    const reason = /** @type {HTMLInputElement} */ (h("input", { type: "text", required: true, maxlength: "5000",
      "aria-label": `Lý do bác bỏ phát hiện ${f.item_code}`, placeholder: "Lý do bác bỏ" }));
    const go = actionButton("Bác bỏ", async () => {
      if (!reason.value.trim()) { reason.focus(); throw new Error("Cần ghi lý do bác bỏ."); }
      await move(f, "dismissed", reason.value.trim());
      draw();
      changed();
      return "Đã bác bỏ.";
    }, { where: said, kind: "btn-danger btn-small", attrs: { "aria-label": `Xác nhận bác bỏ phát hiện ${f.item_code}` } });
    const cancel = h("button", { type: "button", class: "btn btn-light btn-small", onclick: () => { said.clear(); draw(); } }, "Huỷ");
    replace(actions, h("div", { class: "review-reason" }, reason, h("div", { class: "review-finding-buttons" }, go, cancel)), said);
    reason.focus();
  }

  draw();
  return {
    element, finding: f,
    refresh: (/** @type {string} */ text, /** @type {"ok" | "error"} */ kind) => { draw(); said.show(text, kind); },
  };
}
