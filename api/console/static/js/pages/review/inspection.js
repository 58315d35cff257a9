// One inspection (#/inspections/:id): its header (site, status, team, times, location check)
// beside a small map, the review decision while it waits, the findings, the documents once
// approved, every answer by section with its photos, the signatures and the history.

import * as api from "../../api.js";
import { h, dateTime, replace } from "../../dom.js";
import { badge, facts, notFound, outcome, section } from "../../ui.js";
import { answerSections, photosByItem, signatures } from "./answers.js";
import { decisionPanel } from "./decision.js";
import { documentsPanel } from "./documents.js";
import { findingsPanel } from "./findings.js";
import { historyPanel } from "./history.js";
import { siteMap } from "./map.js";
import { thumbnails } from "./photos.js";
import { locationCheck, teamList } from "./team.js";

/** @param {import("../../router.js").PageContext} ctx */
export async function renderInspection(ctx) {
  await draw(ctx, "");
}

/** (Re)draws the whole page, with `message` shown at the top. */
async function draw(ctx, message) {
  const id = ctx.params.id;
  let got;
  try {
    got = await api.fresh(`/inspections/${id}`);
  } catch (err) {
    if (err instanceof api.ApiError && (err.status === 404 || err.status === 422)) {
      notFound(ctx.root, "Phiên kiểm tra này không tồn tại hoặc không thuộc phạm vi của bạn.",
        { heading: "Không tìm thấy kiểm tra", back: ["#/review", "← Về hàng đợi duyệt"] });
      return;
    }
    throw err;
  }
  const inspection = got.data;
  const [checklist, photos, findings, users] = await Promise.all([
    api.get(`/checklists/${inspection.checklist_id}`),
    api.all(`/inspections/${id}/photos`),
    api.all("/findings", { inspection_id: id }),
    api.all("/users").catch(() => []),
  ]);
  const names = new Map([...users, ...(inspection.members || []), ctx.user].map((u) => [u.id, u.full_name || u.username]));
  const site = inspection.site || {};
  ctx.setTitle(`Kiểm tra ${site.name || ""}`);
  const byItem = photosByItem(photos);
  const bad = new Set(findings.map((/** @type {any} */ f) => f.item_code));
  const flash = outcome();
  if (message) flash.show(message, "ok");
  const redraw = async (/** @type {string} */ text) => { await draw(ctx, text); };

  const signed = signatures(checklist.sections || [], byItem, inspection.answers || []);
  const review = inspection.review;
  const reviewing = inspection.status === "submitted" && api.hasRole(["supervisor"], ctx.user);
  /** @type {Set<string>} */
  const marked = new Set();
  const order = (checklist.sections || []).flatMap((/** @type {any} */ s) => s.items.map((/** @type {any} */ i) => i.code));
  const returned = review?.decision === "return" ? review.items || [] : [];
  const header = h("section", { class: "card review-header", "aria-label": "Thông tin phiên kiểm tra" },
    h("div", { class: "review-header-facts" },
      h("p", null, badge("inspection_status", inspection.status)),
      facts(/** @type {[string, any][]} */ ([
        ["Địa điểm", [site.name, site.organization ? h("div", { class: "muted review-small" }, site.organization) : null]],
        ["Địa chỉ", site.address],
        ["Xã/phường", site.commune_name || inspection.commune_code],
        ["Đoàn kiểm tra", teamList(inspection.members)],
        ["Bắt đầu", dateTime(inspection.started_at)],
        ["Nộp", dateTime(inspection.submitted_at)],
        ["Kiểm tra vị trí", locationCheck(inspection.location_check)],
        ["Ảnh nghi vấn", (inspection.flags || []).length
          ? h("ul", { class: "review-flags" }, inspection.flags.map((/** @type {string} */ f) => h("li", null, badge("photo_flag", f))))
          : "Không có"],
        review ? [review.decision === "approve" ? "Duyệt lúc" : "Trả lại lúc",
          [dateTime(review.reviewed_at), " — ", names.get(review.reviewed_by) || ""]] : null,
        review?.comment ? ["Nhận xét", h("q", { class: "review-comment-shown" }, review.comment)] : null,
        returned.length ? ["Mục cần sửa", returned.join(", ")] : null,
      ].filter(Boolean)))),
    siteMap(site.location || null, inspection.location, inspection.location_check?.distance_m ?? null));

  const documents = inspection.status === "approved"
    ? section("Thông báo vi phạm và biên bản", await documentsPanel(inspection)) : null;

  replace(ctx.root,
    h("p", { class: "review-back" }, h("a", { href: "#/review" }, "← Hàng đợi duyệt")),
    h("h1", null, `Kiểm tra: ${site.name || id}`),
    flash,
    header,
    inspection.status === "submitted" ? section("Duyệt kết quả", reviewing
      ? decisionPanel(id, got.etag, redraw, marked, order)
      : h("p", { class: "muted" }, "Chờ giám sát viên của tỉnh duyệt.")) : null,
    section(`Phát hiện (${findings.length})`, findingsPanel(findings)),
    documents,
    section("Câu trả lời theo bảng kiểm tra", ...answerSections(checklist.sections || [], inspection.answers || [], byItem, bad,
      { mark: reviewing ? marked : undefined, returned })),
    signed ? section("Chữ ký", signed) : null,
    byItem.get("") ? section("Ảnh khác (không gắn với mục nào)", thumbnails(byItem.get("") || [], "Ảnh khác")) : null,
    section("Lịch sử", await historyPanel(id, names).catch((err) => h("p", { class: "muted" }, `Không đọc được lịch sử: ${err.message}`))));
}
