// The checklist as inspectors fill it: section navigation with per-section progress, where to
// resume after a reload (per inspection, in localStorage), ratio pairs (a count and its total
// linked by a `gte_item` rule), the roster figures the package carries and the site's
// previous open findings. The inspection screen (inspection.js) draws the items.

import { $, day, el, isCompliant } from "./ui.js";
import { label } from "/app/labels.js";

// --- ratio pairs -----------------------------------------------------------------------------

/** The ratio pairs of a checklist: numerator code -> denominator code, for number items whose
 *  rule is `gte_item` on another number item. `absorbed` holds the denominators drawn inside
 *  their pair's block (used by one pair only, in the same section); a shared total (C1 for C2
 *  and C4) stays an item of its own and each pair shows a second input for it.
 *  @param {any} checklist @returns {{pairs: Map<string, string>, absorbed: Map<string, string>}} */
export function ratioPairs(checklist) {
  const sectionOf = new Map();
  const items = new Map();
  for (const s of checklist.sections) {
    for (const i of s.items) { sectionOf.set(i.code, s.code); items.set(i.code, i); }
  }
  const pairs = new Map();
  for (const i of items.values()) {
    const total = items.get(i.compliant_when?.gte_item);
    if (i.answer_type === "number" && total?.answer_type === "number") pairs.set(i.code, total.code);
  }
  const uses = new Map();
  for (const d of pairs.values()) uses.set(d, (uses.get(d) || 0) + 1);
  const absorbed = new Map();
  for (const [n, d] of pairs) {
    if (uses.get(d) === 1 && sectionOf.get(n) === sectionOf.get(d) && !pairs.has(d)) {
      absorbed.set(d, n);
    }
  }
  return { pairs, absorbed };
}

/** "45/50 = 90 %" (or "45/0" when the total is zero); null until both numbers are given.
 *  @param {unknown} count @param {unknown} total @returns {string | null} */
export function ratioText(count, total) {
  if (typeof count !== "number" || typeof total !== "number") return null;
  const n = count.toLocaleString("vi-VN");
  const d = total.toLocaleString("vi-VN");
  if (total === 0) return `${n}/${d}`;
  const pct = ((count / total) * 100).toLocaleString("vi-VN", { maximumFractionDigits: 1 });
  return `${n}/${d} = ${pct} %`;
}

/** The words for a rule's verdict (true / false), from the label table.
 *  @param {boolean} ok @returns {string} */
export function verdict(ok) { return label("verdict", ok ? "compliant" : "noncompliant"); }

// --- roster figures --------------------------------------------------------------------------

/** The roster's figure for an item of this site (C1, C2, C4: counts; C5.1: an ISO date), or
 *  null: the package's `staff_figures`, offered to the inspector, never answered for them.
 *  @param {any} pkg @param {string} siteId @param {string} code */
export function rosterFigure(pkg, siteId, code) {
  const figures = (pkg.staff_figures || []).find((f) => f.site_id === siteId);
  const value = figures?.checklist_items?.[code];
  return value === undefined ? null : value;
}

/** The roster suggestion beside an item: the figure and a button that answers with it; a
 *  quiet note once the answer matches it.
 *  @param {any} item @param {unknown} figure @param {unknown} value
 *  @param {boolean} editable @param {(v: unknown) => void} use */
export function rosterHint(item, figure, value, editable, use) {
  if (figure === null || figure === undefined) return null;
  const shown = item.answer_type === "date" ? day(String(figure)) : Number(figure)
    .toLocaleString("vi-VN");
  if (value === figure) {
    return el("p", { class: "roster-hint matched", dataset: { live: "" },
                     text: `Khớp danh sách nhân viên (${shown}).` });
  }
  return el("div", { class: "roster-hint", dataset: { live: "", figure: String(figure) } },
    el("span", { text: `Theo danh sách nhân viên: ${shown}` }),
    editable ? el("button", {
      type: "button", class: "secondary",
      text: item.answer_type === "date" ? "Dùng ngày này" : "Dùng số này",
      "aria-label": `Dùng số liệu danh sách nhân viên cho mục ${item.code}`,
      onclick: () => use(figure),
    }) : null,
    value !== null && value !== undefined
      ? el("span", { class: "hint", text: "(khác câu trả lời hiện tại)" }) : null);
}

// --- previous findings -----------------------------------------------------------------------

/** The site's open findings of earlier inspections, by item code.
 *  @param {any} pkg @param {string} siteId @returns {Map<string, any[]>} */
export function findingsByItem(pkg, siteId) {
  const out = new Map();
  for (const f of pkg.open_findings || []) {
    if (f.site_id !== siteId) continue;
    if (!out.has(f.item_code)) out.set(f.item_code, []);
    out.get(f.item_code).push(f);
  }
  return out;
}

/** A box of previous findings: text, severity, status and due date. @param {any[]} findings */
export function findingsBox(findings) {
  if (!findings?.length) return null;
  return el("div", { class: "previous-findings", role: "note" },
    el("p", { class: "title", text: "Phát hiện lần kiểm tra trước chưa khắc phục" }),
    el("ul", {}, ...findings.map((f) => el("li", { class: "previous-finding",
                                                   dataset: { finding: f.id } },
      el("span", { class: `severity severity-${f.severity}`,
                   text: label("severity", f.severity) }),
      el("span", { class: "description", text: f.description }),
      el("span", { class: "meta", text: [
        `Trạng thái: ${label("finding_status", f.status)}`,
        f.due_on ? `Hạn khắc phục: ${day(f.due_on)}` : "Chưa có hạn khắc phục",
      ].join(" · ") })))));
}

