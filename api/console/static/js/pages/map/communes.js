// The choropleth: /map/communes simplified by `zoom` (or by `tolerance` once the server
// refuses `zoom`), cached a minute, coloured by open findings or by risk in five classes.

import * as api from "../../api.js";
import { h, number } from "../../dom.js";
import {
  CACHE_MS, CACHE_SIZE, FALLBACK_TOLERANCE, FIRST_ZOOM, LAYERS, NEUTRAL_FILL, OUTLINE,
  SELECTED_OUTLINE, UNVISITED_OUTLINE,
} from "./constants.js";
import { filterQuery } from "./filters.js";
import { renderLegend } from "./legend.js";
import { alive, riskOf } from "./state.js";
import { pending, setStatus } from "./status.js";

/** @typedef {import("./state.js").MapState} MapState */

/** The integer zoom sent to the server: at least one screen pixel of precision. @param {MapState} m */
export function zoomParam(m) {
  return m.map ? Math.ceil(m.map.getZoom()) : FIRST_ZOOM;
}

/** How the outlines are simplified: by zoom, or by tolerance once the server refused zoom. @param {MapState} m */
export function simplification(m, zoom = zoomParam(m)) {
  return m.zoomSupported ? { zoom } : { tolerance: FALLBACK_TOLERANCE };
}

/** @param {unknown} err */
function mentionsZoom(err) {
  return err instanceof api.ApiError && err.status === 422
    && JSON.stringify(err.fieldErrors).includes("zoom");
}

/** The choropleth at `zoom`, from the cache when it is fresh. @param {MapState} m @param {number} zoom */
export async function fetchCommunes(m, zoom) {
  const base = { province_code: m.province, ...filterQuery(m) };
  const key = JSON.stringify({ ...base, ...simplification(m, zoom) });
  const cached = m.communeCache.get(key);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.data;
  return pending(m, "communes", async () => {
    let data;
    try {
      data = await api.get("/map/communes", { ...base, ...simplification(m, zoom) });
    } catch (err) {
      if (!m.zoomSupported || !mentionsZoom(err)) throw err;
      m.zoomSupported = false;
      data = await api.get("/map/communes", { ...base, tolerance: FALLBACK_TOLERANCE });
    }
    m.communeCache.delete(key);
    m.communeCache.set(key, { data, at: Date.now() });
    if (m.communeCache.size > CACHE_SIZE) m.communeCache.delete(m.communeCache.keys().next().value);
    return data;
  });
}

/** Reads and draws the choropleth at the map's zoom (a newer call wins). @param {MapState} m */
export async function loadCommunes(m, { fit = false } = {}) {
  const seq = ++m.communeSeq;
  const zoom = zoomParam(m);
  const data = await fetchCommunes(m, zoom);
  if (seq !== m.communeSeq || !m.map || !alive(m)) return;
  m.lastCommuneZoom = zoom;
  renderCommunes(m, data, { fit });
}

/** Upper bounds of the five classes (0 has its own neutral class). @param {number[]} values */
function classBreaks(values) {
  const positive = values.filter((v) => v > 0).sort((a, b) => a - b);
  const max = positive.length ? positive[positive.length - 1] : 0;
  if (max <= 5) return [1, 2, 3, 4, 5];
  const at = (/** @type {number} */ p) => positive[Math.min(positive.length - 1, Math.floor(p * positive.length))];
  const bounds = [at(0.2), at(0.4), at(0.6), at(0.8), max];
  for (let i = 0; i < 5; i += 1) bounds[i] = Math.max(bounds[i], i ? bounds[i - 1] + 1 : 1);
  for (let i = 4; i >= 0; i -= 1) bounds[i] = Math.min(bounds[i], max - (4 - i));
  return bounds;
}

/** @param {MapState} m @param {number} value */
function classOf(m, value) {
  if (!value) return 0;
  const i = m.breaks.findIndex((upper) => value <= upper);
  return i === -1 ? 5 : i + 1;
}

/** "0", "1", "2–3": the values of class `k`. @param {MapState} m @param {number} k */
export function classLabel(m, k) {
  if (k === 0) return "0";
  const lo = k === 1 ? 1 : m.breaks[k - 2] + 1;
  const hi = m.breaks[k - 1];
  return lo === hi ? number(lo) : `${number(lo)}–${number(hi)}`;
}

/** What the choropleth shows for a commune: its open findings or its risk score. @param {MapState} m */
function shownValue(m, /** @type {any} */ p) {
  if (m.layer !== "risk") return p.open_findings;
  const risk = riskOf(m, p.code);
  return risk ? risk.score : 0;
}

/** @param {MapState} m @param {any} feature */
function communeStyle(m, feature) {
  const p = feature.properties;
  const k = classOf(m, shownValue(m, p));
  const unvisited = p.sites_never_inspected > 0;
  const selected = p.code === m.selected;
  return {
    fillColor: k ? LAYERS[m.layer].fills[k - 1] : NEUTRAL_FILL,
    fillOpacity: 0.88,
    color: selected ? SELECTED_OUTLINE : (unvisited ? UNVISITED_OUTLINE : OUTLINE),
    weight: selected ? 3.5 : (unvisited ? 2.2 : 0.7),
    dashArray: unvisited && !selected ? "5 4" : null,
    className: `commune commune-k${k}${unvisited ? " commune-unvisited" : ""}`,
  };
}

