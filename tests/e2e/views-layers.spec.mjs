// Layer health and the weights: the update/weight ratio chart against its healthy band, dead and saturated channels,
// the per-layer table, the first-layer filter tiles, the deeper layers' weight histograms, and what every layer
// sees of one digit (lossLab.activations and its panel). Every wait is on a
// page signal (lossLab.ready(), whenEpoch, the filters section's data-step), never on the clock.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

const VIEWPORTS = [[{ width: 1280, height: 720 }, '1280x720'], [{ width: 768, height: 1024 }, '768x1024']];

/** Opens the weights section and waits until its tiles show the weights after at least `step` steps. */
async function openFilters(page, step) {
  await page.evaluate(() => { document.getElementById('filters').open = true; });
  await expect.poll(() => page.evaluate(() => Number(document.getElementById('filters').dataset.step ?? -1)),
    { message: 'the filter tiles are drawn from the current weights', timeout: SIGNAL_MS }).toBeGreaterThanOrEqual(step);
}

/**
 * Opens "Activations over training" and waits until it draws every column lossLab.activationHistory() has; returns
 * that history. Every map is a canvas with its reading as caption and accessible name.
 */
async function openActHist(page) {
  const h = await page.evaluate(() => window.lossLab.activationHistory());
  await page.evaluate(() => { document.getElementById('acthist').open = true; });
  await expect(page.locator('#acthist')).toHaveAttribute('data-columns', String(h.steps.length), { timeout: SIGNAL_MS });
  await expect(page.locator('#acthist figure')).toHaveCount(h.layers.length);
  for (const [i, l] of h.layers.entries()) {
    await expect(page.locator('#acthist figcaption').nth(i)).toHaveText(l.reading);
    await expect(page.locator('#acthist canvas').nth(i)).toHaveAttribute('aria-label', new RegExp(`^Heat map of ${l.name}'s values over training\\. `));
  }
  return h;
}

/** Every first-layer tile's pixels, as one string per tile, and the share of fully black or white pixels. */
function tiles(page) {
  return page.evaluate(() => {
    const out = [];
    let clipped = 0, total = 0;
    for (const c of document.querySelectorAll('#filter-tiles canvas')) {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const grey = [];
      for (let i = 0; i < d.length; i += 4) { grey.push(d[i]); total++; if (d[i] <= 1 || d[i] >= 254) clipped++; }
      out.push(grey.join(','));
    }
    return { pixels: out, clipped: clipped / Math.max(1, total), maxAbs: Number(document.getElementById('filter-tiles').dataset.maxAbs) };
  });
}

/** lossLab.activations(0): every layer of the default net in order, probabilities that sum to 1. */
async function checkActivations(page) {
  const a = await page.evaluate(() => window.lossLab.activations(0));
  expect(a.index).toBe(0);
  expect(a.layers.map((l) => `${l.name} ${l.shape.join('×')}`), 'the default plan, layer by layer').toEqual(
    ['conv1 8×28×28', 'relu1 8×28×28', 'pool1 8×14×14', 'conv2 16×14×14', 'relu2 16×14×14', 'pool2 16×4×4', 'dense 10×1×1']);
  for (const l of a.layers) expect(l.values.length, `${l.name}'s values`).toBe(l.shape[0] * l.shape[1] * l.shape[2]);
  expect(Array.from(a.layers.at(-1).values), 'the last layer is the logits').toEqual(a.logits.map(Math.fround));
  expect(a.probs.reduce((s, p) => s + p, 0), 'the softmax sums to 1').toBeCloseTo(1, 5);
  expect(a.predicted).toBe(a.probs.indexOf(Math.max(...a.probs)));
  return a;
}

/** Opens "What every layer sees" and waits until it shows the digit after at least `step` steps. */
async function openActs(page, step) {
  await page.evaluate(() => { document.getElementById('acts').open = true; });
  await expect.poll(() => page.evaluate(() => {
    const d = document.getElementById('acts').dataset;
    return d.state === 'drawn' ? Number(d.step) : -1;
  }), { message: 'the maps are drawn from the current weights', timeout: SIGNAL_MS }).toBeGreaterThanOrEqual(step);
}

