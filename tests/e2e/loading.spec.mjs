// Loading the page, and what it says when it cannot train: missing or damaged MNIST files, a browser
// without WebAssembly SIMD.
import { test, expect, SMALL, TRAIN_MS, noErrors, ready, shot, trainEpochs, untilQuery } from './lab.mjs';

test('page loads without console errors and the engine gets ready', async ({ open }) => {
  const { page, errors } = await open('');
  await ready(page);
  await expect(page.locator('#status')).toContainText('ready');
  await expect(page.locator('#btn-start')).toBeEnabled();
  await expect.poll(() => page.locator('#arch-layers tbody tr').count(), { message: 'rows of the architecture table' }).toBeGreaterThanOrEqual(3);
  await expect(page.locator('footer a[href="https://creativecommons.org/licenses/by-sa/3.0/"]:visible'), 'the CC BY-SA credit link, once').toHaveCount(1);
  await expect(page.locator('footer')).toContainText(/MNIST database by Y\. LeCun, C\. Cortes and C\. J\. C\. Burges/);
  await expect(page.locator('#data-badge')).toContainText('real MNIST');
  await shot(page, '01-idle');
  noErrors(errors);
});

test('missing MNIST files show the message and synthetic digits work instead', async ({ open }) => {
  const { page, errors } = await open(SMALL, {
    setup: (ctx) => ctx.route('**/www/data/*.gz', (r) => r.fulfill({ status: 404, body: 'not found' })),
  });
  const box = page.locator('#data-missing');
  await expect(box).toBeVisible({ timeout: TRAIN_MS });
  await expect(box).toContainText('MNIST files not found at www/data/');
  await expect(box).toContainText('npm start');
  await expect(page.locator('#btn-start')).toBeDisabled();
  await shot(page, '10-data-missing');
  await page.locator('#btn-synthetic').click();
  await ready(page);
  await expect(page.locator('#data-badge')).toContainText('synthetic digits');
  await expect(page.locator('#status')).toContainText('synthetic digits');
  await untilQuery(page, 'data', 'synthetic');
  const h = await trainEpochs(page, 1);
  expect(Number.isFinite(h.epochs[0].valLoss), `synthetic validation loss ${h.epochs[0].valLoss}`).toBe(true);
  noErrors(errors, [/Failed to load resource.*404/]);
});

test('a damaged data file is named, and synthetic digits still work', async ({ open }) => {
  // The real labels file, cut in half: found (200), but its gzip stream ends early.
  const { page, errors } = await open(SMALL, {
    setup: (ctx) => ctx.route('**/data/val10k-labels.idx.gz', async (route) => {
      const real = await route.fetch();
      const bytes = await real.body();
      const half = bytes.subarray(0, Math.floor(bytes.length / 2));
      await route.fulfill({ status: 200, headers: { ...real.headers(), 'content-length': String(half.length) }, body: half });
    }),
  });
  const box = page.locator('#data-missing');
  await expect(box).toBeVisible({ timeout: TRAIN_MS });
  await expect(box).toContainText('val10k-labels.idx.gz');
  await expect(box).toContainText(/damaged|incomplete|truncated/i);
  await expect(page.locator('#btn-start')).toBeDisabled();
  await expect(page.evaluate(() => window.lossLab.ready()), 'lossLab.ready() with a damaged data file').rejects.toThrow();
  await shot(page, '14-data-damaged');
  // the page still answers: the learner can go on with synthetic digits
  await page.locator('#btn-synthetic').click();
  await ready(page);
  await expect(page.locator('#data-badge')).toContainText('synthetic digits');
  await expect(box).toBeHidden();
  noErrors(errors);
});

test('a browser without WebAssembly SIMD gets a clear message', async ({ open }) => {
  // What a browser without simd128 answers when asked whether a module using it is valid.
  const { page, errors } = await open(SMALL, {
    setup: (ctx) => ctx.addInitScript(() => { WebAssembly.validate = () => false; }),
  });
  const box = page.locator('#unsupported');
  await expect(box).toBeVisible();
  await expect(box).toContainText('WebAssembly SIMD');
  // the floor of supported browsers (the first versions with simd128, module workers and DecompressionStream)
  await expect(box).toContainText(/Chrome (or Edge )?91/);
  await expect(box).toContainText('Firefox 114');
  await expect(box).toContainText('Safari 16.4');
  await page.waitForFunction(() => window.lossLab !== undefined);
  await expect(page.evaluate(() => window.lossLab.ready()), 'lossLab.ready() without SIMD').rejects.toThrow();
  await expect(page.locator('#btn-start')).toBeDisabled();
  await shot(page, '15-no-simd');
  noErrors(errors);
});