// --- section navigation and progress ---------------------------------------------------------

/** Per section: required items answered, required items, non-compliant items.
 *  @param {any} checklist @param {Map<string, any>} answers */
export function progress(checklist, answers) {
  const values = Object.fromEntries([...answers].map(([c, a]) => [c, a.value]));
  const answered = (/** @type {string} */ code) => {
    const v = values[code];
    return v !== null && v !== undefined && v !== "";
  };
  return checklist.sections.map((s) => ({
    code: s.code, title: s.title,
    done: s.items.filter((i) => i.required && answered(i.code)).length,
    required: s.items.filter((i) => i.required).length,
    answered: s.items.filter((i) => answered(i.code)).length,
    total: s.items.length,
    bad: s.items.filter((i) => isCompliant(i, values[i.code] ?? null, values) === false).length,
  }));
}

/** The navigation bar: one button per section, with its progress.
 *  @param {any} checklist @param {Map<string, any>} answers */
export function nav(checklist, answers) {
  const bar = el("nav", { id: "section-nav", class: "section-nav", "aria-label": "Các phần" });
  bar.style.top = `${document.getElementById("syncbar")?.offsetHeight || 0}px`;
  fillNav(bar, checklist, answers);
  return bar;
}

/** Redraw the progress of every section (after an answer or a sync).
 *  @param {any} checklist @param {Map<string, any>} answers */
export function updateNav(checklist, answers) {
  const bar = document.getElementById("section-nav");
  if (bar) fillNav(bar, checklist, answers);
}

function fillNav(bar, checklist, answers) {
  const current = bar.querySelector("[aria-current]")?.getAttribute("data-section") || null;
  bar.replaceChildren(...progress(checklist, answers).map((p) => {
    const complete = p.done === p.required;
    return el("button", {
      type: "button", class: `section-tab${complete ? " complete" : ""}`,
      dataset: { section: p.code }, title: p.title,
      "aria-current": p.code === current ? "true" : null,
      "aria-label": `Phần ${p.code}. ${p.title}: đã trả lời ${p.done}/${p.required} mục bắt `
        + `buộc${p.bad ? `, ${p.bad} mục không đạt` : ""}`,
      onclick: () => goTo(p.code),
    },
    el("span", { class: "code", text: p.code }),
    el("span", { class: "count", text: `${p.done}/${p.required}` }),
    p.bad ? el("span", { class: "bad-count", text: `${p.bad} không đạt` }) : null);
  }));
}

/** The height of what sticks at the top (sync bar, then the section bar). */
function stuck() {
  const bar = document.getElementById("syncbar");
  const navBar = document.getElementById("section-nav");
  return (bar?.offsetHeight || 0) + (navBar?.offsetHeight || 0);
}

/** Scroll to a section's heading, below the sticky bars. @param {string} code */
export function goTo(code) {
  const section = document.querySelector(`.checklist-section[data-section="${code}"]`);
  if (!section) return;
  const top = section.getBoundingClientRect().top + window.scrollY - stuck() - 8;
  window.scrollTo(0, Math.max(0, top));
  mark(code);
}

function mark(code) {
  for (const tab of document.querySelectorAll(".section-tab")) {
    if (tab.getAttribute("data-section") === code) tab.setAttribute("aria-current", "true");
    else tab.removeAttribute("aria-current");
  }
  document.body.dataset.section = code;
}

/** The section at the top of the screen (the last whose heading is above the fold line). */
function sectionInView() {
  let code = null;
  const line = stuck() + 40;
  for (const s of document.querySelectorAll(".checklist-section")) {
    if (s.getBoundingClientRect().top <= line) code = s.getAttribute("data-section");
  }
  return code || document.querySelector(".checklist-section")?.getAttribute("data-section");
}

// --- where to resume -------------------------------------------------------------------------

const KEY = (/** @type {string} */ id) => `kt1.form.${id}`;
let following = null; // the inspection whose place is being kept
let pending = 0;

/** Keep the place (section and scroll offset) of `inspectionId` as the inspector scrolls.
 *  @param {string} inspectionId */
export function follow(inspectionId) {
  following = inspectionId;
  const navBar = document.getElementById("section-nav");
  if (navBar) navBar.style.top = `${document.getElementById("syncbar")?.offsetHeight || 0}px`;
}

export function unfollow() { following = null; }

function keep() {
  if (!following || $("inspection-view").hidden) return;
  const code = sectionInView();
  if (code) mark(code);
  const section = document.querySelector(`.checklist-section[data-section="${code}"]`);
  const offset = section ? window.scrollY - (section.getBoundingClientRect().top + window.scrollY) : 0;
  localStorage.setItem(KEY(following), JSON.stringify({
    section: code, offset: Math.round(offset), y: Math.round(window.scrollY),
  }));
}

window.addEventListener("scroll", () => {
  if (pending) return;
  pending = window.setTimeout(() => { pending = 0; keep(); }, 150);
}, { passive: true });

/** Go back to where the inspector was in this inspection (its section, then the offset within
 *  it); the top of the form when it was never opened here. @param {string} inspectionId */
export function resume(inspectionId) {
  let place = null;
  try { place = JSON.parse(localStorage.getItem(KEY(inspectionId)) || "null"); } catch { /**/ }
  const section = place?.section
    && document.querySelector(`.checklist-section[data-section="${place.section}"]`);
  if (!section) {
    window.scrollTo(0, 0);
    mark(document.querySelector(".checklist-section")?.getAttribute("data-section"));
    return;
  }
  const top = section.getBoundingClientRect().top + window.scrollY;
  window.scrollTo(0, Math.max(0, top + (place.offset || 0)));
  mark(place.section);
}
