// Shared fixture and helpers of the end-to-end tests: every test opens the real page in a fresh browser
// context, with console errors and dialogs collected, and waits only on what the page itself signals —
// lossLab.ready(), lossLab.whenEpoch(n), lossLab.pause(), history() as it changes, painted text — never on
// the clock. A deadline on such a wait is not a sleep: it only decides when to give up and say what the page
// showed instead.
import { test as base, expect } from '@playwright/test';
import path from 'node:path';

export { expect };

/** Small runs keep the suite quick on two shared cores: 32 steps of 32 per epoch, 500 validation images. */
export const SMALL = '?train_n=1000&val_n=500';
/** How long a test waits for a page signal that takes moments (a URL update, a status change). */
export const SIGNAL_MS = 20_000;
/** How long a test waits for a build, or for a small run to reach an epoch, on a loaded machine. */
export const TRAIN_MS = 90_000;

/** What the page shows, for a failure report. */
function pageState() {
  const h = window.lossLab?.history();
  const text = (id) => JSON.stringify(document.getElementById(id)?.textContent ?? null);
  return [
    `status: ${text('status')}`,
    `history: ${h ? `status ${h.status}, steps ${h.steps}, epochs ${h.epochs.length}${h.pinned ? `, pinned ${h.pinned.status} at step ${h.pinned.steps} (${h.pinned.epochs.length} epochs)` : ''}` : 'window.lossLab missing'}`,
    `progress line: ${text('speed')}`,
    `race status: ${text('race-status')}`,
    `URL: ${location.href}`,
  ].join('\n');
}

export const test = base.extend({
  /**
   * open(query, {viewport, setup, serviceWorkers, device}) opens index.html + query (or an absolute URL) in a
   * fresh context and returns {page, ctx, errors, dialogs}: `device` holds further options of the context (a phone:
   * {isMobile: true, hasTouch: true}), `errors` collects console errors and uncaught page errors
   * as they happen, `dialogs` any alert()/confirm() (dismissed; the page must open none). `setup(ctx)` runs
   * before the page loads (routes, init scripts). When a test fails, what each page showed is attached to the
   * report. Service workers are blocked unless `serviceWorkers: 'allow'`: the built site (npm run dist)
   * registers one, and requests it answers from its cache never reach ctx.route, so a test that breaks or
   * delays a file would no longer test what it claims.
   */
  open: async ({ browser }, use, testInfo) => {
    const opened = [];
    await use(async (query = '', { viewport, setup, serviceWorkers = 'block', device = {} } = {}) => {
      const ctx = await browser.newContext({ ...device, ...(viewport ? { viewport } : {}), serviceWorkers });
      if (setup) await setup(ctx);
      const page = await ctx.newPage();
      const errors = [];
      const dialogs = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
      opened.push({ ctx, page });
      const url = query.startsWith('?') || query === '' ? `index.html${query}` : query;
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      return { page, ctx, errors, dialogs };
    });
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [i, { page }] of opened.entries()) {
        const said = await Promise.race([
          page.evaluate(pageState),
          new Promise((r) => setTimeout(() => r('the page did not answer within 3 s'), 3000)),
        ]).catch((e) => `the page could not be read: ${e.message}`);
        await testInfo.attach(`what page ${i + 1} showed`, { body: said, contentType: 'text/plain' });
      }
    }
    for (const { ctx } of opened) await ctx.close().catch(() => {});
  },
});

/** Waits until the network for the current configuration is built (and a raced pinned run's, if any). */
export async function ready(page, timeout = TRAIN_MS) {
  await page.waitForFunction(() => window.lossLab !== undefined, null, { timeout });
  await page.evaluate((t) => Promise.race([
    window.lossLab.ready(),
    new Promise((_, rej) => setTimeout(() => rej(new Error(`not ready after ${t} ms: ${document.getElementById('status').textContent}`)), t)),
  ]), timeout);
}

