// The mystery drill on the real page (www/views/mystery.js): a whole three-mystery sequence from a class code,
// played by keyboard at 1280×720, with the hidden settings checked not to leak before each answer (the DOM, the
// URL, lossLab.config()); and the drill on a phone. The sequence the code draws is computed here with the page's
// own rules (www/mystery/drill.js), so the test knows which answers are right. Answers are committed without
// waiting for training (a student may commit at any time), so the spec costs little more than three builds.
import { readFileSync } from 'node:fs';
import { test, expect, ready, noErrors, SIGNAL_MS } from './lab.mjs';
import { drawSequence } from '../../www/mystery/drill.js';
import { decodeResult } from '../../www/mystery/code.js';
import { answerName } from '../../www/mystery/answers.js';
import { defaults } from '../../www/state.js';

const presets = JSON.parse(readFileSync(new URL('../../www/presets.json', import.meta.url), 'utf8')).presets;
const card = JSON.parse(readFileSync(new URL('../../www/report-card.json', import.meta.url), 'utf8'));
const DRILL_KEYS = new Set(['mystery', 'pool', 'level']);

/** Picks `value` in the <select> `id` with the arrow keys (it has focus first), as a keyboard user does. */
async function pickByKeyboard(page, id, value) {
  await page.focus(`#${id}`);
  const values = await page.$eval(`#${id}`, (s) => [...s.options].map((o) => o.value));
  const from = values.indexOf(await page.$eval(`#${id}`, (s) => s.value));
  const to = values.indexOf(value);
  expect(to, `${value} is an option of #${id}`).toBeGreaterThanOrEqual(0);
  for (let i = from; i !== to; i += Math.sign(to - from)) await page.keyboard.press(to > from ? 'ArrowDown' : 'ArrowUp');
  await expect(page.locator(`#${id}`)).toHaveValue(value);
}

/** Nothing of mystery `m`'s settings shows before the answer: the DOM, the URL and the scripting API. */
async function expectHidden(page, m) {
  await expect(page.locator('#all-settings')).toBeHidden();
  await expect(page.locator('#headline')).toBeHidden();
  await expect(page.locator('#diagnosis')).toBeHidden();
  await expect(page.locator('#preset-note')).toBeHidden();
  await expect(page.locator('#btn-copy-link')).toBeHidden(); // its link carries the settings
  const keys = [...new URL(page.url()).searchParams.keys()];
  expect(keys.filter((k) => !DRILL_KEYS.has(k)), `setting keys in the URL ${page.url()}`).toEqual([]);
  const api = await page.evaluate(async () => {
    const out = {};
    try { out.config = window.lossLab.config(); } catch (e) { out.config = `refused: ${e.message}`; }
    out.engine = await window.lossLab.engineConfig().then((c) => c, (e) => `refused: ${e.message}`);
    out.diagnosis = window.lossLab.diagnosis();
    try { out.csv = window.lossLab.exportConfig(); } catch (e) { out.csv = `refused: ${e.message}`; }
    out.apply = (() => { try { window.lossLab.apply({ lr: 0.1 }); return 'applied'; } catch (e) { return `refused: ${e.message}`; } })();
    return out;
  });
  expect(api.config).toMatch(/^refused: .*hidden until you answer/);
  expect(api.engine).toMatch(/^refused: .*hidden until you answer/);
  expect(api.diagnosis).toBeNull();
  expect(api.csv).toMatch(/^refused/);
  expect(api.apply).toMatch(/^refused/);
  // every control holds the default, not the hidden value
  const d = defaults();
  const shown = await page.evaluate((keys) => Object.fromEntries(keys.map((k) => [k,
    [...document.querySelectorAll(`#settings [data-key="${k}"] input, #settings [data-key="${k}"] select`)].map((e) => e.value)])), Object.keys(m.set));
  for (const [k, v] of Object.entries(m.set)) {
    if (String(v) === String(d[k])) continue;
    expect(shown[k], `the control of ${k} shows the hidden value ${v}`).not.toContain(String(v));
  }
}