/** @param {MapState} m @param {any} p */
function tooltipFor(m, p) {
  const risk = m.layer === "risk" ? riskOf(m, p.code) : null;
  return h("div", { class: "tip" },
    h("strong", null, p.name),
    risk ? h("div", { class: "tip-risk" }, `Điểm rủi ro: ${number(risk.score)}`) : null,
    risk ? h("div", { class: "muted" },
      `Cơ sở có điểm rủi ro: ${number(risk.sites_at_risk)}/${number(risk.sites)}`) : null,
    h("div", null, `Phát hiện còn mở: ${number(p.open_findings)}`),
    p.awaiting_review ? h("div", { class: "tip-awaiting" },
      `Phát hiện chờ duyệt: ${number(p.awaiting_review)}`) : null,
    h("div", { class: "muted" }, `Phát hiện: ${number(p.findings)} · Lượt kiểm tra: ${number(p.inspections)}`),
    p.sites_never_inspected > 0 ? h("div", { class: "tip-warn" },
      `Cơ sở chưa được kiểm tra: ${number(p.sites_never_inspected)}/${number(p.sites)}`) : null);
}

/** @param {MapState} m @param {any} feature @param {any} layer */
function wire(m, feature, layer) {
  const p = feature.properties;
  m.layers.set(p.code, layer);
  layer.bindTooltip(() => tooltipFor(m, p), {
    sticky: true, direction: "top", className: "map-tip commune-tip", opacity: 1,
  });
  layer.on("add", () => {
    const el = layer.getElement();
    el.dataset.code = p.code;
    el.dataset.openFindings = String(p.open_findings);
    el.dataset.awaitingReview = String(p.awaiting_review || 0);
    const risk = riskOf(m, p.code);
    if (risk) el.dataset.riskScore = String(risk.score);
  });
  layer.on("mouseover", () => {
    if (p.code !== m.selected) layer.setStyle({ weight: 2.5, color: SELECTED_OUTLINE });
  });
  layer.on("mouseout", () => {
    if (p.code !== m.selected) layer.setStyle(communeStyle(m, feature));
  });
  layer.on("click", () => m.openPanel(p.code));
}

/** Draws a /map/communes answer (again, when the layer or selection changes). @param {MapState} m @param {any} collection */
export function renderCommunes(m, collection, { fit = false } = {}) {
  if (m.communeLayer) m.map.removeLayer(m.communeLayer);
  m.communeData = collection;
  m.features.clear();
  m.layers.clear();
  const features = (collection.features || []).filter((/** @type {any} */ f) => f.geometry);
  m.breaks = classBreaks(features.map((/** @type {any} */ f) => shownValue(m, f.properties)));
  features.forEach((/** @type {any} */ f) => m.features.set(f.properties.code, f));
  // Communes with unvisited sites last, so their dashed outline is drawn on top.
  features.sort((/** @type {any} */ a, /** @type {any} */ b) =>
    Number(a.properties.sites_never_inspected > 0) - Number(b.properties.sites_never_inspected > 0));
  m.communeLayer = L.geoJSON({ type: "FeatureCollection", features }, {
    style: (/** @type {any} */ f) => communeStyle(m, f),
    onEachFeature: (/** @type {any} */ f, /** @type {any} */ layer) => wire(m, f, layer),
  }).addTo(m.map);
  if (m.selected) highlightSelected(m);
  if (fit && m.communeLayer.getLayers().length) {
    // The fitted zoom may ask for a finer geometry: zoomend compares it with
    // lastCommuneZoom and fetches again if needed.
    m.map.fitBounds(m.communeLayer.getBounds(), { padding: [16, 16], animate: false });
  }
  renderLegend(m, classLabel);
  const shown = features.filter((/** @type {any} */ f) => shownValue(m, f.properties) > 0).length;
  const missing = (collection.features || []).length - features.length;
  if (missing && !features.length) {
    setStatus(m, "communes", "Chưa có ranh giới xã, phường của tỉnh này "
      + "(quản trị viên nạp bằng lệnh “kt1 geo import-boundaries”).");
  } else {
    const what = m.layer === "risk" ? "có điểm rủi ro" : "có phát hiện còn mở";
    setStatus(m, "communes", `${number(features.length)} xã, phường · ${number(shown)} ${what}`
      + `${missing ? ` · ${number(missing)} chưa có ranh giới` : ""}`);
  }
  m.view.element.dataset.communes = String(features.length);
  m.redrawn();
}

/** Restyles every commune (the selected one outlined and on top). @param {MapState} m */
export function highlightSelected(m) {
  for (const [code, layer] of m.layers) {
    layer.setStyle(communeStyle(m, layer.feature));
    if (code === m.selected) layer.bringToFront();
  }
}
