// The commune panel: the commune's counts, its sites at risk (risk layer), its findings by
// severity, and its inspections and findings page by page; each inspection and finding links
// to the inspection's page (#/inspections/<id>).

import * as api from "../../api.js";
import { date, dateTime, h, number, replace } from "../../dom.js";
import { badge, errorText } from "../../ui.js";
import { LABELS } from "/console/labels.js";
import { PANEL_PAGE_SIZE, SEVERITIES, SEVERITY_COLOUR } from "./constants.js";
import { highlightSelected } from "./communes.js";
import { filterQuery } from "./filters.js";
import { renderRiskSites } from "./risk.js";
import { alive, riskOf } from "./state.js";

/** @typedef {import("./state.js").MapState} MapState */

/** @param {MapState} m */
export function closePanel(m) {
  m.selected = null;
  m.view.panel.hidden = true;
  if (m.map) {
    m.map.invalidateSize();
    highlightSelected(m);
  }
  delete m.view.element.dataset.panel;
}

/** @param {string} text @param {number} value @param {string} [cls] */
function stat(text, value, cls = "") {
  return h("div", { class: `stat ${cls}` }, h("dt", null, text), h("dd", null, number(value)));
}

/** The selected commune's counts (after a redraw or a change of layer). @param {MapState} m */
export function refreshCounts(m) {
  const feature = m.selected ? m.features.get(m.selected) : null;
  if (!feature || !m.selected) return;
  const p = feature.properties;
  m.view.title.textContent = p.name;
  m.view.subtitle.textContent = `Mã đơn vị hành chính: ${p.code}`;
  const risk = m.layer === "risk" ? riskOf(m, p.code) : null;
  replace(m.view.stats,
    stat("Lượt kiểm tra", p.inspections),
    stat("Phát hiện", p.findings),
    stat("Phát hiện còn mở", p.open_findings, p.open_findings ? "stat-alert" : ""),
    stat("Phát hiện chờ duyệt", p.awaiting_review || 0, p.awaiting_review ? "stat-awaiting" : ""),
    stat("Cơ sở KT1", p.sites),
    stat("Cơ sở chưa được kiểm tra", p.sites_never_inspected, p.sites_never_inspected ? "stat-warn" : ""),
    risk ? stat("Điểm rủi ro", risk.score, risk.score ? "stat-risk" : "") : null);
  renderRiskSites(m, p.code);
  const counts = p.by_severity || {};
  const most = Math.max(1, ...SEVERITIES.map((s) => counts[s] || 0));
  replace(m.view.severityBars, h("h3", null, "Phát hiện theo mức độ"), SEVERITIES.map((s) => {
    const bar = h("span", { class: "bar-fill" });
    bar.style.width = `${Math.round(100 * (counts[s] || 0) / most)}%`;
    bar.style.backgroundColor = SEVERITY_COLOUR[s];
    return h("div", { class: "bar-row", dataset: { severity: s } },
      h("span", { class: "bar-label" }, LABELS.severity[s]),
      h("span", { class: "bar-track" }, bar),
      h("span", { class: "bar-value" }, number(counts[s] || 0)));
  }));
}

/** @param {MapState} m @param {string} id */
function siteName(m, id) {
  const site = m.sites.get(id);
  return site ? site.name : "Cơ sở không còn trong danh sách";
}

/** @param {string} inspectionId @param {string} text @param {...any} children */
function link(inspectionId, text, ...children) {
  return h("a", { class: "record-link", href: `#/inspections/${encodeURIComponent(inspectionId)}`,
    "aria-label": text }, ...children);
}

/** @param {MapState} m @param {any} i */
function inspectionItem(m, i) {
  const text = `Phiên kiểm tra ngày ${dateTime(i.started_at)}, ${siteName(m, i.site_id)}`;
  return h("li", { class: "record", dataset: { id: i.id, status: i.status } }, link(i.id, text,
    h("div", { class: "record-main" },
      h("span", { class: "record-date" }, dateTime(i.started_at)), badge("inspection_status", i.status)),
    h("div", { class: "record-site" }, siteName(m, i.site_id))));
}

/** @param {MapState} m @param {any} f */
function findingItem(m, f) {
  const inspection = m.inspections.get(f.inspection_id);
  const awaiting = inspection && inspection.status !== "approved";
  const text = `Phát hiện mục ${f.item_code}, ${LABELS.severity[f.severity] || f.severity}: mở phiên kiểm tra`;
  return h("li", { class: awaiting ? "record record-awaiting" : "record", dataset: {
    id: f.id, severity: f.severity, status: f.status, inspectionId: f.inspection_id,
    awaitingReview: awaiting ? "true" : "false",
  } }, link(f.inspection_id, text,
    h("div", { class: "record-main" }, badge("severity", f.severity), badge("finding_status", f.status),
      awaiting ? badge("inspection_status", inspection.status) : null),
    h("div", { class: "record-text" }, h("span", { class: "item-code" }, `Mục ${f.item_code}`), " ",
      f.description || ""),
    h("div", { class: "record-site" }, siteName(m, f.site_id),
      inspection ? ` · kiểm tra ${dateTime(inspection.started_at)}` : "",
      f.due_on ? ` · hạn khắc phục ${date(f.due_on)}` : "")));
}

