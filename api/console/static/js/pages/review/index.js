// Routes of the supervisor's review: the queue of submitted inspections and one inspection's
// page (answers, photos, map, findings, review, documents, history).

import { renderQueue } from "./queue.js";
import { renderInspection } from "./inspection.js";

const REVIEWERS = ["supervisor", "admin"];

/** @type {import("../../router.js").Route[]} */
export const routes = [
  { path: "/review", title: "Duyệt kết quả kiểm tra", menu: "Duyệt kết quả kiểm tra", roles: REVIEWERS,
    render: renderQueue },
  { path: "/inspections/:id", title: "Phiên kiểm tra", roles: REVIEWERS, render: renderInspection },
];
