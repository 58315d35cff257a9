// The map's status line (counts, truncation, errors) and its busy state, which the page
// element carries as data-state="loading" | "ready" for the tests and the cursor.

import { h, replace } from "../../dom.js";
import { errorText } from "../../ui.js";

/** @param {import("./state.js").MapState} m @param {"error" | "communes" | "findings"} kind @param {string} text */
export function setStatus(m, kind, text) {
  m.status[kind] = text;
  const parts = [];
  if (m.status.error) parts.push(h("span", { class: "status-error" }, m.status.error));
  if (m.status.communes) parts.push(h("span", null, m.status.communes));
  if (m.status.findings) {
    parts.push(h("span", { class: m.truncated ? "status-warn" : null }, m.status.findings));
  }
  replace(m.view.status, parts);
  m.view.status.hidden = parts.length === 0;
}

/** Shows an error unless the session ended (the shell asks to sign in again). @param {import("./state.js").MapState} m @param {unknown} err */
export function showError(m, err) {
  if (/** @type {any} */ (err)?.status === 401) return;
  setStatus(m, "error", errorText(err));
}

/** @param {import("./state.js").MapState} m */
export function markBusy(m) {
  const busy = Object.values(m.pending).some((n) => n > 0);
  m.view.map.classList.toggle("is-busy", busy);
  if (m.map) m.view.element.dataset.state = busy ? "loading" : "ready";
  if (busy) setStatus(m, "error", "");
}

/**
 * Runs `fn` counted as pending under `kind` (the page reads "loading" meanwhile).
 * @template T @param {import("./state.js").MapState} m @param {"setup" | "communes" | "findings" | "risk"} kind
 * @param {() => Promise<T>} fn @returns {Promise<T>}
 */
export async function pending(m, kind, fn) {
  m.pending[kind] += 1;
  markBusy(m);
  try {
    return await fn();
  } finally {
    m.pending[kind] -= 1;
    markBusy(m);
  }
}
