// Routes of the police's vetting pages and of the post office's KT1 staff roster whose workers
// they vet (see ../../router.js).

import { renderHistory } from "./history.js";
import { renderRoster } from "./roster.js";
import { renderVetting } from "./vetting.js";

/** @type {import("../../router.js").Route[]} */
export const routes = [
  { path: "/post/staff", title: "Nhân viên KT1", roles: ["post"], menu: "Nhân viên KT1", render: renderRoster },
  { path: "/police/vetting", title: "Thẩm tra nhân viên", roles: ["police"], menu: "Thẩm tra nhân viên", render: renderVetting },
  { path: "/police/staff/:id", title: "Lịch sử người lao động", roles: ["police", "post", "supervisor"], render: renderHistory },
];
