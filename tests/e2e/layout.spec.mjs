// The page's layout at the sizes a class uses (a 1280×720 projector or laptop, a 768×1024 tablet, a 390×844
// phone): the main settings beside the charts without scrolling, kept in step with the sidebar; nothing overlaps
// or runs off the side; on the phone the charts come before the full settings; projector mode (its toggle and
// the URL key `projector=1`) with its larger type and its readout of the last epoch.
import { test, expect, SMALL, history, noErrors, ready, shot, trainEpochs, untilQuery } from './lab.mjs';

const LAPTOP = [{ width: 1280, height: 720 }, '1280x720'];
const TABLET = [{ width: 768, height: 1024 }, '768x1024'];
const PHONE = [{ width: 390, height: 844 }, '390x844'];
const HEADLINE = ['lr', 'mom', 'init', 'noise'];
/** The main boxes of the page, which must not overlap one another. */
const BOXES = { header: 'header.top', headline: '#headline', loss: 'figure:has(> #chart-loss)', diagnosis: '#diagnosis', settings: 'aside.controls' };

/** The page's boxes in page coordinates (the page scrolled to the top), the viewport and the page width. */
function measure(page) {
  return page.evaluate((boxes) => {
    window.scrollTo(0, 0);
    const out = { view: { w: innerWidth, h: innerHeight }, scrollWidth: document.documentElement.scrollWidth, boxes: {} };
    for (const [name, sel] of Object.entries(boxes)) {
      const el = document.querySelector(sel);
      const r = el.getBoundingClientRect();
      out.boxes[name] = { x: r.x, y: r.y + scrollY, w: r.width, h: r.height };
    }
    return out;
  }, BOXES);
}

/** No horizontal scrolling, every main box inside the page's width, and no two main boxes overlapping. */
function expectTidy(m, when) {
  expect(m.scrollWidth, `${when}: page width ${m.scrollWidth} within the ${m.view.w}-px viewport`).toBeLessThanOrEqual(m.view.w);
  const names = Object.keys(m.boxes);
  for (const n of names) {
    const b = m.boxes[n];
    expect(b.w > 0 && b.h > 0, `${when}: ${n} is laid out (${JSON.stringify(b)})`).toBe(true);
    expect(b.x >= -0.5 && b.x + b.w <= m.view.w + 0.5, `${when}: ${n} spans x ${b.x}…${b.x + b.w}, inside 0…${m.view.w}`).toBe(true);
  }
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const a = m.boxes[names[i]], b = m.boxes[names[j]];
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      expect(ox > 1 && oy > 1, `${when}: ${names[i]} ${JSON.stringify(a)} and ${names[j]} ${JSON.stringify(b)} overlap`).toBe(false);
    }
  }
}

for (const [viewport, tag] of [LAPTOP, TABLET]) {
  test(`the main settings and the loss chart are in the first screenful (${tag})`, async ({ open }) => {
    const { page, errors } = await open(SMALL, { viewport });
    await ready(page);
    for (const key of HEADLINE) {
      const wrap = page.locator(`#headline .ctl[data-key=${key}]`);
      await expect(wrap, `the headline's ${key} control`).toBeVisible();
      await expect(page.locator(`#hl-${key}`), `#hl-${key}`).toBeVisible();
      const b = await wrap.boundingBox();
      expect(b.y >= 0 && b.y + b.height <= viewport.height && b.x >= 0 && b.x + b.width <= viewport.width,
        `${key} control at ${JSON.stringify(b)} inside the ${tag} viewport`).toBe(true);
    }
    const loss = await page.locator('#chart-loss').boundingBox();
    expect(loss.y >= 0 && loss.y + loss.height <= viewport.height, `loss chart at ${JSON.stringify(loss)} inside the ${tag} viewport`).toBe(true);
    expect(await page.evaluate(() => scrollY), 'the page is not scrolled').toBe(0);
    // the sidebar keeps its own controls: two copies of each, one id each
    for (const key of HEADLINE) await expect(page.locator(`.ctl[data-key=${key}]`), `controls of ${key}`).toHaveCount(2);
    await shot(page, `70-layout-headline-${tag}`);
    noErrors(errors);
  });
}

