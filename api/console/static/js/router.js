// The console's routes: `#/path/:param?query`, each a page of one module under pages/, with
// the roles that may open it and, for menu pages, the menu entry.

/**
 * @typedef {import("./api.js").User} User
 * @typedef {{root: HTMLElement, params: Record<string, string>, query: URLSearchParams,
 *   user: User, navigate: (hash: string) => void, setTitle: (title: string) => void}} PageContext
 * @typedef {{path: string, title: string, roles: string[], menu?: string,
 *   render: (ctx: PageContext) => void | Promise<void>}} Route
 */

/** The route matching `hash` ("#/inspections/abc?x=1") and its params, or null. */
export function match(/** @type {Route[]} */ routes, /** @type {string} */ hash) {
  const [path, search = ""] = hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    /** @type {Record<string, string>} */
    const params = {};
    let ok = true;
    pattern.forEach((p, i) => {
      if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(parts[i]);
      else if (p !== parts[i]) ok = false;
    });
    if (ok) return { route, params, query: new URLSearchParams(search) };
  }
  return null;
}

/** "#/a/b" for a path and its query (values that are set). */
export function href(/** @type {string} */ path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== null && v !== undefined && v !== "") params.set(k, String(v));
  const text = params.toString();
  return `#${path}${text ? `?${text}` : ""}`;
}
