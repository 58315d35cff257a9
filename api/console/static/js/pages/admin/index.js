// Routes of the admin's pages (see ../../router.js): users and their devices, checklist
// versions, the register of legal references, the signers of documents, and the audit chain.

import { renderAudit } from "./audit.js";
import { renderChecklist, renderChecklists } from "./checklists.js";
import { renderLegal } from "./legal.js";
import { renderSigners } from "./signers.js";
import { renderUser } from "./user.js";
import { renderUsers } from "./users.js";

const ADMIN = ["admin"];

/** @type {import("../../router.js").Route[]} */
export const routes = [
  { path: "/admin/users", title: "Người dùng", roles: ADMIN, menu: "Người dùng", render: renderUsers },
  { path: "/admin/users/:id", title: "Người dùng", roles: ADMIN, render: renderUser },
  { path: "/admin/signers", title: "Người ký văn bản", roles: ADMIN, menu: "Người ký", render: renderSigners },
  { path: "/admin/checklists", title: "Bảng kiểm tra", roles: ADMIN, menu: "Bảng kiểm tra", render: renderChecklists },
  { path: "/admin/checklists/:id", title: "Bảng kiểm tra", roles: ADMIN, render: renderChecklist },
  { path: "/admin/legal", title: "Căn cứ pháp lý", roles: ADMIN, menu: "Căn cứ pháp lý", render: renderLegal },
  { path: "/admin/audit", title: "Nhật ký kiểm toán", roles: ADMIN, menu: "Nhật ký kiểm toán", render: renderAudit },
];
