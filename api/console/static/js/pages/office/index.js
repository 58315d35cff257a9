// Routes of this part of the console (see ../../router.js): reports, planning, the post
// offices' annual KT1 reports (the Sở's side and the post office's own), and sync conflicts.

import * as conflicts from "./conflicts.js";
import * as planning from "./planning.js";
import * as postProvision from "./post-provision.js";
import * as provision from "./provision.js";
import * as reports from "./reports.js";

const OFFICE = ["supervisor", "admin"];

/** @type {import("../../router.js").Route[]} */
export const routes = [
  { path: "/reports", title: "Báo cáo tổng hợp", roles: OFFICE, menu: "Báo cáo tổng hợp", render: reports.render },
  { path: "/planning", title: "Lập kế hoạch", roles: OFFICE, menu: "Lập kế hoạch", render: planning.render },
  { path: "/provision", title: "Báo cáo cung cấp KT1", roles: OFFICE, menu: "Báo cáo cung cấp KT1", render: provision.renderStatus },
  { path: "/provision/:id", title: "Báo cáo năm về cung cấp KT1", roles: OFFICE, render: provision.renderReport },
  { path: "/conflicts", title: "Xung đột dữ liệu", roles: OFFICE, menu: "Xung đột dữ liệu", render: conflicts.renderList },
  { path: "/conflicts/:id", title: "Xung đột dữ liệu", roles: OFFICE, render: conflicts.renderOne },
  { path: "/post/provision", title: "Báo cáo năm KT1", roles: ["post"], menu: "Báo cáo năm KT1", render: postProvision.render },
];
