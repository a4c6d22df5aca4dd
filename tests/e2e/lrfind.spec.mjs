// The learning-rate range test in the page ("Find a learning rate", lossLab.findLr): it runs in the worker,
// leaves the run exactly as it found it, draws its curve with the suggestions marked, and applies the
// suggestion to the run's learning rate.
import { test, expect, SMALL, TRAIN_MS, ready, trainEpochs, history, untilQuery, untilStatus, noErrors, shot } from './lab.mjs';

test('the range test restores the weights, draws its suggestions and applies the one it names', async ({ open }) => {
  test.setTimeout(4 * TRAIN_MS);
  const { page, errors } = await open(SMALL);
  await ready(page);
  // From the untrained weights, then one epoch: the same epoch as a run that never ran the test.
  const r = await page.evaluate(() => window.lossLab.findLr({ fresh: false }));
  expect(r.lrs.length).toBeGreaterThan(10);
  expect(r.lrs.length).toBeLessThanOrEqual(100);
  expect(r.losses).toHaveLength(r.lrs.length);
  expect(r.lrs[0]).toBeCloseTo(1e-6, 12);
  for (let i = 1; i < r.lrs.length; i++) expect(r.lrs[i]).toBeGreaterThan(r.lrs[i - 1]);
  expect(r.suggestion).toBeGreaterThan(1e-6);
  expect(r.suggestion).toBeLessThan(10);
  expect(r.suggestion).toBe(r.suggestions.valley);
  if (r.blewUpAt !== null) expect(r.blewUpAt).toBe(r.lrs[r.lrs.length - 1]);
  else expect(r.lrs).toHaveLength(100);
  // The panel drew what the engine reported: one point per mini-batch, and the marks at the suggested rates.
  const drawn = await page.evaluate(() => {
    const c = document.getElementById('chart-lrfind');
    return { points: Number(c.dataset.points), marks: JSON.parse(c.dataset.marks), open: document.getElementById('lrfind').open,
      note: document.getElementById('lrfind-note').textContent };
  });
  expect(drawn.open).toBe(true);
  expect(drawn.points).toBe(r.lrs.length);
  expect(drawn.marks.valley).toBeCloseTo(r.suggestions.valley, 10);
  if (r.blewUpAt !== null) expect(drawn.marks.blewUp).toBeCloseTo(r.blewUpAt, 10);
  expect(drawn.note).toMatch(/Suggested learning rate/);
  await shot(page, 'lrfind');

  const withTest = (await trainEpochs(page, 1)).epochs[0];
  // A mid-run test from the current weights: every training image's loss is the same before and after.
  const before = await page.evaluate(() => window.lossLab.highestLoss(16));
  const mid = await page.evaluate(() => window.lossLab.findLr({ fresh: false }));
  const after = await page.evaluate(() => window.lossLab.highestLoss(16));
  expect(after.items.map((i) => [i.index, i.loss])).toEqual(before.items.map((i) => [i.index, i.loss]));
  // A trained net starts the test far below an untrained one.
  expect(mid.raw[0]).toBeLessThan(r.raw[0] - 0.5);

  // The button applies the suggestion (two significant digits) as the live learning rate, in the URL too.
  const lr = Number(mid.suggestion.toPrecision(2));
  await page.click('#btn-lrfind-use');
  await expect.poll(() => page.evaluate(() => window.lossLab.config().lr)).toBe(lr);
  await untilQuery(page, 'lr', String(lr));
  await expect(page.locator('#btn-lrfind-use')).toBeDisabled();

  // Back to the default learning rate and from the seed again, without any test: the same first epoch.
  await page.evaluate(() => { window.lossLab.apply({ lr: 0.01 }); window.lossLab.reset(); });
  await ready(page);
  const without = (await trainEpochs(page, 1)).epochs[0];
  for (const k of ['trainLoss', 'trainAcc', 'valLoss', 'valAcc']) expect(withTest[k], k).toBe(without[k]);
  noErrors(errors);
});

test('a fresh-net test runs on a diverged run, and the current-weights test says why it cannot', async ({ open }) => {
  test.setTimeout(2 * TRAIN_MS);
  const { page, errors } = await open(`${SMALL}&lr=10&mom=0.99`);
  await ready(page);
  await page.evaluate(() => window.lossLab.start());
  await untilStatus(page, 'diverged', TRAIN_MS);
  const refused = await page.evaluate(() => window.lossLab.findLr({ fresh: false }).then(() => 'ran', (e) => e.message));
  expect(refused).toMatch(/diverged.*fresh net/);
  await expect(page.locator('#lrfind-note')).toContainText('fresh net');
  const r = await page.evaluate(() => window.lossLab.findLr({ fresh: true }));
  expect(r.fresh).toBe(true);
  expect(Number.isFinite(r.losses[0])).toBe(true);
  expect((await history(page)).status).toBe('diverged');
  noErrors(errors);
});

test('the range test panel is in the URL: a link opens it with its starting point, a garbled one says so', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&lrfind=fresh`);
  await ready(page);
  await expect(page.locator('#lrfind')).toHaveJSProperty('open', true);
  await expect(page.locator('input[name="lrfind-from"][value="fresh"]')).toBeChecked();
  await expect(page.locator('#lrfind-note')).toHaveText(''); // a link opens the panel; it does not run a test
  await page.locator('input[name="lrfind-from"][value="current"]').check();
  await untilQuery(page, 'lrfind', 'current');
  await untilQuery(page, 'train_n', '1000'); // the settings stay beside it
  await page.locator('#lrfind > summary').click();
  await untilQuery(page, 'lrfind', null);

  const bad = await open(`${SMALL}&lrfind=sideways`);
  await ready(bad.page);
  await expect(bad.page.locator('#notice-list')).toContainText('lrfind = "sideways" is not one of: current, fresh');
  await expect(bad.page.locator('#lrfind')).toHaveJSProperty('open', true);
  await expect(bad.page.locator('input[name="lrfind-from"][value="current"]')).toBeChecked();
  noErrors(errors);
  noErrors(bad.errors);
});