test('the headline controls and the sidebar drive the same settings, both ways', async ({ open }) => {
  const { page, errors } = await open(SMALL, { viewport: LAPTOP[0] });
  await ready(page);
  const cfg = () => page.evaluate(() => window.lossLab.config());
  // headline learning rate, typed: the config and the sidebar's slider and box follow
  await page.locator('#hl-lr-num').fill('0.05');
  await page.locator('#hl-lr-num').press('Enter');
  await expect.poll(async () => (await cfg()).lr, { message: 'lr after the headline box' }).toBe(0.05);
  await expect(page.locator('#ctl-lr-num')).toHaveValue('0.05');
  // a log slider snaps to 1/20 of a decade: within half a notch of log10(lr), and where the headline's is
  const slider = Number(await page.locator('#ctl-lr').inputValue());
  expect(Math.abs(slider - Math.log10(0.05)), `the sidebar slider at ${slider} (log10 of lr)`).toBeLessThanOrEqual(0.025);
  expect(slider, 'the sidebar slider where the headline slider is').toBe(Number(await page.locator('#hl-lr').inputValue()));
  await untilQuery(page, 'lr', '0.05');
  // headline slider by keyboard: one notch up on the log scale
  await page.locator('#hl-lr').focus();
  await page.keyboard.press('ArrowRight');
  const moved = (await cfg()).lr;
  expect(moved, 'lr after → on the headline slider').toBeGreaterThan(0.05);
  await expect(page.locator('#ctl-lr-num')).toHaveValue(String(moved));
  // the other way: the sidebar's learning rate moves the headline's
  await page.locator('#ctl-lr-num').fill('0.2');
  await page.locator('#ctl-lr-num').press('Enter');
  await expect.poll(async () => (await cfg()).lr, { message: 'lr after the sidebar box' }).toBe(0.2);
  await expect(page.locator('#hl-lr-num')).toHaveValue('0.2');
  const hl = Number(await page.locator('#hl-lr').inputValue());
  expect(Math.abs(hl - Math.log10(0.2)), `the headline slider at ${hl} (log10 of lr)`).toBeLessThanOrEqual(0.025);
  expect(hl, 'the headline slider where the sidebar slider is').toBe(Number(await page.locator('#ctl-lr').inputValue()));
  // a reset setting: label noise from the sidebar, initializer from the headline
  await page.locator('#ctl-noise-num').fill('20');
  await page.locator('#ctl-noise-num').press('Enter');
  await expect(page.locator('#hl-noise-num')).toHaveValue('20');
  await expect(page.locator('#hl-noise')).toHaveValue('20');
  await page.locator('#hl-init').selectOption('glorot_normal');
  await expect(page.locator('#ctl-init')).toHaveValue('glorot_normal');
  expect(await cfg(), 'the config after both').toMatchObject({ noise: 20, init: 'glorot_normal' });
  // momentum means nothing to Adam: hidden in both places, as the sidebar does, and back with SGD + momentum
  await page.locator('#ctl-opt').selectOption('adam');
  await expect(page.locator('#headline .ctl[data-key=mom]')).toBeHidden();
  await expect(page.locator('#settings .ctl[data-key=mom]')).toBeHidden();
  await page.locator('#ctl-opt').selectOption('momentum');
  await expect(page.locator('#headline .ctl[data-key=mom]')).toBeVisible();
  await page.locator('#hl-mom-num').fill('0.5');
  await page.locator('#hl-mom-num').press('Enter');
  await expect(page.locator('#ctl-mom-num')).toHaveValue('0.5');
  expect((await cfg()).mom).toBe(0.5);
  await ready(page);
  noErrors(errors);
});

