// Photos of an inspection: a thumbnail grid per item, and a large preview (in a dialog) with
// the EXIF time and position, the doubts in words, the sha256 and the original.

import { h, dateTime, replace } from "../../dom.js";
import { actionButton, apiImage, facts, openDocument, outcome } from "../../ui.js";
import { label } from "/console/labels.js";

/**
 * @typedef {{id: string, item_code: string | null, sha256: string, status: string,
 *   reason: string | null, filename: string | null, width: number | null, height: number | null,
 *   exif: {taken_at: string | null, lon: number | null, lat: number | null, make: string | null,
 *   model: string | null} | null, flags: string[], created_at: string,
 *   urls: {thumbnail: string | null, preview: string | null, original: string}}} Photo
 */

/** The API path of a photo URL ("/api/v1/photos/…" → "/photos/…"). @param {string} url */
const apiPath = (url) => url.replace(/^\/api\/v1/, "");

/** "10,03456, 105,78901" of an EXIF position. @param {Photo["exif"]} exif */
function position(exif) {
  if (!exif || exif.lat === null || exif.lon === null || exif.lat === undefined) return null;
  return `${exif.lat.toFixed(5)}, ${exif.lon.toFixed(5)}`;
}

/** Flags as words, or null. @param {string[]} flags */
function flagList(flags) {
  if (!flags || !flags.length) return null;
  return h("ul", { class: "review-flags" }, flags.map((f) => h("li", null, h("span", { class: "badge badge-flag" }, label("photo_flag", f)))));
}

let dialog = /** @type {HTMLDialogElement | null} */ (null);

/** Opens the large preview of `photo`. @param {Photo} photo @param {string} caption */
export function preview(photo, caption) {
  if (!dialog || !dialog.isConnected) {
    dialog = /** @type {HTMLDialogElement} */ (h("dialog", { class: "review-photo-dialog", "aria-label": "Xem ảnh" }));
    document.body.append(dialog);
  }
  const where = outcome();
  const close = h("button", { type: "button", class: "btn btn-light", onclick: () => dialog?.close() }, "Đóng");
  const exif = photo.exif;
  replace(dialog,
    h("div", { class: "review-photo-large" },
      photo.urls.preview ? apiImage(apiPath(photo.urls.preview), caption, { class: "review-photo-img" })
        : h("p", { class: "muted" }, label("photo_status", photo.status))),
    h("div", { class: "review-photo-facts" },
      h("h2", null, caption),
      facts([
        ["Thời điểm chụp (EXIF)", exif?.taken_at ? dateTime(exif.taken_at) : "Không có"],
        ["Vị trí chụp (EXIF)", position(exif) || "Không có"],
        ["Thiết bị", [exif?.make, exif?.model].filter(Boolean).join(" ") || null],
        ["Nghi vấn", flagList(photo.flags) || "Không có"],
        ["Trạng thái", label("photo_status", photo.status) + (photo.reason ? ` (${photo.reason})` : "")],
        ["Tệp", photo.filename],
        ["SHA-256", h("code", { class: "review-sha" }, photo.sha256)],
      ]),
      h("div", { class: "toolbar" },
        actionButton("Mở ảnh gốc", async () => { await openDocument(apiPath(photo.urls.original)); },
          { where, kind: "btn-light" }),
        close),
      where));
  dialog.showModal();
}

/** A grid of thumbnails; a click opens the preview. @param {Photo[]} photos @param {string} caption */
export function thumbnails(photos, caption) {
  if (!photos.length) return null;
  return h("ul", { class: "review-thumbs" }, photos.map((p, n) => {
    const name = `${caption} — ảnh ${n + 1}`;
    return h("li", null, h("button", {
      type: "button", class: `review-thumb${p.flags?.length ? " review-thumb-flagged" : ""}`,
      "aria-label": `Xem lớn: ${name}${p.flags?.length ? " (có nghi vấn)" : ""}`,
      onclick: () => preview(p, name),
    }, p.urls.thumbnail ? apiImage(apiPath(p.urls.thumbnail), name)
      : h("span", { class: "muted" }, label("photo_status", p.status)),
    p.flags?.length ? h("span", { class: "review-thumb-flag", "aria-hidden": "true" }, "!") : null));
  }));
}
