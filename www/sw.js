// Loss Lab's service worker: keeps a copy of the page, the wasm engine and the MNIST files in this browser
// after the first visit, so the lab opens and trains without a network (a school laptop on poor Wi-Fi).
//
// This file is a template. `npm run dist` (scripts/dist.mjs) copies it to the root of dist/ — beside
// index.html, because a service worker only controls pages at or below its own directory — and replaces the
// `const BUILD = null;` line with the build's file list and content hashes. The page registers it only when
// dist.mjs has marked index.html for it (www/offline.js): the dev server (scripts/serve.mjs) never runs it,
// so a rebuilt www/pkg is always what a reload gets there.
//
// Two caches per deployment, named after its scope so that two copies of Loss Lab on one origin never
// delete each other's:
//   code: every file of the build except the data, one cache per build version (a hash of every file's
//         content), filled at install and answered cache-first: for a given version the files never change,
//         and a new deployment is a new sw.js, which the browser notices on its own.
//   data: the MNIST .gz files, keyed by URL plus the file's own hash, so a deployment that only changes code
//         does not download 12 MB of digits again. The default set (10 000 training + 10 000 validation
//         images, and the 10 000 test images of the final check) is stored at install; the 50 000-image set when
//         the page first loads it. Cache-first.
// A new version installs in the background and waits while an older one still serves open tabs (their
// code and the new code may not talk the same worker protocol); the page offers "Update now", which
// posts 'skip-waiting'. On activate the caches of other versions are deleted.

/* The line below is replaced by scripts/dist.mjs. */
const BUILD = null;

// { version, code: [paths relative to the scope], codeHashes: {path: sha256 hex},
//   data: [{path, sha256, precache}] }
if (BUILD) {
  const scope = self.registration.scope; // ends with '/'
  const prefix = `losslab ${scope}`;
  const CODE = `${prefix} code ${BUILD.version}`;
  const DATA = `${prefix} data`;
  const codeSet = new Set(BUILD.code);
  const dataByPath = new Map(BUILD.data.map((d) => [d.path, d]));
  const dataKey = (d) => `${new URL(d.path, scope).href}?sha256=${d.sha256}`;

  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

  /**
   * Fetches one file of this build from the network, past the HTTP cache's freshness (a host may let
   * browsers keep files for hours), and checks code files against the hash the build recorded: a host
   * caught halfway through an upload must not leave a mix of two versions in the cache.
   */
  async function fetchChecked(path, want) {
    const res = await fetch(new Request(new URL(path, scope), { cache: 'no-cache' }));
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    if (!want) return res;
    const body = await res.arrayBuffer();
    const got = hex(await crypto.subtle.digest('SHA-256', body));
    if (got !== want) throw new Error(`${path}: the server sent a different version (sha256 ${got.slice(0, 12)}…, this build has ${want.slice(0, 12)}…)`);
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  self.addEventListener('install', (event) => {
    // Any file that cannot be stored fails the install: the browser tries again on a later visit, and the
    // page never claims to work offline with a partial copy.
    event.waitUntil((async () => {
      const code = await caches.open(CODE);
      await Promise.all(BUILD.code.map(async (path) => {
        if (await code.match(new URL(path, scope).href)) return;
        await code.put(new URL(path, scope).href, await fetchChecked(path, BUILD.codeHashes[path]));
      }));
      const data = await caches.open(DATA);
      for (const d of BUILD.data.filter((f) => f.precache)) {
        if (await data.match(dataKey(d))) continue;
        await data.put(dataKey(d), await fetchChecked(d.path, null));
      }
    })());
  });

  self.addEventListener('activate', (event) => {
    event.waitUntil((async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(prefix) && name !== CODE && name !== DATA) await caches.delete(name);
      }
      const data = await caches.open(DATA);
      const keep = new Set(BUILD.data.map(dataKey));
      for (const req of await data.keys()) if (!keep.has(req.url)) await data.delete(req);
      // The first visit's page becomes controlled at once, so a 50 000-image set it loads later is stored too.
      await self.clients.claim();
    })());
  });

  self.addEventListener('message', (event) => {
    if (event.data?.type === 'skip-waiting') self.skipWaiting();
  });

  /** The path of a same-origin URL relative to the scope ('' for the scope itself), or null outside it. */
  function inScope(url) {
    if (!url.startsWith(scope)) return null;
    return decodeURIComponent(url.slice(scope.length).split(/[?#]/, 1)[0]);
  }

  async function fromCode(request, path) {
    const hit = await caches.match(new URL(path, scope).href, { cacheName: CODE });
    // Not stored (a cache the browser evicted): the network, or the browser's own error when offline.
    return hit || fetch(request);
  }

  async function fromData(request, d) {
    const cache = await caches.open(DATA);
    const hit = await cache.match(dataKey(d));
    if (hit) return hit;
    // Offline and never stored: the fetch rejects, and the page says the MNIST files could not be loaded
    // (www/engine/worker.js), exactly as without a service worker. Never a made-up response: it would hide that.
    const res = await fetch(request);
    if (res.ok) await cache.put(dataKey(d), res.clone()).catch(() => {}); // a full disk only costs the copy
    return res;
  }

  self.addEventListener('fetch', (event) => {
    const { request } = event;
    if (request.method !== 'GET') return;
    let path = inScope(request.url);
    if (path === null) return; // another origin (the licence link) or outside the scope: the network
    if (path === '' || path.endsWith('/')) path += 'index.html';
    const d = dataByPath.get(path);
    if (d) event.respondWith(fromData(request, d));
    else if (codeSet.has(path)) event.respondWith(fromCode(request, path));
    // anything else (a file added to the host by hand): the network, untouched
  });
}
