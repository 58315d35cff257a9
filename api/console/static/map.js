/*
 * KT1 Inspect supervisor console: the map page (/console/map).
 *
 * Plain browser JavaScript, no build step. Leaflet 1.9.4 is vendored from npm into
 * static/vendor/leaflet/ by api/console/vendor.sh (pinned by api/console/package-lock.json);
 * nothing is fetched from a CDN and there is no base-map tile server: communes are drawn
 * on a plain background.
 *
 * The page signs in with the same bearer tokens as the tablets (POST /api/v1/auth/login),
 * keeps the token in sessionStorage, and reads:
 *   GET /map/communes   the choropleth (open findings per commune), simplified by `zoom`
 *                       (falls back to `tolerance` if the server answers 422 for `zoom`)
 *   GET /map/findings   finding points in the current bbox, reloaded on moveend
 *   GET /map/risk       the risk layer (each commune's summed site risk score, for today, no
 *                       filters), joined by commune code onto the drawn choropleth, with
 *   GET /planning/risk  the province's sites in risk order and their reasons (the panel);
 *                       both read once each time the layer is switched on (roles: admin,
 *                       supervisor, police; a 403 hides the switch)
 *   GET /inspections, /findings, /sites (commune_code=...)  the commune panel
 *   GET /campaigns, /provinces                               the filter panel
 */
