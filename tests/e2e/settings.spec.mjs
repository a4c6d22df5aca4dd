// Settings: the URL as the page's shareable state (round trip, hostile values), keyboard use of a control,
// and a design the engine refuses.
import { test, expect, SIGNAL_MS, engineDisagreements, history, noErrors, ready, shot, untilQuery, untilStatus } from './lab.mjs';

test('a URL round-trip reproduces the configuration', async ({ open }) => {
  const q = '?seed=7&opt=adam&lr=0.003&b2=0.99&ch=4,12&k=3&pad=1&noise=20&noise_kind=pairs&aug_rot=10&imb=classes&imb_classes=3,5&train_n=2000';
  const a = await open(q);
  await ready(a.page);
  const cfgA = await a.page.evaluate(() => window.lossLab.config());
  expect(cfgA).toMatchObject({ opt: 'adam', lr: 0.003, ch: '4,12', imb_classes: '3,5', seed: 7 });
  await expect(a.page.locator('#notices'), 'notices for a clean URL').toBeHidden();
  await expect(a.page.locator('#ctl-opt')).toHaveValue('adam');
  await expect(a.page.locator('#ctl-b2'), 'Adam β2 while Adam is chosen').toBeVisible();
  await expect(a.page.locator('#ctl-mom'), 'momentum while Adam is chosen').toBeHidden();
  // change one more setting through a control; the URL must follow
  await a.page.locator('#ctl-act').selectOption('tanh');
  await untilQuery(a.page, 'act', 'tanh');
  const shared = a.page.url();
  await shot(a.page, '06-url-roundtrip');
  const b = await open(shared);
  await ready(b.page);
  const cfgB = await b.page.evaluate(() => window.lossLab.config());
  expect(JSON.stringify(cfgB), 'configuration opened from the shared URL').toBe(JSON.stringify({ ...cfgA, act: 'tanh' }));
  const fresh = await open('');
  await ready(fresh.page);
  expect(new URL(fresh.page.url()).search, 'query written for the defaults').toBe('');
  noErrors([...a.errors, ...b.errors, ...fresh.errors]);
});

test('a hostile URL is refused value by value with a notice, as the engine would, and injects no HTML', async ({ open }) => {
  const q = '?lr=1e99&depth=-3&act=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&bogus=1&mom=abc&ch=8,%3Cb%3E';
  const { page, errors, dialogs } = await open(q);
  await ready(page);
  const cfg = await page.evaluate(() => window.lossLab.config());
  expect(cfg, 'every refused value leaves its default').toMatchObject({ lr: 0.01, depth: 2, act: 'relu', mom: 0.9, ch: '8,16' });
  const list = page.locator('#notice-list');
  for (const want of ['lr=1e99 is above the maximum 10 — using 0.01', 'depth=-3 is below the minimum 1 — using 2', 'act=<img src=x onerror=alert(1)>', 'bogus is not a Loss Lab setting', 'mom=abc was not a number — using 0.9']) {
    await expect(list).toContainText(want);
  }
  await expect(page.locator('img'), 'images inserted from the URL').toHaveCount(0);
  await expect(page.locator('#notices b'), 'markup inserted from the URL').toHaveCount(0);
  expect(dialogs, 'dialogs opened').toEqual([]);
  await expect.poll(() => {
    const p = new URL(page.url()).searchParams;
    return { bogus: p.has('bogus'), lr: p.get('lr'), act: p.has('act') };
  }, { message: `URL cleaned (URL: ${page.url()})` }).toEqual({ bogus: false, lr: null, act: false });
  await shot(page, '07-hostile-url');
  noErrors(errors);
});

test.describe('hostile URLs the engine must agree on', () => {
  test('names of Object.prototype are not settings and appear once', async ({ open }) => {
    const { page, errors } = await open('?constructor=1&toString=1&__proto__=1');
    await ready(page);
    const list = page.locator('#notice-list');
    for (const key of ['constructor', 'toString', '__proto__']) {
      await expect(list).toContainText(`${key} is not a Loss Lab setting — ignored`);
    }
    await expect(list).not.toContainText('appeared twice');
    const { cfg, defaults } = await page.evaluate(async () => {
      const { defaults } = await import('./www/state.js');
      return { cfg: window.lossLab.config(), defaults: defaults() };
    });
    expect(cfg, 'the configuration of a URL with no Loss Lab setting').toEqual(defaults);
    expect(await engineDisagreements(page)).toEqual([]);
    await shot(page, '16-hostile-prototype-names');
    noErrors(errors);
  });

  test('hexadecimal and binary numbers are not numbers here', async ({ open }) => {
    const { page, errors } = await open('?batch=0x10&lr=0b11');
    await ready(page);
    const list = page.locator('#notice-list');
    await expect(list).toContainText(/batch=0x10 was not a number/);
    await expect(list).toContainText(/lr=0b11 was not a number/);
    const cfg = await page.evaluate(() => window.lossLab.config());
    expect({ batch: cfg.batch, lr: cfg.lr }, 'the defaults are used').toEqual({ batch: 32, lr: 0.01 });
    expect(await engineDisagreements(page)).toEqual([]);
    noErrors(errors);
  });

  test('a fractional seed is refused, as the engine refuses it, with a notice', async ({ open }) => {
    const { page, errors } = await open('?seed=1.5');
    await ready(page);
    await expect(page.locator('#notice-list')).toContainText('seed=1.5 is not a whole number — using 1');
    const seed = await page.evaluate(() => window.lossLab.config().seed);
    expect(seed, 'the default seed stays').toBe(1);
    expect(await engineDisagreements(page)).toEqual([]);
    noErrors(errors);
  });
});

