// Small pieces the review pages share: the team's names, the location check, an item's label.

import { h, distance } from "../../dom.js";
import { badge } from "../../ui.js";
import { label } from "/console/labels.js";

/**
 * @typedef {{id: string, full_name: string, agency: string, role?: string}} Member
 * @typedef {{distance_m: number | null, accuracy_m: number | null, status: string, radius_m?: number}} LocationCheck
 */

/** "Nguyễn Văn A (Sở KH&CN)" per member, one per line. @param {Member[]} members */
export function teamList(members) {
  return h("ul", { class: "review-team" }, (members || []).map((m) =>
    h("li", null, m.full_name || "—", " ", h("span", { class: "muted" }, `(${label("agency", m.agency)})`))));
}

/** The location check as a badge and the distance. @param {LocationCheck | null} check */
export function locationCheck(check) {
  if (!check) return "—";
  const far = check.distance_m === null || check.distance_m === undefined ? null
    : h("span", { class: "review-distance" }, distance(check.distance_m));
  return h("span", { class: "review-location" }, badge("location_check", check.status), " ", far);
}
