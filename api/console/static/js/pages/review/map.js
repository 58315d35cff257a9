// A small Leaflet map without tiles: the site, the inspection's GPS fix (with its accuracy)
// and the line between them, on a plain background.

import { h, distance } from "../../dom.js";

/**
 * @param {{lon: number, lat: number} | null} site @param {{lon: number, lat: number, accuracy_m: number | null} | null} fix
 * @param {number | null} metres
 */
export function siteMap(site, fix, metres) {
  const box = h("div", { class: "review-map", role: "img", "aria-label":
    !site ? "Địa điểm chưa có toạ độ" : !fix ? "Vị trí địa điểm; phiên kiểm tra không có định vị"
      : `Địa điểm và vị trí định vị, cách nhau ${distance(metres)}` });
  if (typeof L === "undefined" || (!site && !fix)) {
    box.textContent = "Không có toạ độ để vẽ bản đồ.";
    return box;
  }
  // Leaflet needs the box in the document and sized: draw once the page has placed it.
  whenPlaced(box, () => {
    const map = L.map(box, { attributionControl: false, zoomControl: true, scrollWheelZoom: false });
    const points = [];
    if (site) {
      points.push([site.lat, site.lon]);
      L.circleMarker([site.lat, site.lon], { radius: 8, color: "#0d3b66", fillColor: "#0d3b66", fillOpacity: 0.9 })
        .bindTooltip("Địa điểm", { permanent: true, direction: "left", offset: [-8, 0] }).addTo(map);
    }
    if (fix) {
      points.push([fix.lat, fix.lon]);
      if (fix.accuracy_m) L.circle([fix.lat, fix.lon], { radius: fix.accuracy_m, color: "#d6301d", weight: 1, fillOpacity: 0.1 }).addTo(map);
      L.circleMarker([fix.lat, fix.lon], { radius: 6, color: "#d6301d", fillColor: "#d6301d", fillOpacity: 0.9 })
        .bindTooltip("Định vị", { permanent: true, direction: "right", offset: [8, 0] }).addTo(map);
    }
    if (site && fix) {
      L.polyline(points, { color: "#555", dashArray: "4 4", weight: 2 })
        .bindTooltip(distance(metres), { permanent: true, direction: "center", className: "review-map-distance" }).addTo(map);
    }
    if (points.length === 1) map.setView(points[0], 17);
    else map.fitBounds(L.latLngBounds(points).pad(1.5), { maxZoom: 18 });
  });
  return box;
}

/** Runs `fn` on the first frame where `el` is in the document with a size (gives up after
 * ~10 s, e.g. when the page was left). @param {HTMLElement} el @param {() => void} fn */
function whenPlaced(el, fn, frames = 600) {
  if (el.isConnected && el.clientWidth > 0) fn();
  else if (frames > 0) requestAnimationFrame(() => whenPlaced(el, fn, frames - 1));
}