/** lossLab.history() as the page reports it now. */
export function history(page) {
  return page.evaluate(() => window.lossLab.history());
}

/** Waits until lossLab.history().status is `want` (a string or a RegExp). */
export async function untilStatus(page, want, timeout = SIGNAL_MS) {
  const poll = expect.poll(() => page.evaluate(() => window.lossLab.history().status), { timeout, message: 'lossLab.history().status' });
  await (want instanceof RegExp ? poll.toMatch(want) : poll.toBe(want));
}

/** Trains until epoch n has been drawn, then pauses (until the worker confirms); returns lossLab.history(). */
export async function trainEpochs(page, n, timeout = TRAIN_MS) {
  await page.evaluate(async ({ n, timeout }) => {
    await window.lossLab.start();
    await Promise.race([
      window.lossLab.whenEpoch(n),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`epoch ${n} not reached after ${timeout} ms: ${document.getElementById('status').textContent}`)), timeout)),
    ]);
    await window.lossLab.pause();
  }, { n, timeout });
  return history(page);
}

/** Waits until the page's URL query has `key` equal to `value`. */
export async function untilQuery(page, key, value) {
  await expect.poll(() => new URL(page.url()).searchParams.get(key), { message: `URL parameter ${key} (URL: ${page.url()})` }).toBe(value);
}

/**
 * Saves test-results/<name>.png once the page has painted what it has drawn: fonts loaded and two
 * animation frames rendered (one frame may still hold a canvas drawn in the same task).
 */
export async function shot(page, name) {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
  await page.screenshot({ path: path.join(test.info().project.outputDir, `${name}.png`), timeout: 60_000 });
}

/** No console errors or uncaught exceptions, except those matching one of `allow` (the page logs them on purpose). */
export function noErrors(errors, allow = []) {
  const left = errors.filter((e) => !allow.some((re) => re.test(e)));
  expect(left, 'console errors and uncaught exceptions').toEqual([]);
}

/**
 * Where lossLab.engineConfig() (what the trainer really trains with) and lossLab.config() (what the page
 * shows) differ, one line per key; [] when they agree. The page's own spelling of its configuration for the
 * engine (www/state.js toEngine: lists expanded to the depth) is the reference; numbers are compared as numbers,
 * within single precision, because the engine may hold them as f32.
 */
export async function engineDisagreements(page) {
  return page.evaluate(async () => {
    const { toEngine } = await import('./www/state.js');
    const engine = await window.lossLab.engineConfig();
    if (engine === null || typeof engine !== 'object') return [`lossLab.engineConfig() is ${JSON.stringify(engine)} on a built page`];
    const want = toEngine(window.lossLab.config());
    const numeric = (s) => typeof s === 'string' && s.trim() !== '' && Number.isFinite(Number(s));
    const same = (a, b) => a === b || (numeric(a) && numeric(b) && Math.abs(Number(a) - Number(b)) <= 1e-6 * Math.abs(Number(b)));
    const out = [];
    for (const [key, value] of Object.entries(want)) {
      const got = engine[key];
      if (typeof got !== 'string') out.push(`${key}: the engine reports ${JSON.stringify(got)} (not a string), the page ${value}`);
      else if (!same(got, value)) out.push(`${key}: the engine has ${got}, the page ${value}`);
    }
    for (const key of Object.keys(engine)) if (!(key in want)) out.push(`${key}: only the engine has it (${engine[key]})`);
    return out;
  });
}

/** The lab framed by docs/embed.html (a course page embedding it), once its lossLab is ready. */
export async function labFrame(page) {
  const find = () => page.frames().find((f) => f !== page.mainFrame() && /index\.html/.test(f.url()));
  await expect.poll(() => !!find(), { message: 'the lab frame in docs/embed.html', timeout: SIGNAL_MS }).toBe(true);
  const frame = find();
  await ready(frame);
  return frame;
}