test('a class code plays three mysteries by keyboard, and nothing leaks before an answer', async ({ open }) => {
  const code = 'e2e-class';
  const seq = drawSequence({ code, pools: ['pipeline'], level: 1, presets, card });
  // answers: right without a fix, wrong, right with the right fix
  const plan = [{ cause: seq[0].causes[0], fix: 'none' }, { cause: 'lr_too_high', fix: 'none' }, { cause: seq[2].causes[0], fix: 'pipeline' }];
  const { page, errors } = await open(`?mystery=${code}&pool=pipeline&lr=5`, { viewport: { width: 1280, height: 720 } });
  await ready(page);
  await expect(page.locator('#notice-list')).toContainText('a mystery draws its own settings: lr');
  await expect.poll(() => page.url()).toMatch(/\?mystery=e2e-class&pool=pipeline$/);

  for (const [i, m] of seq.entries()) {
    await expect(page.locator('#mystery')).toHaveAttribute('data-index', String(i));
    await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'open');
    await ready(page);
    await expectHidden(page, m);
    expect(await page.evaluate(() => window.lossLab.mystery())).toEqual({ code, index: i, of: 3, budgetLeft: 3, answered: false });

    if (i === 0) { // one experiment, by keyboard: it says what it does before it is spent
      await pickByKeyboard(page, 'mystery-exp', 'probe-init-loss');
      await expect(page.locator('#mystery-exp-what')).toContainText('Runs on the mystery run');
      await page.keyboard.press('Tab');
      await expect(page.locator('#btn-mystery-spend')).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(page.locator('#mystery-log li').first()).toHaveText(/^Probe: loss at init: (at chance|above chance|far above chance)\./, { timeout: SIGNAL_MS });
      expect((await page.evaluate(() => window.lossLab.mystery())).budgetLeft).toBe(2);
      await expect(page.locator('#mystery-exp')).toHaveValue('probe-init-loss');
      await expectHidden(page, m);
    }

    await pickByKeyboard(page, 'mystery-cause', plan[i].cause);
    await page.keyboard.press('Tab');
    await expect(page.locator('#mystery-fix')).toBeFocused();
    if (plan[i].fix !== 'none') await pickByKeyboard(page, 'mystery-fix', plan[i].fix);
    await page.keyboard.press('Tab');
    await expect(page.locator('#btn-mystery-commit')).toBeFocused();
    await page.keyboard.press('Enter');

    await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'revealed');
    const reveal = page.locator('#mystery-reveal');
    await expect(reveal).toBeFocused();
    await expect(reveal.locator('h3')).toHaveText(i === 1 ? /^Not this time/ : /^Right/);
    await expect(reveal).toContainText(`The hidden cause: ${answerName(m.causes[0])}`);
    for (const k of Object.keys(m.set).filter((x) => x !== 'seed')) await expect(reveal).toContainText(`(${k}) = `);
    await expect(reveal).toContainText(`seed ${m.set.seed}`);
    await expect(reveal).toContainText('What the diagnosis card said');
    await expect(reveal).toContainText('checked on real MNIST');
    expect(await page.evaluate(() => window.lossLab.mystery().answered)).toBe(true);
    // answered: the configuration reads again; the URL still carries no setting
    expect(await page.evaluate(() => typeof window.lossLab.config().lr)).toBe('number');
    expect([...new URL(page.url()).searchParams.keys()].filter((k) => !DRILL_KEYS.has(k))).toEqual([]);

    // from the reveal, Tab passes its folded lesson notes and reaches the next button
    for (let t = 0; t < 4 && !(await page.locator('#btn-mystery-next').evaluate((b) => b === document.activeElement)); t++) await page.keyboard.press('Tab');
    await expect(page.locator('#btn-mystery-next')).toBeFocused();
    await page.keyboard.press('Enter');
  }

  await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'done');
  await expect(page.locator('#mystery-title')).toHaveText('The drill is over: 3 of 6 points');
  await expect(page.locator('.mystery-table tr')).toHaveCount(4);
  const result = await page.locator('#mystery-result').inputValue();
  expect(result).toBe(await page.evaluate(() => window.lossLab.mysteryResult()));
  expect(decodeResult(result)).toEqual({
    code, level: 1, pools: ['pipeline'],
    items: seq.map((m, i) => ({ causes: m.causes, cause: plan[i].cause, fix: plan[i].fix })),
  });
  noErrors(errors);
});