/** The inspections of the findings that the panel does not know yet. @param {MapState} m @param {any[]} findings */
async function learnInspections(m, findings) {
  const missing = [...new Set(findings.map((f) => f.inspection_id))].filter((id) => !m.inspections.has(id));
  const found = await Promise.all(missing.map((id) => api.get(`/inspections/${id}`).catch(() => null)));
  found.forEach((i) => { if (i) m.inspections.set(i.id, i); });
}

/** One page of the panel's inspections or findings. @param {MapState} m @param {string} kind */
async function fetchList(m, kind, /** @type {Record<string, unknown>} */ query, /** @type {number} */ page) {
  const answer = await api.request("GET", `/${kind}`, { query: { ...query, page, page_size: PANEL_PAGE_SIZE } });
  const data = answer.data || [];
  if (kind === "inspections") data.forEach((/** @type {any} */ i) => m.inspections.set(i.id, i));
  else await learnInspections(m, data);
  return { data, info: answer.pagination || { total: data.length } };
}

/** Appends a fetched page to a list, with its count and "more" button. @param {MapState} m */
function showList(m, /** @type {number} */ seq, /** @type {string} */ kind, /** @type {Record<string, unknown>} */ query,
  /** @type {number} */ page, /** @type {{data: any[], info: any}} */ { data, info }) {
  if (seq !== m.panelSeq || !alive(m)) return;
  const section = kind === "inspections" ? m.view.inspections : m.view.findings;
  const list = /** @type {HTMLElement} */ (section.querySelector(".records"));
  if (page === 1) replace(list);
  list.append(...data.map((item) => (kind === "inspections" ? inspectionItem(m, item) : findingItem(m, item))));
  const total = info.total ?? data.length;
  if (!total) {
    replace(list, h("li", { class: "muted empty" }, kind === "inspections"
      ? "Không có phiên kiểm tra nào khớp bộ lọc." : "Không có phát hiện nào khớp bộ lọc."));
  }
  /** @type {HTMLElement} */ (section.querySelector(".count")).textContent = `(${number(total)})`;
  const more = /** @type {HTMLButtonElement} */ (section.querySelector(".btn-more"));
  const remaining = total - list.querySelectorAll("li.record").length;
  more.hidden = !info.next_page;
  more.textContent = `Xem thêm (còn ${number(remaining)})`;
  more.onclick = () => {
    more.disabled = true;
    fetchList(m, kind, query, info.next_page)
      .then((next) => showList(m, seq, kind, query, info.next_page, next))
      .catch((err) => { more.textContent = errorText(err); })
      .finally(() => { more.disabled = false; });
  };
}

/** Opens (or refreshes) the panel of commune `code`. @param {MapState} m @param {string} code */
export async function openPanel(m, code) {
  if (!m.features.has(code)) return;
  const seq = ++m.panelSeq;
  const changed = m.selected !== code;
  m.selected = code;
  const wasHidden = m.view.panel.hidden;
  m.view.panel.hidden = false;
  if (wasHidden) m.map.invalidateSize();
  // The narrower map may have lost the commune out of view: bring it back.
  const bounds = m.layers.get(code).getBounds();
  if (!m.map.getBounds().contains(bounds)) m.map.panTo(bounds.getCenter());
  highlightSelected(m);
  refreshCounts(m);
  if (changed) m.view.panelBody.scrollTop = 0;
  m.view.element.dataset.panel = "loading";
  for (const section of [m.view.inspections, m.view.findings]) {
    replace(/** @type {HTMLElement} */ (section.querySelector(".records")), h("li", { class: "muted" }, "Đang tải…"));
    /** @type {HTMLElement} */ (section.querySelector(".count")).textContent = "";
    /** @type {HTMLElement} */ (section.querySelector(".btn-more")).hidden = true;
  }
  try {
    const filters = filterQuery(m);
    const queries = {
      inspections: { commune_code: code, from: filters.from, to: filters.to, campaign_id: filters.campaign_id },
      findings: { commune_code: code, ...filters },
    };
    // Sites give the names; inspections give the findings their visit's date and status.
    const [sites, inspections] = await Promise.all([
      api.all("/sites", { commune_code: code }), fetchList(m, "inspections", queries.inspections, 1)]);
    sites.forEach((s) => m.sites.set(s.id, s));
    const findings = await fetchList(m, "findings", queries.findings, 1);
    if (seq !== m.panelSeq || !alive(m)) return;
    showList(m, seq, "inspections", queries.inspections, 1, inspections);
    showList(m, seq, "findings", queries.findings, 1, findings);
    m.view.element.dataset.panel = code;
  } catch (err) {
    if (seq !== m.panelSeq || !alive(m)) return;
    replace(/** @type {HTMLElement} */ (m.view.inspections.querySelector(".records")),
      h("li", { class: "status-error" }, errorText(err)));
    replace(/** @type {HTMLElement} */ (m.view.findings.querySelector(".records")));
    m.view.element.dataset.panel = "error";
  }
}
