// Small DOM and formatting helpers shared by the views (Vietnamese text, Vietnam's time). The
// words for codes (statuses, agencies, answers) come from the service's one label table.

import { label } from "/app/labels.js";

/** An element by id, typed loosely as the form control it usually is.
 * @param {string} id @returns {any} */
export function $(id) { return document.getElementById(id); }

/** An element with attributes and children; strings become text nodes (never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" ? document.createTextNode(c.normalize("NFC")) : c);
  }
  return node;
}

export function show(view) {
  for (const id of ["login-view", "home-view", "inspection-view"]) $(id).hidden = id !== view;
  document.body.dataset.view = view;
}

const VN = "Asia/Ho_Chi_Minh";

export function dateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("vi-VN", {
    timeZone: VN, hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit",
    year: "numeric",
  }).format(new Date(iso));
}

export function day(isoDate) {
  if (!isoDate) return "";
  const [y, m, d] = isoDate.split("-");
  return `${d}/${m}/${y}`;
}

/** A size as people read it: KB below one megabyte, MB with one decimal above. */
export function megabytes(bytes) {
  if (bytes < 1048576) return `${Math.ceil(bytes / 1024).toLocaleString("vi-VN")} KB`;
  return `${(bytes / 1048576).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} MB`;
}

/** The choices of a yes/no/n.a. item: [code, its words in the label table]. */
export const YES_NO_NA = ["yes", "no", "na"].map((code) => [code, label("answer", code)]);

/** An answer's value as a person reads it. */
export function valueText(item, value) {
  if (value === null || value === undefined || value === "") return "(chưa trả lời)";
  if (item?.answer_type === "yes_no_na") {
    return label("answer", value);
  }
  if (item?.answer_type === "date") return day(value);
  if (item?.answer_type === "photo") return "Ảnh";
  if (item?.answer_type === "signature") return "Chữ ký";
  if (typeof value === "number") return value.toLocaleString("vi-VN");
  return String(value);
}

/** Distance in metres between two WGS84 points (haversine). */
export function distanceM(a, b) {
  const rad = (x) => (x * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2
    + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
}

/** true / false where the item's rule can judge the value; null where it cannot
 *  (as inspection/checklists/compliance.py judges it on the server). */
export function isCompliant(item, value, values) {
  const rule = item.compliant_when;
  if (!rule || value === null || value === undefined) return null;
  if ("in" in rule) return rule.in.includes(value);
  if (typeof value !== "number") return null;
  if ("min" in rule) return value >= rule.min;
  if ("max" in rule) return value <= rule.max;
  if ("gte_item" in rule) {
    const other = values[rule.gte_item];
    return typeof other === "number" ? value >= other : null;
  }
  return null;
}

/** sha256 of a Blob as lowercase hex (crypto.subtle). */
export async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