/** The page does not scroll sideways, and the health table scrolls inside its own box if it must. */
async function noOverflow(page) {
  const r = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
  expect(r.page, `page width ${r.page} within the ${r.view}-px viewport`).toBeLessThanOrEqual(r.view);
}

async function shots(page, name) {
  await page.locator('#layer-health').scrollIntoViewIfNeeded();
  await page.evaluate(() => document.getElementById('layer-health').scrollIntoView({ block: 'start' }));
  await shot(page, `${name}-health`);
  await page.evaluate(() => document.getElementById('filters').scrollIntoView({ block: 'start' }));
  await shot(page, `${name}-filters`);
  if (await page.evaluate(() => document.getElementById('acthist').open)) {
    await page.evaluate(() => document.getElementById('acthist').scrollIntoView({ block: 'start' }));
    await shot(page, `${name}-acthist`);
  }
}

for (const [viewport, tag] of VIEWPORTS) {
  test(`a healthy baseline epoch: every ratio near the band, distinct filters (${tag})`, async ({ open }) => {
    const { page, errors } = await open(SMALL, { viewport });
    await ready(page);
    const untrained = await checkActivations(page);
    const h = await trainEpochs(page, 1);
    // what every layer sees after the epoch: the same layers, a new answer, and the panel shows that answer
    const a = await checkActivations(page);
    expect(a.logits, 'the weights moved').not.toEqual(untrained.logits);
    await openActs(page, h.steps);
    await expect(page.locator('#acts')).toHaveAttribute('data-predicted', String(a.predicted));
    await expect(page.locator('#acts .acts-answer')).toContainText(`Predicted ${a.predicted} at`);
    await expect(page.locator('#acts-summary')).toContainText(`predicted ${a.predicted} at`);
    await expect(page.locator('#acts-rows .acts-row')).toHaveCount(7);
    await expect(page.locator('#acts-rows .acts-row[data-layer=conv2] canvas')).toHaveCount(16);
    const r = h.epochs[0].updateRatios;
    for (const [layer, v] of Object.entries(r)) {
      // measured on this seed: conv1 4.8e-3, conv2 6.6e-3, dense 1.2e-2 — inside the band or just above it
      expect(v, `${layer}'s update/weight ratio`).toBeGreaterThan(1e-4);
      expect(v, `${layer}'s update/weight ratio`).toBeLessThan(3e-2);
    }
    const fig = page.locator('#health-ratio');
    await expect(fig).toHaveAttribute('data-epoch', '1');
    await expect(fig).toHaveAttribute('data-below', '');
    await expect(page.locator('#health-table tbody tr')).toHaveCount(3);
    await expect(page.locator('#health-table td[data-flag=below]')).toHaveCount(0);
    // whole channels (a filter off at every position for every image): a healthy net reads near 0%
    await expect(page.locator('#health-share-note')).toContainText('A healthy layer reads near 0%');
    for (const layer of ['conv1', 'conv2']) expect(h.epochs[0].deadFracs[layer], `${layer}'s dead channels`).toBeLessThan(0.2);
    await openFilters(page, h.steps);
    const t = await tiles(page);
    expect(t.pixels.length, 'one tile per conv1 filter').toBe(8);
    expect(new Set(t.pixels).size, 'trained filters differ').toBe(8);
    await expect(page.locator('#weight-hists figure')).toHaveCount(2);
    await expect(page.locator('#weight-hists figure[data-layer=conv2] canvas')).toHaveAttribute('aria-label', /Histogram of the 3,200 weights of conv2 in 41 bins/);
    await noOverflow(page);
    await shots(page, `30-layers-healthy-${tag}`);
    noErrors(errors);
  });
}

