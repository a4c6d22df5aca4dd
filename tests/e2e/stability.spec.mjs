// Step size against curvature (www/views/stability.js, src/train/sharpness.rs): the stability meter's estimates
// through lossLab.sharpness() and its chart, and the loss along the last step through lossLab.stepLine() and its
// panel, on a phone and a laptop screen; lr-high's meter far over its threshold. Every wait is on a page signal
// (lossLab.ready(), history(), the panel's data-estimates and data-line), never on the clock.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot } from './lab.mjs';

const VIEWPORTS = [[{ width: 1280, height: 720 }, '1280x720'], [{ width: 390, height: 844 }, '390x844']];

/** Opens the panel and waits until it shows the step line of step `step` and at least `estimates` estimates. */
async function openPanel(page, step, estimates) {
  await page.evaluate(() => { document.getElementById('stability').open = true; });
  await expect.poll(() => page.evaluate(() => {
    const d = document.getElementById('stability').dataset;
    return `${Number(d.estimates) >= 0 ? Math.min(Number(d.estimates), 99) : -1} ${d.line}`;
  }), { message: 'the panel draws the meter and the last step', timeout: SIGNAL_MS }).toBe(`${Math.min(estimates, 99)} ${step}`);
}

for (const [viewport, tag] of VIEWPORTS) {
  test(`the meter before the first step and the loss along single steps (${tag})`, async ({ open }) => {
    const { page, errors } = await open(SMALL, { viewport });
    await ready(page);
    expect(await page.evaluate(() => window.lossLab.stepLine()), 'no step, no line').toBeNull();
    for (let i = 0; i < 3; i++) await page.evaluate(() => window.lossLab.step());
    await expect.poll(() => history(page).then((x) => x.steps), { message: 'three single steps', timeout: TRAIN_MS }).toBe(3);
    const s = await page.evaluate(() => window.lossLab.sharpness());
    expect(s.length, 'one estimate, before the first step').toBe(1);
    expect(s[0].step).toBe(0);
    // the default optimizer: momentum 0.9, threshold 2(1 + μ) = 3.8
    expect(s[0].threshold).toBeCloseTo(3.8, 5);
    expect(s[0].lambdaMax).toBeGreaterThan(0);
    expect(s[0].ratio).toBeCloseTo(s[0].lr * s[0].lambdaMax / s[0].threshold, 5);
    expect(s[0].ratio, 'the baseline starts under its threshold').toBeLessThan(1);
    const line = await page.evaluate(() => window.lossLab.stepLine());
    expect(line.step).toBe(3);
    expect(line.t.length).toBe(41);
    expect([line.t[0], line.t[10], line.t[40]]).toEqual([-1, 0, 3]);
    // (that t = −1 is bit for bit the loss the step reported is checked natively, tests/sharpness.rs)
    expect(line.loss.every(Number.isFinite), 'a finite loss all along the line').toBe(true);
    expect(line.overshoot).toBeCloseTo(1 / (line.tMin + 1), 5);
    expect(line.reading).toMatch(/^Step 3: /);
    await openPanel(page, 3, 1);
    await expect(page.locator('#stab-line-note')).toContainText('Step 3: ');
    await expect(page.locator('#stab-meter-note')).toContainText('After 0 steps: λ_max');
    await expect(page.locator('#stab-meter-note')).toContainText('below the threshold 2(1 + μ) = 3.8');
    await expect(page.locator('#stab-summary')).toContainText('Loss along the last step: Step 3');
    // one more step while the panel is open: the line follows it
    await page.evaluate(() => window.lossLab.step());
    await openPanel(page, 4, 1);
    const r = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: window.innerWidth }));
    expect(r.page, 'no sideways scroll').toBeLessThanOrEqual(r.view);
    const box = await page.locator('#stab-meter').boundingBox();
    expect(box.width, 'the chart fits the screen').toBeLessThanOrEqual(viewport.width);
    await page.evaluate(() => document.getElementById('stability').scrollIntoView({ block: 'start' }));
    await shot(page, `60-stability-${tag}`);
    noErrors(errors);
  });
}

test('lr-high: the meter reads hundreds of times its threshold before the run diverges', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&lesson=lr-high`);
  await ready(page);
  await page.evaluate(() => window.lossLab.start());
  await expect.poll(() => history(page).then((x) => x.status), { message: 'the run diverges', timeout: TRAIN_MS }).toBe('diverged');
  const s = await page.evaluate(() => window.lossLab.sharpness());
  expect(s[0].step).toBe(0);
  expect(s[0].ratio, 'η·λ_max over 2(1 + μ)').toBeGreaterThan(100);
  await page.evaluate(() => { document.getElementById('stability').open = true; });
  await expect(page.locator('#stab-meter-note')).toContainText('above the threshold', { timeout: SIGNAL_MS });
  noErrors(errors);
});
