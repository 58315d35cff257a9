// Routes of this part of the console (see ../../router.js): the post office's own notices and
// its remediation reports.

import { renderList } from "../notices/list.js";
import { renderPostNotice } from "./notice.js";

/** @type {import("../../router.js").Route[]} */
export const routes = [
  {
    path: "/post/notices", title: "Thông báo gửi đơn vị", roles: ["post"],
    menu: "Thông báo gửi đơn vị",
    render: (ctx) => renderList(ctx, {
      base: "/post/notices", title: "Thông báo gửi đơn vị", tabs: ["", "issued", "overdue", "closed"],
    }),
  },
  { path: "/post/notices/:id", title: "Thông báo gửi đơn vị", roles: ["post"], render: renderPostNotice },
];
