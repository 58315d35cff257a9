// The public API as the field app uses it: bearer token, JSON in and out, problem+json errors.

import * as db from "./db.js";

export const API = "/api/v1";

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

/** A network failure (offline, connection dropped): the request may be retried later. */
export class Offline extends Error {}

export async function session() { return db.get("session"); }

/**
 * @param {string} method @param {string} path
 * @param {{body?: unknown, headers?: Record<string, string>, auth?: boolean}} [options]
 */
export async function request(method, path, { body, headers = {}, auth = true } = {}) {
  /** @type {Record<string, string>} */
  const h = { Accept: "application/json", ...headers };
  if (body !== undefined) h["Content-Type"] = "application/json";
  if (auth) {
    const s = await session();
    if (s) h.Authorization = `Bearer ${s.token}`;
  }
  let resp;
  try {
    resp = await fetch(API + path, {
      method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (err) {
    throw new Offline(String(err));
  }
  if (resp.status === 204 || resp.status === 304) return { status: resp.status, headers: resp.headers };
  let data = null;
  const type = resp.headers.get("Content-Type") || "";
  if (type.includes("json")) data = await resp.json();
  if (!resp.ok) throw new ApiError(resp.status, data);
  return { status: resp.status, headers: resp.headers, data };
}

/** An image of the API (a photo's thumbnail: `url` as the server gives it, /api/v1/…) as a
 *  Blob, fetched with the session's token. @param {string} url @returns {Promise<Blob>} */
export async function image(url) {
  const s = await session();
  let resp;
  try {
    resp = await fetch(url, { headers: s ? { Authorization: `Bearer ${s.token}` } : {} });
  } catch (err) {
    throw new Offline(String(err));
  }
  if (!resp.ok) throw new ApiError(resp.status, null);
  return resp.blob();
}
