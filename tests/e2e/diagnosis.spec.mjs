// The Diagnosis card: the engine's reading of the run beside the loss chart, its race buttons, lossLab.diagnosis().
// Every wait is on a page signal (lossLab.ready(), whenEpoch, a diagnosis that polls in), never on the clock.
import { test, expect, TRAIN_MS, SIGNAL_MS, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

const NONE_YET = 'no diagnosis yet — it reads the run after its first 20 steps';

/** Polls lossLab.diagnosis() until `pick(diagnosis)` is truthy; returns what it picked. */
async function untilDiagnosis(page, pick, message, timeout = TRAIN_MS) {
  let got;
  await expect.poll(async () => {
    got = await page.evaluate(`(${pick})(window.lossLab.diagnosis())`);
    return !!got;
  }, { message, timeout }).toBe(true);
  return got;
}

/** The card does not overflow its box or the page sideways. */
async function fitsSideways(page) {
  const r = await page.evaluate(() => {
    const card = document.getElementById('diagnosis');
    const box = card.getBoundingClientRect();
    return { page: document.documentElement.scrollWidth, view: window.innerWidth, card: card.scrollWidth, cardBox: card.clientWidth, right: box.right };
  });
  expect(r.page, `page width ${r.page} within the ${r.view}-px viewport`).toBeLessThanOrEqual(r.view);
  expect(r.card, 'the card\u2019s content width within the card').toBeLessThanOrEqual(r.cardBox);
  expect(r.right, 'the card\u2019s right edge inside the viewport').toBeLessThanOrEqual(r.view);
}

test('a healthy baseline is read as healthy, beside the loss chart', async ({ open }) => {
  const { page, errors } = await open();
  await ready(page);
  expect(await page.evaluate(() => window.lossLab.diagnosis()), 'before any step').toBeNull();
  await expect(page.locator('#diagnosis-summary')).toHaveText(NONE_YET);
  await trainEpochs(page, 1);
  // the reading after the validation pass of epoch 1
  const d = await untilDiagnosis(page, (x) => x && x.epoch >= 1 && x, 'a diagnosis after epoch 1');
  expect(d.healthy, `healthy; findings: ${d.findings.map((f) => `${f.severity} ${f.symptom}`).join(', ')}`).toBe(true);
  expect(d.findings.filter((f) => f.severity !== 'info').map((f) => f.symptom), 'warnings and alarms').toEqual([]);
  expect(d.findings.some((f) => f.symptom === 'healthy'), 'a "healthy" finding').toBe(true);
  const card = page.locator('#diagnosis');
  await expect(page.locator('#diagnosis-summary')).toHaveText(/^Healthy: nothing looks wrong/);
  await expect(card.locator('.diag-finding[data-symptom=healthy]')).toContainText('Nothing looks wrong');
  await expect(card.locator('.diag-finding[data-severity=alarm], .diag-finding[data-severity=warn]')).toHaveCount(0);
  await expect(page.locator('#diagnosis-when')).toHaveText(/^read after [\d,]+ steps \(1 epoch\)$/);
  // at 1280×720 the card sits beside the loss chart, its top on screen with the charts
  const [loss, box] = await Promise.all([page.locator('#chart-loss').boundingBox(), card.boundingBox()]);
  expect(box.x, 'the card is right of the loss chart').toBeGreaterThan(loss.x + loss.width);
  expect(box.y, 'the card\u2019s top is in the first screenful').toBeLessThan(720 - 100);
  await fitsSideways(page);
  await shot(page, '20-diagnosis-healthy');
  // "How reliable is this card?": the detection test's figures (www/report-card.json), one row a cause
  const rc = await page.evaluate(() => window.lossLab.reportCard());
  expect(rc, 'the report card loads').not.toBeNull();
  const fold = page.locator('#diagnosis-reliability');
  await expect(fold).toHaveAttribute('data-ready', '1');
  await expect(fold.locator('tbody tr')).toHaveCount(rc.byCause.length);
  await expect(fold).toContainText(`on ${rc.named} of ${rc.runs}`);
  await expect(fold.locator(`tr[data-causes="${rc.byCause[0].causes.join('|')}"] td.num`)).toHaveText(`${rc.byCause[0].named} of ${rc.byCause[0].runs}`);
  await fitsSideways(page);
  noErrors(errors);
});

test('all weights zero: the card names the initialisation, and its button races the fix by keyboard', async ({ open }) => {
  const { page, errors } = await open();
  await ready(page);
  await page.evaluate(() => window.lossLab.preset('init-zeros'));
  await ready(page);
  await page.evaluate(() => window.lossLab.start());
  const f = await untilDiagnosis(page, (x) => x && x.findings.find((f) => f.severity !== 'info' && f.causes.includes('bad_init')),
    'a warning or alarm that names bad_init');
  await page.evaluate(() => window.lossLab.pause());
  const finding = page.locator(`#diagnosis .diag-finding[data-symptom=${f.symptom}]`);
  await expect(finding, 'the finding shows its severity in words').toContainText(f.severity === 'alarm' ? 'Alarm' : 'Warning');
  await expect(finding.locator('.diag-causes')).toContainText('badly scaled initial weights');
  await expect(finding.locator('.diag-experiment')).toContainText('Experiment:');
  await expect(page.locator('#diagnosis-summary')).toHaveText(/^\d+ alarms?|^\d+ warnings?/);
  await shot(page, '21-diagnosis-init-zeros');

  // one button per race on the card, under the first finding that names its cause
  const button = page.locator('#diagnosis button.diag-race[data-cause=bad_init]');
  await expect(button).toHaveCount(1);
  await expect(button).toHaveText('Race with He initialisation');
  await button.focus();
  await page.keyboard.press('Enter');
  // this run now trains the fix, the pinned one the lesson as it was; both start together
  await expect.poll(() => history(page).then((h) => h.pinned && { raced: h.pinned.raced, init: h.pinned.config.init }),
    { message: 'the pinned run after the button', timeout: SIGNAL_MS }).toEqual({ raced: true, init: 'zeros' });
  expect(await page.evaluate(() => window.lossLab.config()), 'the raced change').toMatchObject({ init: 'he_normal', gain: 1, bias: 0, seed: 1 });
  expect(await page.evaluate(() => document.getElementById('diagnosis').contains(document.activeElement)),
    'keyboard focus stays on the card when the pressed button goes with the old reading').toBe(true);
  await page.waitForFunction(() => { const h = window.lossLab.history(); return h.steps > 0 && h.pinned.steps > 0; }, null, { timeout: TRAIN_MS });
  // the reading of the run with the fix arrives, and a rebuild clears it at once
  await untilDiagnosis(page, (x) => x !== null, 'a diagnosis of the fixed run');
  const after = await page.evaluate(() => { window.lossLab.apply({ seed: 2 }); return window.lossLab.diagnosis(); });
  expect(after, 'lossLab.diagnosis() right after a rebuild').toBeNull();
  await expect(page.locator('#diagnosis-summary')).toHaveText(NONE_YET);
  await expect(page.locator('#diagnosis .diag-finding')).toHaveCount(0);
  await page.evaluate(() => window.lossLab.pause());
  noErrors(errors);
});

test('40% uniform label noise: noisy labels, confirmed against the injected noise', async ({ open }) => {
  const { page, errors } = await open();
  await ready(page);
  await page.evaluate(() => window.lossLab.preset('noise-uniform'));
  await ready(page);
  await trainEpochs(page, 2);
  const d = await untilDiagnosis(page, (x) => x && x.epoch >= 2 && x, 'a diagnosis after epoch 2');
  const noisy = d.findings.find((f) => f.symptom === 'noisy_labels' || f.symptom === 'training_floor');
  expect(noisy && noisy.causes[0], `findings: ${d.findings.map((f) => `${f.symptom} [${f.causes}]`).join('; ')}`).toBe('label_noise');
  expect(d.noiseCheck, 'the check against the injected noise').not.toBeNull();
  expect(d.noiseCheck.corruptedInTop, 'corrupted labels among the highest-loss images vs overall').toBeGreaterThan(d.noiseCheck.corruptedOverall);
  const check = page.locator(`#diagnosis .diag-finding[data-symptom=${noisy.symptom}] .diag-check`);
  await expect(check).toHaveText(/^Checked against the injected noise: \d+% of the highest-loss training images are ones whose label was corrupted \(\d+% of all\)\.$/);
  await expect(page.locator('#diagnosis button.diag-race[data-cause=label_noise]')).toHaveText('Race without label noise');
  await shot(page, '22-diagnosis-noise-uniform');
  noErrors(errors);
});

for (const [viewport, tag] of [[{ width: 1280, height: 720 }, '1280x720'], [{ width: 768, height: 1024 }, '768x1024'], [{ width: 390, height: 844 }, '390x844']]) {
  test(`learning rate 5: the card ranks the learning rate and races it ÷ 10 (${tag})`, async ({ open }) => {
    const { page, errors } = await open('', { viewport });
    await ready(page);
    await page.evaluate(() => window.lossLab.preset('lr-high'));
    await ready(page);
    await page.evaluate(() => window.lossLab.start());
    const f = await untilDiagnosis(page, (x) => x && x.findings.find((f) => f.severity !== 'info' && f.causes.includes('lr_too_high')),
      'a warning or alarm that names lr_too_high');
    await page.evaluate(() => window.lossLab.pause());
    const button = page.locator('#diagnosis button.diag-race[data-cause=lr_too_high]');
    await expect(button).toHaveText('Race with learning rate ÷ 10 (0.5)');
    await expect(page.locator(`#diagnosis .diag-finding[data-symptom=${f.symptom}]`)).toContainText('learning rate too high');
    if (tag !== '1280x720') {
      // one column of charts: the card comes right after the loss chart
      const [loss, box] = await Promise.all([page.locator('#chart-loss').boundingBox(), page.locator('#diagnosis').boundingBox()]);
      expect(box.y, 'the card is under the loss chart').toBeGreaterThan(loss.y + loss.height);
      expect(box.y, 'and before the accuracy chart').toBeLessThan((await page.locator('#chart-acc').boundingBox()).y);
    }
    await fitsSideways(page);
    await page.evaluate(() => document.getElementById('diagnosis').scrollIntoView({ block: 'start' }));
    await shot(page, `23-diagnosis-lr-high-${tag}`);
    await button.click();
    await expect.poll(() => history(page).then((h) => h.pinned && { raced: h.pinned.raced, lr: h.pinned.config.lr }),
      { message: 'the pinned run after the button', timeout: SIGNAL_MS }).toEqual({ raced: true, lr: 5 });
    expect(await page.evaluate(() => window.lossLab.config().lr), 'this run trains at a tenth of the rate').toBe(0.5);
    await ready(page);
    await page.evaluate(() => window.lossLab.pause());
    noErrors(errors);
  });
}
