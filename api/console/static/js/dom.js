// Small DOM and formatting helpers shared by every page of the console.

/**
 * An element with attributes and children (strings become text nodes). `on*` keys with a
 * function value become listeners; `text` sets textContent; false/null/undefined are skipped.
 * @param {string} tag @param {Record<string, any> | null} [attrs] @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (key === "class") el.className = String(value);
    else if (key === "text") el.textContent = String(value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value" && "value" in el) /** @type {any} */ (el).value = value;
    else if (key === "checked" && "checked" in el) /** @type {any} */ (el).checked = !!value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, ...children);
  return el;
}

/** Appends children (nested arrays flattened; strings as text). @param {Node} el */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces every child of `el`. @param {Element} el */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}

const DATE_TIME = new Intl.DateTimeFormat("vi-VN", {
  timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
const NUMBER = new Intl.NumberFormat("vi-VN");

/** "05/05/2026 10:00" in Vietnam's time, whatever the browser's zone. @param {string | null | undefined} iso */
export function dateTime(iso) {
  if (!iso) return "";
  /** @type {Record<string, string>} */
  const part = {};
  for (const p of DATE_TIME.formatToParts(new Date(iso))) part[p.type] = p.value;
  return `${part.day}/${part.month}/${part.year} ${part.hour}:${part.minute}`;
}

/** "05/05/2026" of a "2026-05-05" date. @param {string | null | undefined} isoDate */
export function date(isoDate) {
  if (!isoDate) return "";
  const [y, m, d] = isoDate.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** Today in Vietnam as "YYYY-MM-DD". */
export function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Ho_Chi_Minh" }).format(new Date());
}

/** Whole days from `isoDate` to today in Vietnam (positive when it is past). */
export function daysPast(isoDate) {
  if (!isoDate) return 0;
  const ms = Date.parse(`${today()}T00:00:00Z`) - Date.parse(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Math.round(ms / 86_400_000);
}

/** @param {number | null | undefined} n */
export const number = (n) => NUMBER.format(n || 0);

/** Distance as people read it: "85 m", "1,2 km". @param {number | null | undefined} metres */
export function distance(metres) {
  if (metres === null || metres === undefined) return "";
  if (metres < 1000) return `${Math.round(metres)} m`;
  return `${(metres / 1000).toLocaleString("vi-VN", { maximumFractionDigits: 1 })} km`;
}

/** A random UUID (v4), also outside secure contexts. */
export function uuid() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** @template {(...args: any[]) => void} F @param {F} fn @param {number} ms */
export function debounce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  return /** @type {F} */ ((...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  });
}
