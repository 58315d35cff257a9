// The one API client of the console: bearer token, JSON in and out, ETags carried back as
// `If-Match`, flask-smorest's `X-Pagination`, and problem+json turned into readable Vietnamese.
// Every page talks to the public API (/api/v1) through this module and nothing else.

export const API = "/api/v1";
const SESSION_KEY = "kt1.console.session";
const DEVICE_KEY = "kt1.console.device";

/**
 * @typedef {{id: string, username: string, full_name: string, agency: string,
 *   roles: string[], province_code: string | null, organization?: string | null}} User
 * @typedef {{token: string, expires_at: string, user: User}} Session
 * @typedef {{total: number, total_pages: number, page: number, first_page?: number,
 *   last_page?: number, previous_page?: number, next_page?: number}} Pagination
 * @typedef {{status: number, data: any, etag: string | null, pagination: Pagination | null,
 *   headers: Headers}} Answer
 * @typedef {{body?: unknown, query?: Record<string, unknown>, ifMatch?: string | null,
 *   ifNoneMatch?: string, headers?: Record<string, string>}} RequestOptions
 */

/** A problem+json answer (RFC 9457), or a network failure (status 0). */
export class ApiError extends Error {
  /** @param {number} status @param {Record<string, any> | null} problem */
  constructor(status, problem) {
    super(problemText(status, problem || {}));
    this.status = status;
    this.problem = problem || {};
  }

  /** Field → messages, as the server's `errors` (validation failures). */
  get fieldErrors() {
    return /** @type {Record<string, any>} */ (this.problem.errors || {});
  }
}

// marshmallow's stock messages, as a reader of the console reads them.
const FIELD_MESSAGES = /** @type {Record<string, string>} */ ({
  "Missing data for required field.": "Chưa nhập",
  "Field may not be null.": "Chưa nhập",
  "Not a valid string.": "Phải là chữ",
  "Not a valid integer.": "Phải là số nguyên",
  "Not a valid number.": "Phải là số",
  "Not a valid date.": "Ngày không hợp lệ",
  "Not a valid datetime.": "Thời điểm không hợp lệ",
  "Not a valid UUID.": "Mã không hợp lệ",
  "Unknown field.": "Trường không được phép",
  "Shorter than minimum length 1.": "Chưa nhập",
});

/** "field: message" lines of a validation problem's `errors` (nested keys dotted). */
export function fieldLines(errors, prefix = "") {
  /** @type {string[]} */
  const lines = [];
  for (const [key, value] of Object.entries(errors || {})) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
      lines.push(`${name}: ${value.map((v) => FIELD_MESSAGES[v] || v).join("; ")}`);
    } else if (value && typeof value === "object") {
      lines.push(...fieldLines(value, name));
    } else {
      lines.push(`${name}: ${FIELD_MESSAGES[String(value)] || value}`);
    }
  }
  return lines;
}

/** A problem as one readable Vietnamese text: its title, its detail, its field errors. */
export function problemText(status, problem) {
  if (status === 0) return "Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại.";
  const title = problem.title || `Lỗi ${status}`;
  const parts = [title];
  if (problem.detail && problem.detail !== title) parts.push(problem.detail);
  const lines = fieldLines(problem.errors);
  if (lines.length) parts.push(lines.join("; "));
  if (status === 412) parts.push("Dữ liệu vừa được người khác thay đổi; hãy tải lại trang.");
  return parts.join(": ").replace(/: :/g, ":");
}

/** @returns {Session | null} */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
  } catch {
    return null;
  }
}

/** @param {Session | null} value */
function remember(value) {
  if (value) sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
  else sessionStorage.removeItem(SESSION_KEY);
}

/** Called when the server no longer accepts the token (set by main.js). */
let onSignedOut = () => {};
/** @param {() => void} fn */
export function whenSignedOut(fn) { onSignedOut = fn; }

