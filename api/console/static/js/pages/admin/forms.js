// What the admin, police and roster pages share: field errors shown beside their controls,
// and a form's values.

import { ApiError, fieldLines } from "../../api.js";
import { h } from "../../dom.js";
import { select } from "../../ui.js";


/**
 * Shows each field error of `err` under the control of that `name` in `form` (and clears the
 * previous ones). @param {HTMLElement} form @param {unknown} err
 */
export function showFieldErrors(form, err) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  if (!(err instanceof ApiError)) return;
  for (const [name, messages] of Object.entries(err.fieldErrors)) {
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!control) continue;
    control.setAttribute("aria-invalid", "true");
    const text = fieldLines({ [name]: messages }).map((line) => line.slice(name.length + 2)).join("; ");
    control.closest(".field")?.append(h("small", { class: "field-error" }, text));
  }
}

/**
 * The named controls' values of `form`: text trimmed, empty as null, checkboxes as booleans.
 * @param {HTMLElement} form @returns {Record<string, string | boolean | null>}
 */
export function formValues(form) {
  /** @type {Record<string, string | boolean | null>} */
  const values = {};
  form.querySelectorAll("input[name], select[name], textarea[name]").forEach((node) => {
    const el = /** @type {HTMLInputElement} */ (node);
    if (el.type === "checkbox") values[el.name] = el.checked;
    else values[el.name] = el.value.trim() === "" ? null : el.value.trim();
  });
  return values;
}

/**
 * Sends `form` with `send` on submit: its submit button disabled meanwhile, the field errors
 * of a refusal shown beside their controls, and the outcome in `said` (`send` resolves with
 * the text of success).
 * @param {HTMLElement} form
 * @param {{show: (text: string, kind?: "ok" | "error" | "info") => void, clear: () => void}} said
 * @param {() => Promise<string>} send
 */
export function onSubmit(form, said, send) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = /** @type {HTMLButtonElement | null} */ (form.querySelector("button[type=submit]"));
    if (button) button.disabled = true;
    said.clear();
    try {
      const done = await send();
      showFieldErrors(form, null);
      said.show(done, "ok");
    } catch (err) {
      showFieldErrors(form, err);
      said.show(err instanceof ApiError ? err.message : String(err), "error");
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** An <input> with a name (and the rest of `attrs`). @param {string} name */
export function input(name, attrs = {}) {
  return h("input", { name, ...attrs });
}

/**
 * ui.js's select, typed as the <select> it is.
 * @param {[string, string][]} options @param {string} [selected] @param {Record<string, any>} [attrs]
 * @returns {HTMLSelectElement}
 */
export function selectBox(options, selected, attrs = {}) {
  return /** @type {HTMLSelectElement} */ (select(options, selected, attrs));
}
