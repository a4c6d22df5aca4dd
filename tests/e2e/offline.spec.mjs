// Offline use of the built site (npm run dist): after a first visit its service worker has stored the page,
// the engine and the MNIST files, and the lab opens, gets ready on real digits and trains with the network
// off. A file it has not stored gives the page's usual data message; a new deployment is stored in the
// background, offered, and takes over without downloading the digits again; the dev server's page registers
// nothing and claims nothing.
//
// scripts/test.sh serves dist/ and passes it as BASE_URL. Against the dev server (the config's fallback) the
// first two tests are skipped: the repository's page has no service worker by design (www/offline.js).
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, noErrors, ready, shot, trainEpochs } from './lab.mjs';
import { makeDist } from '../../scripts/dist.mjs';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

/** Waits for lossLab.offlineReady(): resolves with {version} once everything is stored. */
async function offlineReady(page, timeout = TRAIN_MS) {
  await page.waitForFunction(() => window.lossLab?.offlineReady !== undefined, null, { timeout: SIGNAL_MS });
  return page.evaluate((t) => Promise.race([
    window.lossLab.offlineReady(),
    new Promise((_, rej) => setTimeout(() => rej(new Error(`not stored for offline use after ${t} ms (data-offline: ${document.documentElement.dataset.offline})`)), t)),
  ]), timeout);
}

/** Whether this page is a copy built by npm run dist (it names its service worker). */
async function isBuilt(page) {
  return (await page.locator('meta[name="loss-lab-sw"]').count()) > 0;
}

const SKIP = 'BASE_URL serves the repository (dev server), which has no service worker: scripts/test.sh serves dist/';

test('after a first visit the built site opens, gets ready on real MNIST and trains offline; the first visit stores nothing until its first epoch is drawn', async ({ open }) => {
  // 4,096 validation images: the pass gives an estimate (from 2,048 on) before the epoch is drawn
  const { page, ctx, errors } = await open('?train_n=1000&val_n=4096', { serviceWorkers: 'allow' });
  test.skip(!(await isBuilt(page)), SKIP);
  // The install waits for the first visit's own work (www/page/public-api.js, quietAfterFirstBuild): nothing is
  // registered when the network is built, nor while a run started at once trains and validates its first epoch.
  await page.waitForFunction(() => window.lossLab !== undefined, null, { timeout: SIGNAL_MS });
  const first = await page.evaluate(async () => {
    const none = async () => (await navigator.serviceWorker.getRegistration()) === undefined;
    await window.lossLab.ready();
    const built = await none();
    await window.lossLab.start();
    await window.lossLab.whenEpochPoint(1); // the validation estimate: the epoch is not drawn yet
    const validating = await none();
    await window.lossLab.whenEpoch(1);
    await window.lossLab.pause();
    return { built, validating, offline: document.documentElement.dataset.offline };
  });
  expect(first, 'registered: after the build? during the first epoch?').toEqual({ built: true, validating: true, offline: 'pending' });
  const { version } = await offlineReady(page);
  expect(version, 'the build version lossLab.offlineReady() reports').toMatch(/^[0-9a-f]{16}$/);
  const line = page.locator('#offline-status');
  await expect(line).toBeVisible();
  await expect(line).toContainText('Available offline');
  await expect(page.locator('html')).toHaveAttribute('data-offline', 'ready');

  // The browser's HTTP cache also holds the first visit's files (the host allows an hour): emptied, so that
  // only the service worker can answer below.
  await (await ctx.newCDPSession(page)).send('Network.clearBrowserCache');
  await ctx.setOffline(true);
  const answered = new Map(); // URL path -> answered by the service worker
  page.on('response', (r) => answered.set(new URL(r.url()).pathname, r.fromServiceWorker()));
  const nav = await page.reload({ waitUntil: 'domcontentloaded' });
  expect(nav.fromServiceWorker(), 'the reloaded page came from the service worker').toBe(true);
  await ready(page);
  // (the .wasm is the relaxed-SIMD build: Chromium has relaxed SIMD, www/engine/engine.js)
  for (const f of ['www/main.js', 'www/engine/worker.js', 'www/pkg/losslab_relaxed_bg.wasm', 'www/data/train10k-images.idx.gz', 'www/data/val10k-labels.idx.gz']) {
    expect(answered.get(new URL(f, page.url()).pathname), `${f} answered by the service worker`).toBe(true);
  }
  await expect(page.locator('#data-badge')).toContainText('real MNIST');
  await expect(page.locator('#data-badge')).toContainText('1,000 training');
  const h = await trainEpochs(page, 1);
  expect(Number.isFinite(h.epochs[0].valLoss), `validation loss offline: ${h.epochs[0].valLoss}`).toBe(true);
  expect(h.epochs[0].valAcc, 'validation accuracy after one small epoch on real digits').toBeGreaterThan(0.3);
  await expect(line).toContainText('Available offline');
  await shot(page, '40-offline-trained');
  noErrors(errors);
  // And the network really is off, for the service worker too: the 50 000-image set, never loaded, cannot be
  // fetched. (From a second page of the site, whose console logs the failed load: not one of the lab's errors.)
  const side = await ctx.newPage();
  await side.goto('www/data/NOTICE.md');
  const probe = await side.evaluate(() => fetch('train50k-labels.idx.gz').then((r) => `HTTP ${r.status}`, (e) => `failed: ${e.name}`));
  expect(probe, 'a data file the browser has not stored, fetched offline').toBe('failed: TypeError');
});