function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    const buf = new Uint8Array(12);
    crypto.getRandomValues(buf);
    id = `console-${Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

/** "?a=1&b=2" of the values that are set (arrays repeat the key). */
export function queryString(query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query || {})) {
    if (value === null || value === undefined || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * One request to the API. Resolves with the answer; rejects with ApiError.
 * @param {string} method @param {string} path @param {RequestOptions} [options]
 * @returns {Promise<Answer>}
 */
export async function request(method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  const current = session();
  if (current) headers.Authorization = `Bearer ${current.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (options.ifMatch) headers["If-Match"] = options.ifMatch;
  if (options.ifNoneMatch) headers["If-None-Match"] = options.ifNoneMatch;
  let resp;
  try {
    resp = await fetch(API + path + queryString(options.query), {
      method, headers, cache: "no-store",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  let data = null;
  const type = resp.headers.get("Content-Type") || "";
  if (type.includes("json")) data = await resp.json().catch(() => null);
  if (!resp.ok && resp.status !== 304) {
    if (resp.status === 401 && current && path !== "/auth/login") {
      remember(null);
      onSignedOut();
    }
    throw new ApiError(resp.status, data);
  }
  const paging = resp.headers.get("X-Pagination");
  return {
    status: resp.status, data, headers: resp.headers, etag: resp.headers.get("ETag"),
    pagination: paging ? JSON.parse(paging) : null,
  };
}

/** GET's JSON. @param {string} path @param {Record<string, unknown>} [query] */
export async function get(path, query) {
  return (await request("GET", path, { query })).data;
}

/** @param {string} path @param {unknown} body @param {RequestOptions} [options] */
export async function post(path, body, options = {}) {
  return request("POST", path, { ...options, body });
}

/** @param {string} path @param {unknown} body @param {string | null} etag */
export async function patch(path, body, etag) {
  return request("PATCH", path, { body, ifMatch: etag });
}

/**
 * Every item of a paginated list, page after page (for the small lists a page needs whole).
 * @param {string} path @param {Record<string, unknown>} [query] @returns {Promise<any[]>}
 */
export async function all(path, query = {}) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const answer = await request("GET", path, { query: { ...query, page, page_size: 500 } });
    const chunk = Array.isArray(answer.data) ? answer.data : (answer.data?.items || []);
    items.push(...chunk);
    if (!answer.pagination || page >= answer.pagination.total_pages || !chunk.length) break;
  }
  return items;
}

/** A resource's current JSON and ETag (what a write's `If-Match` carries). */
export async function fresh(path) {
  const answer = await request("GET", path);
  return { data: answer.data, etag: answer.etag };
}

/** A document the API serves (PDF, DOCX, XLSX, a photo) as a Blob, with the token. */
export async function blob(path) {
  const current = session();
  const resp = await fetch(API + path, {
    headers: current ? { Authorization: `Bearer ${current.token}` } : {}, cache: "no-store",
  }).catch(() => null);
  if (!resp) throw new ApiError(0, null);
  if (!resp.ok) {
    const type = resp.headers.get("Content-Type") || "";
    throw new ApiError(resp.status, type.includes("json") ? await resp.json() : null);
  }
  return resp.blob();
}

/** Signs in; the session is kept in sessionStorage (this tab only). */
export async function login(username, password) {
  const answer = await request("POST", "/auth/login", {
    body: { username, password, device_id: deviceId(), device_name: "Trình duyệt (bảng điều khiển)" },
  });
  const data = answer.data;
  /** @type {Session} */
  const value = { token: data.access_token, expires_at: data.expires_at, user: data.user };
  remember(value);
  return value;
}

export async function logout() {
  try {
    if (session()) await request("POST", "/auth/logout");
  } catch {
    // The token may already be revoked or expired: the session ends here either way.
  } finally {
    remember(null);
  }
}

/** Refreshes the kept user (GET /auth/me); null when the token no longer works. */
export async function me() {
  const current = session();
  if (!current) return null;
  try {
    const user = await get("/auth/me");
    remember({ ...current, user });
    return user;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** The user's roles include one of `roles`. @param {string[]} roles */
export function hasRole(roles, user = session()?.user) {
  return !!user && user.roles.some((r) => roles.includes(r));
}
