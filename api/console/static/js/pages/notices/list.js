// The office's notices (#/notices): tabs by status (and overdue), one server-paginated table
// with the site, the number, the issued and due dates and the overdue days; late rows marked.

import { h, date } from "../../dom.js";
import { href } from "../../router.js";
import { badge, pagedTable } from "../../ui.js";
import { label } from "/console/labels.js";
import { findingsSummary, numberText, overdueMark, siteText } from "./parts.js";

/** [tab key, text]: "" all, "overdue", or a notice status. */
const TABS = /** @type {[string, string][]} */ ([
  ["", "Tất cả"],
  ["issued", label("notice_status", "issued")],
  ["overdue", "Quá hạn khắc phục"],
  ["closed", label("notice_status", "closed")],
  ["pending", label("notice_status", "pending")],
  ["failed", label("notice_status", "failed")],
]);

/**
 * The list as `base` ("/notices" or "/post/notices") shows it, its rows opening `base/:id`.
 * `tabs`: the keys of TABS shown (default all).
 * @param {import("../../router.js").PageContext} ctx
 * @param {{base: string, title: string, tabs?: string[]}} options
 */
export function renderList(ctx, { base, title, tabs }) {
  const tab = ctx.query.get("tab") || "";
  const query = tab === "overdue" ? { overdue: true } : tab ? { status: tab } : {};
  const table = pagedTable({
    path: "/notices",
    query: () => query,
    caption: title,
    empty: "Không có thông báo nào.",
    row: (n) => ({ class: n.overdue ? "overdue" : null, dataset: { id: n.id } }),
    columns: [
      { title: "Số", class: "notice-number", cell: (n) => h("a", { href: `#${base}/${n.id}` }, numberText(n)) },
      { title: "Cơ sở", cell: (n) => siteText(n) },
      { title: "Trạng thái", cell: (n) => badge("notice_status", n.status) },
      { title: "Ngày ban hành", cell: (n) => date(n.issued_on) },
      { title: "Hạn khắc phục", cell: (n) => date(n.due_on) },
      { title: "Quá hạn", cell: overdueMark },
      { title: "Phát hiện", cell: findingsSummary },
    ],
  });
  ctx.root.append(
    h("h1", null, title),
    h("nav", { class: "tabs", "aria-label": "Lọc theo trạng thái" }, TABS.filter(([key]) => !tabs || tabs.includes(key)).map(([key, text]) =>
      h("a", { href: href(base, { tab: key }), class: "tab", "aria-current": key === tab ? "page" : null }, text))),
    h("section", { class: "card", "aria-label": title }, table.element));
}
