// "Race on 3 seeds" (www/lab/seedrace.js, www/views/seedrace.js): this setting and the pinned one each trained on
// three seeds; the loss chart's bands (data-bands, as drawn) are compared with the runs' own history rows, and the
// status line's verdict with the overlap of the two sides' ranges.
import { test, expect, SIGNAL_MS, TRAIN_MS, noErrors, ready, shot } from './lab.mjs';

const TINY = '?train_n=500&val_n=200';

test('a race on 3 seeds trains both settings on three seeds and draws each as its mean with a lowest–highest band', async ({ open }) => {
  const { page, errors } = await open(TINY, { viewport: { width: 1280, height: 720 } });
  await ready(page);
  const button = page.locator('#btn-race-seeds');
  await expect(button, 'nothing pinned: nothing to race').toBeHidden();
  await page.locator('#btn-pin').click();
  await expect(button).toBeEnabled();
  await expect(button, 'the button says what it costs').toHaveText('Race on 3 seeds (6 runs)');
  await page.evaluate(() => window.lossLab.apply({ lr: 0.05 }));
  await ready(page);
  // the button by keyboard, one epoch
  await page.locator('#race-seeds-epochs').selectOption('1');
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#seed-race-status')).toContainText('6 runs (this setting and the pinned one on 3 seeds each) of 1 epoch, two at a time');
  await expect.poll(() => page.evaluate(() => window.lossLab.seedRace()?.state), { message: 'the race on 3 seeds', timeout: TRAIN_MS }).toBe('done');
  const r = await page.evaluate(() => window.lossLab.seedRace());
  expect(r.runs).toBe(6);
  expect(r.sides.map((s) => [s.side, s.config.lr, s.seeds, s.runs.map((x) => [x.status, x.epochs.length])])).toEqual([
    ['current', 0.05, [1, 2, 3], [['done', 1], ['done', 1], ['done', 1]]],
    ['pinned', 0.01, [1, 2, 3], [['done', 1], ['done', 1], ['done', 1]]],
  ]);
  // the bands drawn (once the chart has been redrawn with the last run): per side at epoch 1, the mean, lowest and
  // highest of its three runs' validation loss
  const bands = () => page.evaluate(() => JSON.parse(document.getElementById('chart-loss').dataset.bands || 'null'));
  await expect.poll(async () => (await bands())?.map((d) => d.count[0]), { message: 'seeds in the drawn bands', timeout: SIGNAL_MS }).toEqual([3, 3]);
  const drawn = await bands();
  const sides = r.sides.map((s) => s.runs.map((x) => x.epochs[0].valLoss));
  sides.forEach((v, i) => {
    expect(new Set(v).size, `three seeds, three validation losses: ${v}`).toBe(3);
    const d = drawn[i];
    expect({ side: d.side, xs: d.xs, lo: d.lo, hi: d.hi, count: d.count }).toEqual({ side: r.sides[i].side, xs: [1], lo: [Math.min(...v)], hi: [Math.max(...v)], count: [3] });
    expect(d.mean[0]).toBeCloseTo((v[0] + v[1] + v[2]) / 3, 6);
    expect(r.sides[i].valLoss.lo).toBe(Math.min(...v));
  });
  // the verdict: inside the seed-to-seed spread when the two ranges overlap, apart when they do not
  const overlap = Math.max(...sides[0]) >= Math.min(...sides[1]) && Math.max(...sides[1]) >= Math.min(...sides[0]);
  expect(r.verdict).toBe(overlap ? 'inside' : 'apart');
  const line = page.locator('#seed-race-status');
  await expect(line).toHaveAttribute('data-verdict', r.verdict);
  await expect(page.locator('#legend-loss')).toContainText('lines: mean of 3 seeds; shaded: lowest to highest seed');
  await expect(line).toContainText('this setting (lr = 0.05) ');
  await expect(line).toContainText('pinned (lr = 0.01) ');
  await expect(line).toContainText(overlap ? 'inside the seed-to-seed spread — seed noise, not a winner' : 'the ranges do not overlap');
  await expect(page.locator('#legend-loss')).toContainText('this setting (lr = 0.05): training');
  await shot(page, 'seedrace-done');
  // back to one seed: the charts show this run again
  await page.locator('#btn-race-seeds-end').click();
  await expect.poll(() => page.evaluate(() => window.lossLab.seedRace()), { timeout: SIGNAL_MS }).toBe(null);
  await expect(page.locator('#seed-race-status')).toBeHidden();
  expect(await page.evaluate(() => document.getElementById('chart-loss').dataset.bands)).toBe(undefined);
  noErrors(errors);
});

test('lossLab.race(true, {seeds: 3}) refuses without a pin and with another number of seeds', async ({ open }) => {
  const { page, errors } = await open(TINY);
  await ready(page);
  await expect(page.evaluate(() => window.lossLab.race(true, { seeds: 3 }))).rejects.toThrow(/pin a run first/);
  await page.evaluate(() => window.lossLab.pin());
  await expect(page.evaluate(() => window.lossLab.race(true, { seeds: 2 }))).rejects.toThrow(/1 seed .* or 3/);
  await expect(page.evaluate(() => window.lossLab.race(true, { seeds: 3, epochs: 0 }))).rejects.toThrow(/epochs = 0/);
  noErrors(errors);
});