test('zero init: every first-layer filter tile is identical and blank, before and after training steps', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  await page.evaluate(() => window.lossLab.preset('init-zeros'));
  await ready(page);
  await openFilters(page, 0);
  await expect(page.locator('#filters-note')).toHaveText('Weights as initialised (step 0).');
  expect(new Set((await tiles(page)).pixels).size, 'identical tiles as initialised').toBe(1);
  for (let i = 0; i < 5; i++) await page.evaluate(() => window.lossLab.step());
  await expect.poll(() => history(page).then((x) => x.steps), { message: 'five single steps', timeout: TRAIN_MS }).toBe(5);
  await openFilters(page, 5);
  const t = await tiles(page);
  expect(t.pixels.length, 'one tile per conv1 filter').toBe(8);
  expect(new Set(t.pixels).size, 'all tiles identical').toBe(1);
  expect(t.maxAbs, 'largest |w| of conv1').toBe(0);
  expect(new Set(t.pixels[0].split(',')), 'a blank tile: mid-grey everywhere').toEqual(new Set(['128']));
  await expect(page.locator('#filter-caption')).toContainText('Every weight is exactly 0.');
  // while paused, Refresh now reads the weights again, by keyboard
  await page.evaluate(() => { delete document.getElementById('filters').dataset.step; });
  await page.locator('#btn-filters').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#filters')).toHaveAttribute('data-step', '5');
  await expect(page.locator('#filters-note')).toHaveText('Weights after step 5.');
  // what every layer sees: every conv channel (and every ReLU and pool after it) 0 everywhere, drawn black
  await openActs(page, 5);
  for (const [name, c] of [['conv1', 8], ['relu1', 8], ['pool1', 8], ['conv2', 16], ['relu2', 16], ['pool2', 16]]) {
    await expect(page.locator('#acts-summary')).toContainText(`${name}: ${c} of ${c} channels dead`);
  }
  await expect(page.locator('#acts-rows canvas.acts-tile.dead')).toHaveCount(3 * 8 + 3 * 16);
  const [a, b] = await page.evaluate(() => Promise.all([window.lossLab.activations(1), window.lossLab.activations(2)]));
  expect(a.layers.filter((l) => l.kind === 'conv').map((l) => l.dead)).toEqual([8, 16]);
  // nothing of the digit gets through: two different digits get the same answer (the output bias alone)
  expect(a.label === b.label ? 'the same label' : 'different labels').toBe('different labels');
  expect(a.probs, 'the same probabilities for both digits').toEqual(b.probs);
  // a bad index is refused in words
  for (const bad of [1.5, -1, 1e9, '3']) {
    const msg = await page.evaluate((i) => window.lossLab.activations(i).then(() => 'resolved', (e) => e.message), bad);
    expect(msg, `activations(${JSON.stringify(bad)})`).toMatch(/^activations\(index\): index must be an integer from 0 to \d+ \(a validation image\), not /);
  }
  noErrors(errors);
});

// Each init trains once; its views are then checked at both screen sizes.
test('zero and huge init: blank tiles and clipped noise (1280x720, 768x1024)', async ({ open }) => {
  const { page, errors } = await open('', { viewport: VIEWPORTS[0][0] });
  await ready(page);
  await page.evaluate(() => { window.lossLab.preset('init-zeros'); window.lossLab.apply({ train_n: 1000, val_n: 500 }); });
  await ready(page);
  let h = await trainEpochs(page, 1);
  await openFilters(page, h.steps);
  expect(new Set((await tiles(page)).pixels).size, 'zero init: identical tiles after an epoch').toBe(1);
  await expect(page.locator('#health-below')).toContainText('no ratio (all weights zero): conv1, conv2');
  // Activations over training: a column every 10 steps from step 1, and an all-zero net's ReLUs wholly in the ≈ 0 row
  let ah = await openActHist(page);
  expect(ah.steps.slice(0, 3), 'a column every 10 steps').toEqual([1, 11, 21]);
  expect(ah.layers.map((l) => `${l.name} ${l.after} ${l.scale}`)).toEqual(['relu1 conv1 log2', 'relu2 conv2 log2']);
  for (const l of ah.layers) {
    const zero = l.edges.findIndex((e, i) => e <= 0 && l.edges[i + 1] > 0);
    expect(l.columns.every((c) => c[zero] > 0 && c.every((n, r) => r === zero || n === 0)), `${l.name}: every value ≈ 0`).toBe(true);
    expect(l.reading).toMatch(/: 100% of values ≈ 0 \(under 0\.00024 in size\)\.$/);
  }
  for (const [viewport, tag] of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await noOverflow(page);
    await shots(page, `31-layers-init-zeros-${tag}`);
  }

  await page.setViewportSize(VIEWPORTS[0][0]);
  await page.evaluate(() => { window.lossLab.preset('init-huge'); window.lossLab.apply({ train_n: 1000, val_n: 500 }); });
  await ready(page);
  h = await trainEpochs(page, 1);
  await openFilters(page, h.steps);
  const t = await tiles(page);
  expect(new Set(t.pixels).size, 'huge init: every tile differs').toBe(8);
  // He ×10: black and white are 2σ of He, so most weights (|w| > 0.2σ·10) are clipped
  expect(t.clipped, 'share of clipped (black or white) pixels').toBeGreaterThan(0.5);
  await expect(page.locator('#health-table tr[data-layer=conv2] td').nth(3), 'conv2 dead after a huge init').toHaveText(/^(9\d|100)%$/);
  // the heat maps: relu2 starts higher than relu1 (the lesson's claim, checked on two seeds by tests/lessons.rs) and
  // ends wholly in its ≈ 0 row
  ah = await openActHist(page);
  expect(ah.layers[1].reading, 'relu2 silent at the end').toMatch(/: 100% of values ≈ 0/);
  for (const [viewport, tag] of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await noOverflow(page);
    await shots(page, `32-layers-init-huge-${tag}`);
  }
  noErrors(errors);
});

