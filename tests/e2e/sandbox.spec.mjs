// "The same law in two dimensions" (www/views/sandbox.js): the 2-D sandbox reads the lab's current optimizer settings
// live (lossLab.apply and the learning-rate control), its verdict flips at η·λ = 2 for SGD, its path is the closed
// form of gradient descent on the valley, it is keyboard operable, fits a phone, and hide=sandbox leaves it out. No
// training: the engine answers from the worker as soon as it has loaded.
import { fileURLToPath } from 'node:url';
import { test, expect, noErrors, SIGNAL_MS, SMALL } from './lab.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));

const sandbox = (page, valley) => page.evaluate((v) => window.lossLab.sandbox(v), valley);

test('the sandbox follows the lab\u2019s learning rate, momentum and optimizer, and flips at the bound', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await page.waitForFunction(() => window.lossLab !== undefined, null, { timeout: SIGNAL_MS });

  // the defaults: momentum 0.9, lr 0.01 on the narrow valley (λ 200 and 10): η·λ_max = 2 < 2(1 + μ) = 3.8
  const s0 = await sandbox(page);
  expect({ opt: s0.opt, lr: s0.lr, mom: s0.mom, lambdaMax: s0.lambdaMax, verdict: s0.verdict, axis: s0.axis })
    .toEqual({ opt: 'momentum', lr: 0.01, mom: 0.9, lambdaMax: 200, verdict: 'oscillates', axis: 'x' });
  expect(s0.ratio).toBeCloseTo(2, 5);
  expect(s0.threshold).toBeCloseTo(3.8, 5);
  expect(s0.path).toHaveLength(201);

  // the panel, opened: its figures are the lab's
  const panel = page.locator('#sandbox');
  await panel.locator('summary').click();
  await expect(panel).toHaveAttribute('data-state', 'drawn', { timeout: SIGNAL_MS });
  await expect(page.locator('#sandbox-facts')).toContainText("0.01 (the lab's)");
  await expect(page.locator('#sandbox-facts')).toContainText('2 (along x)');

  // a learning rate from lossLab.apply: η·λ = 6 > 3.8, the panel says it diverges along x
  expect(await page.evaluate(() => window.lossLab.apply({ lr: 0.03 }))).toEqual([]);
  await expect(panel).toHaveAttribute('data-verdict', 'diverges', { timeout: SIGNAL_MS });
  await expect(page.locator('#sandbox-reading')).toContainText('Diverges along x');
  const s1 = await sandbox(page);
  expect(s1.lr).toBe(0.03);
  expect(s1.ratio).toBeCloseTo(6, 5);

  // the learning-rate control itself (its number box), then momentum 0.5: bound 2(1 + 0.5) = 3
  await page.locator('#ctl-lr-num').fill('0.005');
  await page.locator('#ctl-lr-num').press('Enter');
  await expect.poll(async () => Number(await panel.getAttribute('data-ratio')), { timeout: SIGNAL_MS }).toBeCloseTo(1, 5);
  await page.evaluate(() => window.lossLab.apply({ mom: 0.5 }));
  await expect.poll(async () => (await sandbox(page)).threshold, { timeout: SIGNAL_MS }).toBeCloseTo(3, 5);

  // plain SGD: the path is (1 − η·a)^k·x0 along x and (1 − η·b)^k·y0 along y, and the verdict flips at η·λ = 2
  await page.evaluate(() => window.lossLab.apply({ opt: 'sgd', lr: 0.009 }));
  const sgd = await sandbox(page);
  expect(sgd.threshold).toBe(2);
  const [x0, y0] = sgd.start;
  for (const k of [1, 2, 5, 20]) {
    expect(sgd.path[k][0]).toBeCloseTo((1 - 0.009 * 200) ** k * x0, 5);
    expect(sgd.path[k][1]).toBeCloseTo((1 - 0.009 * 10) ** k * y0, 5);
  }
  await page.evaluate(() => window.lossLab.apply({ lr: 0.0099 }));
  expect((await sandbox(page)).verdict, 'η·λ = 1.98').toBe('oscillates');
  await page.evaluate(() => window.lossLab.apply({ lr: 0.0101 }));
  expect((await sandbox(page)).verdict, 'η·λ = 2.02').toBe('diverges');
  await expect(panel).toHaveAttribute('data-verdict', 'diverges', { timeout: SIGNAL_MS });

  // Adam: its own edge 2(1 + β1)/(1 − β1), read as η·λ/P
  await page.evaluate(() => window.lossLab.apply({ opt: 'adam', lr: 0.01 }));
  const adam = await sandbox(page);
  expect(adam.threshold).toBeCloseTo(38, 3);
  expect(adam.onset).toBeNull();
  expect(adam.adamRatios).toHaveLength(200);
  await expect(page.locator('#sandbox-adam')).toBeVisible({ timeout: SIGNAL_MS });
  await expect(page.locator('#sandbox-reading')).toContainText('Adam\'s own edge 38');

  // the valley's own inputs, and the keyboard: One step and Reset
  const round = await sandbox(page, { a: 60, b: 60 });
  expect(round.lambdaMax).toBe(60);
  await expect(page.locator('#sandbox-valley')).toHaveValue('round');
  await page.locator('#sandbox-step').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Space');
  await expect(panel).toHaveAttribute('data-shown', '2');
  await page.locator('#sandbox-reset').focus();
  await page.keyboard.press('Enter');
  await expect(panel).toHaveAttribute('data-shown', '0');
  // Play animates the path a step at a time, Pause stops it where it is
  await page.locator('#sandbox-play').click();
  await expect.poll(async () => Number(await panel.getAttribute('data-shown')), { timeout: SIGNAL_MS }).toBeGreaterThan(3);
  await page.locator('#sandbox-play').click();
  await expect(page.locator('#sandbox-play')).toHaveText('Play');
  const held = await panel.getAttribute('data-shown');
  expect(Number(held)).toBeLessThan(200);
  noErrors(errors);
});

