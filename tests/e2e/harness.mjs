// Shared helpers for the end-to-end tests: one headless Chromium, one fresh context per test, console
// errors collected, a screenshot of every test saved into test-results/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-results');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  mkdirSync(RESULTS, { recursive: true });
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export class AssertionError extends Error {}
export function check(cond, msg) {
  if (!cond) throw new AssertionError(msg);
}

/**
 * Opens `query` on the page in a fresh context. Returns {page, ctx, errors, dialogs}: `errors` collects console
 * errors and uncaught page errors as they happen; `dialogs` any alert()/confirm() (there must be none).
 */
export async function open(browser, base, query = '', { viewport = { width: 1280, height: 720 }, setup, hook } = {}) {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  if (hook) await hook(ctx);
  if (setup) await setup(ctx);
  const page = await ctx.newPage();
  const errors = [];
  const dialogs = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const url = new URL(query.startsWith('?') || query === '' ? `index.html${query}` : query, base).href;
  // The page's own readiness signals (lossLab, lossLab.ready()) are what tests wait on; the navigation itself
  // only has to deliver the document, however long a loaded machine takes for it.
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 90000 });
  return { page, ctx, errors, dialogs };
}

/** Waits until the network for the current config is built (status 'idle'). */
export async function ready(page, timeout = 60000) {
  await page.waitForFunction(() => window.lossLab !== undefined, null, { timeout });
  await page.evaluate((t) => Promise.race([
    window.lossLab.ready(),
    new Promise((_, rej) => setTimeout(() => rej(new Error(`not ready after ${t} ms: ${document.getElementById('status').textContent}`)), t)),
  ]), timeout);
}

/** Saves a screenshot once the page has painted what it has drawn: fonts loaded and two frames rendered. */
export async function shot(page, name) {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  await page.screenshot({ path: path.join(RESULTS, `${name}.png`), timeout: 60000 });
}

export async function statusText(page) {
  return page.locator('#status').textContent();
}

/** Trains until epoch n has been drawn, then pauses (until the worker confirms); returns lossLab.history(). */
export async function trainEpochs(page, n, timeout = 90000) {
  await page.evaluate(async ({ n, timeout }) => {
    window.lossLab.start();
    await Promise.race([
      window.lossLab.whenEpoch(n),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`epoch ${n} not reached after ${timeout} ms`)), timeout)),
    ]);
    await window.lossLab.pause();
  }, { n, timeout });
  return page.evaluate(() => window.lossLab.history());
}