// One epoch of the deep sigmoid net, then the layer views at three screen sizes: the figures do not depend on
// the size, the layout does.
{
  test("deep sigmoid: the first layer's update ratio far below the band (1280x720, 768x1024, 390x844)", async ({ open }) => {
    const { page, errors } = await open('', { viewport: VIEWPORTS[0][0] });
    await ready(page);
    await page.evaluate(() => window.lossLab.preset('deep-sigmoid'));
    await ready(page);
    const h = await trainEpochs(page, 1);
    const r = h.epochs[0].updateRatios;
    // measured: conv1 9.6e-7 (two decades below the band's 1e-4), rising layer by layer to dense 6.1e-3
    expect(r.conv1, 'conv1 update/weight ratio').toBeLessThan(1e-5);
    expect(r.dense, 'the output layer still learns').toBeGreaterThan(1e-4);
    const fig = page.locator('#health-ratio');
    await expect(fig).toHaveAttribute('data-epoch', '1');
    await expect(fig).toHaveAttribute('data-below', /^conv1\b/);
    await expect(page.locator('#health-table tr[data-layer=conv1] td').first()).toHaveAttribute('data-flag', 'below');
    await expect(page.locator('#health-below')).toContainText('below the band, barely learning: conv1 (');
    // the chart's text names the same figure as the history
    await expect(page.locator('#chart-ratio')).toHaveAttribute('aria-label', new RegExp(`Epoch 1: conv1 ${r.conv1.toExponential(1).replace('.', '\\.')}`));
    await expect(page.locator('#health-share-note')).toContainText('Saturated');
    await openFilters(page, h.steps);
    await expect(page.locator('#weight-hists figure')).toHaveCount(6);
    // six sigmoid maps on the range 0 … 1, the last pushed towards 0 (the lesson's claim, tests/lessons.rs)
    const ah = await openActHist(page);
    expect(ah.layers.map((l) => l.scale)).toEqual(Array(6).fill('linear'));
    expect(ah.layers[5].edges[0]).toBe(0);
    expect(ah.layers[5].edges.at(-1)).toBe(1);
    for (const [viewport, tag] of [...VIEWPORTS, [{ width: 390, height: 844 }, '390x844']]) {
      await page.setViewportSize(viewport);
      await expect(page.locator('#health-ratio')).toHaveAttribute('data-below', /^conv1\b/);
      await noOverflow(page);
      await shots(page, `33-layers-deep-sigmoid-${tag}`);
    }
    noErrors(errors);
  });
}

