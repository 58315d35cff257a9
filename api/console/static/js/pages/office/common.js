// Small pieces shared by the office pages (reports, planning, provision reports, conflicts):
// a page heading, the in-page "not found", API document paths, and a few inputs.

import { ApiError, get } from "../../api.js";
import { h } from "../../dom.js";
import { field, notFound, select } from "../../ui.js";

/** The page's heading and an optional line under it. @param {string} title @param {string} [intro] */
export function heading(title, intro) {
  return h("header", { class: "office-head" }, h("h1", null, title),
    intro ? h("p", { class: "muted" }, intro) : null);
}

/** Fills `root` with "Không tìm thấy" when `err` is the API's 404; false otherwise.
 * @param {HTMLElement} root @param {unknown} err @param {string} what @param {string} back */
export function showNotFound(root, err, what, back) {
  if (!(err instanceof ApiError) || err.status !== 404) return false;
  notFound(root, `Không tìm thấy ${what} này, hoặc nó không thuộc phạm vi của bạn.`,
    { back: [back, "‹ Quay lại danh sách"] });
  return true;
}

/** "/reports/…" of a file URL the API gives as "/api/v1/reports/…" (api.js adds the prefix). */
export function apiPath(/** @type {string} */ url) {
  return url.replace(/^\/api\/v1/, "");
}

/** The file name at the end of a document path. */
export function fileName(/** @type {string} */ path, /** @type {string} */ stem) {
  const ext = path.split(".").pop();
  return `${stem}.${ext}`;
}

/** A number input. @param {Record<string, any>} attrs */
export function numberInput(attrs) {
  return /** @type {HTMLInputElement} */ (h("input", { type: "number", inputmode: "numeric", ...attrs }));
}

/** This year in Vietnam. */
export function thisYear() {
  return Number(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh", year: "numeric" }).format(new Date()));
}

/** [value, text] options of the years from this one back to 2020. */
export function yearOptions() {
  /** @type {[string, string][]} */
  const years = [];
  for (let y = thisYear(); y >= 2020; y -= 1) years.push([String(y), `Năm ${y}`]);
  return years;
}

/**
 * For a national user (no province of their own), a province picker; for the others, their
 * province. @param {import("../../api.js").User} user
 * @returns {Promise<{element: HTMLElement | null, value: () => string | undefined, select: HTMLSelectElement | null}>}
 */
export async function provinceChoice(user) {
  if (user.province_code) return { element: null, value: () => user.province_code || undefined, select: null };
  const provinces = await get("/provinces");
  const control = /** @type {HTMLSelectElement} */ (select(
    provinces.map((/** @type {any} */ p) => [p.code, p.name]), "92", { name: "province_code", "aria-label": "Tỉnh, thành phố" }));
  return { element: field("Tỉnh, thành phố", control), value: () => control.value, select: control };
}
