// The finding points of the current view (/map/findings with the bbox), reloaded after each
// move: filled by severity once their inspection is approved, hollow while it awaits review.

import * as api from "../../api.js";
import { h, number } from "../../dom.js";
import { LABELS, label } from "/console/labels.js";
import { FINDINGS_LIMIT, SEVERITIES, SEVERITY_COLOUR } from "./constants.js";
import { filterQuery, filtersValid } from "./filters.js";
import { alive } from "./state.js";
import { pending, setStatus, showError } from "./status.js";

/** @typedef {import("./state.js").MapState} MapState */

/** The current view as `minlon,minlat,maxlon,maxlat`, clamped to WGS84. @param {MapState} m */
function bboxParam(m) {
  const b = m.map.getBounds();
  const clamp = (/** @type {number} */ v, /** @type {number} */ lim) => Math.max(-lim, Math.min(lim, v));
  const [w, s, e, n] = [clamp(b.getWest(), 180), clamp(b.getSouth(), 90),
    clamp(b.getEast(), 180), clamp(b.getNorth(), 90)];
  if (!(w < e && s < n)) return null;
  return [w, s, e, n].map((v) => v.toFixed(6)).join(",");
}

/** Reads the points in view (a newer call wins). @param {MapState} m */
export async function loadFindings(m) {
  if (!m.map || !m.province || !filtersValid(m)) return;
  const bbox = bboxParam(m);
  if (!bbox) return;
  const seq = ++m.findingSeq;
  try {
    const data = await pending(m, "findings", () => api.get("/map/findings", {
      province_code: m.province, ...filterQuery(m), bbox, limit: FINDINGS_LIMIT,
    }));
    if (seq === m.findingSeq && m.map && alive(m)) renderFindings(m, data);
  } catch (err) {
    if (seq === m.findingSeq && alive(m)) showError(m, err);
  }
}

const rank = (/** @type {string} */ s) => (SEVERITIES.includes(s) ? SEVERITIES.indexOf(s) : SEVERITIES.length);

/** @param {any} p @param {Record<string, number>} counts */
function tooltip(p, counts) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return h("div", { class: "tip" },
    h("strong", null, label("severity", p.severity)),
    h("div", null, `Mục ${p.item_code} · ${label("finding_status", p.status)}`),
    p.awaiting_review ? h("div", { class: "tip-awaiting" },
      `Phiên kiểm tra ${label("inspection_status", p.inspection_status).toLowerCase()}: `
      + "chưa tính là phát hiện còn mở") : null,
    total > 1 ? h("div", { class: "muted" }, `Cơ sở này có ${number(total)} phát hiện: `
      + SEVERITIES.filter((s) => counts[s])
        .map((s) => `${number(counts[s])} ${LABELS.severity[s].toLowerCase()}`).join(", ")) : null);
}

/** @param {MapState} m @param {any} collection */
function renderFindings(m, collection) {
  if (m.findingLayer) m.map.removeLayer(m.findingLayer);
  // The most severe drawn last (on top); confirmed ones over those awaiting review.
  const features = (collection.features || []).slice().sort((/** @type {any} */ a, /** @type {any} */ b) =>
    (Number(b.properties.awaiting_review) - Number(a.properties.awaiting_review))
    || (rank(b.properties.severity) - rank(a.properties.severity)));
  // Findings of one site share its point: the tooltip counts all of them.
  /** @type {Map<string, Record<string, number>>} */
  const perSite = new Map();
  for (const f of features) {
    const counts = perSite.get(f.properties.site_id) || {};
    counts[f.properties.severity] = (counts[f.properties.severity] || 0) + 1;
    perSite.set(f.properties.site_id, counts);
  }
  m.findingLayer = L.layerGroup(features.map((/** @type {any} */ f) => {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const colour = SEVERITY_COLOUR[p.severity] || "#555";
    const marker = L.circleMarker([lat, lon], p.awaiting_review
      ? { pane: "findings", radius: 5.5, color: colour, weight: 2.6, opacity: 1,
        fillColor: "#ffffff", fillOpacity: 1, className: `finding finding-${p.severity} finding-awaiting` }
      : { pane: "findings", radius: 6.5, color: "#ffffff", weight: 1.6, opacity: 1,
        fillColor: colour, fillOpacity: 1, className: `finding finding-${p.severity}` });
    marker.bindTooltip(() => tooltip(p, perSite.get(p.site_id) || {}),
      { direction: "top", offset: [0, -6], opacity: 1, className: "map-tip finding-tip" });
    marker.on("click", () => { if (p.commune_code) m.openPanel(p.commune_code); });
    return marker;
  })).addTo(m.map);
  const awaiting = features.filter((/** @type {any} */ f) => f.properties.awaiting_review).length;
  m.truncated = Boolean(collection.truncated);
  setStatus(m, "findings", collection.truncated
    ? `Chỉ hiển thị ${number(features.length)} phát hiện mới nhất trong khung nhìn; hãy phóng to hoặc lọc thêm.`
    : `${number(features.length)} phát hiện trong khung nhìn`
      + (awaiting ? ` (${number(awaiting)} chờ duyệt)` : ""));
  m.view.element.dataset.findings = String(features.length);
  m.view.element.dataset.awaiting = String(awaiting);
  m.view.element.dataset.truncated = String(m.truncated);
}