for (const [viewport, tag] of [LAPTOP, TABLET, PHONE]) {
  test(`nothing overlaps or runs off the side, idle and after an epoch (${tag})`, async ({ open }) => {
    const { page, errors } = await open(SMALL, { viewport });
    await ready(page);
    let m = await measure(page);
    expectTidy(m, 'idle');
    if (tag === '390x844') {
      expect(m.boxes.loss.y, 'on the phone the loss chart comes before the settings').toBeLessThan(m.boxes.settings.y);
      await expect(page.locator('#headline .headline-more'), 'the link down to every setting').toBeVisible();
    }
    await shot(page, `71-layout-idle-${tag}`);
    await trainEpochs(page, 1);
    await expect(page.locator('#diagnosis-when')).toHaveText(/epoch/);
    m = await measure(page);
    expectTidy(m, 'after an epoch');
    await shot(page, `72-layout-epoch-${tag}`);
    noErrors(errors);
  });
}

test('projector mode: larger type, charts first, a readout of the epoch, kept in the URL', async ({ open }) => {
  const { page, errors } = await open(SMALL, { viewport: LAPTOP[0] });
  await ready(page);
  const bodyPx = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  const style = () => page.evaluate(async () => (await import('./www/charts.js')).chartStyle());
  const before = await bodyPx();
  await expect(page.locator('#readout')).toBeHidden();
  const button = page.locator('#btn-projector');
  await expect(button).toHaveAttribute('aria-pressed', 'false');
  await button.click();
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await untilQuery(page, 'projector', '1');
  expect(await bodyPx(), 'body text size in projector mode').toBeGreaterThanOrEqual(before * 1.2);
  expect(await style(), 'the charts\u2019 style').toMatchObject({ highContrast: true });
  expect((await style()).lineScale, 'chart line thickness').toBeGreaterThan(1);
  await expect(page.locator('#readout')).toBeVisible();
  await expect(page.locator('#ro-epoch')).toHaveText('—');
  const h = await trainEpochs(page, 1);
  const row = h.epochs[0];
  await expect(page.locator('#ro-epoch')).toHaveText('1');
  // as the page writes a loss: two decimals, two significant digits below 0.1
  await expect(page.locator('#ro-loss')).toHaveText(row.valLoss < 0.1 ? Number(row.valLoss.toPrecision(2)).toString() : row.valLoss.toFixed(2));
  await expect(page.locator('#ro-acc')).toHaveText(`${(row.valAcc * 100).toFixed(1)}%`);
  await expect(page.locator('#ro-acc-sub')).toHaveText(`training ${(row.trainAcc * 100).toFixed(1)}%`);
  // the progress line under the epoch (written at most four times a second while training): the finished epoch,
  // or the next one under way
  await expect(page.locator('#ro-epoch-sub')).toHaveText(/^(finished|now epoch 2: \d+%( · batch loss \S+)?)$/);
  // the charts first, the full settings under them; still no sideways scrolling
  const m = await measure(page);
  expect(m.boxes.loss.y, 'the loss chart above the settings').toBeLessThan(m.boxes.settings.y);
  expect(m.scrollWidth, 'page width').toBeLessThanOrEqual(m.view.w);
  const loss = await page.locator('#chart-loss').boundingBox();
  expect(loss.y + loss.height, 'the loss chart in the first screenful').toBeLessThanOrEqual(LAPTOP[0].height);
  await shot(page, '73-layout-projector-1280x720');
  // a reload keeps it (the URL carries it); the readout starts empty for the new run
  await page.reload({ waitUntil: 'domcontentloaded' });
  await ready(page);
  await expect(page.locator('#btn-projector')).toHaveAttribute('aria-pressed', 'true');
  expect(await page.evaluate(() => document.documentElement.classList.contains('projector')), 'projector class after reload').toBe(true);
  expect(await bodyPx(), 'body text size after reload').toBeGreaterThanOrEqual(before * 1.2);
  await expect(page.locator('#readout')).toBeVisible();
  await expect(page.locator('#notices')).toBeHidden(); // projector=1 is not reported as an unknown setting
  // and off again: the key leaves the URL, the type returns to its size
  await page.locator('#btn-projector').click();
  await expect(page.locator('#btn-projector')).toHaveAttribute('aria-pressed', 'false');
  await untilQuery(page, 'projector', null);
  expect(await bodyPx(), 'body text size after leaving projector mode').toBe(before);
  await expect(page.locator('#readout')).toBeHidden();
  expect((await style()).lineScale, 'chart lines back to normal').toBe(1);
  noErrors(errors);
});

