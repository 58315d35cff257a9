// The legend (a Leaflet control): the choropleth's classes, the dashed outline of communes
// with a site never inspected, and the finding points by severity, filled once confirmed,
// hollow while their inspection awaits review.

import { date, h, replace } from "../../dom.js";
import { LABELS } from "/console/labels.js";
import { LAYERS, NEUTRAL_FILL, SEVERITIES, SEVERITY_COLOUR, UNVISITED_OUTLINE } from "./constants.js";

const SVG = "http://www.w3.org/2000/svg";

/** @param {string} tag @param {Record<string, string | number>} attrs @param {...Element} children */
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  el.append(...children);
  return el;
}

/** @param {string} colour */
function swatch(colour) {
  const el = h("span", { class: "swatch" });
  el.style.backgroundColor = colour;
  return el;
}

/** @param {string} colour @param {boolean} hollow */
function dot(colour, hollow = false) {
  const el = h("span", { class: hollow ? "dot dot-hollow" : "dot" });
  if (hollow) el.style.borderColor = colour;
  else el.style.backgroundColor = colour;
  return el;
}

/** Adds the legend control to the map. @param {import("./state.js").MapState} m */
export function addLegend(m) {
  const control = L.control({ position: "bottomleft" });
  m.legend = h("div", { class: "legend" });
  control.onAdd = () => m.legend;
  control.addTo(m.map);
}

/**
 * @param {import("./state.js").MapState} m
 * @param {(m: import("./state.js").MapState, k: number) => string} classLabel
 */
export function renderLegend(m, classLabel) {
  const box = m.legend;
  if (!box) return;
  const shown = LAYERS[m.layer];
  const classes = [0, 1, 2, 3, 4, 5].map((k) => h("li", { dataset: { k: String(k) } },
    swatch(k ? shown.fills[k - 1] : NEUTRAL_FILL), classLabel(m, k)));
  const dash = svg("svg", { width: 26, height: 14, viewBox: "0 0 26 14", "aria-hidden": "true" },
    svg("rect", { x: 1.5, y: 1.5, width: 23, height: 11, fill: NEUTRAL_FILL,
      stroke: UNVISITED_OUTLINE, "stroke-width": 2.2, "stroke-dasharray": "5 4" }));
  const dots = SEVERITIES.map((s) => h("li", null, dot(SEVERITY_COLOUR[s]), LABELS.severity[s]));
  const asOf = m.layer === "risk" && m.risk ? m.risk.asOf : null;
  box.dataset.layer = m.layer;
  replace(box,
    h("h4", null, shown.title),
    asOf ? h("p", { class: "legend-note" },
      `Tổng điểm các cơ sở, tính đến ngày ${date(asOf)} (không theo bộ lọc)`) : null,
    h("ul", { class: "legend-classes" }, classes),
    h("div", { class: "legend-row" }, dash, "Có cơ sở chưa được kiểm tra trong kỳ"),
    h("h4", null, "Mức độ phát hiện"),
    h("ul", { class: "legend-dots" }, dots),
    h("div", { class: "legend-row legend-awaiting" }, dot("#55606b", true),
      "Điểm rỗng: phiên kiểm tra chưa được duyệt"));
}