/** What the two layer views write about their layers (their fixed help text names every function, as help). */
const layerWords = (page) => page.evaluate(() => [
  ...[...document.querySelectorAll('#acts .acts-head, #acts-summary, #acthist figcaption, #acthist-summary')].map((e) => e.textContent),
  ...[...document.querySelectorAll('#acts [aria-label], #acts [title], #acthist [aria-label]')].flatMap((e) => [e.getAttribute('aria-label'), e.title]),
  ...[...document.querySelectorAll('#acts [data-layer], #acthist [data-layer]')].map((e) => e.dataset.layer),
].filter(Boolean).join('\n'));

test('while a mystery is open the layer views call its activation layers by their place, and the answer names them again', async ({ open }) => {
  // the first class code whose first mystery hides an activation function other than the default (the linear net's)
  const pools = ['architecture'];
  const first = (c) => drawSequence({ code: c, pools, level: 1, presets, card })[0];
  const code = Array.from({ length: 100 }, (_, i) => `acts-${i}`).find((c) => first(c).set.act && first(c).set.act !== defaults().act);
  const act = first(code).set.act;
  const { page, errors } = await open(`?mystery=${code}&pool=architecture`, { viewport: { width: 1280, height: 720 } });
  await ready(page);
  await page.evaluate(() => window.lossLab.step());
  await expect.poll(() => page.evaluate(() => window.lossLab.history().steps)).toBeGreaterThan(0);
  await page.locator('#acts').evaluate((d) => { d.open = true; });
  await page.locator('#acthist').evaluate((d) => { d.open = true; });
  await expect(page.locator('#acts')).toHaveAttribute('data-state', 'drawn', { timeout: SIGNAL_MS });
  await expect(page.locator('#acthist')).toHaveAttribute('data-state', 'drawn', { timeout: SIGNAL_MS });
  const written = () => layerWords(page);
  const hidden = await written();
  expect(hidden).toContain('act1');
  expect(hidden).not.toMatch(new RegExp(`\\b${act}`, 'i'));
  const api = await page.evaluate(async () => ({
    acts: (await window.lossLab.activations(0)).layers.map((l) => `${l.name} ${l.kind}`).join(' '),
    hist: (await window.lossLab.activationHistory()).layers.map((l) => `${l.name} ${l.activation}`).join(' '),
  }));
  expect(`${api.acts} ${api.hist}`).not.toMatch(new RegExp(`\\b${act}`, 'i'));

  await page.evaluate((cause) => window.lossLab.answerMystery({ cause }), first(code).causes[0]);
  await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'revealed');
  await expect.poll(written).toContain(`${act}1`);
  noErrors(errors);
});

