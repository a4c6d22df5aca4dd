// The two data views: "What the net sees" (the current batch as the network receives it) and "Highest-loss
// training images", with lossLab.batchView() and lossLab.highestLoss(). Every wait is on a page signal
// (lossLab.ready(), whenEpoch, pause, an answer that polls in), never on the clock.
import { test, expect, SIGNAL_MS, TRAIN_MS, noErrors, ready, shot, trainEpochs } from './lab.mjs';

/** Scrolls `selector` to the top of the viewport and takes a screenshot named `name`. */
async function shotOf(page, selector, name) {
  await page.locator(selector).evaluate((e) => e.scrollIntoView({ block: 'start' }));
  await shot(page, name);
}

/** Nothing of the two views is wider than the viewport. */
async function fitsSideways(page) {
  const r = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth, view: window.innerWidth,
    strip: document.getElementById('batch-strip').getBoundingClientRect().right,
    grid: document.getElementById('highloss-grid').getBoundingClientRect().right,
  }));
  expect(r.page, `page width within the ${r.view}-px viewport`).toBeLessThanOrEqual(r.view);
  expect(r.strip).toBeLessThanOrEqual(r.view);
  expect(r.grid).toBeLessThanOrEqual(r.view);
}

for (const viewport of [{ width: 1280, height: 720 }, { width: 768, height: 1024 }]) {
  const size = `${viewport.width}x${viewport.height}`;

  test(`40% uniform label noise: the corrupted labels pile up among the highest-loss images (${size})`, async ({ open }) => {
    // 156 whole batches of 32: the strip shows 16 images whichever batch the pause lands after
    // (5000 images would end each epoch with a batch of 8)
    const { page, errors } = await open('?train_n=4992&val_n=500&noise=40', { viewport });
    await ready(page);
    await expect(page.locator('#batch-note')).toContainText('Train a step');
    // the panel is open, so the epoch's end scans the training set
    await page.locator('#highloss > summary').click();
    await trainEpochs(page, 1);
    const tiles = page.locator('#highloss-grid .hl-tile');
    await expect(tiles).toHaveCount(16, { timeout: TRAIN_MS });
    const r = await page.evaluate(() => window.lossLab.highestLoss(16));
    expect(r.items).toHaveLength(16);
    expect(r.images).toHaveLength(16 * 784);
    expect(r.corruptedShareAll).toBeCloseTo(0.4, 2);
    const corrupted = r.items.filter((s) => s.corrupted).length;
    console.log(`${size}: ${corrupted} of 16 highest-loss images corrupted (${(100 * r.corruptedShareAll).toFixed(1)}% of all labels)`);
    expect(corrupted, 'at least 60% of the top 16 carry a corrupted label').toBeGreaterThanOrEqual(10);
    for (const s of r.items) expect(s.corrupted, `image ${s.index}: corrupted exactly when its label changed`).toBe(s.label !== s.trueLabel);
    // the badges shown are the engine's mask, tile by tile (same weights: the run is paused)
    const shown = await tiles.evaluateAll((ts) => ts.map((t) => ({ bad: t.dataset.corrupted === '1', badge: !!t.querySelector('.dv-bad'), label: t.querySelector('canvas').getAttribute('aria-label') })));
    shown.forEach((t, j) => {
      expect(t.bad, `tile ${j}`).toBe(r.items[j].corrupted);
      expect(t.badge, `tile ${j} badge`).toBe(r.items[j].corrupted);
      expect(t.label).toContain(`training image ${r.items[j].index},`);
    });
    await expect(page.locator('#highloss-note')).toContainText(
      new RegExp(`^${corrupted} of the 16 highest-loss images have a corrupted label; 40% of all training labels are corrupted`));
    // the batch strip after the epoch: its badges follow lossLab.batchView
    await page.locator('#btn-batch').click();
    await expect(page.locator('#batch-strip .bv-tile')).toHaveCount(16, { timeout: SIGNAL_MS });
    const v = await page.evaluate(() => window.lossLab.batchView(16));
    const strip = await page.locator('#batch-strip .bv-tile').evaluateAll((ts) => ts.map((t) => t.dataset.corrupted === '1'));
    expect(strip).toEqual(v.corrupted.map((c) => c === 1));
    await expect(page.locator('#batch-strip .dv-bad').first()).toContainText(/^label changed: true \d$/);
    await fitsSideways(page);
    await shotOf(page, '#batch-view', `60-data-views-noisy-${size}`);
    await shotOf(page, '#highloss', `61-highloss-noisy-${size}`);
    noErrors(errors);
  });

  test(`a healthy run: the strip is the raw data and few of the hardest images are mislabelled (${size})`, async ({ open }) => {
    // 32 whole batches: an epoch's last batch has 32 images too (with 1000 it has 8)
    const { page, errors } = await open('?train_n=1024&val_n=500', { viewport });
    await ready(page);
    await trainEpochs(page, 1);
    await expect(page.locator('#batch-strip .bv-tile')).toHaveCount(16, { timeout: SIGNAL_MS });
    await expect(page.locator('#batch-strip .dv-badge')).toHaveCount(0);
    await page.locator('#highloss > summary').click(); // opening the panel scans
    await expect(page.locator('#highloss-grid .hl-tile')).toHaveCount(16, { timeout: TRAIN_MS });
    await expect(page.locator('#highloss-note')).toContainText('No training label is corrupted in this run');
    await expect(page.locator('#highloss-grid .dv-bad')).toHaveCount(0);
    await fitsSideways(page);
    await shotOf(page, '#batch-view', `62-data-views-healthy-${size}`);
    await shotOf(page, '#highloss', `63-highloss-healthy-${size}`);
    noErrors(errors);
  });
}

