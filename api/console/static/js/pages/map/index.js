// The supervision map (#/map): communes coloured by open findings or by risk, the finding
// points in view, filters, and a commune's panel. Leaflet is vendored (static/vendor/leaflet)
// and there is no base-map tile server: communes are drawn on a plain background.

import * as api from "../../api.js";
import { debounce } from "../../dom.js";
import { FIRST_ZOOM, RISK_ROLES } from "./constants.js";
import { classLabel, fetchCommunes, loadCommunes, renderCommunes, zoomParam } from "./communes.js";
import { fillProvinces, fillStatic, filtersValid, loadCampaigns } from "./filters.js";
import { loadFindings } from "./findings.js";
import { addLegend, renderLegend } from "./legend.js";
import { closePanel, openPanel, refreshCounts } from "./panel.js";
import { loadRisk } from "./risk.js";
import { alive, createState } from "./state.js";
import { markBusy, pending, showError } from "./status.js";
import { buildView } from "./view.js";

/** @typedef {import("./state.js").MapState} MapState */

/** @type {MapState | null} the map page shown, if any */
let current = null;

/** @param {MapState} m */
function dispose(m) {
  if (m.disposed) return;
  m.disposed = true;
  if (m.map) m.map.remove();
  m.map = null;
  if (current === m) current = null;
}

/** @param {MapState} m */
function createMap(m) {
  const map = L.map(m.view.map, {
    center: [16.0, 106.0], zoom: 6, minZoom: 5, maxZoom: 17, zoomSnap: 0.25,
    zoomDelta: 0.5, wheelPxPerZoomLevel: 90, attributionControl: true,
  });
  map.attributionControl.setPrefix("Leaflet");
  map.createPane("findings").style.zIndex = "450";
  m.map = map;
  addLegend(m);
  renderLegend(m, classLabel);
  // Both fire once at the end of a gesture; a newer request supersedes an older one.
  map.on("moveend", () => loadFindings(m));
  map.on("zoomend", () => {
    if (m.zoomSupported && zoomParam(m) !== m.lastCommuneZoom) {
      loadCommunes(m).catch((err) => showError(m, err));
    }
  });
}

/** Colours the choropleth by `layer` ("open" or "risk", already read). @param {MapState} m @param {string} layer */
function showLayer(m, layer) {
  m.layer = layer;
  /** @type {HTMLSelectElement} */ (m.view.layer).value = layer;
  m.view.element.dataset.layer = layer;
  if (m.communeData) renderCommunes(m, m.communeData);
  else renderLegend(m, classLabel);
}

/** @param {MapState} m */
async function changeLayer(m) {
  const select = /** @type {HTMLSelectElement} */ (m.view.layer);
  const want = select.value === "risk" && m.riskAllowed ? "risk" : "open";
  const read = want === "open" || await loadRisk(m);
  // Switched again while the risk was read: the last choice wins.
  if (!alive(m) || (select.value !== want && m.riskAllowed)) return;
  showLayer(m, read ? want : "open");
}

/** @param {MapState} m */
async function changeProvince(m) {
  m.province = /** @type {HTMLSelectElement} */ (m.view.province).value;
  m.communeCache.clear();
  m.risk = null;
  m.riskSeq += 1;
  closePanel(m);
  try {
    await loadCampaigns(m);
    await loadCommunes(m, { fit: true });
    loadFindings(m);
    if (m.layer === "risk") showLayer(m, await loadRisk(m) ? "risk" : "open");
  } catch (err) {
    showError(m, err);
  }
}

/** @param {MapState} m */
function wireFilters(m) {
  const apply = debounce(async () => {
    if (!m.map || !alive(m)) return;
    if (!filtersValid(m)) { markBusy(m); return; }
    try {
      await loadCommunes(m);
      loadFindings(m);
      if (m.selected) openPanel(m, m.selected);
    } catch (err) {
      showError(m, err);
    }
  }, 250);
  const changed = () => {
    if (!m.map) return;
    m.view.element.dataset.state = "loading"; // until the debounced reload has answered
    apply();
  };
  for (const el of [m.view.from, m.view.to, m.view.severity, m.view.findingStatus, m.view.campaign]) {
    el.addEventListener("change", changed);
  }
  m.view.province.addEventListener("change", () => changeProvince(m));
  m.view.layer.addEventListener("change", () => changeLayer(m));
  m.view.filters.addEventListener("reset", () => setTimeout(() => {
    if (m.province) /** @type {HTMLSelectElement} */ (m.view.province).value = m.province;
    /** @type {HTMLSelectElement} */ (m.view.layer).value = m.layer; // the colouring is not a filter
    changed();
  }, 0));
  m.view.filters.addEventListener("submit", (e) => { e.preventDefault(); changed(); });
  m.view.close.addEventListener("click", () => closePanel(m));
  m.view.element.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && m.selected) closePanel(m);
  });
}

/** @param {MapState} m */
async function start(m) {
  try {
    await pending(m, "setup", async () => {
      if (m.user.province_code) m.province = m.user.province_code;
      else await fillProvinces(m);
      const first = await fetchCommunes(m, FIRST_ZOOM);
      if (!alive(m)) return;
      m.riskAllowed = api.hasRole(RISK_ROLES, m.user);
      m.view.layerField.hidden = !m.riskAllowed;
      createMap(m);
      m.lastCommuneZoom = FIRST_ZOOM;
      renderCommunes(m, first, { fit: true });
      loadFindings(m);
      await loadCampaigns(m);
    });
  } catch (err) {
    if (!alive(m)) return;
    if (!m.map) createMap(m);
    showError(m, err);
  }
}

/** @type {import("../../router.js").Route[]} */
export const routes = [{
  path: "/map",
  title: "Bản đồ giám sát",
  menu: "Bản đồ",
  roles: ["admin", "supervisor", "inspector"],
  render(ctx) {
    if (current) dispose(current);
    const view = buildView();
    const m = createState(view, ctx.user);
    current = m;
    m.openPanel = (code) => { openPanel(m, code); };
    m.redrawn = () => { if (m.selected) refreshCounts(m); };
    ctx.root.append(view.element);
    fillStatic(m);
    wireFilters(m);
    const leave = () => {
      if (!view.element.isConnected) {
        dispose(m);
        window.removeEventListener("hashchange", leave);
      }
    };
    window.addEventListener("hashchange", leave);
    start(m);
  },
}];