test('offline, a data file the browser has not stored gives the data message, then synthetic digits work', async ({ open }) => {
  const { page, ctx, errors } = await open(SMALL, { serviceWorkers: 'allow' });
  test.skip(!(await isBuilt(page)), SKIP);
  await offlineReady(page);
  await ctx.setOffline(true);
  // more than 10 000 training images: the 50 000-image set, which is stored only once it has been loaded
  await page.goto('index.html?train_n=20000&val_n=500', { waitUntil: 'domcontentloaded' });
  const box = page.locator('#data-missing');
  await expect(box).toBeVisible({ timeout: TRAIN_MS });
  await expect(box).toContainText('MNIST files not found: this browser is offline and has not stored them yet');
  await expect(page.locator('#btn-start')).toBeDisabled();
  await expect(page.evaluate(() => window.lossLab.ready()), 'lossLab.ready() without the data').rejects.toThrow(/MNIST files not found/);
  await page.locator('#btn-synthetic').click();
  await ready(page);
  await expect(page.locator('#data-badge')).toContainText('synthetic digits');
  noErrors(errors, [/train50k/, /ERR_INTERNET_DISCONNECTED/, /Failed to fetch/]);
});

test('a new deployment is stored in the background, offered, and takes over without fetching the digits again', async ({ open }) => {
  // Its own copy and server: two builds of one site, the second with one changed file.
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'losslab-deploy-'));
  const repo = path.join(tmp, 'repo');
  const site = path.join(tmp, 'site');
  for (const f of ['index.html', 'www', 'docs/embed.html']) {
    if (existsSync(path.join(ROOT, f))) cpSync(path.join(ROOT, f), path.join(repo, f), { recursive: true });
  }
  const requested = [];
  const server = require('http-server').createServer({ root: site, showDir: 'false', autoIndex: 'false', logFn: (req) => requested.push(req.url) });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.server.address().port}/`;
  try {
    const first = makeDist(site, repo);
    const { page, errors } = await open(`${url}index.html?data=synthetic&train_n=1000&val_n=500`, { serviceWorkers: 'allow' });
    expect((await offlineReady(page)).version).toBe(first.version);
    const gzFirst = requested.filter((u) => u.endsWith('.gz')).length;
    expect(gzFirst, 'data files the first install fetched (the default set: training, validation and the final check\'s test set)').toBe(6);

    const api = path.join(repo, 'www', 'api.js');
    writeFileSync(api, `${readFileSync(api, 'utf8')}\n// the next release\n`);
    const second = makeDist(site, repo);
    expect(second.version).not.toBe(first.version);
    requested.length = 0;

    // The reload is still the old version (it controls the tab); the browser finds the new sw.js meanwhile.
    await page.reload({ waitUntil: 'domcontentloaded' });
    const update = page.locator('#offline-status button');
    await expect(update, 'the offer to switch to the stored new version').toBeVisible({ timeout: TRAIN_MS });
    await expect(page.locator('#offline-status')).toContainText('new version');
    expect(await page.locator('meta[name="loss-lab-sw"]').getAttribute('data-version'), 'the tab still runs the old version').toBe(first.version);
    await update.scrollIntoViewIfNeeded();
    await shot(page, '41-offline-update-offered');
    await update.click();
    await expect.poll(() => page.locator('meta[name="loss-lab-sw"]').getAttribute('data-version').catch(() => null),
      { timeout: SIGNAL_MS, message: 'the version of the page after "Update now"' }).toBe(second.version);
    expect((await offlineReady(page)).version).toBe(second.version);
    await expect(page.locator('#offline-status button')).toBeHidden();
    expect(requested.filter((u) => u.endsWith('.gz')), 'data files fetched for the new version (unchanged: none)').toEqual([]);
    expect(requested.some((u) => u.startsWith('/www/api.js')), 'the changed file was fetched').toBe(true);
    const names = await page.evaluate(() => caches.keys());
    expect(names.filter((n) => n.includes(' code ')), 'code caches left (the old version is deleted)').toEqual([expect.stringContaining(second.version)]);
    noErrors(errors);
  } finally {
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('the repository served by the dev server registers no service worker and says nothing about offline use', async ({ open }) => {
  const dev = await startServer({ root: ROOT, port: 0 });
  try {
    const { page, errors } = await open(`${dev.url}index.html?data=synthetic&train_n=1000&val_n=500`, { serviceWorkers: 'allow' });
    await ready(page);
    await expect(page.evaluate(() => window.lossLab.offlineReady())).rejects.toThrow(/npm run dist/);
    await expect(page.locator('#offline-status')).toBeHidden();
    await expect(page.locator('html')).toHaveAttribute('data-offline', 'none');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 'service worker registrations').toBe(0);
    noErrors(errors);
  } finally {
    await dev.close();
  }
});
