// Names of the sites a roster page shows (GET /sites/{id}, each asked once per page load).

import * as api from "../../api.js";

/** A cache of site id → name; `fill(items)` fetches the names of the items' `site_id`s. */
export function siteNames() {
  /** @type {Map<string, string>} */
  const names = new Map();
  return {
    /** @param {string} id */
    name: (id) => names.get(id) || "",
    /** @param {any[]} items */
    async fill(items) {
      const missing = [...new Set(items.map((i) => i.site_id).filter((id) => id && !names.has(id)))];
      await Promise.all(missing.map(async (id) => {
        const site = await api.get(`/sites/${id}`).catch(() => null);
        names.set(id, site ? site.name : "");
      }));
      return items;
    },
  };
}
