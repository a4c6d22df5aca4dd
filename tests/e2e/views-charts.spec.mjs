// The confusion-matrix heat map, the class-count bars, the reference lines theory gives, and the charts'
// readouts, legend toggles and zoom: read from the page's DOM (data attributes) and compared with
// lossLab.history() and with the formulas, at 1280×720 and on a 768×1024 tablet.
import { test, expect, SMALL, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

// src/data/faults.rs PAIR_FLIP: every corrupted label becomes its look-alike partner
const PAIR_FLIP = [6, 7, 7, 8, 9, 6, 5, 1, 3, 4];
const DESKTOP = { width: 1280, height: 720 };
const TABLET = { width: 768, height: 1024 };

/** The 100 counts of this run's heat map, row by row, as the DOM holds them. */
function heatMap(page) {
  return page.evaluate(() => [...document.querySelectorAll('#confusion .cm:not(.cm-pinned) .cm-cell')].map((c) => Number(c.dataset.count)));
}

/** Scrolls an element into view before a screenshot of the area around it. */
async function showArea(page, selector) {
  await page.locator(selector).scrollIntoViewIfNeeded();
}

test('40% pair flips: the heat map equals the history, its largest mistakes lie on the flipped pairs', async ({ open }) => {
  const { page, errors } = await open('?train_n=5000&val_n=1000&noise=40&noise_kind=pairs', { viewport: DESKTOP });
  await ready(page);
  const h = await trainEpochs(page, 2);
  const last = h.epochs[h.epochs.length - 1];
  await expect(page.locator('#confusion')).toHaveAttribute('data-epoch', String(last.epoch));
  const cells = await heatMap(page);
  expect(cells, 'heat-map cells against history().epochs[last].confusion').toEqual(last.confusion);
  const off = [];
  for (let r = 0; r < 10; r++) for (let c = 0; c < 10; c++) if (r !== c) off.push({ r, c, n: cells[r * 10 + c] });
  off.sort((a, b) => b.n - a.n);
  const top = off.slice(0, 5);
  const onPairs = top.filter(({ r, c }) => PAIR_FLIP[r] === c);
  expect(PAIR_FLIP[top[0].r], `largest off-diagonal cell ${JSON.stringify(top[0])}`).toBe(top[0].c);
  expect(onPairs.length, `the five largest off-diagonal cells: ${JSON.stringify(top)}`).toBeGreaterThanOrEqual(4);

  // keyboard: the first cell takes focus, arrow keys move, the live readout says the count and the row share
  await page.locator('#confusion .cm:not(.cm-pinned) .cm-cell[data-true="0"][data-pred="0"]').focus();
  const { r, c } = top[0];
  for (let i = 0; i < r; i++) await page.keyboard.press('ArrowDown');
  for (let i = 0; i < c; i++) await page.keyboard.press('ArrowRight');
  const row = cells.slice(r * 10, r * 10 + 10).reduce((a, b) => a + b, 0);
  const n = cells[r * 10 + c];
  await expect(page.locator('#cm-readout')).toHaveText(`this run: true ${r}, predicted ${c}: ${n} images (${((100 * n) / row).toFixed(1)}% of the ${r}s)`);
  await expect(page.locator(`#confusion .cm:not(.cm-pinned) .cm-cell[data-true="${r}"][data-pred="${c}"]`)).toBeFocused();

  // the epoch picker shows an earlier epoch's matrix
  await page.locator('#cm-epoch').selectOption('1');
  expect(await heatMap(page), 'epoch 1 picked').toEqual(h.epochs[0].confusion);
  await page.locator('#cm-epoch').selectOption('latest');

  await showArea(page, '#confusion-fig');
  await shot(page, 'views-confusion-pairs-1280');
  await page.setViewportSize(TABLET);
  await showArea(page, '#confusion-fig');
  await shot(page, 'views-confusion-pairs-768');
  noErrors(errors);
});

test('a healthy run beside its pinned self: both heat maps, the pinned one equal to the pinned history', async ({ open }) => {
  const { page, errors } = await open(SMALL, { viewport: DESKTOP });
  await ready(page);
  await trainEpochs(page, 1);
  await page.locator('#btn-pin').click();
  await expect(page.locator('#confusion .cm-pinned')).toBeVisible();
  await page.evaluate(() => window.lossLab.apply({ lr: 0.03 }));
  const h = await trainEpochs(page, 2);
  const pinned = await page.evaluate(() => [...document.querySelectorAll('#confusion .cm-pinned .cm-cell')].map((c) => Number(c.dataset.count)));
  expect(pinned, 'pinned heat map against history().pinned').toEqual(h.pinned.epochs[h.pinned.epochs.length - 1].confusion);
  expect(await heatMap(page)).toEqual(h.epochs[h.epochs.length - 1].confusion);
  // a healthy net: the diagonal holds most of the images
  const cells = await heatMap(page);
  const diag = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((a, d) => a + cells[d * 11], 0);
  expect(diag / cells.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.8);
  await showArea(page, '#confusion-fig');
  await shot(page, 'views-confusion-healthy-pinned-1280');
  await page.setViewportSize(TABLET);
  await showArea(page, '#confusion-fig');
  await shot(page, 'views-confusion-healthy-pinned-768');
  noErrors(errors);
});

test('reference lines: the noise floor and ceiling under 40% uniform noise, the prior entropy under imbalance', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&noise=40&noise_kind=uniform`, { viewport: DESKTOP });
  await ready(page);
  const floor = -0.6 * Math.log(0.6) - 0.4 * Math.log(0.4 / 9); // ≈ 1.552 nats
  const floorItem = page.locator('#legend-loss li[data-ref=floor]');
  await expect(floorItem).toContainText('noise floor 1.55');
  await expect(floorItem).toContainText('memorises wrong labels');
  expect(Number(await floorItem.getAttribute('data-value'))).toBeCloseTo(floor, 9);
  // the corrupted labels' own floor, −ln(0.4/9) ≈ 3.11: the line the purple curve is read against
  const noisyItem = page.locator('#legend-loss li[data-ref=noisy-floor]');
  await expect(noisyItem).toContainText('corrupted-label reference 3.11');
  expect(Number(await noisyItem.getAttribute('data-value'))).toBeCloseTo(-Math.log(0.4 / 9), 9);
  const ceilItem = page.locator('#legend-acc li[data-ref=ceiling]');
  await expect(ceilItem).toContainText('noise ceiling 60%');
  expect(Number(await ceilItem.getAttribute('data-value'))).toBeCloseTo(60, 9);
  await expect(page.locator('#legend-loss li[data-ref=prior]')).toHaveCount(0);
  await trainEpochs(page, 2);
  await showArea(page, '#chart-loss');
  await shot(page, 'views-refs-noise-1280');
  await page.setViewportSize(TABLET);
  await showArea(page, '#chart-loss');
  await shot(page, 'views-refs-noise-768');

  // class imbalance: the bars count the training labels, and H of those counts is the new chance line
  await page.setViewportSize(DESKTOP);
  await page.evaluate(() => window.lossLab.apply({ noise: 0, imb: 'classes', imb_classes: '0,1,2,3,4', imb_keep: 0.1 }));
  await ready(page);
  await expect(page.locator('#class-counts')).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('#legend-loss li[data-ref=floor]')).toHaveCount(0);
  await expect(page.locator('#legend-loss li[data-ref=noisy-floor]')).toHaveCount(0);
  const counts = await page.evaluate(() => [...document.querySelectorAll('#class-counts .count-bar')].map((b) => Number(b.dataset.count)));
  expect(counts.slice(0, 5).every((n, d) => n * 5 < counts[d + 5]), `counts ${counts}`).toBe(true);
  const total = counts.reduce((a, b) => a + b, 0);
  const H = -counts.reduce((a, n) => a + (n ? (n / total) * Math.log(n / total) : 0), 0);
  const prior = page.locator('#legend-loss li[data-ref=prior]');
  await expect(prior).toHaveText(`chance for these labels: H = ${H.toFixed(2)}`);
  expect(Number(await prior.getAttribute('data-value'))).toBeCloseTo(H, 9);
  await expect(page.locator('#class-counts-text')).toHaveText(counts.map((n, d) => `${d}: ${n.toLocaleString('en-US')}`).join(' · '));
  await page.locator('#class-counts .count-bar[data-digit="3"]').focus();
  await expect(page.locator('#class-counts .count-readout')).toContainText(`digit 3: ${counts[3].toLocaleString('en-US')} images`);
  await trainEpochs(page, 1);
  await showArea(page, '#chart-loss');
  await shot(page, 'views-refs-imbalance-1280');
  await page.locator('#class-counts').scrollIntoViewIfNeeded();
  await shot(page, 'views-class-counts-1280');
  noErrors(errors);
});

test('the loss chart reads off values on hover and focus, hides a line from its legend, and zooms', async ({ open }) => {
  const { page, errors } = await open(SMALL, { viewport: DESKTOP });
  await ready(page);
  const h = await trainEpochs(page, 1);
  const canvas = page.locator('#chart-loss');
  const readout = async () => JSON.parse((await canvas.getAttribute('data-readout')) || '[]');

  // keyboard: focus puts the cursor at the last step; the epoch's values are listed exactly
  await canvas.focus();
  await expect(page.locator('#chart-loss-readout')).toBeVisible();
  await expect.poll(async () => (await readout()).map(([n]) => n)).toEqual(['each batch (smoothed)', 'train (epoch)', 'validation']);
  const values = Object.fromEntries(await readout());
  expect(values['train (epoch)']).toBeCloseTo(h.epochs[0].trainLoss, 6);
  expect(values.validation).toBeCloseTo(h.epochs[0].valLoss, 6);
  await expect(page.locator('#chart-loss-readout')).toContainText(`train (epoch): ${h.epochs[0].trainLoss.toPrecision(3)}`);
  const before = await page.locator('#chart-loss-readout .chart-readout-x').textContent();
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('#chart-loss-readout .chart-readout-x')).not.toHaveText(before);
  await shot(page, 'views-readout-focus-1280');

  // hiding a legend entry hides its line: gone from the readout, marked on the canvas, the button unpressed
  const val = page.locator('#legend-loss button[data-key=val]');
  await expect(val).toHaveAttribute('aria-pressed', 'true');
  const pixels = await canvas.evaluate((c) => c.toDataURL());
  await val.click();
  await expect(val).toHaveAttribute('aria-pressed', 'false');
  await expect(canvas).toHaveAttribute('data-hidden', 'val');
  expect(await canvas.evaluate((c) => c.toDataURL()), 'the canvas after hiding validation').not.toBe(pixels);
  await canvas.focus();
  await page.keyboard.press('End');
  await expect.poll(async () => (await readout()).map(([n]) => n)).toEqual(['each batch (smoothed)', 'train (epoch)']);
  await val.press('Enter');
  await expect(val).toHaveAttribute('aria-pressed', 'true');

  // hover: the mouse over the middle of the plot shows the batch loss there
  const box = await canvas.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4);
  await expect.poll(async () => (await readout()).map(([n]) => n)).toContain('each batch (smoothed)');
  await expect(page.locator('#chart-loss-readout .chart-readout-x')).toContainText(/^epoch 0\.\d\d \(step \d+\)$/);

  // zoom: a drag selects a range of steps, the reset button brings the whole run back; +/0 from the keyboard
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 4 });
  await page.mouse.up();
  await expect(canvas).toHaveAttribute('data-zoom', /^\d+\.\d+ \d+\.\d+$/);
  await expect(page.locator('.chart-reset')).toBeVisible();
  await shot(page, 'views-zoom-1280');
  await page.locator('.chart-reset').click();
  await expect(canvas).toHaveAttribute('data-zoom', '');
  await canvas.focus();
  await page.keyboard.press('+');
  await expect(canvas).toHaveAttribute('data-zoom', /\d/);
  await page.keyboard.press('0');
  await expect(canvas).toHaveAttribute('data-zoom', '');
  noErrors(errors);
});

test('the recall bars read off each digit on focus and with ←/→, this run beside the pinned one', async ({ open }) => {
  const { page, errors } = await open(SMALL, { viewport: DESKTOP });
  await ready(page);
  await trainEpochs(page, 1);
  await page.locator('#btn-pin').click();
  await page.evaluate(() => window.lossLab.apply({ lr: 0.03 }));
  const h = await trainEpochs(page, 2);
  const mine = h.epochs[h.epochs.length - 1].recall, pinned = h.pinned.epochs[h.pinned.epochs.length - 1].recall;
  const canvas = page.locator('#chart-recall');
  const readout = async () => JSON.parse((await canvas.getAttribute('data-readout')) || 'null');
  const pct = (v) => `${(v * 100).toFixed(1)}%`;

  // focus starts at digit 0; → moves one digit at a time; the values are the history's
  await canvas.focus();
  await expect(page.locator('#chart-recall-readout')).toBeVisible();
  for (let d = 0; d <= 4; d++) {
    if (d) await page.keyboard.press('ArrowRight');
    await expect.poll(async () => (await readout())?.[0], { message: `the readout at digit ${d}` }).toBe(d);
    const [, values] = await readout();
    expect(values.map(([name]) => name)).toEqual(['this run', 'pinned']);
    expect(values[0][1], `digit ${d}, this run`).toBeCloseTo(mine[d] * 100, 9);
    expect(values[1][1], `digit ${d}, pinned`).toBeCloseTo(pinned[d] * 100, 9);
  }
  // one line per run: "digit 4: recall 97.1% (this run), 95.0% (pinned)"
  await expect(page.locator('#chart-recall-readout > div')).toHaveText(['digit 4:', ` recall ${pct(mine[4])} (this run)`, `${pct(pinned[4])} (pinned)`].map((t) => t.trim()));
  await page.keyboard.press('End');
  await expect.poll(async () => (await readout())?.[0]).toBe(9);
  await page.keyboard.press('Home');
  await expect.poll(async () => (await readout())?.[0]).toBe(0);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  // a narrow chart: the readout may sit under the canvas rather than beside the bar
  await showArea(page, '#chart-recall-readout');
  await shot(page, 'views-recall-readout-1280');
  await page.setViewportSize(TABLET);
  await showArea(page, '#chart-recall');
  await canvas.focus();
  await expect(page.locator('#chart-recall-readout')).toBeVisible();
  await shot(page, 'views-recall-readout-768');
  noErrors(errors);
});
