/* The field app's service worker: caches the app shell so that the app starts with no network.
   The server writes the shell's version and file list into this file (api/field/__init__.py).
   API calls (/api/...) are never cached here: the app keeps its data in IndexedDB. */
"use strict";

const VERSION = "__SHELL_VERSION__";
const CACHE = `kt1-field-shell-${VERSION}`;
const SHELL = ["__SHELL_FILES__"];

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith("kt1-field-shell-") && n !== CACHE)
      .map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith("/app/")) return;
  // The shell, cache first: it changes only with a new version of this worker.
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = request.mode === "navigate" ? "/app/" : url.pathname;
    const hit = await cache.match(key);
    if (hit) return hit;
    return fetch(request);
  })());
});
