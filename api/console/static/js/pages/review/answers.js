// The answers of an inspection beside their checklist items (text, legal basis, severity),
// grouped by section, the non-compliant ones marked, with notes and the photos of each item;
// the signatures (items answered by a signature image) apart. While the supervisor reviews,
// each item has a box to mark it for the team to fix; once returned, the marked items say so.

import { h, date, dateTime, number } from "../../dom.js";
import { badge } from "../../ui.js";
import { label } from "/console/labels.js";
import { thumbnails } from "./photos.js";

/**
 * @typedef {import("./photos.js").Photo} Photo
 * @typedef {{code: string, text: string, answer_type: string, severity: string | null,
 *   legal_basis: string, choices?: string[] | null}} Item
 * @typedef {{code: string, title: string, items: Item[]}} Section
 * @typedef {{item_code: string, value: any, note: string | null, answered_at: string}} Answer
 */

/** An answer's value as a reader reads it. @param {Item} item @param {Answer | undefined} answer */
function valueText(item, answer) {
  if (!answer || answer.value === null || answer.value === undefined || answer.value === "") {
    return item.answer_type === "photo" || item.answer_type === "signature" ? "" : "Chưa trả lời";
  }
  const v = answer.value;
  if (item.answer_type === "yes_no_na" || typeof v === "boolean") {
    return typeof v === "boolean" ? (v ? "Có" : "Không") : label("answer", String(v));
  }
  if (item.answer_type === "number" && typeof v === "number") return number(v);
  if (item.answer_type === "date" && typeof v === "string") return date(v);
  if (Array.isArray(v)) return v.join(", ");
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Photos of each item code. @param {Photo[]} photos */
export function photosByItem(photos) {
  /** @type {Map<string, Photo[]>} */
  const by = new Map();
  for (const p of photos) {
    const key = p.item_code || "";
    by.set(key, [...(by.get(key) || []), p]);
  }
  return by;
}

/**
 * Every section with its items and answers.
 * @param {Section[]} sections @param {Answer[]} answers @param {Map<string, Photo[]>} photos
 * @param {Set<string>} bad item codes of the findings (non-compliant items)
 * @param {{mark?: Set<string>, returned?: string[]}} [options] `mark`: the codes the
 *   supervisor ticks (filled as they tick); `returned`: the codes a return marked
 */
export function answerSections(sections, answers, photos, bad, options = {}) {
  const { mark, returned = [] } = options;
  const byCode = new Map(answers.map((a) => [a.item_code, a]));
  return sections.map((section) => {
    const items = section.items.filter((i) => i.answer_type !== "signature");
    if (!items.length) return null;
    const nBad = items.filter((i) => bad.has(i.code)).length;
    return h("section", { class: "review-section", "aria-label": section.title },
      h("h3", null, `${section.code}. ${section.title}`,
        nBad ? h("span", { class: "badge review-bad-badge" }, ` ${nBad} mục không đạt`) : null),
      h("ol", { class: "review-items" }, items.map((item) => {
        const answer = byCode.get(item.code);
        const failed = bad.has(item.code);
        const itemPhotos = photos.get(item.code) || [];
        const toFix = returned.includes(item.code);
        return h("li", { class: `review-item${failed ? " review-item-bad" : ""}${toFix ? " review-item-returned" : ""}`, dataset: { item: item.code } },
          h("div", { class: "review-item-head" },
            h("span", { class: "review-code" }, item.code),
            h("span", { class: "review-text" }, item.text),
            item.severity ? badge("severity", item.severity) : null,
            toFix ? h("span", { class: "badge review-returned-badge" }, "Cần sửa") : null,
            mark ? markBox(item, mark) : null),
          item.legal_basis ? h("p", { class: "review-legal" }, "Căn cứ: ", item.legal_basis) : null,
          h("p", { class: "review-answer" },
            h("span", { class: "muted" }, "Trả lời: "), h("strong", null, valueText(item, answer) || "—"),
            failed ? h("span", { class: "review-verdict" }, " — Không đạt") : null,
            answer?.answered_at ? h("span", { class: "muted review-small" }, ` · ${dateTime(answer.answered_at)}`) : null),
          answer?.note ? h("p", { class: "review-note" }, h("span", { class: "muted" }, "Ghi chú: "), answer.note) : null,
          thumbnails(itemPhotos, `Mục ${item.code}`));
      })));
  });
}

/** A box to mark the item for the team to fix. @param {Item} item @param {Set<string>} mark */
function markBox(item, mark) {
  const box = /** @type {HTMLInputElement} */ (h("input", {
    type: "checkbox", class: "review-mark", checked: mark.has(item.code),
    "aria-label": `Đánh dấu mục ${item.code} cần sửa`,
    onchange: () => { if (box.checked) mark.add(item.code); else mark.delete(item.code); },
  }));
  return h("label", { class: "review-mark-label", title: "Đánh dấu mục này để đoàn kiểm tra sửa khi trả lại" },
    box, " Cần sửa");
}

/**
 * The signature items and their images.
 * @param {Section[]} sections @param {Map<string, Photo[]>} photos @param {Answer[]} answers
 */
export function signatures(sections, photos, answers) {
  const items = sections.flatMap((s) => s.items).filter((i) => i.answer_type === "signature");
  if (!items.length) return null;
  const byCode = new Map(answers.map((a) => [a.item_code, a]));
  return h("ul", { class: "review-signatures" }, items.map((item) => {
    const shots = photos.get(item.code) || [];
    const answer = byCode.get(item.code);
    return h("li", { dataset: { item: item.code } },
      h("p", null, h("strong", null, item.text)),
      shots.length ? thumbnails(shots, `Chữ ký: ${item.text}`)
        : h("p", { class: "muted" }, answer?.value ? String(answer.value) : "Chưa ký"),
      answer?.answered_at ? h("p", { class: "muted review-small" }, dateTime(answer.answered_at)) : null);
  }));
}
