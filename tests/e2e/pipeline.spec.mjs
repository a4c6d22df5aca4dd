// Pipeline bugs and the recipe's probes (www/views/pipeline.js, src/train/overfit.rs). Each probe says what to
// expect before it runs and trains a fresh copy of the network without touching the run. "Overfit one batch" splits a
// bug from a data problem: the default net fits 32 images, a loss wired to probabilities cannot. "Zero the inputs"
// settles at the labels' entropy, and a trained run beats it. "Loss at init" reads the untrained net's start taken at
// the build: the default draw passes, He × 10 fails. "Prediction dynamics" follows 16 validation digits: two epochs
// of the small baseline raise their mean probability on the labels, validation labels shifted by one do not. A run
// with validation labels shifted by one is read as a pipeline bug whose card offers the overfit check.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

const LN10 = Math.log(10);

const panel = (page) => page.locator('#pipeline-check');

test('overfit one batch: the default net fits 32 images, the run untouched; a softmax applied twice cannot', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  await expect(page.locator('#overfit-expected')).toContainText('Expected: A network that can learn memorises 32 images');
  await expect(page.evaluate(() => window.lossLab.probe('loss-at-init'))).rejects.toThrow(/unknown probe "loss-at-init": the probes are overfit, zero-inputs, init-loss, predictions/);
  await page.locator('#pipeline-check > summary').click();
  await page.locator('#btn-overfit').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: TRAIN_MS });
  await expect(panel(page)).toHaveAttribute('data-verdict', 'pass');
  await expect(page.locator('#overfit-result')).toContainText('Fitted: loss ');
  expect((await history(page)).steps, 'the probe does not train the run').toBe(0);
  // blind to the image, the network settles at the entropy of its labels
  await page.locator('#btn-blind').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: TRAIN_MS });
  await expect(page.locator('#blind-result')).toHaveAttribute('data-verdict', 'pass');
  await expect(page.locator('#blind-result')).toContainText('Train the run, then compare its loss with this level.');
  await shot(page, 'pipeline-probes');

  // loss at init: the default draw's start, read at the build, is above ln 10 but under 3 × ln 10
  await expect(page.locator('#init-expected')).toContainText('Expected: An untrained net knows nothing of the labels');
  await page.locator('#btn-init-loss').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done');
  await expect(page.locator('#init-result')).toHaveAttribute('data-verdict', 'pass');
  await expect(page.locator('#init-result')).toContainText('read when this network was built, before any step');
  const init = await page.evaluate(() => window.lossLab.probe('init-loss'));
  expect(init.verdict).toBe('above chance');
  expect(init.measured.loss).toBeGreaterThan(LN10 + 0.1);
  expect(init.measured.loss).toBeLessThan(3 * LN10);
  // prediction dynamics: the untrained net's answers, then two epochs of training
  await expect(page.locator('#pred-expected')).toContainText('Expected: A network that learns moves its belief onto the labelled digit');
  const early = await page.evaluate(() => window.lossLab.probe('predictions'));
  expect(early.verdict).toBe('not trained yet');
  expect(early.measured.epochs).toEqual([0]);
  await trainEpochs(page, 2);
  await page.locator('#btn-predictions').click();
  await expect(page.locator('#pred-result')).toHaveAttribute('data-verdict', 'pass');
  const dyn = await page.evaluate(() => window.lossLab.probe('predictions'));
  expect(dyn.verdict).toBe('learning');
  expect(dyn.measured.epochs).toEqual([0, 1, 2]);
  expect(dyn.measured.images).toHaveLength(16);
  expect(new Set(dyn.measured.images.map((d) => d.label)).size, 'every digit watched').toBe(10);
  for (const d of dyn.measured.images) for (const p of d.probs) expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-4);
  expect(dyn.measured.meanOnLabels[2] - dyn.measured.meanOnLabels[0]).toBeGreaterThanOrEqual(0.1);
  await expect(page.locator('#pred-grid .pred-tile')).toHaveCount(16);
  await expect(page.locator('#pred-reading')).toContainText('Epoch 2: ');
  await page.locator('#pred-epoch').focus();
  await page.keyboard.press('Home');
  await expect(page.locator('#pred-reading')).toContainText('Untrained (epoch 0): ');
  await page.keyboard.press('End');
  await shot(page, 'pipeline-predictions');
  // the start is the build's, whatever was trained since
  expect((await page.evaluate(() => window.lossLab.probe('init-loss'))).measured.loss).toBe(init.measured.loss);

  const { page: bug } = await open(`${SMALL}&loss_wiring=softmax_twice`);
  await ready(bug);
  const r = await bug.evaluate(() => window.lossLab.probe('overfit'));
  expect(r.verdict).toBe('not fitted');
  expect(r.measured.lastLoss, 'the floor of a softmax applied twice').toBeGreaterThanOrEqual(1.46);
  expect(r.evidence).toContain('the bug is in the model, its start, the loss or the step size');
  await expect(panel(bug)).toHaveAttribute('data-verdict', 'fail');

  // He × 10: a start far above chance, with the numbers behind it
  const { page: huge } = await open(`${SMALL}&init=he_normal&gain=10`);
  await ready(huge);
  const h = await huge.evaluate(() => window.lossLab.probe('init-loss'));
  expect(h.verdict).toBe('far above chance');
  expect(h.measured.loss).toBeGreaterThan(3 * LN10);
  for (const part of [`Start: ${h.measured.loss.toFixed(2)} nats`, 'ln 10 ≈ 2.30', `σ = ${h.measured.spread.toFixed(2)}`, 'σ²/2 = ', 'Fails: past 3 × ln 10 ≈ 6.91 nats']) {
    expect(h.evidence).toContain(part);
  }
  await expect(panel(huge)).toHaveAttribute('data-verdict', 'fail');
  noErrors(errors);
});

test('validation labels shifted by one: below chance, read as a pipeline bug, with the check on the card', async ({ open }) => {
  const { page, errors } = await open('?train_n=2000&val_n=500&label_offset=1');
  await ready(page);
  const h = await trainEpochs(page, 1);
  expect(h.epochs[0].valAcc, 'far below chance').toBeLessThan(0.05);
  const card = page.locator('#diagnosis');
  await expect(card.locator('[data-cause="pipeline_bug"]').first()).toBeVisible({ timeout: SIGNAL_MS });
  await card.getByRole('button', { name: 'Check: overfit one batch' }).first().click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: TRAIN_MS });
  await expect(panel(page)).toHaveAttribute('data-verdict', 'pass');
  // the trained run beats the blind baseline: it uses the image (its training labels are intact)
  const blind = await page.evaluate(() => window.lossLab.probe('zero-inputs'));
  expect(blind.verdict).toBe('settled');
  expect(blind.measured.runLoss).toBeLessThan(blind.measured.level - 0.1);
  expect(blind.evidence).toContain('so the run uses the image');
  // the watched digits' answers move away from the shifted labels
  const dyn = await page.evaluate(() => window.lossLab.probe('predictions'));
  expect(dyn.verdict).toBe('not learning');
  expect(dyn.evidence).toContain('what it learns does not carry over to these digits as they are labelled and prepared for validation');
  noErrors(errors);
});
