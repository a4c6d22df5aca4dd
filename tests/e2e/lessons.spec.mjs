// Lessons: a preset loads its configuration, rebuilds and explains itself; and whatever a replaced build
// still sends (a divergence in flight, an epoch) never reaches the page.
import { test, expect, SMALL, TRAIN_MS, history, noErrors, ready, shot } from './lab.mjs';

test('a preset applies its config, resets the run and explains itself', async ({ open }) => {
  const { page, errors } = await open('?lr=0.2&noise=10&seed=5');
  await ready(page);
  await page.locator('#preset-deep-sigmoid').click();
  await ready(page);
  const cfg = await page.evaluate(() => window.lossLab.config());
  expect(cfg, 'the preset configuration').toMatchObject({ depth: 6, act: 'sigmoid', pool: 'last' });
  expect({ lr: cfg.lr, noise: cfg.noise, seed: cfg.seed }, 'the preset starts from the baseline').toEqual({ lr: 0.01, noise: 0, seed: 1 });
  await expect.poll(() => {
    const q = new URL(page.url()).searchParams;
    return { depth: q.get('depth'), act: q.get('act'), lr: q.has('lr') };
  }, { message: `URL after the preset (${page.url()})` }).toEqual({ depth: '6', act: 'sigmoid', lr: false });
  await expect(page.locator('#preset-note')).toBeVisible();
  await expect(page.locator('#preset-note-text')).toContainText(/vanishing/);
  await expect.poll(() => page.locator('#arch-layers tbody tr').count(), { message: 'layers shown for the deep net' }).toBeGreaterThanOrEqual(7);
  await expect(page.locator('#arch-blocks tbody tr'), 'rows of the block table').toHaveCount(6);
  await shot(page, '05-preset-deep-sigmoid');
  noErrors(errors);
});

test('no message of an older build changes the page', async ({ open }) => {
  // lr=10 diverges within a few steps. Each round starts such a run and, without waiting for the divergence,
  // loads the baseline lesson: the divergence (or a progress or epoch message) of the replaced build is then
  // often on its way from the worker. The new build must neither inherit it nor be stopped by it.
  const { page, errors } = await open(`${SMALL}&lr=10`);
  await ready(page);
  for (let round = 1; round <= 5; round++) {
    await test.step(`round ${round}`, async () => {
      await page.evaluate(async (round) => {
        window.lossLab.apply({ lr: 10 });
        await window.lossLab.start();
        // odd rounds: the lesson in the same task as Start; even rounds: once the first steps came back
        if (round % 2 === 0) {
          await new Promise((resolve) => {
            const look = () => {
              const h = window.lossLab.history();
              if (h.steps > 0 || h.status === 'diverged') resolve();
              else requestAnimationFrame(look);
            };
            look();
          });
        }
        window.lossLab.preset('baseline');
      }, round);
      await ready(page);
      let h = await history(page);
      expect({ status: h.status, steps: h.steps, epochs: h.epochs.length, divergedAt: h.divergedAt ?? null },
        'the rebuilt run before it trains').toEqual({ status: 'idle', steps: 0, epochs: 0, divergedAt: null });
      expect(await page.evaluate(() => window.lossLab.config().lr), 'learning rate of the baseline').toBe(0.01);
      // The lesson starts from the defaults; a small run keeps the rounds quick.
      const size = await page.evaluate(() => { const c = window.lossLab.config(); return [c.train_n, c.val_n]; });
      if (size[0] !== 1000 || size[1] !== 500) {
        await page.evaluate(() => window.lossLab.apply({ train_n: 1000, val_n: 500 }));
        await ready(page);
      }
      const row = await page.evaluate(async (timeout) => {
        await window.lossLab.start();
        const r = await Promise.race([
          window.lossLab.whenEpoch(1),
          new Promise((_, rej) => setTimeout(() => rej(new Error(`epoch 1 not reached after ${timeout} ms: ${document.getElementById('status').textContent}`)), timeout)),
        ]);
        await window.lossLab.pause();
        return r;
      }, TRAIN_MS);
      h = await history(page);
      expect(h.status, `status after epoch 1 (${h.message})`).not.toBe('diverged');
      expect(h.divergedAt ?? null, 'divergedAt of the baseline run').toBe(null);
      expect(Number.isFinite(row.trainLoss) && Number.isFinite(row.valLoss), `epoch 1 losses: ${row.trainLoss}, ${row.valLoss}`).toBe(true);
      expect(h.epochs[0].epoch).toBe(1);
    });
  }
  await shot(page, '17-older-build-ignored');
  noErrors(errors);
});