test('a mystery run with BatchNorm: the layer views leave its BatchNorm layers out until the answer, and the run ends with the last step of its lesson\'s last epoch', async ({ open }) => {
  // the first class code whose first mystery's net has BatchNorm (the `bn` setting is hidden like any other)
  const pools = ['pipeline'];
  const first = (c) => drawSequence({ code: c, pools, level: 1, presets, card })[0];
  const code = Array.from({ length: 200 }, (_, i) => `bn-${i}`).find((c) => String(first(c).set.bn) === '1');
  const m = first(code);
  const { page, errors } = await open(`?mystery=${code}&pool=pipeline`, { viewport: { width: 1280, height: 720 } });
  await ready(page);
  const steps = await page.evaluate(async (epochs) => {
    await window.lossLab.start();
    await window.lossLab.whenEpoch(epochs);
    await window.lossLab.pause(); // answered by the worker after every step it trained: their progress has arrived
    return window.lossLab.history().steps;
  }, m.epochs);
  const batch = Number(m.set.batch ?? defaults().batch);
  expect(steps, 'steps trained: the lesson\'s epochs, none of the next').toBe(m.epochs * Math.ceil(Number(m.set.train_n) / batch));
  await expect(page.locator('#summary')).toContainText(`The mystery's run ends here, after epoch ${m.epochs}.`);

  await page.locator('#acts').evaluate((d) => { d.open = true; });
  await expect(page.locator('#acts')).toHaveAttribute('data-state', 'drawn', { timeout: SIGNAL_MS });
  const hidden = await layerWords(page);
  expect(hidden).toContain('conv2');
  expect(hidden).not.toMatch(/\bbn\d|batch ?norm/i);
  const kinds = await page.evaluate(async () => (await window.lossLab.activations(0)).layers.map((l) => `${l.name} ${l.kind}`).join(' '));
  expect(kinds).not.toMatch(/\bbn\d|batchnorm/i);

  await page.evaluate((cause) => window.lossLab.answerMystery({ cause }), m.causes[0]);
  await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'revealed');
  await expect.poll(() => layerWords(page)).toContain('bn1');
  noErrors(errors);
});

test('on a phone the drill fits the screen and plays its three mysteries by touch; a garbled level is said; pool= without a drill is the pooling setting', async ({ open }) => {
  const { page, errors } = await open('?mystery=e2e-phone&pool=data&level=9', {
    viewport: { width: 390, height: 844 }, device: { isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  });
  await ready(page);
  await expect(page.locator('#notice-list')).toContainText('level = "9" is not a level');
  const box = await page.locator('#mystery').boundingBox();
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const id of ['#mystery-exp', '#btn-mystery-spend', '#mystery-cause', '#mystery-fix', '#btn-mystery-commit']) {
    const b = await page.locator(id).boundingBox();
    expect(b.x + b.width, `${id} inside the screen`).toBeLessThanOrEqual(390);
    expect(b.height, `${id} is large enough to tap`).toBeGreaterThanOrEqual(24);
  }
  await page.locator('#btn-mystery-commit').tap();
  await expect(page.locator('#mystery-answer-note')).toHaveText('Choose a cause first.');
  await page.locator('#mystery-cause').selectOption('label_noise');
  await page.locator('#btn-mystery-commit').tap();
  await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'revealed');
  await expect(page.locator('#mystery-reveal')).toBeInViewport({ ratio: 0.2 });
  await expect(page.locator('#btn-mystery-next')).toBeVisible();
  // the rest of the sequence by touch, to the end summary and its result code, all within the screen's width
  for (const i of [1, 2]) {
    await page.locator('#btn-mystery-next').tap();
    await expect(page.locator('#mystery')).toHaveAttribute('data-index', String(i));
    await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'open');
    await ready(page);
    await page.locator('#mystery-cause').selectOption('class_imbalance');
    await page.locator('#btn-mystery-commit').tap();
    await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'revealed');
  }
  await page.locator('#btn-mystery-next').tap();
  await expect(page.locator('#mystery')).toHaveAttribute('data-state', 'done');
  await expect(page.locator('.mystery-table tr')).toHaveCount(4);
  expect(decodeResult(await page.locator('#mystery-result').inputValue()).items.map((x) => x.cause))
    .toEqual(['label_noise', 'class_imbalance', 'class_imbalance']);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  // without mystery=, pool= is still the pooling setting, and a stray level= is said
  await page.goto('index.html?pool=last&level=2', { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => window.lossLab !== undefined);
  expect(await page.evaluate(() => window.lossLab.config().pool)).toBe('last');
  expect(await page.evaluate(() => window.lossLab.mystery())).toBeNull();
  await expect(page.locator('#notice-list')).toContainText('level only applies to a mystery drill');
  await expect.poll(() => new URL(page.url()).searchParams.get('pool')).toBe('last');
  noErrors(errors);
});