(function () {
  "use strict";

  const API_BASE = new URL("../api/v1/", window.location.href);
  const TOKEN_KEY = "kt1.console.token";
  const DEVICE_KEY = "kt1.console.device";
  const DEFAULT_PROVINCE = "92";
  const FALLBACK_TOLERANCE = 0.0005; // degrees, the server's default before `zoom` existed
  // The zoom asked for before the map exists: a province fits at about 9-10 on a laptop
  // screen; if the fitted zoom differs, zoomend asks again.
  const FIRST_ZOOM = 10;
  const FINDINGS_LIMIT = 2000;
  const PANEL_PAGE_SIZE = 20;
  const COMMUNE_CACHE_SIZE = 24; // choropleths kept for going back to a zoom or filter...
  const COMMUNE_CACHE_MS = 60_000; // ...for a minute: the counts move as inspections arrive
  const RISK_ROLES = ["admin", "supervisor", "police"];
  const RISK_SITES_LIMIT = 5000; // every site of a province, in one answer

  // --- Vietnamese labels (the server speaks in codes) ---------------------------------------
  const SEVERITIES = ["critical", "high", "medium", "low"];
  const SEVERITY_LABEL = {
    critical: "Rất nghiêm trọng", high: "Nghiêm trọng", medium: "Trung bình", low: "Nhẹ",
  };
  const SEVERITY_COLOUR = {
    critical: "#67001f", high: "#d6301d", medium: "#f28e1c", low: "#f5d33c",
  };
  const FINDING_STATUSES = ["open", "confirmed", "remediated", "verified", "dismissed"];
  const FINDING_STATUS_LABEL = {
    open: "Mới phát hiện", confirmed: "Đã xác nhận", remediated: "Đã khắc phục",
    verified: "Đã kiểm tra khắc phục", dismissed: "Đã bác bỏ",
  };
  const INSPECTION_STATUS_LABEL = {
    draft: "Nháp", submitted: "Đã nộp", returned: "Trả lại", approved: "Đã duyệt",
  };
  const ROLE_LABEL = {
    admin: "Quản trị viên", supervisor: "Giám sát viên", inspector: "Cán bộ kiểm tra",
    police: "Cán bộ Công an", post: "Nhân viên bưu điện",
  };

  // Open findings per commune: 0 is neutral, then five sequential classes (ColorBrewer BuPu).
  const NEUTRAL_FILL = "#f4f3ee";
  const CLASS_FILLS = ["#bfd3e6", "#9ebcda", "#8c96c6", "#8856a7", "#810f7c"];
  // Risk score per commune: 0 is neutral, then yellow to red (ColorBrewer YlOrRd).
  const RISK_FILLS = ["#fed976", "#feb24c", "#fd8d3c", "#e31a1c", "#a50026"];
  const LAYERS = {
    open: { title: "Phát hiện còn mở mỗi xã, phường", fills: CLASS_FILLS },
    risk: { title: "Điểm rủi ro mỗi xã, phường", fills: RISK_FILLS },
  };
  const OUTLINE = "#7b8794";
  const UNVISITED_OUTLINE = "#e65100";
  const SELECTED_OUTLINE = "#10202f";

  const DATE_TIME = new Intl.DateTimeFormat("vi-VN", {
    timeZone: "Asia/Ho_Chi_Minh", day: "2-digit", month: "2-digit", year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const NUMBER = new Intl.NumberFormat("vi-VN");

  // --- Small DOM helpers -----------------------------------------------------------------
  const $ = (id) => document.getElementById(id);

  /** An element with attributes/properties and children (strings become text nodes). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "dataset") Object.assign(el.dataset, value);
      else if (key === "text") el.textContent = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function svg(tag, attrs, ...children) {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value));
    children.forEach((c) => el.append(c));
    return el;
  }

  const fmt = (n) => NUMBER.format(n || 0);

  /** "05/05/2026 10:00", in Vietnam's time whatever the browser's zone. */
  function formatDateTime(iso) {
    if (!iso) return "";
    const part = {};
    for (const p of DATE_TIME.formatToParts(new Date(iso))) part[p.type] = p.value;
    return `${part.day}/${part.month}/${part.year} ${part.hour}:${part.minute}`;
  }

  function formatDate(isoDate) {
    if (!isoDate) return "";
    const [y, m, d] = isoDate.split("-");
    return `${d}/${m}/${y}`;
  }

  function randomHex(bytes) {
    // crypto.getRandomValues works outside secure contexts too (unlike randomUUID).
    const buf = new Uint8Array(bytes);
    crypto.getRandomValues(buf);
    return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function debounce(fn, ms) {
    let timer = null;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  // --- The API client --------------------------------------------------------------------
  class ApiError extends Error {
    constructor(status, problem) {
      const p = problem || {};
      super(p.detail || p.title || `HTTP ${status}`);
      this.status = status;
      this.title = p.title || "Lỗi không xác định";
      this.detail = p.detail || "";
      this.errors = p.errors || null;
    }
  }

  class SessionExpired extends Error {}

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** Calls /api/v1/<path>; empty query values are left out. A 401 on an authenticated
   *  call ends the session and goes back to the login form. */
  async function api(path, { method = "GET", query = null, body = null, signal = null,
                             authenticated = true } = {}) {
    const url = new URL(path, API_BASE);
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== null && value !== undefined && value !== "") {
        url.searchParams.set(key, String(value));
      }
    }
    const headers = { Accept: "application/json" };
    if (authenticated && token()) headers.Authorization = `Bearer ${token()}`;
    if (body !== null) headers["Content-Type"] = "application/json";
    const resp = await fetch(url, {
      method, headers, signal, cache: "no-store",
      body: body === null ? undefined : JSON.stringify(body),
    });
    if (resp.status === 401 && authenticated) {
      endSession("Phiên đăng nhập đã hết hạn hoặc bị thu hồi; vui lòng đăng nhập lại.");
      throw new SessionExpired();
    }
    let data = null;
    if (resp.status !== 204) {
      try {
        data = await resp.json();
      } catch (_) {
        data = null;
      }
    }
    if (!resp.ok) throw new ApiError(resp.status, data);
    return { data, headers: resp.headers };
  }

  /** The pagination header of flask-smorest listings. */
  function pagination(headers) {
    try {
      return JSON.parse(headers.get("X-Pagination") || "{}");
    } catch (_) {
      return {};
    }
  }

  /** Every page of a listing (reference lists: provinces, campaigns, sites of a commune). */
  async function fetchAll(path, query = {}) {
    const items = [];
    for (let page = 1; page <= 50; page += 1) {
      const { data, headers } = await api(path, { query: { ...query, page, page_size: 500 } });
      items.push(...data);
      const info = pagination(headers);
      if (!info.next_page) break;
    }
    return items;
  }

  /** Role codes in a server message ('police') shown by their Vietnamese names. */
  function localiseRoles(text) {
    return String(text || "").replace(/'(admin|supervisor|inspector|police|post)'/g,
      (_, role) => `“${ROLE_LABEL[role]}”`);
  }

  // --- State -----------------------------------------------------------------------------
  const state = {
    user: null,
    province: null,
    provinces: [],
    map: null,
    legend: null,
    communeLayer: null,
    communeData: null, // the last /map/communes answer drawn
    findingLayer: null,
    features: new Map(), // commune code -> feature of the last choropleth
    layers: new Map(), // commune code -> Leaflet layer
    breaks: [1, 2, 3, 4, 5],
    layer: "open", // what the choropleth is coloured by: "open" findings or "risk"
    riskAllowed: false,
    risk: null, // what loadRisk read: the communes' scores and the sites by commune
    riskSeq: 0, // bumped when the province or session changes: older answers are dropped
    zoomSupported: true,
    communeCache: new Map(),
    communeSeq: 0,
    findingSeq: 0,
    findingAbort: null,
    pending: { setup: 0, communes: 0, findings: 0, risk: 0 },
    lastCommuneZoom: null,
    selected: null,
    panelSeq: 0,
    sites: new Map(), // site id -> site, of communes opened in the panel
    inspections: new Map(), // inspection id -> inspection, as listed in the panel
    status: { communes: "", findings: "", error: "" },
  };

  // --- Views -----------------------------------------------------------------------------
  function show(view) {
    for (const id of ["login-view", "denied-view", "map-view"]) $(id).hidden = id !== view;
  }

  function showUser(user) {
    $("who").hidden = !user;
    if (!user) return;
    $("who-name").textContent = user.full_name || user.username;
    const roles = (user.roles || []).map((r) => ROLE_LABEL[r] || r).join(", ");
    $("who-role").textContent = roles;
  }

  function showLogin(message) {
    showUser(null);
    show("login-view");
    const error = $("login-error");
    error.textContent = message || "";
    error.hidden = !message;
    $("password").value = "";
    (($("username").value) ? $("password") : $("username")).focus();
  }

  function showDenied(title, detail) {
    show("denied-view");
    $("denied-title").textContent = title;
    $("denied-detail").textContent = localiseRoles(detail);
    document.body.dataset.state = "denied";
  }

  // --- Session ---------------------------------------------------------------------------
  function deviceId() {
    let id = sessionStorage.getItem(DEVICE_KEY);
    if (!id) {
      id = `console-${randomHex(12)}`;
      sessionStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  }

  async function login(event) {
    event.preventDefault();
    const username = $("username").value.trim();
    const password = $("password").value;
    const error = $("login-error");
    if (!username || !password) {
      error.textContent = "Hãy nhập tên đăng nhập và mật khẩu.";
      error.hidden = false;
      return;
    }
    $("login-submit").disabled = true;
    error.hidden = true;
    try {
      const { data } = await api("auth/login", {
        method: "POST", authenticated: false,
        body: { username, password, device_id: deviceId(), device_name: "Bảng điều khiển web" },
      });
      sessionStorage.setItem(TOKEN_KEY, data.access_token);
      $("password").value = "";
      await start(data.user);
    } catch (err) {
      if (err instanceof ApiError) {
        error.textContent = err.status === 401
          ? "Tên đăng nhập hoặc mật khẩu không đúng."
          : (err.detail || err.title);
      } else {
        error.textContent = "Không kết nối được máy chủ; hãy thử lại.";
      }
      error.hidden = false;
      document.body.dataset.state = "login-failed";
    } finally {
      $("login-submit").disabled = false;
    }
  }

  async function logout() {
    try {
      if (token()) await api("auth/logout", { method: "POST" });
    } catch (_) {
      // The token may already be revoked or expired; the session ends here regardless.
    }
    endSession("");
  }

  function endSession(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.user = null;
    teardownMap();
    document.body.dataset.state = "login";
    showLogin(message);
  }

  // --- Start: province, filters, first choropleth ----------------------------------------
  async function start(user) {
    state.user = user;
    showUser(user);
    state.pending.setup = 1;
    document.body.dataset.state = "loading";
    try {
      if (user.province_code) {
        state.province = user.province_code;
        $("province-field").hidden = true;
      } else {
        state.provinces = await fetchAll("provinces");
        fillProvinces();
        $("province-field").hidden = false;
      }
      // Ask for the choropleth before showing the map: a role without the map sees the
      // server's refusal instead of an empty map.
      const first = await fetchCommunes(FIRST_ZOOM);
      state.riskAllowed = (user.roles || []).some((r) => RISK_ROLES.includes(r));
      $("layer-field").hidden = !state.riskAllowed;
      show("map-view");
      ensureMap();
      state.lastCommuneZoom = FIRST_ZOOM;
      renderCommunes(first, { fit: true });
      loadFindings();
      await loadCampaigns();
    } catch (err) {
      if (err instanceof SessionExpired) return;
      if (err instanceof ApiError && err.status === 403) {
        showDenied(err.title, err.detail || defaultDenied(user));
        return;
      }
      show("map-view");
      ensureMap();
      setStatus("error", errorText(err));
    } finally {
      state.pending.setup = 0;
      markBusy();
    }
  }

  function defaultDenied(user) {
    const roles = (user.roles || []).map((r) => ROLE_LABEL[r] || r).join(", ");
    return `Vai trò ${roles} không được xem bản đồ giám sát.`;
  }

  function errorText(err) {
    if (err instanceof ApiError) return err.detail ? `${err.title}: ${err.detail}` : err.title;
    return "Không kết nối được máy chủ; hãy thử lại.";
  }

  function fillProvinces() {
    const select = $("f-province");
    select.replaceChildren(...state.provinces.map((p) => h("option", { value: p.code }, p.name)));
    const known = state.provinces.some((p) => p.code === state.province);
    state.province = known ? state.province
      : (state.provinces.some((p) => p.code === DEFAULT_PROVINCE) ? DEFAULT_PROVINCE
        : (state.provinces[0] || {}).code);
    select.value = state.province;
  }

  async function loadCampaigns() {
    const select = $("f-campaign");
    const keep = select.value;
    const all = await fetchAll("campaigns", { province_code: state.province });
    // A national admin's list holds every province: keep the one on the map.
    const mine = all.filter((c) => !c.province_code || c.province_code === state.province);
    select.replaceChildren(
      h("option", { value: "" }, "Tất cả các đợt"),
      ...mine.map((c) => h("option", { value: c.id },
        `${c.name} (${formatDate(c.starts_on)} – ${formatDate(c.ends_on)})`)));
    select.value = mine.some((c) => c.id === keep) ? keep : "";
  }

  function fillStaticFilters() {
    $("f-severity").append(...SEVERITIES.map((s) => h("option", { value: s }, SEVERITY_LABEL[s])));
    $("f-status").append(...FINDING_STATUSES.map(
      (s) => h("option", { value: s }, FINDING_STATUS_LABEL[s])));
  }

  // --- Filters ---------------------------------------------------------------------------
  function nextDay(isoDate) {
    const d = new Date(`${isoDate}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  /** The filter panel as query parameters. "Đến ngày" includes that day, while the API's
   *  `to` is exclusive: the day after is sent. Dates are Vietnam's midnights server-side. */
  function filterQuery() {
    const from = $("f-from").value;
    const to = $("f-to").value;
    return {
      from: from || null,
      to: to ? nextDay(to) : null,
      severity: $("f-severity").value || null,
      status: $("f-status").value || null,
      campaign_id: $("f-campaign").value || null,
    };
  }

  function filtersValid() {
    const from = $("f-from").value;
    const to = $("f-to").value;
    const bad = from && to && from > to;
    $("filter-error").textContent = bad ? "“Từ ngày” phải trước hoặc trùng “Đến ngày”." : "";
    $("filter-error").hidden = !bad;
    return !bad;
  }

  const applyFilters = debounce(async () => {
    if (!state.map) return;
    if (!filtersValid()) {
      markBusy();
      return;
    }
    try {
      await loadCommunes({ fit: false });
      loadFindings();
      if (state.selected) openPanel(state.selected);
    } catch (err) {
      if (!(err instanceof SessionExpired)) setStatus("error", errorText(err));
    }
  }, 250);

  function filtersChanged() {
    if (!state.map) return;
    document.body.dataset.state = "loading"; // until the debounced reload has answered
    applyFilters();
  }

  async function changeProvince() {
    state.province = $("f-province").value;
    state.communeCache.clear();
    state.risk = null;
    state.riskSeq += 1;
    closePanel();
    try {
      await loadCampaigns();
      await loadCommunes({ fit: true });
      loadFindings();
      if (state.layer === "risk") showLayer(await loadRisk() ? "risk" : "open");
    } catch (err) {
      if (!(err instanceof SessionExpired)) setStatus("error", errorText(err));
    }
  }

  // --- The map ---------------------------------------------------------------------------
  function ensureMap() {
    if (state.map) {
      state.map.invalidateSize();
      return;
    }
    const map = L.map("map", {
      center: [16.0, 106.0], zoom: 6, minZoom: 5, maxZoom: 17, zoomSnap: 0.25,
      zoomDelta: 0.5, wheelPxPerZoomLevel: 90, preferCanvas: false,
      attributionControl: true,
    });
    map.attributionControl.setPrefix("Leaflet");
    map.createPane("findings").style.zIndex = "450";
    state.map = map;
    state.legend = L.control({ position: "bottomleft" });
    state.legend.onAdd = () => h("div", { class: "legend", id: "legend" });
    state.legend.addTo(map);
    renderLegend();
    // Both fire once at the end of a gesture; a newer request supersedes an older one.
    map.on("moveend", () => loadFindings());
    map.on("zoomend", () => {
      if (state.zoomSupported && zoomParam() !== state.lastCommuneZoom) {
        loadCommunes({ fit: false }).catch((err) => {
          if (!(err instanceof SessionExpired)) setStatus("error", errorText(err));
        });
      }
    });
  }

  function teardownMap() {
    if (state.findingAbort) state.findingAbort.abort();
    if (state.map) {
      state.map.remove();
      // Leaflet leaves its classes and attributes on the container: start from a clean one.
      const old = $("map");
      old.replaceWith(h("div", { class: "map", id: "map", role: "application",
                                 "aria-label": old.getAttribute("aria-label") }));
    }
    Object.assign(state, {
      map: null, legend: null, communeLayer: null, findingLayer: null, selected: null,
      province: null, lastCommuneZoom: null, communeData: null, layer: "open", risk: null,
      riskAllowed: false,
    });
    state.riskSeq += 1; // an answer still in flight is for the session that ended
    $("layer-field").hidden = true;
    delete document.body.dataset.layer;
    state.features.clear();
    state.layers.clear();
    state.communeCache.clear();
    state.sites.clear();
    $("panel").hidden = true;
    $("filters").reset();
    $("f-layer").value = "open";
    // state.pending is left alone: requests still in flight count themselves down.
    setStatus("communes", "");
    setStatus("findings", "");
    setStatus("error", "");
  }

  /** The integer zoom sent to the server: at least one screen pixel of precision. */
  function zoomParam() {
    return state.map ? Math.ceil(state.map.getZoom()) : FIRST_ZOOM;
  }

  function mentionsZoom(err) {
    return err instanceof ApiError && err.status === 422
      && JSON.stringify(err.errors || {}).includes("zoom");
  }

  /** The choropleth at `zoom`; once the server refuses `zoom` (422), `tolerance` is used. */
  async function fetchCommunes(zoom) {
    const base = { province_code: state.province, ...filterQuery() };
    const simplify = state.zoomSupported ? { zoom } : { tolerance: FALLBACK_TOLERANCE };
    const key = JSON.stringify({ ...base, ...simplify });
    const cached = state.communeCache.get(key);
    if (cached && Date.now() - cached.at < COMMUNE_CACHE_MS) return cached.data;
    state.pending.communes += 1;
    markBusy();
    try {
      let data;
      try {
        ({ data } = await api("map/communes", { query: { ...base, ...simplify } }));
      } catch (err) {
        if (!state.zoomSupported || !mentionsZoom(err)) throw err;
        state.zoomSupported = false;
        ({ data } = await api("map/communes",
          { query: { ...base, tolerance: FALLBACK_TOLERANCE } }));
      }
      state.communeCache.delete(key);
      state.communeCache.set(key, { data, at: Date.now() });
      if (state.communeCache.size > COMMUNE_CACHE_SIZE) {
        state.communeCache.delete(state.communeCache.keys().next().value);
      }
      return data;
    } finally {
      state.pending.communes -= 1;
      markBusy();
    }
  }

  async function loadCommunes({ fit }) {
    const seq = ++state.communeSeq;
    const zoom = zoomParam();
    const data = await fetchCommunes(zoom);
    if (seq !== state.communeSeq || !state.map) return; // a newer request won
    state.lastCommuneZoom = zoom;
    renderCommunes(data, { fit });
  }

  /** Upper bounds of the five classes of open findings (0 has its own neutral class). */
  function classBreaks(values) {
    const positive = values.filter((v) => v > 0).sort((a, b) => a - b);
    const max = positive.length ? positive[positive.length - 1] : 0;
    if (max <= 5) return [1, 2, 3, 4, 5];
    const at = (p) => positive[Math.min(positive.length - 1, Math.floor(p * positive.length))];
    const bounds = [at(0.2), at(0.4), at(0.6), at(0.8), max];
    for (let i = 0; i < 5; i += 1) bounds[i] = Math.max(bounds[i], i ? bounds[i - 1] + 1 : 1);
    for (let i = 4; i >= 0; i -= 1) bounds[i] = Math.min(bounds[i], max - (4 - i));
    return bounds;
  }

  function classOf(value) {
    if (!value) return 0;
    const i = state.breaks.findIndex((upper) => value <= upper);
    return i === -1 ? 5 : i + 1;
  }

  /** A commune's risk (properties of /map/risk), once the layer has been read. */
  function riskOf(code) {
    return state.risk ? state.risk.communes.get(code) || null : null;
  }

  /** What the choropleth shows for a commune: its open findings or its risk score. */
  function shownValue(p) {
    if (state.layer !== "risk") return p.open_findings;
    const risk = riskOf(p.code);
    return risk ? risk.score : 0;
  }

  function classLabel(k) {
    if (k === 0) return "0";
    const lo = k === 1 ? 1 : state.breaks[k - 2] + 1;
    const hi = state.breaks[k - 1];
    return lo === hi ? fmt(lo) : `${fmt(lo)}–${fmt(hi)}`;
  }

  function communeStyle(feature) {
    const p = feature.properties;
    const k = classOf(shownValue(p));
    const unvisited = p.sites_never_inspected > 0;
    const selected = p.code === state.selected;
    return {
      fillColor: k ? LAYERS[state.layer].fills[k - 1] : NEUTRAL_FILL,
      fillOpacity: 0.88,
      color: selected ? SELECTED_OUTLINE : (unvisited ? UNVISITED_OUTLINE : OUTLINE),
      weight: selected ? 3.5 : (unvisited ? 2.2 : 0.7),
      dashArray: unvisited && !selected ? "5 4" : null,
      className: `commune commune-k${k}${unvisited ? " commune-unvisited" : ""}`,
    };
  }

  function tooltipFor(p) {
    const risk = state.layer === "risk" ? riskOf(p.code) : null;
    return h("div", { class: "tip" },
      h("strong", {}, p.name),
      risk ? h("div", { class: "tip-risk" }, `Điểm rủi ro: ${fmt(risk.score)}`) : null,
      risk ? h("div", { class: "muted" },
        `Cơ sở có điểm rủi ro: ${fmt(risk.sites_at_risk)}/${fmt(risk.sites)}`) : null,
      h("div", {}, `Phát hiện còn mở: ${fmt(p.open_findings)}`),
      h("div", { class: "muted" },
        `Phát hiện: ${fmt(p.findings)} · Lượt kiểm tra: ${fmt(p.inspections)}`),
      p.sites_never_inspected > 0
        ? h("div", { class: "tip-warn" },
          `Cơ sở chưa được kiểm tra: ${fmt(p.sites_never_inspected)}/${fmt(p.sites)}`)
        : null);
  }

  function renderCommunes(collection, { fit }) {
    const map = state.map;
    if (state.communeLayer) map.removeLayer(state.communeLayer);
    state.communeData = collection;
    state.features.clear();
    state.layers.clear();
    const features = (collection.features || []).filter((f) => f.geometry);
    state.breaks = classBreaks(features.map((f) => shownValue(f.properties)));
    features.forEach((f) => state.features.set(f.properties.code, f));
    // Communes with unvisited sites last, so their dashed outline is drawn on top.
    features.sort((a, b) => (a.properties.sites_never_inspected > 0)
      - (b.properties.sites_never_inspected > 0));
    state.communeLayer = L.geoJSON({ type: "FeatureCollection", features }, {
      style: communeStyle,
      onEachFeature: (feature, layer) => {
        const p = feature.properties;
        state.layers.set(p.code, layer);
        layer.bindTooltip(() => tooltipFor(p), { sticky: true, direction: "top",
                                                 className: "map-tip commune-tip", opacity: 1 });
        layer.on("add", () => {
          const el = layer.getElement();
          el.dataset.code = p.code;
          el.dataset.openFindings = String(p.open_findings);
          const risk = riskOf(p.code);
          if (risk) el.dataset.riskScore = String(risk.score);
        });
        layer.on("mouseover", () => {
          if (p.code !== state.selected) layer.setStyle({ weight: 2.5, color: SELECTED_OUTLINE });
        });
        layer.on("mouseout", () => {
          if (p.code !== state.selected) layer.setStyle(communeStyle(feature));
        });
        layer.on("click", () => openPanel(p.code));
      },
    }).addTo(map);
    if (state.selected) highlightSelected();
    if (fit && state.communeLayer.getLayers().length) {
      // The fitted zoom may ask for a finer geometry: zoomend compares it with
      // state.lastCommuneZoom and fetches again if needed.
      map.fitBounds(state.communeLayer.getBounds(), { padding: [16, 16], animate: false });
    }
    renderLegend();
    const shown = features.filter((f) => shownValue(f.properties) > 0).length;
    const missing = (collection.features || []).length - features.length;
    if (missing && !features.length) {
      setStatus("communes", "Chưa có ranh giới xã, phường của tỉnh này "
        + "(quản trị viên nạp bằng lệnh “kt1 geo import-boundaries”).");
    } else {
      const what = state.layer === "risk" ? "có điểm rủi ro" : "có phát hiện còn mở";
      setStatus("communes", `${fmt(features.length)} xã, phường · ${fmt(shown)} ${what}`
        + `${missing ? ` · ${fmt(missing)} chưa có ranh giới` : ""}`);
    }
    document.body.dataset.communes = String(features.length);
    if (state.selected) refreshPanelCounts();
  }

  function highlightSelected() {
    for (const [code, layer] of state.layers) {
      layer.setStyle(communeStyle(layer.feature));
      if (code === state.selected) layer.bringToFront();
    }
  }

  function severityRank(s) {
    const i = SEVERITIES.indexOf(s);
    return i === -1 ? SEVERITIES.length : i;
  }

  /** The current view as `minlon,minlat,maxlon,maxlat`, clamped to WGS84. */
  function bboxParam() {
    const b = state.map.getBounds();
    const clamp = (v, lim) => Math.max(-lim, Math.min(lim, v));
    const w = clamp(b.getWest(), 180);
    const s = clamp(b.getSouth(), 90);
    const e = clamp(b.getEast(), 180);
    const n = clamp(b.getNorth(), 90);
    if (!(w < e && s < n)) return null;
    return [w, s, e, n].map((v) => v.toFixed(6)).join(",");
  }

  async function loadFindings() {
    if (!state.map || !state.province || !filtersValid()) return;
    const bbox = bboxParam();
    if (!bbox) return;
    if (state.findingAbort) state.findingAbort.abort();
    const abort = new AbortController();
    state.findingAbort = abort;
    const seq = ++state.findingSeq;
    state.pending.findings += 1;
    markBusy();
    try {
      const { data } = await api("map/findings", {
        signal: abort.signal,
        query: { province_code: state.province, ...filterQuery(), bbox, limit: FINDINGS_LIMIT },
      });
      if (seq === state.findingSeq && state.map) renderFindings(data);
    } catch (err) {
      if (err.name !== "AbortError" && !(err instanceof SessionExpired)) {
        setStatus("error", errorText(err));
      }
    } finally {
      state.pending.findings -= 1;
      markBusy();
    }
  }

  function renderFindings(collection) {
    if (state.findingLayer) state.map.removeLayer(state.findingLayer);
    const features = (collection.features || []).slice()
      .sort((a, b) => severityRank(b.properties.severity) - severityRank(a.properties.severity));
    // Findings of one site share its point: the most severe is drawn on top, and the
    // tooltip counts all of them.
    const perSite = new Map();
    for (const f of features) {
      const counts = perSite.get(f.properties.site_id) || {};
      counts[f.properties.severity] = (counts[f.properties.severity] || 0) + 1;
      perSite.set(f.properties.site_id, counts);
    }
    state.findingLayer = L.layerGroup(features.map((f) => {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const marker = L.circleMarker([lat, lon], {
        pane: "findings", radius: 6.5, color: "#ffffff", weight: 1.6, opacity: 1,
        fillColor: SEVERITY_COLOUR[p.severity] || "#555", fillOpacity: 1,
        className: `finding finding-${p.severity}`,
      });
      marker.bindTooltip(() => {
        const counts = perSite.get(p.site_id) || {};
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        return h("div", { class: "tip" },
          h("strong", {}, SEVERITY_LABEL[p.severity] || p.severity),
          h("div", {}, `Mục ${p.item_code} · ${FINDING_STATUS_LABEL[p.status] || p.status}`),
          total > 1 ? h("div", { class: "muted" }, `Cơ sở này có ${fmt(total)} phát hiện: `
            + SEVERITIES.filter((s) => counts[s])
              .map((s) => `${fmt(counts[s])} ${SEVERITY_LABEL[s].toLowerCase()}`).join(", "))
            : null);
      }, { direction: "top", offset: [0, -6], opacity: 1, className: "map-tip finding-tip" });
      marker.on("click", () => { if (p.commune_code) openPanel(p.commune_code); });
      return marker;
    })).addTo(state.map);
    const shown = features.length;
    setStatus("findings", collection.truncated
      ? `Chỉ hiển thị ${fmt(shown)} phát hiện mới nhất trong khung nhìn; hãy phóng to hoặc lọc thêm.`
      : `${fmt(shown)} phát hiện trong khung nhìn`);
    document.body.dataset.findings = String(shown);
    document.body.dataset.truncated = String(Boolean(collection.truncated));
  }

  // --- The risk layer --------------------------------------------------------------------
  /** Reads /map/risk and /planning/risk for the province (kept a minute); false when they
   *  cannot be read (a 403 also takes the switch away). */
  async function loadRisk() {
    const province = state.province;
    const kept = state.risk;
    if (kept && kept.province === province && Date.now() - kept.at < COMMUNE_CACHE_MS) {
      return true;
    }
    const seq = state.riskSeq;
    state.pending.risk += 1;
    markBusy();
    try {
      const simplify = state.zoomSupported ? { zoom: zoomParam() }
        : { tolerance: FALLBACK_TOLERANCE };
      const [layer, ranked] = await Promise.all([
        api("map/risk", { query: { province_code: province, ...simplify } }),
        api("planning/risk", { query: { province_code: province, limit: RISK_SITES_LIMIT } }),
      ]);
      if (seq !== state.riskSeq || province !== state.province) return false;
      const sites = new Map(); // commune code -> its sites, in the province's rank order
      for (const site of ranked.data.sites || []) {
        if (!site.commune_code) continue;
        if (!sites.has(site.commune_code)) sites.set(site.commune_code, []);
        sites.get(site.commune_code).push(site);
      }
      state.risk = {
        province, at: Date.now(), asOf: layer.data.as_of || ranked.data.as_of, sites,
        communes: new Map((layer.data.features || []).map((f) => [f.properties.code,
                                                                   f.properties])),
        totalSites: ranked.data.total_sites || 0,
        listed: (ranked.data.sites || []).length,
      };
      return true;
    } catch (err) {
      if (err instanceof SessionExpired || seq !== state.riskSeq) return false;
      if (err instanceof ApiError && err.status === 403) {
        state.riskAllowed = false;
        $("layer-field").hidden = true;
      } else {
        setStatus("error", errorText(err));
      }
      return false;
    } finally {
      state.pending.risk -= 1;
      markBusy();
    }
  }

  async function changeLayer() {
    if (!state.map) return;
    const want = $("f-layer").value === "risk" && state.riskAllowed ? "risk" : "open";
    const read = want === "open" || await loadRisk();
    // Switched again while the risk was read: the last choice wins.
    if (!state.map || ($("f-layer").value !== want && state.riskAllowed)) return;
    showLayer(read ? want : "open");
  }

  /** Colours the choropleth by `layer` ("open" or "risk", already read). */
  function showLayer(layer) {
    state.layer = layer;
    $("f-layer").value = layer;
    document.body.dataset.layer = layer;
    if (state.communeData) renderCommunes(state.communeData, { fit: false });
    else renderLegend();
    if (state.selected) refreshPanelCounts();
  }

  // --- Legend and status -----------------------------------------------------------------
  function renderLegend() {
    const box = document.getElementById("legend");
    if (!box) return;
    const swatch = (colour) => {
      const el = h("span", { class: "swatch" });
      el.style.backgroundColor = colour;
      return el;
    };
    const shown = LAYERS[state.layer];
    const classes = [0, 1, 2, 3, 4, 5].map((k) => h("li", { dataset: { k: String(k) } },
      swatch(k ? shown.fills[k - 1] : NEUTRAL_FILL), classLabel(k)));
    const dash = svg("svg", { width: 26, height: 14, viewBox: "0 0 26 14", "aria-hidden": "true" },
      svg("rect", { x: 1.5, y: 1.5, width: 23, height: 11, fill: NEUTRAL_FILL,
                    stroke: UNVISITED_OUTLINE, "stroke-width": 2.2, "stroke-dasharray": "5 4" }));
    const dots = SEVERITIES.map((s) => {
      const dot = h("span", { class: "dot" });
      dot.style.backgroundColor = SEVERITY_COLOUR[s];
      return h("li", {}, dot, SEVERITY_LABEL[s]);
    });
    const asOf = state.layer === "risk" && state.risk ? state.risk.asOf : null;
    box.dataset.layer = state.layer;
    box.replaceChildren(...[
      h("h4", {}, shown.title),
      asOf ? h("p", { class: "legend-note" }, "Tổng điểm các cơ sở, tính đến ngày "
        + `${formatDate(asOf)} (không theo bộ lọc)`) : null,
      h("ul", { class: "legend-classes" }, classes),
      h("div", { class: "legend-row" }, dash, "Có cơ sở chưa được kiểm tra trong kỳ"),
      h("h4", {}, "Mức độ phát hiện"),
      h("ul", { class: "legend-dots" }, dots)].filter(Boolean));
  }

  function setStatus(kind, text) {
    state.status[kind] = text;
    const box = $("map-status");
    const parts = [];
    if (state.status.error) parts.push(h("span", { class: "status-error" }, state.status.error));
    if (state.status.communes) parts.push(h("span", {}, state.status.communes));
    if (state.status.findings) {
      const truncated = document.body.dataset.truncated === "true";
      parts.push(h("span", { class: truncated ? "status-warn" : "" }, state.status.findings));
    }
    box.replaceChildren(...parts);
    box.hidden = parts.length === 0;
  }

  function markBusy() {
    const busy = Object.values(state.pending).some((n) => n > 0);
    $("map").classList.toggle("is-busy", busy);
    if (state.map) document.body.dataset.state = busy ? "loading" : "ready";
    if (busy) setStatus("error", "");
  }

  // --- The commune panel -----------------------------------------------------------------
  function closePanel() {
    state.selected = null;
    $("panel").hidden = true;
    if (state.map) {
      state.map.invalidateSize();
      highlightSelected();
    }
    delete document.body.dataset.panel;
  }

  function stat(label, value, cls) {
    return h("div", { class: `stat ${cls || ""}` }, h("dt", {}, label), h("dd", {}, fmt(value)));
  }

  function refreshPanelCounts() {
    const feature = state.features.get(state.selected);
    const p = feature ? feature.properties : null;
    if (!p) return;
    $("panel-title").textContent = p.name;
    $("panel-subtitle").textContent = `Mã đơn vị hành chính: ${p.code}`;
    const risk = state.layer === "risk" ? riskOf(p.code) : null;
    $("panel-stats").replaceChildren(...[
      stat("Lượt kiểm tra", p.inspections),
      stat("Phát hiện", p.findings),
      stat("Phát hiện còn mở", p.open_findings, p.open_findings ? "stat-alert" : ""),
      stat("Cơ sở KT1", p.sites),
      stat("Cơ sở chưa được kiểm tra", p.sites_never_inspected,
        p.sites_never_inspected ? "stat-warn" : ""),
      risk ? stat("Điểm rủi ro", risk.score, risk.score ? "stat-risk" : "") : null,
    ].filter(Boolean));
    renderRiskSites(p.code);
    const counts = p.by_severity || {};
    const most = Math.max(1, ...SEVERITIES.map((s) => counts[s] || 0));
    $("panel-severity").replaceChildren(
      h("h3", {}, "Phát hiện theo mức độ"),
      ...SEVERITIES.map((s) => {
        const bar = h("span", { class: "bar-fill" });
        bar.style.width = `${Math.round(100 * (counts[s] || 0) / most)}%`;
        bar.style.backgroundColor = SEVERITY_COLOUR[s];
        return h("div", { class: "bar-row", dataset: { severity: s } },
          h("span", { class: "bar-label" }, SEVERITY_LABEL[s]),
          h("span", { class: "bar-track" }, bar),
          h("span", { class: "bar-value" }, fmt(counts[s] || 0)));
      }));
  }

  /** The panel's "Cơ sở có rủi ro cao": the commune's sites scoring above zero, in the
   *  province's rank order, each with the reasons for its points (risk layer only). */
  function renderRiskSites(code) {
    const section = $("risk-section");
    const sites = state.layer === "risk" && state.risk ? state.risk.sites.get(code) || [] : null;
    section.hidden = !sites;
    if (!sites) return;
    const risk = riskOf(code) || { score: 0 };
    const atRisk = sites.filter((s) => s.score > 0);
    $("risk-count").textContent = `(${fmt(atRisk.length)})`;
    $("risk-note").textContent = `Tổng điểm rủi ro của xã, phường: ${fmt(risk.score)} · `
      + `tính đến ngày ${formatDate(state.risk.asOf)}`
      + (state.risk.totalSites > state.risk.listed
        ? ` · chỉ xét ${fmt(state.risk.listed)} cơ sở có điểm cao nhất tỉnh` : "");
    $("risk-list").replaceChildren(...(atRisk.length ? atRisk.map(riskSiteItem)
      : [h("li", { class: "muted empty" }, sites.length
        ? "Không có cơ sở nào có điểm rủi ro." : "Xã, phường này chưa có cơ sở KT1 nào.")]));
    const rest = sites.length - atRisk.length;
    $("risk-rest").hidden = !(atRisk.length && rest);
    $("risk-rest").textContent = `Còn ${fmt(rest)} cơ sở khác không có điểm rủi ro.`;
  }

  function riskSiteItem(s) {
    return h("li", { class: "record risk-site", dataset: { siteId: s.site_id, rank: s.rank,
                                                            score: s.score } },
      h("div", { class: "record-main" },
        h("span", { class: "risk-name" }, s.name),
        badge("risk-score", `${fmt(s.score)} điểm`)),
      h("div", { class: "record-site" }, `Hạng ${fmt(s.rank)}/${fmt(state.risk.totalSites)} `
        + "trong tỉnh · " + (s.last_inspected_on
        ? `kiểm tra gần nhất ${formatDate(s.last_inspected_on)}` : "chưa từng được kiểm tra")),
      h("ul", { class: "reasons" }, (s.reasons || []).map((r) => h("li", {
        class: "reason", dataset: { code: r.code, points: r.points } },
      h("span", { class: "reason-text" }, r.text),
      h("span", { class: "reason-points" }, `+${fmt(r.points)}`)))));
  }

  async function openPanel(code) {
    if (!state.features.has(code)) return;
    const seq = ++state.panelSeq;
    const changed = state.selected !== code;
    state.selected = code;
    const panel = $("panel");
    const wasHidden = panel.hidden;
    panel.hidden = false;
    if (wasHidden) state.map.invalidateSize();
    // The narrower map may have lost the commune out of view: bring it back.
    const bounds = state.layers.get(code).getBounds();
    if (!state.map.getBounds().contains(bounds)) state.map.panTo(bounds.getCenter());
    highlightSelected();
    refreshPanelCounts();
    if (changed) panel.querySelector(".panel-body").scrollTop = 0;
    document.body.dataset.panel = "loading";
    for (const kind of ["inspections", "findings"]) {
      $(`${kind}-list`).replaceChildren(h("li", { class: "muted" }, "Đang tải…"));
      $(`${kind}-count`).textContent = "";
      $(`${kind}-more`).hidden = true;
    }
    try {
      const filters = filterQuery();
      const queries = {
        inspections: { commune_code: code, from: filters.from, to: filters.to,
                       campaign_id: filters.campaign_id },
        findings: { commune_code: code, ...filters },
      };
      // Sites give the names; inspections give the findings their visit's date.
      const [, inspections, findings] = await Promise.all([
        loadSites(code), fetchList("inspections", queries.inspections, 1),
        fetchList("findings", queries.findings, 1)]);
      if (seq !== state.panelSeq) return;
      showList(seq, "inspections", queries.inspections, 1, inspections);
      showList(seq, "findings", queries.findings, 1, findings);
      document.body.dataset.panel = code;
    } catch (err) {
      if (err instanceof SessionExpired || seq !== state.panelSeq) return;
      $("inspections-list").replaceChildren(h("li", { class: "status-error" }, errorText(err)));
      $("findings-list").replaceChildren();
      document.body.dataset.panel = "error";
    }
  }

  async function loadSites(code) {
    const sites = await fetchAll("sites", { commune_code: code });
    sites.forEach((s) => state.sites.set(s.id, s));
  }

  function siteName(id) {
    const site = state.sites.get(id);
    return site ? site.name : "Cơ sở không còn trong danh sách";
  }

  /** One page of the panel's inspections or findings. */
  async function fetchList(kind, query, page) {
    const { data, headers } = await api(kind, { query: { ...query, page,
                                                          page_size: PANEL_PAGE_SIZE } });
    return { data, info: pagination(headers) };
  }

  /** Appends a fetched page to the panel's list, with its count and "more" button. */
  function showList(seq, kind, query, page, { data, info }) {
    if (seq !== state.panelSeq) return;
    const list = $(`${kind}-list`);
    if (page === 1) list.replaceChildren();
    if (kind === "inspections") data.forEach((i) => state.inspections.set(i.id, i));
    list.append(...data.map(kind === "inspections" ? inspectionItem : findingItem));
    const total = info.total ?? data.length;
    if (!total) {
      list.replaceChildren(h("li", { class: "muted empty" }, kind === "inspections"
        ? "Không có phiên kiểm tra nào khớp bộ lọc." : "Không có phát hiện nào khớp bộ lọc."));
    }
    $(`${kind}-count`).textContent = `(${fmt(total)})`;
    const more = $(`${kind}-more`);
    const remaining = total - list.querySelectorAll("li.record").length;
    more.hidden = !info.next_page;
    more.textContent = `Xem thêm (còn ${fmt(remaining)})`;
    more.onclick = () => {
      more.disabled = true;
      fetchList(kind, query, info.next_page)
        .then((next) => showList(seq, kind, query, info.next_page, next))
        .catch((err) => { if (!(err instanceof SessionExpired)) more.textContent = errorText(err); })
        .finally(() => { more.disabled = false; });
    };
  }

  function badge(cls, text) {
    return h("span", { class: `badge ${cls}` }, text);
  }

  function inspectionItem(i) {
    return h("li", { class: "record", dataset: { id: i.id, status: i.status } },
      h("div", { class: "record-main" },
        h("span", { class: "record-date" }, formatDateTime(i.started_at)),
        badge(`status-${i.status}`, INSPECTION_STATUS_LABEL[i.status] || i.status)),
      h("div", { class: "record-site" }, siteName(i.site_id)));
  }

  function findingItem(f) {
    const inspection = state.inspections.get(f.inspection_id);
    const sevBadge = badge(`severity severity-${f.severity}`,
      SEVERITY_LABEL[f.severity] || f.severity);
    return h("li", { class: "record", dataset: { id: f.id, severity: f.severity,
                                                  status: f.status } },
      h("div", { class: "record-main" },
        sevBadge,
        badge(`finding-status finding-status-${f.status}`,
          FINDING_STATUS_LABEL[f.status] || f.status)),
      h("div", { class: "record-text" }, h("span", { class: "item-code" }, `Mục ${f.item_code}`),
        " ", f.description || ""),
      h("div", { class: "record-site" }, siteName(f.site_id),
        inspection ? ` · kiểm tra ${formatDateTime(inspection.started_at)}` : "",
        f.due_on ? ` · hạn khắc phục ${formatDate(f.due_on)}` : ""));
  }

  // --- Wiring ----------------------------------------------------------------------------
  async function resume() {
    if (!token()) {
      document.body.dataset.state = "login";
      showLogin("");
      return;
    }
    try {
      const { data } = await api("auth/me");
      await start(data);
    } catch (err) {
      if (!(err instanceof SessionExpired)) showLogin(errorText(err));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    fillStaticFilters();
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", logout);
    $("denied-logout").addEventListener("click", logout);
    $("panel-close").addEventListener("click", closePanel);
    $("f-province").addEventListener("change", changeProvince);
    $("f-layer").addEventListener("change", changeLayer);
    for (const id of ["f-from", "f-to", "f-severity", "f-status", "f-campaign"]) {
      $(id).addEventListener("change", filtersChanged);
    }
    $("filters").addEventListener("reset", () => setTimeout(() => {
      if (state.province) $("f-province").value = state.province;
      $("f-layer").value = state.layer; // the colouring is not a filter
      filtersChanged();
    }, 0));
    $("filters").addEventListener("submit", (e) => { e.preventDefault(); filtersChanged(); });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && state.selected) closePanel();
    });
    resume();
  });
})();
