// The console's shared components: status badges, the paged table, outcome messages in
// place, buttons that run an action, form fields, and downloads of API documents.

import { ApiError, blob, request } from "./api.js";
import { h, replace, number } from "./dom.js";
import { label } from "/console/labels.js";

/** A coloured badge with the label of `code` among `kind`'s (inspection/labels.py). */
export function badge(kind, code) {
  return h("span", { class: `badge badge-${kind}-${code}`, dataset: { code } }, label(kind, code));
}

/**
 * A live region where an action tells its outcome (or its error) in place.
 * @returns {HTMLElement & {show: (text: string, kind?: "ok" | "error" | "info") => void, clear: () => void}}
 */
export function outcome() {
  const el = /** @type {any} */ (h("p", { class: "outcome", role: "status", "aria-live": "polite", hidden: true }));
  el.show = (/** @type {string} */ text, kind = "ok") => {
    el.className = `outcome outcome-${kind}`;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    el.textContent = text;
    el.hidden = false;
  };
  el.clear = () => { el.hidden = true; el.textContent = ""; };
  return el;
}

/**
 * Fills `root` with the "not found" card of a detail page (the API's 404: no such record, or
 * one outside the reader's province or organisation).
 * @param {HTMLElement} root @param {string} text
 * @param {{heading?: string, back?: [string, string]}} [options] `back`: [href, link text]
 */
export function notFound(root, text, options = {}) {
  replace(root, h("div", { class: "card", role: "alert" },
    h("h1", null, options.heading || "Không tìm thấy"), h("p", null, text),
    options.back ? h("p", null, h("a", { href: options.back[0] }, options.back[1])) : null));
}

/**
 * `load()`, or null after showing the "not found" card in `root` when the API answers 404.
 * @template T @param {HTMLElement} root @param {() => Promise<T>} load @param {string} text
 * @param {{heading?: string, back?: [string, string]}} [options]
 * @returns {Promise<T | null>}
 */
export async function orNotFound(root, load, text, options = {}) {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      notFound(root, text, options);
      return null;
    }
    throw err;
  }
}

