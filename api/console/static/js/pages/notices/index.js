// Routes of this part of the console (see ../../router.js): the office's violation notices,
// their follow-up and the verdict on each finding's remediation.

import { renderList } from "./list.js";
import { renderNotice } from "./detail.js";

/** @type {import("../../router.js").Route[]} */
export const routes = [
  {
    path: "/notices", title: "Thông báo vi phạm", roles: ["supervisor", "admin"],
    menu: "Thông báo vi phạm",
    render: (ctx) => renderList(ctx, { base: "/notices", title: "Thông báo vi phạm" }),
  },
  {
    path: "/notices/:id", title: "Thông báo vi phạm",
    roles: ["supervisor", "admin", "inspector", "police"], render: renderNotice,
  },
];
