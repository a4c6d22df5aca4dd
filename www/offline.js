// Offline use: registers the service worker of a built copy of Loss Lab (`npm run dist`, sw.js at the site
// root) and says in the footer once this browser has stored everything the lab needs to run offline.
//
// Only a copy made by scripts/dist.mjs registers it: that script writes `<meta name="loss-lab-sw"
// content="sw.js">` into its index.html, together with sw.js and its file list. The repository's own
// index.html has no such tag, so the dev server (scripts/serve.mjs) never installs a worker whose cache
// would hand back an old www/pkg after a rebuild — and the page then says nothing about offline use rather
// than something untrue. Where a browser has no service workers (plain http on a host other than
// localhost, private modes that refuse them) the line stays hidden too.
//
// State, also on <html data-offline="…"> for scripts and tests:
//   'none'     this copy or this browser has no service worker: nothing is stored
//   'pending'  the worker is storing the files
//   'ready'    stored: the lab opens and trains offline (lossLab.offlineReady() resolves)
//   'failed'   storing failed (a file missing on the host, a full disk): tried again on the next visit

const $ = (id) => document.getElementById(id);

let state = 'none';
let reason = 'this copy of Loss Lab has no service worker (only a copy built by `npm run dist` does)';
let version = null;
const waiters = [];

function settle(next, why = reason) {
  state = next;
  reason = why;
  document.documentElement.dataset.offline = next;
  if (next === 'pending') return;
  for (const w of waiters.splice(0)) (next === 'ready' ? w.resolve({ version }) : w.reject(new Error(reason)));
}

function show(text, update) {
  const line = $('offline-status');
  if (!line) return;
  line.hidden = !text;
  line.querySelector('.offline-text').textContent = text;
  line.querySelector('button').hidden = !update;
}

/** The update offer for a version that waits for the tabs of the old one: taking over restarts the page. */
function offerUpdate(reg) {
  const button = $('offline-status')?.querySelector('button');
  if (!button) return;
  show('Available offline. A new version of Loss Lab has been stored.', true);
  button.onclick = () => {
    button.disabled = true;
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    reg.waiting?.postMessage({ type: 'skip-waiting' });
  };
}

/** Follows a worker that is installing until it is stored (installed or active) or given up (redundant). */
function follow(worker, reg) {
  const check = () => {
    if (worker.state === 'redundant' && state === 'pending') {
      settle('failed', 'the files could not be stored for offline use (the browser tries again on the next visit)');
      show('');
    } else if (worker.state === 'installed' && navigator.serviceWorker.controller) {
      offerUpdate(reg); // an older version still controls this tab
    } else if (worker.state === 'activated') {
      ready();
    }
  };
  worker.addEventListener('statechange', check);
  check();
}

function ready() {
  settle('ready');
  show('Available offline: the lab and its MNIST digits are stored in this browser (the 50 000-image training set once it has been used).');
}

/**
 * Registers the worker when this copy has one (the meta tag also names the build's version), once `after` has
 * settled: the page passes the end of its first build and of its first epoch or quiet second
 * (www/page/public-api.js), so that on a first visit the worker's install, which fetches and stores every file of
 * the build and the MNIST digits (about 6 MB), does not compete with the engine's download, compilation and data
 * for the network and the processor (on a two-core machine, registered at once, it delayed the built network by
 * 0.3–0.4 s). Registering after the page's own loading is the usual advice for a first visit: J. Posnick, "Service
 * worker registration", web.dev.
 */
export async function installOffline(after = Promise.resolve()) {
  const url = document.querySelector('meta[name="loss-lab-sw"]')?.content;
  settle(url ? 'pending' : 'none');
  if (!url) return;
  await after.catch(() => {}); // a build that failed still leaves a page worth storing (the next visit may build)
  if (!('serviceWorker' in navigator) || !window.isSecureContext) {
    settle('none', 'this browser offers no service worker here (it needs https, or http on localhost)');
    return;
  }
  let reg;
  try {
    reg = await navigator.serviceWorker.register(url, { scope: './' });
  } catch (e) {
    // e.g. a browser setting that refuses service workers: the lab itself works, only not offline
    console.warn('Loss Lab: the service worker could not be registered:', e);
    settle('none', `the service worker could not be registered (${e.message})`);
    return;
  }
  // An automated browser may stub register() out (Playwright's serviceWorkers: 'block'): no registration.
  if (!reg || typeof reg !== 'object' || !('active' in reg)) {
    settle('none', 'service workers are blocked in this browser');
    return;
  }
  version = document.querySelector('meta[name="loss-lab-sw"]')?.dataset.version ?? null;
  if (reg.active) ready();
  if (reg.waiting && navigator.serviceWorker.controller) offerUpdate(reg);
  if (reg.installing) follow(reg.installing, reg);
  reg.addEventListener('updatefound', () => { if (reg.installing) follow(reg.installing, reg); });
}

/**
 * lossLab.offlineReady(): a Promise resolved with {version} once this browser has stored the lab for offline
 * use; rejected, with the reason, when this copy or this browser cannot (no waiting forever).
 */
export function offlineReady() {
  if (state === 'ready') return Promise.resolve({ version });
  if (state !== 'pending') return Promise.reject(new Error(reason));
  return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
}
