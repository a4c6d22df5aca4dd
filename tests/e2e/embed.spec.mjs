// Embedding (www/embed.js): docs/embed.html frames the lab with embed=1, lock=lr,mom,init and hide=…, small data,
// and logs the events the lab posts to it. The parent hears `ready` and then an `epoch` per epoch carrying the
// row the lab drew; locked controls are disabled, show their lock and refuse every way of changing them; hidden
// sections are gone; garbled embedding keys open the page with a notice each.
import { test, expect, SIGNAL_MS, TRAIN_MS, labFrame, noErrors, ready, shot } from './lab.mjs';

/** The types of the events docs/embed.html has received so far, in order. */
const eventTypes = (page) => page.evaluate(() => window.labEvents.map((e) => e.type));

test('the embedding page hears ready, then an epoch event with the row the lab drew', async ({ open }) => {
  const { page, errors } = await open('docs/embed.html');
  const frame = await labFrame(page);
  expect(frame.url(), 'the frame trains small').toMatch(/train_n=1000&val_n=500/);
  await expect.poll(() => eventTypes(page), { message: 'events at the parent', timeout: SIGNAL_MS }).toContain('ready');
  const readyEvent = await page.evaluate(() => window.labEvents.find((e) => e.type === 'ready'));
  expect(readyEvent).toMatchObject({ source: 'losslab', version: 1, locked: ['lr', 'mom', 'init'] });
  expect(readyEvent.config).toMatchObject({ train_n: 1000, val_n: 500, lr: 0.01 });

  // the learner presses Start inside the frame
  await page.frameLocator('#lab').locator('#btn-start').click();
  await page.waitForFunction(() => window.labEvents.some((e) => e.type === 'epoch' && e.epoch === 1), null, { timeout: TRAIN_MS });
  await frame.evaluate(() => window.lossLab.pause());
  const types = await eventTypes(page);
  expect(types.indexOf('ready'), `order of the events: ${types.join(', ')}`).toBeLessThan(types.indexOf('epoch'));
  expect(types.filter((t) => t === 'ready'), 'one ready event').toHaveLength(1);
  const epoch = await page.evaluate(() => window.labEvents.find((e) => e.type === 'epoch' && e.epoch === 1));
  const row = (await frame.evaluate(() => window.lossLab.history())).epochs[0];
  expect(epoch, 'the event carries the epoch the lab drew').toMatchObject({
    source: 'losslab', epoch: 1, trainLoss: row.trainLoss, trainAcc: row.trainAcc, valLoss: row.valLoss, valAcc: row.valAcc, lesson: null,
  });
  expect(epoch.steps, 'steps of one epoch of 1,000 images in batches of 32').toBe(32);
  expect(epoch.valAcc).toBeGreaterThan(0.1);
  await expect(page.locator('#events li[data-type=epoch]').first()).toContainText('epoch 1: train loss');
  await shot(page, 'embed-page');
  noErrors(errors);
});

