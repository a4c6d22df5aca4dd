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

/**
 * Init script: a gate on the messages workers send to the page. While `__gate.held`, every message a worker
 * posts is queued instead of delivered (the test can look at the queue); `__gate.release()` delivers the
 * queue in order, one message per task as the browser would, then lets messages through again. It changes
 * nothing while not held.
 */
function installWorkerGate() {
  const Native = window.Worker;
  const gate = { held: false, queue: [], onQueue: null };
  gate.release = async () => {
    while (gate.queue.length) {
      const [fn, e] = gate.queue.shift();
      fn(e);
      await new Promise((r) => setTimeout(r, 0)); // a task boundary between two messages, nothing more
    }
    gate.held = false;
  };
  window.__gate = gate;
  window.Worker = class extends Native {
    set onmessage(fn) {
      super.onmessage = (e) => {
        if (!gate.held) { fn(e); return; }
        gate.queue.push([fn, e]);
        gate.onQueue?.(e.data);
      };
    }
    get onmessage() { return super.onmessage; }
  };
}

test('no message of an older build changes the page', async ({ open }) => {
  // lr=10 diverges within a few dozen steps. Each round starts such a run and, without waiting for the
  // divergence, loads the baseline lesson, so that the divergence (and the progress and epoch messages) of the
  // replaced build are still on their way to the page. In odd rounds that is certain: the worker's messages
  // are held until its divergence is among them, the lesson is loaded, and then they are delivered. In even
  // rounds it is left to timing: the lesson is loaded as soon as the first steps of the run came back. The new
  // build must neither show nor inherit anything of the old one.
  const { page, errors } = await open(`${SMALL}&lr=10`, { setup: (ctx) => ctx.addInitScript(installWorkerGate) });
  await ready(page);
  for (let round = 1; round <= 5; round++) {
    await test.step(`round ${round}`, async () => {
      await page.evaluate(async ({ round, timeout }) => {
        const gate = window.__gate;
        const held = round % 2 === 1;
        const diverged = held && new Promise((resolve, reject) => {
          gate.onQueue = (m) => { if (m.type === 'diverged') resolve(); };
          setTimeout(() => reject(new Error(`no divergence within ${timeout} ms (${gate.queue.length} messages held)`)), timeout);
        });
        gate.held = held;
        window.lossLab.apply({ lr: 10 });
        await window.lossLab.start();
        if (held) {
          await diverged;
        } else {
          await new Promise((resolve) => {
            const look = () => {
              const h = window.lossLab.history();
              if (h.steps > 0 || h.status === 'diverged') resolve();
              else requestAnimationFrame(look);
            };
            look();
          });
        }
        // from here on the page must not show anything of the replaced run: every status it paints is kept
        window.__statusesAfterLesson = [];
        window.__statusWatch?.disconnect();
        const line = document.getElementById('status');
        window.__statusWatch = new MutationObserver(() => window.__statusesAfterLesson.push(`${line.dataset.state}: ${line.textContent}`));
        window.__statusWatch.observe(line, { attributes: true, childList: true, characterData: true, subtree: true });
        window.lossLab.preset('baseline');
        gate.onQueue = null;
        if (held) await gate.release();
      }, { round, timeout: TRAIN_MS });
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
      const shown = await page.evaluate(() => window.__statusesAfterLesson);
      expect(shown.filter((t) => /^diverged/.test(t)), `status lines shown after the lesson was loaded: ${shown.join(' | ')}`).toEqual([]);
      await expect(page.locator('#summary')).not.toContainText('diverged');
    });
  }
  await shot(page, '17-older-build-ignored');
  noErrors(errors);
});
