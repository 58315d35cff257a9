// The filter bar: the province (national admins), the period, severity, finding status and
// campaign, as the query parameters of /map/* and of the panel's lists.

import * as api from "../../api.js";
import { date, h, replace } from "../../dom.js";
import { LABELS } from "/console/labels.js";
import { DEFAULT_PROVINCE, FINDING_STATUSES, SEVERITIES } from "./constants.js";

/** @param {import("./state.js").MapState} m */
export function fillStatic(m) {
  m.view.severity.append(...SEVERITIES.map((s) => h("option", { value: s }, LABELS.severity[s])));
  m.view.findingStatus.append(...FINDING_STATUSES.map((s) =>
    h("option", { value: s }, LABELS.finding_status[s])));
}

/** The provinces a national admin picks from; Cần Thơ first shown. @param {import("./state.js").MapState} m */
export async function fillProvinces(m) {
  const provinces = await api.all("/provinces");
  const select = /** @type {HTMLSelectElement} */ (m.view.province);
  replace(select, provinces.map((p) => h("option", { value: p.code }, p.name)));
  const codes = provinces.map((p) => p.code);
  m.province = codes.includes(DEFAULT_PROVINCE) ? DEFAULT_PROVINCE : codes[0] || null;
  select.value = m.province || "";
  m.view.provinceField.hidden = false;
}

/** @param {import("./state.js").MapState} m */
export async function loadCampaigns(m) {
  const select = /** @type {HTMLSelectElement} */ (m.view.campaign);
  const keep = select.value;
  const all = await api.all("/campaigns", { province_code: m.province });
  // A national admin's list holds every province: keep the one on the map.
  const mine = all.filter((c) => !c.province_code || c.province_code === m.province);
  replace(select, h("option", { value: "" }, "Tất cả các đợt"), mine.map((c) =>
    h("option", { value: c.id }, `${c.name} (${date(c.starts_on)} – ${date(c.ends_on)})`)));
  select.value = mine.some((c) => c.id === keep) ? keep : "";
}

/** @param {string} isoDate */
function nextDay(isoDate) {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const value = (/** @type {HTMLElement} */ el) => /** @type {HTMLInputElement} */ (el).value;

/**
 * The filter bar as query parameters. "Đến ngày" includes that day, while the API's `to` is
 * exclusive: the day after is sent. Dates are Vietnam's midnights server-side.
 * @param {import("./state.js").MapState} m
 */
export function filterQuery(m) {
  const from = value(m.view.from);
  const to = value(m.view.to);
  return {
    from: from || null,
    to: to ? nextDay(to) : null,
    severity: value(m.view.severity) || null,
    status: value(m.view.findingStatus) || null,
    campaign_id: value(m.view.campaign) || null,
  };
}

/** @param {import("./state.js").MapState} m */
export function filtersValid(m) {
  const from = value(m.view.from);
  const to = value(m.view.to);
  const bad = Boolean(from && to && from > to);
  m.view.filterError.textContent = bad ? "“Từ ngày” phải trước hoặc trùng “Đến ngày”." : "";
  m.view.filterError.hidden = !bad;
  return !bad;
}
