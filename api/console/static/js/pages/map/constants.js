// The map's fixed choices: limits, colours, classes and the order of codes. The words for the
// codes come from /console/labels.js.

export const DEFAULT_PROVINCE = "92";
export const FALLBACK_TOLERANCE = 0.0005; // degrees, the server's default before `zoom` existed
// The zoom asked for before the map exists: a province fits at about 9-10 on a laptop screen;
// if the fitted zoom differs, zoomend asks again.
export const FIRST_ZOOM = 10;
export const FINDINGS_LIMIT = 2000;
export const PANEL_PAGE_SIZE = 20;
export const CACHE_SIZE = 24; // choropleths kept for going back to a zoom or filter...
export const CACHE_MS = 60_000; // ...for a minute: the counts move as inspections arrive
export const RISK_ROLES = ["admin", "supervisor", "police"];
export const RISK_SITES_LIMIT = 5000; // every site of a province, in one answer

export const SEVERITIES = ["critical", "high", "medium", "low"];
export const FINDING_STATUSES = ["open", "confirmed", "remediated", "verified", "dismissed"];
/** @type {Record<string, string>} */
export const SEVERITY_COLOUR = {
  critical: "#67001f", high: "#d6301d", medium: "#f28e1c", low: "#f5d33c",
};

// Open findings per commune: 0 is neutral, then five sequential classes (ColorBrewer BuPu).
export const NEUTRAL_FILL = "#f4f3ee";
// Risk score per commune: 0 is neutral, then yellow to red (ColorBrewer YlOrRd).
/** @type {Record<string, {title: string, fills: string[]}>} */
export const LAYERS = {
  open: {
    title: "Phát hiện còn mở mỗi xã, phường",
    fills: ["#bfd3e6", "#9ebcda", "#8c96c6", "#8856a7", "#810f7c"],
  },
  risk: {
    title: "Điểm rủi ro mỗi xã, phường",
    fills: ["#fed976", "#feb24c", "#fd8d3c", "#e31a1c", "#a50026"],
  },
};
export const OUTLINE = "#7b8794";
export const UNVISITED_OUTLINE = "#e65100";
export const SELECTED_OUTLINE = "#10202f";