test('"New seed" draws a fresh whole seed from the engine and rebuilds with it', async ({ open }) => {
  const { page, errors } = await open('?train_n=1000&val_n=500');
  await ready(page);
  const seeds = [];
  for (let i = 0; i < 2; i++) {
    const before = await page.evaluate(() => window.lossLab.config().seed);
    await page.click('#btn-new-seed');
    await expect.poll(() => page.evaluate(() => window.lossLab.config().seed), { message: 'the seed after New seed' }).not.toBe(before);
    const seed = await page.evaluate(() => window.lossLab.config().seed);
    expect(Number.isInteger(seed) && seed >= 0 && seed <= 2 ** 53, `seed ${seed} is a whole number in 0 … 2^53`).toBe(true);
    await untilQuery(page, 'seed', String(seed));
    await ready(page);
    expect(await engineDisagreements(page)).toEqual([]);
    seeds.push(seed);
  }
  expect(seeds[0], 'two draws differ').not.toBe(seeds[1]);
  noErrors(errors);
});

test('the learning-rate slider works by keyboard alone, with a visible focus ring', async ({ open }) => {
  const { page, errors } = await open('');
  await ready(page);
  // reach the slider with Tab from the top of the page
  let id = '';
  for (let i = 0; i < 80 && id !== 'ctl-lr'; i++) {
    await page.keyboard.press('Tab');
    id = await page.evaluate(() => document.activeElement && document.activeElement.id);
  }
  expect(id, 'Tab reaches the learning-rate slider').toBe('ctl-lr');
  const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  expect(ring, 'focus outline on the slider').not.toBe('none');
  const before = await page.evaluate(() => window.lossLab.config().lr);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => page.evaluate(() => window.lossLab.config().lr), { message: `lr after two ArrowRight from ${before}` }).toBeGreaterThan(before);
  const after = await page.evaluate(() => window.lossLab.config().lr);
  await expect.poll(async () => Number(await page.locator('#ctl-lr-num').inputValue()), { message: 'the number box beside the slider' }).toBe(after);
  await untilQuery(page, 'lr', String(after));
  await shot(page, '08-keyboard-slider');
  // Space on the focused Start button starts training, and again pauses it
  await page.locator('#btn-start').focus();
  await page.keyboard.press('Space');
  await untilStatus(page, 'running');
  await page.keyboard.press('Space');
  await untilStatus(page, 'paused');
  noErrors(errors);
});

test('an impossible architecture shows the engine message inline and disables Start', async ({ open }) => {
  const { page, errors } = await open('');
  await ready(page);
  await page.evaluate(() => window.lossLab.apply({ stride: '4,4' }));
  await expect(page.locator('#arch-error')).toBeVisible({ timeout: SIGNAL_MS });
  await expect(page.locator('#arch-error')).toHaveText(/cannot be built: .+/);
  await expect(page.locator('#btn-start')).toBeDisabled();
  await shot(page, '09-architecture-error');
  await page.evaluate(() => window.lossLab.apply({ stride: '1,1' }));
  await ready(page);
  await expect(page.locator('#arch-error')).toBeHidden();
  await expect(page.locator('#btn-start')).toBeEnabled();
  expect((await history(page)).status).toBe('idle');
  noErrors(errors);
});

test('a network over the engine\'s parameter cap is refused in the Layers box, with what to change', async ({ open }) => {
  // no pooling keeps 16×28×28 features, so a 160-unit hidden layer needs about 2.0 million weights
  const { page, errors } = await open('?pool=none&hidden=160');
  await expect(page.locator('#arch-error')).toBeVisible({ timeout: SIGNAL_MS });
  await expect(page.locator('#arch-error')).toContainText(/parameters .*more than the 2000000 this lab allows/);
  await expect(page.locator('#arch-error')).toContainText(/fewer channels|more pooling|smaller hidden layer/);
  await expect(page.locator('#status')).toContainText(/cannot be built/);
  await expect(page.locator('#btn-start')).toBeDisabled();
  await expect.poll(() => page.evaluate(() => window.lossLab.ready().then(() => 'ready', (e) => e.message))).toMatch(/2000000/);
  await shot(page, '09b-parameter-cap');
  await page.evaluate(() => window.lossLab.apply({ hidden: 0 }));
  await ready(page);
  await expect(page.locator('#arch-error')).toBeHidden();
  noErrors(errors);
});