test('the sandbox fits a phone, draws every step at once when asked for reduced motion, and hide=sandbox leaves it out', async ({ open }) => {
  const { page, errors } = await open(SMALL, { viewport: { width: 390, height: 844 }, device: { isMobile: true, hasTouch: true, reducedMotion: 'reduce' } });
  await page.waitForFunction(() => window.lossLab !== undefined, null, { timeout: SIGNAL_MS });
  const panel = page.locator('#sandbox');
  await panel.evaluate((d) => { d.open = true; });
  await expect(panel).toHaveAttribute('data-state', 'drawn', { timeout: SIGNAL_MS });
  const wide = await panel.evaluate((d) => [...d.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((e) => e.id || e.className));
  expect(wide, 'nothing in the panel sticks out on the right').toEqual([]);
  const plot = await page.locator('#sandbox-plot').boundingBox();
  expect(plot.width, 'the plot uses the width of the phone').toBeGreaterThan(250);
  // WCAG 2.1 A and AA on the open panel (tests/e2e/a11y.spec.mjs audits the whole page)
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run('#sandbox', {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
  })).violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  expect(violations, 'axe-core on the sandbox panel').toEqual([]);
  // reduced motion: no animation, the whole path at once
  await expect(page.locator('#sandbox-play')).toHaveText('Show every step');
  await page.locator('#sandbox-play').click();
  await expect(panel).toHaveAttribute('data-shown', '200');
  noErrors(errors);

  const hidden = await open(`${SMALL}&hide=sandbox`);
  await hidden.page.waitForFunction(() => window.lossLab !== undefined, null, { timeout: SIGNAL_MS });
  await expect(hidden.page.locator('#sandbox')).toBeHidden();
  noErrors(hidden.errors);
});
