// Live settings are never lost: a learning rate changed while the network is still being built (the MNIST
// files slow to arrive, or a rebuild after a reset setting) is the one the trainer starts with. The trainer's
// own configuration (lossLab.engineConfig(), engine text) is what is checked, not the page's copy.
import { test, expect, SMALL, engineDisagreements, history, noErrors, ready, shot } from './lab.mjs';

/** The trainer's learning rate, as engine text. */
const engineLr = (page) => page.evaluate(() => window.lossLab.engineConfig().then((c) => c && c.lr));

test('a live change made during a slow build is not lost', async ({ open }) => {
  // The MNIST requests are held until the test lets them through: the page stays in its build meanwhile.
  let release;
  const released = new Promise((r) => { release = r; });
  let requested;
  const firstRequest = new Promise((r) => { requested = r; });
  const { page, errors } = await open(SMALL, {
    setup: (ctx) => ctx.route('**/data/*.gz', async (route) => {
      requested();
      await released;
      await route.continue().catch(() => {}); // the page may be gone if the test failed meanwhile
    }),
  });
  await firstRequest;
  await page.waitForFunction(() => window.lossLab !== undefined);
  expect((await history(page)).status, 'the page while its data are held').toBe('loading');
  expect(await page.evaluate(() => window.lossLab.apply({ lr: 0.1 }))).toEqual([]);
  release();
  await ready(page);
  expect(await page.evaluate(() => window.lossLab.config().lr), 'lossLab.config().lr').toBe(0.1);
  const engine = await page.evaluate(() => window.lossLab.engineConfig());
  expect(engine, 'lossLab.engineConfig() once built').not.toBeNull();
  expect(Object.values(engine).every((v) => typeof v === 'string'), `engine config values are engine text: ${JSON.stringify(engine)}`).toBe(true);
  expect(engine.lr, 'the trainer\'s learning rate').toBe('0.1');
  expect(await engineDisagreements(page)).toEqual([]);
  // after the build, a change reaches the trainer too
  await page.evaluate(() => window.lossLab.apply({ lr: 0.05 }));
  await expect.poll(() => engineLr(page), { message: 'the trainer\'s learning rate after a change once ready' }).toBe('0.05');
  expect(await page.evaluate(() => window.lossLab.config().lr)).toBe(0.05);
  noErrors(errors);
});

test('a live change made while a rebuild is in flight is not lost', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  // batch is a reset setting: the network is rebuilt. The learning rate changes in the same task, so the
  // rebuild is certainly still under way when it does.
  const notices = await page.evaluate(() => [...window.lossLab.apply({ batch: 64 }), ...window.lossLab.apply({ lr: 0.1 })]);
  expect(notices).toEqual([]);
  await ready(page);
  const engine = await page.evaluate(() => window.lossLab.engineConfig());
  expect(engine && { batch: engine.batch, lr: engine.lr }, 'the rebuilt trainer').toEqual({ batch: '64', lr: '0.1' });
  expect(await page.evaluate(() => window.lossLab.config().lr)).toBe(0.1);
  expect(await engineDisagreements(page)).toEqual([]);
  // A slider still moving delays the rebuild (the page waits for the learner to let go); a live change
  // made meanwhile must reach the trainer built afterwards.
  await page.evaluate(() => {
    const range = document.getElementById('ctl-batch');
    range.value = '16';
    range.dispatchEvent(new Event('input', { bubbles: true }));
    window.lossLab.apply({ lr: 0.2 });
  });
  await ready(page);
  await expect.poll(() => page.evaluate(() => window.lossLab.engineConfig().then((c) => c && { batch: c.batch, lr: c.lr })),
    { message: 'the trainer rebuilt after a slider moved' }).toEqual({ batch: '16', lr: '0.2' });
  expect(await engineDisagreements(page)).toEqual([]);
  // and it trains with what it reports
  await page.evaluate(() => window.lossLab.step());
  await expect.poll(() => history(page).then((h) => h.steps), { message: 'steps after One step' }).toBe(1);
  expect(await engineLr(page)).toBe('0.2');
  await shot(page, '18-live-change-during-rebuild');
  noErrors(errors);
});