test('a locked control is disabled, shows its lock and refuses every change; hidden sections are gone', async ({ open }) => {
  const { page, errors } = await open('docs/embed.html');
  const frame = await labFrame(page);
  const lab = page.frameLocator('#lab');
  for (const id of ['#ctl-lr', '#ctl-lr-num', '#ctl-mom', '#ctl-mom-num', '#ctl-init']) await expect(lab.locator(id), id).toBeDisabled();
  await expect(lab.locator('#ctl-batch'), 'an unlocked control').toBeEnabled();
  const lrBox = lab.locator('#settings [data-key="lr"]');
  await expect(lrBox.locator('.lock-badge')).toBeVisible();
  await expect(lrBox).toHaveAttribute('title', /fixed by the page this lab is embedded in/);
  await expect(lab.locator('#ctl-lr-num')).toHaveAttribute('title', /fixed by the page this lab is embedded in/);

  // the control's own change path (a script firing the event a user cannot) is refused by the page
  await frame.evaluate(() => {
    const num = document.getElementById('ctl-lr-num');
    num.value = '0.5';
    num.dispatchEvent(new Event('change'));
  });
  await expect(lab.locator('#notice-list')).toContainText('lr is fixed by the page this lab is embedded in — it stays at 0.01');
  await expect(lab.locator('#ctl-lr-num'), 'the box shows the locked value again').toHaveValue('0.01');
  // lossLab.apply: the locked key is dropped with a notice, the others apply
  const r = await frame.evaluate(() => ({ notices: window.lossLab.apply({ lr: 0.5, init: 'zeros', batch: 64 }), cfg: window.lossLab.config() }));
  expect(r.cfg).toMatchObject({ lr: 0.01, init: 'he_uniform', batch: 64 });
  expect(r.notices.join('\n')).toMatch(/lr is fixed by the page this lab is embedded in/);
  expect(r.notices.join('\n')).toMatch(/init is fixed by the page this lab is embedded in/);
  // a lesson that needs another learning rate is refused too; one that does not is loaded
  await expect(lab.locator('#preset-lr-high')).toHaveAttribute('aria-disabled', 'true');
  // (aria-disabled: the browser still delivers the click, which Playwright would wait out without force)
  await lab.locator('#preset-lr-high').click({ force: true });
  await expect(lab.locator('#notice-list')).toContainText('needs lr = 5, but lr is fixed');
  expect((await frame.evaluate(() => window.lossLab.config())).lr).toBe(0.01);
  await lab.locator('#preset-noise-uniform').click();
  await expect(lab.locator('#preset-note-title')).toHaveText('Lesson: 40% label noise (uniform)');
  await ready(frame);
  // still locked after the controls were redrawn for the lesson
  await expect(lab.locator('#ctl-lr')).toBeDisabled();

  // hidden sections: those in hide=, and the compact layout's tagline and long footer
  for (const id of ['#sweep', '#lrfind', '#highloss', '#filters', '#explain']) await expect(lab.locator(id), id).toBeHidden();
  for (const id of ['#diagnosis', '#layer-health', '#batch-view', '.presets']) await expect(lab.locator(id), id).toBeVisible();
  await expect(lab.locator('.tagline')).toBeHidden();
  // the full footer (the MNIST credit line and the engine line) gives way to the short one
  const full = await lab.locator('.foot-full').all();
  expect(full.length, 'full-footer lines').toBeGreaterThanOrEqual(1);
  for (const line of full) await expect(line).toBeHidden();
  await expect(lab.locator('.foot-short')).toContainText('MNIST');
  await expect(lab.locator('#embed-open')).toBeVisible();
  // the frame's own URL keeps the embedding keys
  expect(new URL(frame.url()).searchParams.get('lock')).toBe('lr,mom,init');
  await shot(page, 'embed-locked');
  noErrors(errors);
});

test('garbled embedding keys open the page with a notice each', async ({ open }) => {
  const { page, errors } = await open('?embed=maybe&lock=lr,warp&hide=sweep,attic&origin=not-an-origin&train_n=1000&val_n=500');
  await ready(page);
  const notices = page.locator('#notice-list');
  await expect(notices).toContainText('embed = "maybe" is not 1 or 0');
  await expect(notices).toContainText('lock: "warp" is not a Loss Lab setting');
  await expect(notices).toContainText('hide: "attic" is not a section of the page');
  await expect(notices).toContainText('origin = "not-an-origin" is not an origin');
  await expect(notices.locator('li'), 'one notice each, no other').toHaveCount(4);
  // what was valid still applies: the compact layout, lr locked (by the link: no frame here), the sweep hidden
  expect(await page.evaluate(() => document.documentElement.classList.contains('embedded'))).toBe(true);
  await expect(page.locator('#ctl-lr')).toBeDisabled();
  await expect(page.locator('#settings [data-key="lr"]')).toHaveAttribute('title', /fixed by the link that opened this lab/);
  await expect(page.locator('#sweep')).toBeHidden();
  // the URL keeps the valid part, and the garbled origin (dropped, it would let the events go to any page)
  await expect.poll(() => new URL(page.url()).search, { message: 'the corrected URL' }).toBe('?train_n=1000&val_n=500&embed=1&lock=lr&hide=sweep&origin=not-an-origin');
  noErrors(errors);
});