/** The readable text of any error (problem+json, network, script). @param {unknown} err */
export function errorText(err) {
  if (err instanceof ApiError) return err.message;
  return `Lỗi: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * A button that runs `fn`, disabled while it runs; its error (or its success text) is shown
 * in `where`.
 * @param {string} text @param {() => Promise<string | void>} fn
 * @param {{where?: ReturnType<typeof outcome>, kind?: string, attrs?: Record<string, any>}} [options]
 */
export function actionButton(text, fn, options = {}) {
  const where = options.where;
  const button = /** @type {HTMLButtonElement} */ (h("button", {
    type: "button", class: `btn ${options.kind || "btn-primary"}`, ...(options.attrs || {}),
  }, text));
  button.addEventListener("click", async () => {
    button.disabled = true;
    where?.clear();
    try {
      const said = await fn();
      if (said) where?.show(said, "ok");
    } catch (err) {
      if (where) where.show(errorText(err), "error");
      else throw err;
    } finally {
      if (button.isConnected) button.disabled = false;
    }
  });
  return button;
}

/**
 * A labelled control. @param {string} text @param {HTMLElement} control
 * @param {string} [hint]
 */
export function field(text, control, hint) {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, text), control,
    hint ? h("small", { class: "muted" }, hint) : null);
}

/** A <select> of [value, text] pairs. @param {[string, string][]} options @param {string} [selected] */
export function select(options, selected, attrs = {}) {
  return h("select", attrs, options.map(([value, text]) =>
    h("option", { value, selected: value === selected }, text)));
}

/** A section of a page: a heading and its content. @param {string} title @param {...any} children */
export function section(title, ...children) {
  return h("section", { class: "card", "aria-label": title }, h("h2", null, title), ...children);
}

/** A definition list of [term, value] pairs (values empty → "—"). @param {[string, any][]} pairs */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.map(([term, value]) => [
    h("dt", null, term),
    h("dd", null, value === null || value === undefined || value === "" ? "—" : value),
  ]));
}

/**
 * @typedef {{title: string, cell: (item: any) => any, class?: string}} Column
 * @typedef {{path: string, query?: () => Record<string, unknown>, columns: Column[],
 *   caption: string, empty?: string, pageSize?: number, row?: (item: any) => Record<string, any>,
 *   transform?: (items: any[]) => Promise<any[]> | any[]}} TableOptions
 */

/**
 * A table of one paginated API list (server pagination through `page`/`page_size` and the
 * `X-Pagination` header): previous/next and "page N of M (T rows)".
 * @param {TableOptions} options
 */
export function pagedTable(options) {
  const size = options.pageSize || 20;
  let page = 1;
  const body = h("tbody");
  const status = outcome();
  const info = h("span", { class: "pager-info", "aria-live": "polite" });
  const prev = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "btn btn-light", "aria-label": "Trang trước" }, "‹ Trước"));
  const next = /** @type {HTMLButtonElement} */ (h("button", { type: "button", class: "btn btn-light", "aria-label": "Trang sau" }, "Sau ›"));
  const table = h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, options.caption),
    h("thead", null, h("tr", null, options.columns.map((c) => h("th", { scope: "col", class: c.class }, c.title)))),
    body);
  const element = h("div", { class: "paged", "aria-busy": "false" },
    h("div", { class: "table-wrap" }, table), status,
    h("nav", { class: "pager", "aria-label": `Phân trang: ${options.caption}` }, prev, info, next));

  // A filter changed while a page was loading: only the newest request may draw the table,
  // or a slow earlier answer (unfiltered, another page) would replace the one asked for last.
  let generation = 0;
  async function load() {
    const mine = ++generation;
    element.setAttribute("aria-busy", "true");
    status.clear();
    try {
      const answer = await request("GET", options.path, {
        query: { ...(options.query ? options.query() : {}), page, page_size: size },
      });
      let items = Array.isArray(answer.data) ? answer.data : [];
      if (options.transform) items = await options.transform(items);
      if (mine !== generation) return;
      const paging = answer.pagination || { total: items.length, total_pages: 1, page: 1 };
      replace(body, items.length ? items.map((item) => h("tr", options.row ? options.row(item) : null,
        options.columns.map((c) => h("td", { class: c.class }, c.cell(item)))))
        : h("tr", null, h("td", { colspan: String(options.columns.length), class: "empty" },
          options.empty || "Không có dữ liệu.")));
      const pages = Math.max(paging.total_pages || 1, 1);
      info.textContent = `Trang ${page}/${pages} · ${number(paging.total)} dòng`;
      prev.disabled = page <= 1;
      next.disabled = page >= pages;
      element.dataset.total = String(paging.total);
    } catch (err) {
      if (mine !== generation) return;
      replace(body);
      status.show(errorText(err), "error");
    } finally {
      if (mine === generation) element.setAttribute("aria-busy", "false");
    }
  }
  prev.addEventListener("click", () => { page -= 1; load(); });
  next.addEventListener("click", () => { page += 1; load(); });
  load();
  return { element, reload: (/** @type {boolean} */ first = true) => { if (first) page = 1; return load(); } };
}

/** Saves an API document (PDF, DOCX, XLSX) under `filename`. @param {string} path @param {string} filename */
export async function download(path, filename) {
  const data = await blob(path);
  const url = URL.createObjectURL(data);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Opens an API document in a new tab (fetched with the token). @param {string} path */
export async function openDocument(path) {
  const data = await blob(path);
  const url = URL.createObjectURL(data);
  window.open(url, "_blank", "noopener");
  setTimeout(() => URL.revokeObjectURL(url), 300_000);
}

/** An <img> of an API image (photos need the token, so it is fetched as a blob). */
export function apiImage(path, alt, attrs = {}) {
  const img = /** @type {HTMLImageElement} */ (h("img", { alt, loading: "lazy", ...attrs }));
  blob(path).then((data) => { img.src = URL.createObjectURL(data); })
    .catch(() => { img.alt = `${alt} (không tải được ảnh)`; });
  return img;
}

/**
 * Follows a background job (GET /jobs/{id}) with a progress bar until it ends.
 * @param {string} jobId @param {HTMLElement} where
 * @returns {Promise<any>} the finished job; rejects with its Vietnamese error if it failed.
 */
export async function followJob(jobId, where) {
  const bar = /** @type {HTMLProgressElement} */ (h("progress", { max: "100", value: "0", "aria-label": "Tiến độ" }));
  const text = h("span", { class: "job-status", "aria-live": "polite" });
  replace(where, h("div", { class: "job" }, bar, text));
  for (;;) {
    const job = (await request("GET", `/jobs/${jobId}`)).data;
    bar.value = Math.max(0, Math.min(100, Number(job.progress || 0)));
    text.textContent = `${label("job_status", job.status)} · ${bar.value}%`;
    where.dataset.jobStatus = job.status;
    if (job.status === "finished") return job;
    if (job.status === "failed") throw new Error(job.error || label("job_status", "failed"));
    await new Promise((r) => setTimeout(r, 700));
  }
}
