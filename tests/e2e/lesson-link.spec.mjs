// `lesson=ID` in the URL: a link (or a course page's frame) opens one lesson as its button does — its settings,
// its note and its prediction question — and the page writes the key back only while the settings are the
// lesson's own, so a reload or a copied link opens the same lesson.
import { test, expect, noErrors, ready, SIGNAL_MS } from './lab.mjs';

/** Waits until the page's URL query satisfies `ok(URLSearchParams)`. */
async function untilUrl(page, ok, what) {
  await expect.poll(() => ok(new URL(page.url()).searchParams), { message: `${what} (URL: ${page.url()})`, timeout: SIGNAL_MS }).toBe(true);
}

test('lesson=lr-high opens the lesson with its question; a changed setting drops the key', async ({ open }) => {
  const { page, errors } = await open('?lesson=lr-high');
  await ready(page);
  await expect(page.locator('#preset-note-title')).toHaveText('Lesson: Learning rate too high');
  await expect(page.locator('#preset-lr-high')).toHaveAttribute('aria-pressed', 'true');
  const q = await page.evaluate(() => window.lossLab.prediction());
  expect(q && q.lesson, 'the lesson asks its question').toBe('lr-high');
  expect(q.revealed).toBe(false);
  expect((await page.evaluate(() => window.lossLab.config())).lr, 'the lesson’s learning rate').toBe(5);
  await untilUrl(page, (p) => p.get('lesson') === 'lr-high' && p.get('lr') === '5', 'lesson=lr-high and lr=5 written');
  await expect(page.locator('#notices')).toBeHidden();
  // a live change keeps the note but the settings are no longer the lesson's: the key goes, and comes back
  await page.evaluate(() => window.lossLab.apply({ lr: 0.5 }));
  await untilUrl(page, (p) => !p.has('lesson') && p.get('lr') === '0.5', 'the key dropped after lr changed');
  await page.evaluate(() => window.lossLab.apply({ lr: 5 }));
  await untilUrl(page, (p) => p.get('lesson') === 'lr-high', 'the key back with the lesson’s lr');
  noErrors(errors);
});

test('a lesson link wins over the link’s other settings, with a notice; an unknown lesson opens the page with a notice', async ({ open }) => {
  const { page, errors } = await open('?lesson=init-zeros&lr=0.5&train_n=1000');
  await ready(page);
  await expect(page.locator('#preset-note-title')).toHaveText('Lesson: All weights zero');
  await expect(page.locator('#notice-list')).toContainText('lesson=init-zeros trains its own settings');
  await expect(page.locator('#notice-list')).toContainText('lr = 0.5');
  const cfg = await page.evaluate(() => window.lossLab.config());
  expect([cfg.init, cfg.lr, cfg.train_n]).toEqual(['zeros', 0.01, 10000]);

  const other = await open('?lesson=nope&train_n=1000&val_n=500');
  await ready(other.page);
  await expect(other.page.locator('#notice-list')).toContainText('lesson = "nope" is not a lesson');
  await expect(other.page.locator('#preset-note')).toBeHidden();
  expect((await other.page.evaluate(() => window.lossLab.config())).train_n, 'the link’s settings still apply').toBe(1000);
  await untilUrl(other.page, (p) => !p.has('lesson') && p.get('train_n') === '1000', 'no lesson key, the link’s settings kept');
  noErrors(errors);
  noErrors(other.errors);
});