test('projector mode with a lesson’s question open: the question and the loss chart in view together, asked and revealed (1280x720)', async ({ open }) => {
  // lr-high diverges within a few steps, so its reveal costs no epoch
  const { page, errors } = await open('?projector=1&lesson=lr-high', { viewport: LAPTOP[0] });
  await ready(page);
  const inView = async (when) => {
    const boxes = await page.evaluate(() => {
      window.scrollTo(0, 0);
      const box = (sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; };
      return { question: box('#predict'), loss: box('#chart-loss') };
    });
    for (const [name, b] of Object.entries(boxes)) {
      expect(b.w > 0 && b.h > 0 && b.x >= 0 && b.y >= 0 && b.x + b.w <= LAPTOP[0].width && b.y + b.h <= LAPTOP[0].height,
        `${when}: ${name} at ${JSON.stringify(b)} inside the 1280×720 viewport`).toBe(true);
    }
    const { question: q, loss: l } = boxes;
    expect(Math.min(q.x + q.w, l.x + l.w) - Math.max(q.x, l.x) > 1 && Math.min(q.y + q.h, l.y + l.h) - Math.max(q.y, l.y) > 1, `${when}: the question and the chart overlap`).toBe(false);
  };
  await expect(page.locator('#predict legend')).toBeVisible();
  await inView('asking');
  await shot(page, '74-layout-projector-question-1280x720');
  await page.evaluate(() => { window.lossLab.predict(0); return window.lossLab.start(); });
  await expect.poll(() => page.evaluate(() => window.lossLab.prediction().revealed), { message: 'the reveal', timeout: 60_000 }).toBe(true);
  await expect(page.locator('.predict-result')).toBeVisible();
  await inView('revealed');
  await shot(page, '75-layout-projector-reveal-1280x720');
  noErrors(errors);
});

test('projector=banana gives a notice and the page stays usable', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&projector=banana`);
  await ready(page);
  await expect(page.locator('#notices')).toBeVisible();
  await expect(page.locator('#notice-list li')).toHaveCount(1);
  await expect(page.locator('#notice-list li')).toContainText('projector=banana is not 1 (on) or 0 (off)');
  await expect(page.locator('#btn-projector')).toHaveAttribute('aria-pressed', 'false');
  expect(await page.evaluate(() => document.documentElement.classList.contains('projector'))).toBe(false);
  // the garbled key leaves the URL; the settings of the link stay
  await untilQuery(page, 'projector', null);
  await untilQuery(page, 'train_n', '1000');
  await page.locator('#btn-step').click();
  await expect.poll(() => history(page).then((x) => x.steps), { message: 'steps after One step' }).toBe(1);
  noErrors(errors);
});

test('on the phone a lesson picked far down the page brings its question into view', async ({ open }) => {
  const { page, errors } = await open('', { viewport: PHONE[0] });
  await ready(page);
  const button = page.locator('#preset-lr-high');
  await button.scrollIntoViewIfNeeded();
  expect(await page.evaluate(() => scrollY), 'the lessons are below the charts, so the page scrolled down to them').toBeGreaterThan(844);
  await button.click();
  await expect(page.locator('#preset-note')).toBeInViewport();
  await expect(page.locator('#preset-note')).toContainText('What will the loss do?');
  noErrors(errors);
});
