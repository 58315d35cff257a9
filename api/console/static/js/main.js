// The console: one login, menus by role, one page at a time (hash routes). Every page module
// under pages/ exports its `routes`; the menu lists those the user's roles may open, in the
// order below (a post office's notices come before its report and its roster).

import * as api from "./api.js";
import { h, replace } from "./dom.js";
import { match } from "./router.js";
import { errorText } from "./ui.js";
import { label } from "/console/labels.js";
import { routes as review } from "./pages/review/index.js";
import { routes as notices } from "./pages/notices/index.js";
import { routes as post } from "./pages/post/index.js";
import { routes as office } from "./pages/office/index.js";
import { routes as map } from "./pages/map/index.js";
import { routes as police } from "./pages/police/index.js";
import { routes as admin } from "./pages/admin/index.js";

/** @type {import("./router.js").Route[]} */
const ROUTES = [...review, ...notices, ...post, ...office, ...map, ...police, ...admin];

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

function showLogin(message = "") {
  $("shell").hidden = true;
  $("who").hidden = true;
  $("login-view").hidden = false;
  const error = $("login-error");
  error.textContent = message;
  error.hidden = !message;
  /** @type {HTMLInputElement} */ ($("username")).focus();
}

/** The routes `user` may open. @param {api.User} user */
function allowed(user) {
  return ROUTES.filter((r) => api.hasRole(r.roles, user));
}

/** @param {api.User} user */
function drawMenu(user) {
  const current = location.hash.split("?")[0];
  replace($("menu"), allowed(user).filter((r) => r.menu).map((r) => {
    const target = `#${r.path}`;
    return h("li", null, h("a", {
      href: target, "aria-current": current === target || current.startsWith(`${target}/`) ? "page" : null,
    }, r.menu));
  }));
}

let rendering = 0;

async function render() {
  const current = api.session();
  if (!current) return showLogin();
  const user = current.user;
  $("login-view").hidden = true;
  $("shell").hidden = false;
  $("who").hidden = false;
  $("who-name").textContent = user.full_name || user.username;
  $("who-role").textContent = user.roles.map((r) => label("role", r)).join(", ");
  drawMenu(user);
  const mine = allowed(user);
  const page = $("page");
  if (!location.hash || location.hash === "#/" || location.hash === "#") {
    const first = mine.find((r) => r.menu);
    if (first) { location.replace(`#${first.path}`); return; }
  }
  const found = match(ROUTES, location.hash || "#/");
  const token = ++rendering;
  document.body.dataset.page = found ? found.route.path : "";
  if (!found) {
    replace(page, h("div", { class: "card", role: "alert" }, h("h1", null, "Không tìm thấy trang"),
      h("p", null, "Địa chỉ này không có trong bảng điều khiển.")));
    return;
  }
  if (!api.hasRole(found.route.roles, user)) {
    replace(page, h("div", { class: "card", role: "alert" }, h("h1", null, "Không có quyền"),
      h("p", null, `Trang “${found.route.title}” không dành cho vai trò của bạn.`)));
    return;
  }
  const root = h("div", { class: "page-body" });
  replace(page, root);
  document.title = `${found.route.title} — KT1 Inspect`;
  page.setAttribute("aria-busy", "true");
  try {
    await found.route.render({
      root, params: found.params, query: found.query, user,
      navigate: (hash) => { location.hash = hash; },
      setTitle: (title) => { if (token === rendering) document.title = `${title} — KT1 Inspect`; },
    });
  } catch (err) {
    if (token === rendering) root.append(h("p", { class: "outcome outcome-error", role: "alert" }, errorText(err)));
  } finally {
    if (token === rendering) page.setAttribute("aria-busy", "false");
  }
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = /** @type {HTMLButtonElement} */ ($("login-submit"));
  button.disabled = true;
  try {
    await api.login(/** @type {HTMLInputElement} */ ($("username")).value.trim(),
      /** @type {HTMLInputElement} */ ($("password")).value);
    /** @type {HTMLInputElement} */ ($("password")).value = "";
    await render();
  } catch (err) {
    showLogin(err instanceof api.ApiError && err.status === 401
      ? "Tên đăng nhập hoặc mật khẩu không đúng." : errorText(err));
  } finally {
    button.disabled = false;
  }
});

$("logout").addEventListener("click", async () => {
  await api.logout();
  location.hash = "";
  showLogin();
});

api.whenSignedOut(() => showLogin("Phiên đăng nhập đã hết hạn hoặc đã bị thu hồi. Hãy đăng nhập lại."));
window.addEventListener("hashchange", () => { render(); });

(async () => {
  if (api.session()) {
    const user = await api.me().catch(() => api.session()?.user);
    if (!user) return showLogin("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.");
  }
  await render();
})();
