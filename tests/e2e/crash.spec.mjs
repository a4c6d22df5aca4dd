// Crash recovery: a Rust panic leaves the wasm instance unusable; the page says so and starts a fresh worker.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, SMALL, TRAIN_MS, noErrors, ready, shot, trainEpochs } from './lab.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

for (const cores of [1, 2]) {
test(`a crash inside the engine is reported and the worker is rebuilt (${cores} ${cores === 1 ? 'core' : 'cores'})`, async ({ open }) => {
  // Fault injection: the first load of the wasm glue gets an advance() (one core's training call) and a
  // splitStep() (two cores') that trap like a Rust panic does (RuntimeError 'unreachable'); every later load is
  // the untouched glue. The first load is always the training worker's: on two cores the helper starts once
  // that worker is ready, and it is the split step that traps; after the crash a fresh pair loads the glue again.
  const glue = await readFile(path.join(ROOT, 'www', 'pkg', 'losslab.js'), 'utf8');
  let loads = 0;
  const { page, errors } = await open(`${SMALL}&cores=${cores}`, {
    setup: (ctx) => ctx.route('**/www/pkg/losslab.js', (r) => {
      loads++;
      const trap = "function () { throw new WebAssembly.RuntimeError('unreachable'); }";
      const body = loads === 1
        ? `${glue}\nLabTrainer.prototype.advance = ${trap};\nLabTrainer.prototype.splitStep = ${trap};\n`
        : glue;
      return r.fulfill({ body, contentType: 'text/javascript' });
    }),
  });
  await ready(page);
  // every status line the page shows, however briefly: the crash message is replaced once the worker is back
  await page.evaluate(() => {
    window.__statuses = [];
    new MutationObserver(() => window.__statuses.push(document.getElementById('status').textContent))
      .observe(document.getElementById('status'), { childList: true, characterData: true, subtree: true });
    window.lossLab.start();
  });
  await page.waitForFunction(() => window.__statuses.some((s) => /engine crashed/.test(s)), null, { timeout: TRAIN_MS });
  await ready(page);
  await expect.poll(() => loads, { message: 'loads of the wasm glue (a fresh worker, and helper, after the crash)' }).toBe(2 * cores);
  const statuses = await page.evaluate(() => window.__statuses);
  expect(statuses.some((s) => /^error: the engine crashed \(unreachable\)/.test(s)), `statuses: ${statuses.join(' | ')}`).toBe(true);
  await expect(page.locator('#status')).toContainText('ready');
  const h = await trainEpochs(page, 1);
  expect(h.epochs.length, 'epochs trained by the rebuilt worker').toBeGreaterThanOrEqual(1);
  expect(Number.isFinite(h.epochs[0].valLoss), `validation loss of the rebuilt worker: ${h.epochs[0].valLoss}`).toBe(true);
  expect(await page.evaluate(() => window.lossLab.cores().n), 'cores after the restart').toBe(cores);
  await shot(page, `11-engine-crash-recovered-${cores}`);
  noErrors(errors);
});
}
