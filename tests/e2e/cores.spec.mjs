// Training one run on two cores (src/train/parallel.rs, www/engine/helper.js): the Cores menu and `cores=`, the same
// curve bit for bit for the same seed and cores, the one-core accuracy band, one core per run while racing,
// and a second worker that fails to start or fails mid-run.
import { test, expect, SMALL, TRAIN_MS, SIGNAL_MS, history, noErrors, ready, trainEpochs, untilQuery } from './lab.mjs';

const rowOf = (h) => ({ trainLoss: h.epochs[0].trainLoss, valLoss: h.epochs[0].valLoss, valAcc: h.epochs[0].valAcc, confusion: h.epochs[0].confusion });

test('two cores train the same curve bit for bit on the same seed, within the one-core band', async ({ open }) => {
  const rows = [];
  for (const cores of [2, 2, 1]) {
    const { page, errors } = await open(`${SMALL}&cores=${cores}`);
    await ready(page);
    expect(await page.evaluate(() => window.lossLab.cores()), `cores=${cores}`).toEqual({ n: cores, chosen: cores, note: '' });
    await expect(page.locator('#cores')).toHaveValue(String(cores));
    await page.evaluate(() => window.lossLab.start());
    // the speed line names the cores once the run has trained for a moment (it is repainted on a throttle)
    await expect(page.locator('#speed')).toHaveText(new RegExp(`samples/s on ${cores} core`), { timeout: TRAIN_MS });
    await page.evaluate(() => window.lossLab.whenEpoch(1));
    await page.evaluate(() => window.lossLab.pause());
    rows.push(rowOf(await history(page)));
    noErrors(errors);
    await page.context().close();
  }
  const [a, b, one] = rows;
  expect(b, 'two cores, the same seed, twice').toEqual(a);
  expect(a.valAcc > 0.7 && one.valAcc > 0.7, `both learn: ${a.valAcc} (two cores), ${one.valAcc} (one)`).toBe(true);
  expect(Math.abs(a.valAcc - one.valAcc), `validation accuracy ${a.valAcc} (two cores) against ${one.valAcc} (one)`).toBeLessThan(0.02);
  expect(Math.abs(a.valLoss - one.valLoss), `validation loss ${a.valLoss} (two cores) against ${one.valLoss} (one)`).toBeLessThan(0.05);
});

test('the Cores menu and cores= choose; racing gives each run one core and gives both back after', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&cores=2`);
  await ready(page);
  // the machine's default (2 where the browser reports two or more processors, else 1) is left out of the URL
  const def = await page.evaluate(() => ((navigator.hardwareConcurrency || 1) >= 2 ? 2 : 1));
  const other = def === 2 ? 1 : 2;
  await page.locator('#cores').selectOption(String(other));
  await untilQuery(page, 'cores', String(other));
  expect(await page.evaluate(() => window.lossLab.cores().n)).toBe(other);
  await page.locator('#cores').selectOption(String(def));
  await untilQuery(page, 'cores', null);
  expect(await page.evaluate(() => window.lossLab.cores().n)).toBe(def);
  await page.locator('#cores').selectOption('2');
  expect(await page.evaluate(() => window.lossLab.cores().n)).toBe(2);
  await trainEpochs(page, 1);
  await page.locator('#btn-pin').click();
  await page.evaluate(() => window.lossLab.race(true));
  await ready(page);
  await expect(page.locator('#cores'), 'the menu while racing').toBeDisabled();
  expect(await page.evaluate(() => window.lossLab.cores().n), 'the current run while racing').toBe(1);
  await trainEpochs(page, 1);
  await page.evaluate(() => window.lossLab.race(false));
  await expect(page.locator('#cores')).toBeEnabled();
  expect(await page.evaluate(() => window.lossLab.cores().n), 'after the race').toBe(2);
  await trainEpochs(page, 2);
  expect((await history(page)).epochs.length).toBeGreaterThanOrEqual(2);
  noErrors(errors);

  const bad = await open(`${SMALL}&cores=banana`);
  await expect(bad.page.locator('#notices')).toContainText('cores=banana is not 1 or 2');
  await ready(bad.page);
  expect(await bad.page.evaluate(() => window.lossLab.cores().chosen)).toBe(def);
});

test('a second worker that cannot start leaves the run on one core, with a notice', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&cores=2`, {
    setup: (ctx) => ctx.route('**/www/engine/helper.js', (r) => r.fulfill({ status: 404, body: 'not found' })),
  });
  await ready(page);
  await expect(page.locator('#notices')).toContainText('the second worker could not start', { timeout: SIGNAL_MS });
  const h = await trainEpochs(page, 1);
  expect(Number.isFinite(h.epochs[0].valLoss)).toBe(true);
  expect(await page.evaluate(() => window.lossLab.cores())).toMatchObject({ n: 1, chosen: 2 });
  noErrors(errors, [/helper\.js/, /404/, /Failed to load/]);
});

test('a second worker that fails mid-run: the step is finished by the first and training goes on', async ({ open }) => {
  // a helper that answers every request with an error, as a crashed engine would
  const failing = `self.onmessage = (e) => { const port = e.data.port;
    port.onmessage = (ev) => { if (ev.data.req) port.postMessage({ req: ev.data.req, error: 'engine crashed', fatal: true }); }; };`;
  const { page, errors } = await open(`${SMALL}&cores=2`, {
    setup: (ctx) => ctx.route('**/www/engine/helper.js', (r) => r.fulfill({ status: 200, contentType: 'text/javascript', body: failing })),
  });
  await ready(page);
  const h = await trainEpochs(page, 1);
  await expect(page.locator('#notices')).toContainText('the second worker failed (engine crashed) — training goes on on one core');
  expect(await page.evaluate(() => window.lossLab.cores())).toMatchObject({ n: 1, chosen: 2 });
  expect(h.epochs[0].valAcc, 'the run learnt').toBeGreaterThan(0.7);
  noErrors(errors);
});
