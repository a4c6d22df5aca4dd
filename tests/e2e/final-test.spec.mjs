// "Test the final network" (www/views/finaltest.js, src/train/final_test.rs): the one look at the 10,000 MNIST test
// images, which no curve, sweep, race or early stop reads. Before anything is trained it says so; after a small
// epoch it shows the test figures with the line that says why the test set is kept apart, and lossLab.test() gives
// the same figures. Early stopping gives the net back its best epoch's weights and says so in the status line, and
// the final check measures those weights.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot, trainEpochs, untilStatus } from './lab.mjs';

const panel = (page) => page.locator('#final-test');

test('the final check says what is missing, then measures the trained net once on the test images', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  await expect(page.locator('#btn-test')).toBeEnabled();
  // nothing trained yet: a clear message, in the page and from the API
  await page.locator('#btn-test').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'error', { timeout: SIGNAL_MS });
  await expect(page.locator('#final-test-result')).toContainText('nothing has been trained yet: press Start');
  await expect(page.evaluate(() => window.lossLab.test())).rejects.toThrow(/nothing has been trained yet/);

  // the pause lands after epoch 1, at the end of an epoch or in the next one: history says which weights the net holds
  const h = await trainEpochs(page, 1);
  const atEnd = h.steps % 32 === 0; // 1,000 images in batches of 32: 32 steps an epoch
  expect(h.weightsEpoch, `weights after step ${h.steps}`).toBe(atEnd ? h.steps / 32 : null);
  const which = atEnd ? `the weights of epoch ${h.weightsEpoch}` : `the weights after step ${h.steps}, mid-epoch`;
  await page.locator('#btn-test').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: TRAIN_MS });
  const line = page.locator('#final-test-result');
  await expect(line).toContainText('Test set: accuracy ');
  await expect(line).toContainText(`— 10,000 MNIST test images, ${which}.`);
  const why = page.locator('#final-test-why');
  await expect(why).toBeVisible();
  await expect(why).toContainText('looked at once, at the end');
  await expect(why).toContainText('Goodfellow et al. 2016, §5.3');

  const t = await page.evaluate(() => window.lossLab.test());
  expect(t.count).toBe(10000);
  expect(t.step).toBe(h.steps);
  expect(t.weightsEpoch).toBe(h.weightsEpoch);
  expect(t.perClassRecall).toHaveLength(10);
  expect(Number.isFinite(t.loss) && t.loss > 0, `test loss ${t.loss}`).toBe(true);
  // one small epoch of 1,000 digits already recognises most test digits; the validation figures are of other images
  expect(t.acc, 'test accuracy after one small epoch').toBeGreaterThan(0.5);
  expect(t.acc).toBeLessThanOrEqual(1);
  const shown = Number(/accuracy ([\d.]+)%/.exec(await line.textContent())[1]);
  expect(shown, 'the page shows what lossLab.test() measures').toBeCloseTo(t.acc * 100, 1);
  // testing changed nothing: the run's record is as it was
  expect((await history(page)).steps).toBe(h.steps);
  await panel(page).scrollIntoViewIfNeeded();
  await shot(page, 'final-test-result');
  await panel(page).screenshot({ path: test.info().outputPath('final-test-panel.png') });
  noErrors(errors);
});

test('early stopping holds the best epoch\'s weights, says so, and the final check measures them', async ({ open }) => {
  // 200 images overfit within a few epochs of 7 steps; patience 1 stops at the first epoch without a new best
  const { page, errors } = await open('?train_n=200&val_n=500&early_stop=1&lr=0.003&opt=adam');
  await ready(page);
  await page.evaluate(() => window.lossLab.start());
  await untilStatus(page, 'stopped', TRAIN_MS);
  const h = await history(page);
  const m = /stopped early at epoch (\d+): .*; the network holds the weights of epoch (\d+) again — press Reset/.exec(h.message);
  expect(m, `status line: ${h.message}`).not.toBeNull();
  const [stopped, best] = [Number(m[1]), Number(m[2])];
  expect(stopped).toBe(h.epochs.length);
  expect(best).toBe(h.epochs[h.epochs.length - 1].bestEpoch);
  expect(best).toBeLessThan(stopped);
  expect(h.weightsEpoch).toBe(best);
  await page.locator('#btn-test').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: TRAIN_MS });
  await expect(page.locator('#final-test-result')).toContainText(`the weights of epoch ${best}, restored by early stopping`);
  expect((await page.evaluate(() => window.lossLab.test())).weightsEpoch).toBe(best);
  await page.locator('header.top').screenshot({ path: test.info().outputPath('early-stop-status.png') });
  await shot(page, 'final-test-early-stop');
  noErrors(errors);
});