test('the update/weight chart and the weight histograms read off their values on focus; a legend entry hides a layer', async ({ open }) => {
  const { page, errors } = await open(SMALL, { viewport: VIEWPORTS[0][0] });
  await ready(page);
  const h = await trainEpochs(page, 2);
  const canvas = page.locator('#chart-ratio');
  const readout = async () => JSON.parse((await canvas.getAttribute('data-readout')) || '[]');

  // focus: the cursor at the last epoch, every layer's ratio equal to the history's
  await canvas.focus();
  await expect(page.locator('#chart-ratio-readout')).toBeVisible();
  await expect(page.locator('#chart-ratio-readout .chart-readout-x')).toHaveText('epoch 2');
  expect(Object.fromEntries(await readout()), 'readout at epoch 2').toEqual(h.epochs[1].updateRatios);
  await expect(page.locator('#chart-ratio-readout')).toContainText('healthy ≈ 1e-3 (CS231n)');
  // ← steps one epoch
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('#chart-ratio-readout .chart-readout-x')).toHaveText('epoch 1');
  expect(Object.fromEntries(await readout()), 'readout at epoch 1').toEqual(h.epochs[0].updateRatios);
  await page.keyboard.press('End');
  await page.locator('#layer-health').evaluate((s) => s.scrollIntoView({ block: 'start' }));
  await shot(page, '34-layers-ratio-readout-1280x720');

  // hiding conv2 from its legend entry: gone from the readout and marked on the canvas
  const conv2 = page.locator('#legend-ratio button[data-key=layer-conv2]');
  await expect(conv2).toHaveAttribute('aria-pressed', 'true');
  await conv2.click();
  await expect(conv2).toHaveAttribute('aria-pressed', 'false');
  await expect(canvas).toHaveAttribute('data-hidden', 'layer-conv2');
  await canvas.focus();
  await expect.poll(async () => (await readout()).map(([n]) => n)).toEqual(['conv1', 'dense']);
  await conv2.click();
  await expect(conv2).toHaveAttribute('aria-pressed', 'true');

  // a histogram: focus reads off the bin centred on 0, → the next one, as shares of the layer's weights
  await openFilters(page, h.steps);
  const hist = page.locator('#hist-conv2');
  await hist.focus();
  await expect(page.locator('#hist-conv2-readout')).toBeVisible();
  const [lo0, hi0] = JSON.parse(await hist.getAttribute('data-readout'));
  expect(lo0, 'the centre bin starts below 0').toBeLessThan(0);
  expect(hi0, 'the centre bin ends above 0').toBeCloseTo(-lo0, 9);
  await page.keyboard.press('ArrowRight');
  await expect.poll(async () => JSON.parse(await hist.getAttribute('data-readout'))[0], { message: 'the next bin' }).toBeCloseTo(hi0, 9);
  const [lo, hi, share] = JSON.parse(await hist.getAttribute('data-readout'));
  // conv2 holds 16 × 8 × 5 × 5 = 3,200 weights: a share is a whole number of them, and the readout says how many
  const k = share * 3200;
  expect(Math.abs(k - Math.round(k)), `share ${share} of 3,200 weights`).toBeLessThan(1e-6);
  await expect(page.locator('#hist-conv2-readout')).toContainText(`${(share * 100).toFixed(1)}% of conv2's weights`);
  await expect(page.locator('#hist-conv2-readout')).toContainText(`${Math.round(k).toLocaleString('en-US')} of 3,200`);
  await expect(page.locator('#hist-conv2-readout .chart-readout-x')).toHaveText(/^−?\d\.\d+ … −?\d\.\d+:$/);
  await page.locator('#weight-hists').evaluate((s) => s.scrollIntoView({ block: 'center' }));
  await shot(page, '35-layers-hist-readout-1280x720');

  // a tablet: the same readouts fit beside their charts
  await page.setViewportSize(VIEWPORTS[1][0]);
  await canvas.focus();
  await expect(page.locator('#chart-ratio-readout')).toBeVisible();
  await page.locator('#layer-health').evaluate((s) => s.scrollIntoView({ block: 'start' }));
  await shot(page, '34-layers-ratio-readout-768x1024');
  await hist.focus();
  await expect(page.locator('#hist-conv2-readout')).toBeVisible();
  await page.locator('#weight-hists').evaluate((s) => s.scrollIntoView({ block: 'center' }));
  await shot(page, '35-layers-hist-readout-768x1024');
  await noOverflow(page);
  noErrors(errors);
});
