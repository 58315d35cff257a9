// The risk layer: /map/risk (each commune's summed site scores, for today, no filters) joined
// by commune code onto the drawn choropleth, and /planning/risk (the province's sites in risk
// order with their reasons) for the panel; read when the layer is switched on, kept a minute.

import * as api from "../../api.js";
import { date, h, number, replace } from "../../dom.js";
import { CACHE_MS, RISK_SITES_LIMIT } from "./constants.js";
import { simplification } from "./communes.js";
import { alive, riskOf } from "./state.js";
import { pending, showError } from "./status.js";

/** @typedef {import("./state.js").MapState} MapState */

/** Reads the risk of the province; false when it cannot be read (a 403 also takes the switch away). @param {MapState} m */
export async function loadRisk(m) {
  const province = m.province;
  const kept = m.risk;
  if (kept && kept.province === province && Date.now() - kept.at < CACHE_MS) return true;
  const seq = m.riskSeq;
  try {
    const [layer, ranked] = await pending(m, "risk", () => Promise.all([
      api.get("/map/risk", { province_code: province, ...simplification(m) }),
      api.get("/planning/risk", { province_code: province, limit: RISK_SITES_LIMIT }),
    ]));
    if (seq !== m.riskSeq || province !== m.province || !alive(m)) return false;
    /** @type {Map<string, any[]>} commune code -> its sites, in the province's rank order */
    const sites = new Map();
    for (const site of ranked.sites || []) {
      if (!site.commune_code) continue;
      if (!sites.has(site.commune_code)) sites.set(site.commune_code, []);
      sites.get(site.commune_code)?.push(site);
    }
    m.risk = {
      province: province || "", at: Date.now(), asOf: layer.as_of || ranked.as_of, sites,
      communes: new Map((layer.features || []).map((/** @type {any} */ f) => [f.properties.code, f.properties])),
      totalSites: ranked.total_sites || 0,
      listed: (ranked.sites || []).length,
    };
    return true;
  } catch (err) {
    if (seq !== m.riskSeq || !alive(m)) return false;
    if (err instanceof api.ApiError && err.status === 403) {
      m.riskAllowed = false;
      m.view.layerField.hidden = true;
    } else {
      showError(m, err);
    }
    return false;
  }
}

/** @param {MapState} m @param {any} s */
function siteItem(m, s) {
  const total = m.risk ? m.risk.totalSites : 0;
  return h("li", { class: "record risk-site", dataset: { siteId: s.site_id, rank: s.rank, score: s.score } },
    h("div", { class: "record-main" },
      h("span", { class: "risk-name" }, s.name),
      h("span", { class: "badge risk-score" }, `${number(s.score)} điểm`)),
    h("div", { class: "record-site" }, `Hạng ${number(s.rank)}/${number(total)} trong tỉnh · `
      + (s.last_inspected_on ? `kiểm tra gần nhất ${date(s.last_inspected_on)}` : "chưa từng được kiểm tra")),
    h("ul", { class: "reasons" }, (s.reasons || []).map((/** @type {any} */ r) => h("li", {
      class: r.points ? "reason" : "reason reason-none", dataset: { code: r.code, points: r.points },
    }, h("span", { class: "reason-text" }, r.text),
    h("span", { class: "reason-points" }, `+${number(r.points)}`)))));
}

/**
 * The panel's "Cơ sở có rủi ro cao": the commune's sites scoring above zero, in the
 * province's rank order, each with the reasons for its points (risk layer only).
 * @param {MapState} m @param {string} code
 */
export function renderRiskSites(m, code) {
  const { risk: section } = m.view;
  const sites = m.layer === "risk" && m.risk ? m.risk.sites.get(code) || [] : null;
  section.hidden = !sites;
  if (!sites || !m.risk) return;
  const $ = (/** @type {string} */ sel) => /** @type {HTMLElement} */ (section.querySelector(sel));
  const score = (riskOf(m, code) || { score: 0 }).score;
  const atRisk = sites.filter((s) => s.score > 0);
  $("#risk-count").textContent = `(${number(atRisk.length)})`;
  $("#risk-note").textContent = `Tổng điểm rủi ro của xã, phường: ${number(score)} · `
    + `tính đến ngày ${date(m.risk.asOf)}`
    + (m.risk.totalSites > m.risk.listed
      ? ` · chỉ xét ${number(m.risk.listed)} cơ sở có điểm cao nhất tỉnh` : "");
  replace($("#risk-list"), atRisk.length ? atRisk.map((s) => siteItem(m, s))
    : h("li", { class: "muted empty" }, sites.length
      ? "Không có cơ sở nào có điểm rủi ro." : "Xã, phường này chưa có cơ sở KT1 nào."));
  const rest = sites.length - atRisk.length;
  $("#risk-rest").hidden = !(atRisk.length && rest);
  $("#risk-rest").textContent = `Còn ${number(rest)} cơ sở khác không có điểm rủi ro.`;
}
