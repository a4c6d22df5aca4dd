// Pipeline bugs and the recipe's probes (www/views/pipeline.js, src/train/overfit.rs). Each probe says what to
// expect before it runs and trains a fresh copy of the network without touching the run. "Overfit one batch" splits a
// bug from a data problem: the default net fits 32 images, a loss wired to probabilities cannot. "Zero the inputs"
// settles at the labels' entropy, and a trained run beats it. A run with validation labels shifted by one is read as
// a pipeline bug whose card offers the overfit check.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

const panel = (page) => page.locator('#pipeline-check');

test('overfit one batch: the default net fits 32 images, the run untouched; a softmax applied twice cannot', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  await expect(page.locator('#overfit-expected')).toContainText('Expected: A network that can learn memorises 32 images');
  await expect(page.evaluate(() => window.lossLab.probe('loss-at-init'))).rejects.toThrow(/unknown probe "loss-at-init": the probes are overfit, zero-inputs/);
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

  const { page: bug } = await open(`${SMALL}&loss_wiring=softmax_twice`);
  await ready(bug);
  const r = await bug.evaluate(() => window.lossLab.probe('overfit'));
  expect(r.verdict).toBe('not fitted');
  expect(r.measured.lastLoss, 'the floor of a softmax applied twice').toBeGreaterThanOrEqual(1.46);
  expect(r.evidence).toContain('the bug is in the model, its start, the loss or the step size');
  await expect(panel(bug)).toHaveAttribute('data-verdict', 'fail');
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
  noErrors(errors);
});
