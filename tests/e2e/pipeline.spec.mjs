// Pipeline bugs and the recipe's "overfit one batch" (www/views/pipeline.js, src/train/overfit.rs). The probe says
// what to expect before it runs, trains a fresh copy of the network on 32 images without touching the run, and
// splits a bug from a data problem: the default net fits them, a loss wired to probabilities cannot. A run with
// validation labels shifted by one is read as a pipeline bug whose card offers the same check.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

const panel = (page) => page.locator('#pipeline-check');

test('overfit one batch: the default net fits 32 images, the run untouched; a softmax applied twice cannot', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  await expect(page.locator('#overfit-expected')).toContainText('Expected: A network that can learn memorises 32 images');
  await expect(page.evaluate(() => window.lossLab.probe('zero-inputs'))).rejects.toThrow(/unknown probe "zero-inputs": the probes are overfit/);
  await page.locator('#pipeline-check > summary').click();
  await page.locator('#btn-overfit').click();
  await expect(panel(page)).toHaveAttribute('data-state', 'done', { timeout: TRAIN_MS });
  await expect(panel(page)).toHaveAttribute('data-verdict', 'pass');
  await expect(page.locator('#overfit-result')).toContainText('Fitted: loss ');
  expect((await history(page)).steps, 'the probe does not train the run').toBe(0);
  await shot(page, 'pipeline-overfit-fitted');

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
  noErrors(errors);
});
