// Pin and race: the pinned configuration trained again in a second worker, side by side with the current run.
import { test, expect, SMALL, TRAIN_MS, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

for (const [viewport, tag] of [[{ width: 1280, height: 720 }, '1280x720'], [{ width: 768, height: 1024 }, '768x1024']]) {
  test(`racing the pinned run trains it again in a second worker, side by side with the current run (${tag})`, async ({ open }) => {
    const { page, errors } = await open(SMALL, { viewport });
    await ready(page);
    await trainEpochs(page, 1);
    await page.locator('#btn-pin').click();
    const pinnedCfg = await page.evaluate(() => window.lossLab.config());
    expect((await history(page)).pinned.status, 'a frozen pin').toBe('pinned');
    await expect(page.locator('#opt-race'), 'the race box while a run is pinned').toBeEnabled();
    await page.evaluate(() => window.lossLab.apply({ lr: 0.05 })); // a live setting: this run only
    // the box by keyboard: focus it, Space ticks it
    await page.locator('#opt-race').focus();
    await page.keyboard.press('Space');
    await expect(page.locator('#opt-race'), 'the race box after Space').toBeChecked();
    await ready(page);
    let h = await history(page);
    expect({ epochs: h.epochs.length, steps: h.steps }, 'this run restarts from epoch 0').toEqual({ epochs: 0, steps: 0 });
    expect(h.pinned && { raced: h.pinned.raced, epochs: h.pinned.epochs.length, steps: h.pinned.steps }, 'the raced run starts from epoch 0')
      .toEqual({ raced: true, epochs: 0, steps: 0 });
    expect(JSON.stringify(h.pinned.config), 'the raced configuration is the one at pin time').toBe(JSON.stringify(pinnedCfg));
    expect({ lr: h.pinned.config.lr, seed: h.pinned.config.seed }).toEqual({ lr: 0.01, seed: 1 });
    expect(await page.evaluate(() => window.lossLab.config().lr), 'the current run keeps its changed learning rate').toBe(0.05);
    await page.locator('#btn-start').click();
    await page.waitForFunction(() => {
      const x = window.lossLab.history();
      return x.status === 'running' && x.pinned.status === 'running' && x.steps > 0 && x.pinned.steps > 0;
    }, null, { timeout: TRAIN_MS });
    // both runs' speeds in the progress line (each appears once its run has trained for a moment; the line is
    // repainted on a throttle, so it is waited for, not read once)
    await expect(page.locator('#speed')).toHaveText(/^this run [\d,]+ samples\/s · pinned run [\d,]+ samples\/s/, { timeout: TRAIN_MS });
    await page.waitForFunction(() => {
      const x = window.lossLab.history();
      return x.epochs.length >= 2 && x.pinned.epochs.length >= 2;
    }, null, { timeout: TRAIN_MS });
    await page.locator('#btn-start').click(); // Pause stops both
    await page.evaluate(() => window.lossLab.pause()); // resolves once both workers confirmed: no more steps
    h = await history(page);
    expect({ mine: h.status, pinned: h.pinned.status }, 'after Pause').toEqual({ mine: 'paused', pinned: 'paused' });
    const a = h.epochs[1], b = h.pinned.epochs[1];
    expect(Number.isFinite(a.valLoss) && Number.isFinite(b.valLoss), `losses not finite: ${a.valLoss}, ${b.valLoss}`).toBe(true);
    expect(a.trainLoss, 'epoch 2 train loss, lr 0.05 vs lr 0.01').not.toBe(b.trainLoss);
    expect(a.valLoss, 'epoch 2 validation loss, lr 0.05 vs lr 0.01').not.toBe(b.valLoss);
    expect(b.valLoss < h.pinned.epochs[0].valLoss + 0.05 && b.valAcc > 0.5, `the raced run did not learn: ${JSON.stringify(h.pinned.epochs.map((e) => e.valLoss))}`).toBe(true);
    // the pinned run is visible as such: legend, gradient chart and its own status line
    await expect(page.locator('#legend-loss')).toContainText(/pinned run.*trained again alongside/);
    await expect(page.locator('#legend-grad')).toContainText(/pinned run/);
    await expect(page.locator('#race-status')).toHaveText(/^Pinned run, trained again in a second worker: paused after step \d+\. After epoch \d+: /);
    // One step advances both paused runs by exactly one step
    const before = [h.steps, h.pinned.steps];
    await page.locator('#btn-step').click();
    await expect.poll(() => page.evaluate(() => { const x = window.lossLab.history(); return [x.steps, x.pinned.steps]; }),
      { message: `steps of both runs after One step from ${before}` }).toEqual([before[0] + 1, before[1] + 1]);
    await shot(page, `12-race-${tag}`);
    // Reset restarts both from epoch 0
    await page.locator('#btn-reset').click();
    await ready(page);
    h = await history(page);
    expect({ steps: h.steps, pinnedSteps: h.pinned.steps, raced: h.pinned.raced }, 'after Reset').toEqual({ steps: 0, pinnedSteps: 0, raced: true });
    // unticking drops the second worker and shows the frozen pin again
    await page.locator('#opt-race').uncheck();
    await expect.poll(() => history(page).then((x) => x.pinned && { raced: x.pinned.raced, status: x.pinned.status, epochs: x.pinned.epochs.length }),
      { message: 'the pin after unticking the race' }).toEqual({ raced: false, status: 'pinned', epochs: 1 });
    await expect(page.locator('#race-status')).toBeHidden();
    noErrors(errors);
  });
}

test('a raced pinned run that diverges is reported without stopping the current run', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&lr=10`);
  await ready(page);
  await page.evaluate(() => { window.lossLab.pin(); window.lossLab.apply({ lr: 0.01 }); window.lossLab.race(); });
  await ready(page);
  await page.evaluate(() => window.lossLab.start());
  await page.waitForFunction(() => window.lossLab.history().pinned.status === 'diverged', null, { timeout: TRAIN_MS });
  const h = await history(page);
  expect(h.status, 'this run when the pinned run diverged').toBe('running');
  expect(Number.isInteger(h.pinned.divergedAt) && h.pinned.divergedAt >= 1, `pinned divergedAt: ${h.pinned.divergedAt}`).toBe(true);
  const n = h.pinned.divergedAt;
  await expect(page.locator('#race-status')).toHaveText(new RegExp(`^Pinned run diverged at step ${n}:.*this run keeps training`));
  await expect(page.locator('#legend-loss')).toContainText(/trained again: diverged at step/);
  await page.evaluate(() => window.lossLab.whenEpoch(1));
  // the progress line is repainted on a throttle: wait until it says so
  await expect(page.locator('#speed')).toContainText(/pinned run diverged/);
  await page.evaluate(() => window.lossLab.pause());
  await shot(page, '13-race-pinned-diverged');
  noErrors(errors);
});
