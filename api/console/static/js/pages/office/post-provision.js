// #/post/provision: the post office's own annual KT1 provision report: start it, fill it,
// save it as a draft (PATCH with If-Match), send it, read the Sở's comment when it comes back
// and send it again, and download the rendered PDF.

import { ApiError, fresh, get, request } from "../../api.js";
import { date, h, replace } from "../../dom.js";
import { actionButton, badge, field, outcome, pagedTable, section, select } from "../../ui.js";
import { label } from "/console/labels.js";
import { heading, numberInput, thisYear, yearOptions } from "./common.js";
import { ASPECTS, FIGURES, aspectTitle, contentView, documentArea, standingView } from "./provision-view.js";

const EDITABLE = ["draft", "returned"];

/** @param {import("../../router.js").PageContext} ctx */
export async function render(ctx) {
  const year = ctx.query.get("year") || String(thisYear());
  const picker = /** @type {HTMLSelectElement} */ (select(yearOptions(), year, { name: "year", "aria-label": "Năm báo cáo" }));
  picker.addEventListener("change", () => ctx.navigate(`#/post/provision?year=${picker.value}`));
  const body = h("div", { class: "office-post-body" });
  replace(ctx.root,
    heading("Báo cáo năm về cung cấp dịch vụ KT1", `${ctx.user.organization || ""} · gửi Sở Khoa học và Công nghệ trước ngày 10 tháng 12.`),
    h("div", { class: "office-form-row" }, field("Năm báo cáo", picker)),
    body,
    section("Các báo cáo năm của đơn vị", history()));
  const [found] = await get("/provision-reports", { year, page_size: 1 });
  if (!found) return replace(body, startCard(ctx, Number(year), body));
  const path = `/provision-reports/${found.id}`;
  const current = await fresh(path);
  show(ctx, body, path, current.data, current.etag);
}

/** No report of the year yet: a button starting it. */
function startCard(/** @type {import("../../router.js").PageContext} */ ctx, /** @type {number} */ year, /** @type {HTMLElement} */ body) {
  const said = outcome();
  return section(`Báo cáo năm ${year}`, h("p", null, "Đơn vị chưa lập báo cáo năm này."),
    actionButton(`Lập báo cáo năm ${year}`, async () => {
      const made = await request("POST", "/provision-reports", { body: { year } });
      show(ctx, body, `/provision-reports/${made.data.id}`, made.data, made.etag);
    }, { where: said }), said);
}

/** The report: a form while it is editable, else what was sent and its PDF. */
function show(/** @type {import("../../router.js").PageContext} */ ctx, /** @type {HTMLElement} */ body,
  /** @type {string} */ path, /** @type {any} */ r, /** @type {string | null} */ etag) {
  const said = outcome();
  const reread = async () => (await fresh(path)).data;
  const returned = r.status === "returned" && r.review_comment
    ? h("div", { class: "card office-returned", role: "note" }, h("h2", null, "Sở đã trả lại báo cáo"),
      h("p", null, r.review_comment), h("p", { class: "muted" }, "Hãy sửa theo ý kiến trên rồi gửi lại."))
    : null;
  if (!EDITABLE.includes(r.status)) {
    replace(body, h("div", { class: "grid-2 office-provision-top" },
      section("Tình trạng", standingView(r), documentArea(r, said, reread), said),
      section("Ghi chú", h("p", { class: "muted" }, r.status === "accepted" ? "Sở đã tiếp nhận báo cáo."
        : "Báo cáo đã gửi, chờ Sở tiếp nhận; không sửa được trong lúc chờ."))), contentView(r));
    return said;
  }
  const form = reportForm(r);
  let tag = etag;
  const save = async () => {
    const answer = await request("PATCH", path, { body: form.values(), ifMatch: tag });
    tag = answer.etag;
    return answer;
  };
  replace(body, returned,
    section("Tình trạng", h("p", null, badge("provision_status", r.status), ` · hạn gửi ${date(r.due_on)}`)),
    form.element,
    h("div", { class: "card office-actions" },
      h("div", { class: "toolbar" },
        actionButton("Lưu nháp", form.marking(async () => { await save(); return "Đã lưu bản nháp."; }), { where: said, kind: "btn-light" }),
        actionButton("Gửi báo cáo", form.marking(async () => {
          await save();
          const sent = await request("POST", `${path}/submit`, { ifMatch: tag });
          show(ctx, body, path, sent.data, sent.etag).show("Đã gửi báo cáo cho Sở Khoa học và Công nghệ.", "ok");
        }), { where: said })),
      said));
  return said;
}

