// The map page's state: one object per page shown, handed to every module of the page.

/**
 * @typedef {{province: string, at: number, asOf: string, sites: Map<string, any[]>,
 *   communes: Map<string, any>, totalSites: number, listed: number}} RiskData
 */

/**
 * @param {import("./view.js").View} view @param {import("../../api.js").User} user
 */
export function createState(view, user) {
  return {
    view,
    user,
    disposed: false,
    /** @type {string | null} */
    province: null,
    /** @type {any} the Leaflet map */
    map: null,
    /** @type {HTMLElement | null} */
    legend: null,
    /** @type {any} */
    communeLayer: null,
    /** @type {any} the last /map/communes answer drawn */
    communeData: null,
    /** @type {any} */
    findingLayer: null,
    /** @type {Map<string, any>} commune code -> feature of the last choropleth */
    features: new Map(),
    /** @type {Map<string, any>} commune code -> Leaflet layer */
    layers: new Map(),
    breaks: [1, 2, 3, 4, 5],
    layer: "open", // what the choropleth is coloured by: "open" findings or "risk"
    riskAllowed: false,
    /** @type {RiskData | null} */
    risk: null,
    riskSeq: 0, // bumped when the province changes: older answers are dropped
    zoomSupported: true,
    /** @type {Map<string, {data: any, at: number}>} */
    communeCache: new Map(),
    communeSeq: 0,
    findingSeq: 0,
    panelSeq: 0,
    pending: { setup: 0, communes: 0, findings: 0, risk: 0 },
    /** @type {number | null} */
    lastCommuneZoom: null,
    /** @type {string | null} the commune whose panel is open */
    selected: null,
    /** @type {Map<string, any>} */
    sites: new Map(),
    /** @type {Map<string, any>} inspection id -> inspection (the panel's) */
    inspections: new Map(),
    /** @type {Record<string, string>} */
    status: { error: "", communes: "", findings: "" },
    truncated: false,
    // Set by index.js: what a click on a commune or a finding point does, and what follows a
    // redrawn choropleth (the open panel's counts).
    openPanel: (/** @type {string} */ _code) => {},
    redrawn: () => {},
  };
}

/** @typedef {ReturnType<typeof createState>} MapState */

/** The page is still shown (not left, not replaced). @param {MapState} m */
export function alive(m) {
  return !m.disposed && m.view.element.isConnected;
}

/** A commune's risk (properties of /map/risk), once the layer has been read. @param {MapState} m @param {string} code */
export function riskOf(m, code) {
  return m.risk ? m.risk.communes.get(code) || null : null;
}