test('aug_rot180 1: every image of the strip is turned and says so', async ({ open }) => {
  const { page, errors } = await open('?train_n=1000&val_n=500&aug_rot180=1');
  await ready(page);
  await page.evaluate(() => window.lossLab.step());
  await expect(page.locator('#batch-strip .bv-tile')).toHaveCount(16, { timeout: SIGNAL_MS });
  const v = await page.evaluate(() => window.lossLab.batchView(16));
  expect(v.count).toBe(16);
  expect(v.rotated).toEqual(Array(16).fill(1));
  expect(v.flipped).toEqual(Array(16).fill(0));
  await expect(page.locator('#batch-strip .bv-tile[data-rotated="1"]')).toHaveCount(16);
  await expect(page.locator('#batch-strip .dv-aug')).toHaveText(Array(16).fill('turned 180°'));
  await expect(page.locator('#batch-strip canvas').first()).toHaveAttribute('aria-label', /turned 180°/);
  // the strip's pixels are the engine's: the first canvas shows images[0..784]
  const drawn = await page.locator('#batch-strip canvas').first().evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, 28, 28).data;
    return Array.from({ length: 784 }, (_, i) => d[4 * i]);
  });
  expect(drawn).toEqual(v.images.slice(0, 784));
  await shotOf(page, '#batch-view', '64-data-views-rot180');
  noErrors(errors);
});

test('on a 390×844 phone both views fit the width', async ({ open }) => {
  const { page, errors } = await open('?train_n=1000&val_n=500&noise=40&aug_hflip=0.5', { viewport: { width: 390, height: 844 } });
  await ready(page);
  await page.evaluate(() => window.lossLab.step());
  await expect(page.locator('#batch-strip .bv-tile')).toHaveCount(16, { timeout: SIGNAL_MS });
  await page.locator('#highloss > summary').click();
  await expect(page.locator('#highloss-grid .hl-tile')).toHaveCount(16, { timeout: TRAIN_MS });
  await fitsSideways(page);
  await shotOf(page, '#batch-view', '65-data-views-phone');
  await shotOf(page, '#highloss', '66-highloss-phone');
  noErrors(errors);
});

test('the noisy-labels finding opens the highest-loss panel', async ({ open }) => {
  const { page, errors } = await open('?train_n=2000&val_n=500&noise=60');
  await ready(page);
  // At 60% noise the first epoch barely leaves chance; after the second, validation is far above training
  await trainEpochs(page, 2);
  const link = page.locator('#diagnosis .diag-finding[data-symptom=noisy_labels] .diag-link');
  await expect(link).toBeVisible({ timeout: SIGNAL_MS });
  await link.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#highloss')).toHaveJSProperty('open', true);
  await expect(page.locator('#highloss-grid .hl-tile')).toHaveCount(16, { timeout: TRAIN_MS });
  noErrors(errors);
});