/** The form of the report's content. @param {any} r */
function reportForm(r) {
  const figures = FIGURES.map((f) => numberInput({ name: f, min: "0", step: "1", value: r[f] ?? "" }));
  const area = (/** @type {string} */ name, /** @type {string | null} */ value) =>
    /** @type {HTMLTextAreaElement} */ (h("textarea", { name, rows: "3", maxlength: "20000" }, value || ""));
  const aspects = ASPECTS.map((a) => area(`compliance.${a}`, r.compliance?.[a]));
  const difficulties = area("difficulties", r.difficulties);
  const proposals = area("proposals", r.proposals);
  const incidents = incidentList(r.incidents || []);
  const signerName = /** @type {HTMLInputElement} */ (h("input", { name: "signer_name", maxlength: "200", value: r.signer_name || "", autocomplete: "off" }));
  const signerTitle = /** @type {HTMLInputElement} */ (h("input", { name: "signer_title", maxlength: "100", value: r.signer_title || "", autocomplete: "off", placeholder: "Giám đốc" }));
  const element = h("form", { class: "office-provision-form", "aria-label": "Nội dung báo cáo", onsubmit: (/** @type {Event} */ e) => e.preventDefault() },
    section("Số liệu", h("div", { class: "office-form-row" }, FIGURES.map((f, i) => field(label("provision_field", f), figures[i])))),
    section(label("provision_field", "compliance"), ASPECTS.map((a, i) => field(aspectTitle(a), aspects[i]))),
    section(label("provision_field", "incidents"), incidents.element),
    section("Khó khăn và đề xuất", field(label("provision_field", "difficulties"), difficulties),
      field(label("provision_field", "proposals"), proposals)),
    section("Người ký", h("div", { class: "office-form-row" },
      field(label("provision_field", "signer_name"), signerName, "In dưới chữ ký; để trống để ký tay"),
      field(label("provision_field", "signer_title"), signerTitle, "Mặc định: Giám đốc"))));
  const text = (/** @type {HTMLTextAreaElement} */ t) => t.value.trim() || null;
  return {
    element,
    values: () => ({
      ...Object.fromEntries(FIGURES.map((f, i) => [f, figures[i].value === "" ? null : Number(figures[i].value)])),
      compliance: Object.fromEntries(ASPECTS.map((a, i) => [a, text(aspects[i])])),
      incidents: incidents.values(),
      difficulties: text(difficulties),
      proposals: text(proposals),
      signer_name: signerName.value.trim() || null,
      signer_title: signerTitle.value.trim() || null,
    }),
    /** Runs `fn`, marking the fields the server names in a validation error. @param {() => Promise<any>} fn */
    marking: (fn) => async () => {
      for (const el of element.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      try {
        return await fn();
      } catch (err) {
        if (err instanceof ApiError) {
          for (const key of Object.keys(err.fieldErrors)) {
            element.querySelector(`[name="${CSS.escape(key)}"]`)?.setAttribute("aria-invalid", "true");
          }
        }
        throw err;
      }
    },
  };
}

/** Incidents: rows of date, description and handling; none is a statement too. @param {any[]} initial */
function incidentList(initial) {
  const rows = h("div", { class: "office-incidents" });
  const none = h("p", { class: "muted" }, "Không có sự cố, vi phạm nào trong năm (để trống nếu không có).");
  /** @type {{element: HTMLElement, number: (n: number) => void, value: () => any}[]} */
  let items = [];
  const redraw = () => {
    items.forEach((it, i) => it.number(i));
    replace(rows, items.length ? items.map((it) => it.element) : none);
  };
  const add = (/** @type {any} */ given = {}) => {
    const day = /** @type {HTMLInputElement} */ (h("input", { type: "date", value: given.occurred_on || "" }));
    const what = /** @type {HTMLTextAreaElement} */ (h("textarea", { rows: "2" }, given.description || ""));
    const how = /** @type {HTMLTextAreaElement} */ (h("textarea", { rows: "2" }, given.handling || ""));
    const legend = h("legend");
    const remove = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "btn btn-light btn-small",
      onclick: () => { items = items.filter((i) => i !== item); redraw(); } }, "Xoá"));
    /** @type {{element: HTMLElement, number: (n: number) => void, value: () => any}} */
    const item = {
      element: h("fieldset", { class: "office-incident" }, legend,
        h("div", { class: "office-form-row" }, field("Ngày xảy ra", day), field("Nội dung", what), field("Cách xử lý, kết quả", how)),
        remove),
      // Names as the server's field errors call them (incidents.0.description, ...).
      number: (n) => {
        legend.textContent = `Sự cố ${n + 1}`;
        remove.setAttribute("aria-label", `Xoá sự cố ${n + 1}`);
        day.name = `incidents.${n}.occurred_on`;
        what.name = `incidents.${n}.description`;
        how.name = `incidents.${n}.handling`;
      },
      value: () => ({ occurred_on: day.value || null, description: what.value.trim(), handling: how.value.trim() }),
    };
    items.push(item);
    redraw();
  };
  initial.forEach((given) => add(given));
  redraw();
  return {
    element: h("div", null, rows, h("button", { type: "button", class: "btn btn-light", onclick: () => add() }, "Thêm sự cố")),
    values: () => items.map((it) => it.value()),
  };
}

/** The organisation's reports of every year. */
function history() {
  return pagedTable({
    path: "/provision-reports",
    caption: "Các báo cáo năm của đơn vị",
    empty: "Chưa có báo cáo nào.",
    pageSize: 10,
    columns: [
      { title: "Năm", cell: (r) => h("a", { href: `#/post/provision?year=${r.year}` }, `Năm ${r.year}`) },
      { title: "Trạng thái", cell: (r) => badge("provision_status", r.status) },
      { title: "Gửi lần đầu", cell: (r) => r.first_submitted_on ? date(r.first_submitted_on) : "—" },
      { title: "Sở tiếp nhận", cell: (r) => r.received_on ? date(r.received_on) : "—" },
    ],
  }).element;
}
