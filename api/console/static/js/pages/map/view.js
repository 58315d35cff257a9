// The map page's skeleton: the filter bar, the map with its status line, and the commune
// panel (hidden until a commune is chosen). Returns the page element and its parts.

import { h } from "../../dom.js";

/** @param {string} label @param {HTMLElement} control @param {Record<string, any>} [attrs] */
function field(label, control, attrs = {}) {
  return h("label", { class: "field", ...attrs }, h("span", { class: "field-label" }, label), control);
}

/** @param {string} kind "inspections" | "findings" @param {string} title */
function listSection(kind, title) {
  return h("section", { class: "panel-section" },
    h("h3", null, title, " ", h("span", { class: "count", id: `${kind}-count` })),
    h("ul", { class: "records", id: `${kind}-list` }),
    h("button", { type: "button", class: "btn btn-light btn-more", id: `${kind}-more`, hidden: true },
      "Xem thêm"));
}

export function buildView() {
  const select = (/** @type {string} */ id, /** @type {string} */ first) =>
    h("select", { id }, first ? h("option", { value: "" }, first) : null);
  const parts = {
    province: select("f-province", ""),
    from: h("input", { type: "date", id: "f-from" }),
    to: h("input", { type: "date", id: "f-to" }),
    severity: select("f-severity", "Tất cả mức độ"),
    findingStatus: select("f-status", "Tất cả trạng thái"),
    campaign: select("f-campaign", "Tất cả các đợt"),
    layer: h("select", { id: "f-layer" },
      h("option", { value: "open" }, "Phát hiện còn mở"),
      h("option", { value: "risk" }, "Mức độ rủi ro")),
    filterError: h("p", { class: "filter-error", id: "filter-error", role: "alert", hidden: true }),
    map: h("div", { class: "map", id: "map", role: "application", "aria-label": "Bản đồ xã, phường" }),
    status: h("div", { class: "map-status", id: "map-status", role: "status", "aria-live": "polite" }),
    close: h("button", { type: "button", class: "btn-close", id: "panel-close", "aria-label": "Đóng",
      title: "Đóng" }, "×"),
    title: h("h2", { id: "panel-title" }),
    subtitle: h("p", { class: "muted", id: "panel-subtitle" }),
    stats: h("dl", { class: "stats", id: "panel-stats" }),
    severityBars: h("div", { class: "severity-bars", id: "panel-severity" }),
    risk: h("section", { class: "panel-section risk-section", id: "risk-section", hidden: true },
      h("h3", null, "Cơ sở có rủi ro cao ", h("span", { class: "count", id: "risk-count" })),
      h("p", { class: "muted risk-note", id: "risk-note" }),
      h("ol", { class: "records risk-sites", id: "risk-list" }),
      h("p", { class: "muted risk-rest", id: "risk-rest", hidden: true })),
    inspections: listSection("inspections", "Phiên kiểm tra"),
    findings: listSection("findings", "Phát hiện"),
  };
  const provinceField = field("Tỉnh, thành phố", parts.province, { id: "province-field", hidden: true });
  const layerField = h("div", { class: "field field-layer", id: "layer-field", hidden: true },
    h("label", { for: "f-layer", class: "field-label" }, "Tô màu theo"), parts.layer);
  const filters = h("form", { class: "filters", id: "filters", "aria-label": "Bộ lọc" },
    provinceField, field("Từ ngày", parts.from), field("Đến ngày", parts.to),
    field("Mức độ", parts.severity), field("Trạng thái phát hiện", parts.findingStatus),
    field("Đợt kiểm tra", parts.campaign, { class: "field field-wide" }),
    h("button", { type: "reset", class: "btn btn-light", id: "f-reset" }, "Xoá bộ lọc"),
    layerField, parts.filterError);
  const body = h("div", { class: "panel-body" },
    parts.stats, parts.risk, parts.severityBars, parts.inspections, parts.findings);
  const panel = h("aside", { class: "panel", id: "panel", "aria-labelledby": "panel-title", hidden: true },
    h("div", { class: "panel-head" }, h("div", null, parts.title, parts.subtitle), parts.close), body);
  const element = h("div", { class: "map-page", dataset: { state: "loading" } },
    h("h1", { class: "visually-hidden" }, "Bản đồ giám sát"),
    filters,
    h("div", { class: "workspace" },
      h("div", { class: "map-wrap" }, parts.map, parts.status), panel));
  return { element, filters, provinceField, layerField, panel, panelBody: body, ...parts };
}

/** @typedef {ReturnType<typeof buildView>} View */
