// "Predict, then run" (www/views/predict.js): a lesson asks its question before Start and keeps its text hidden;
// once the run has shown the answer (it diverged, or the lesson's epochs are done) the note says what was picked,
// whether it was right and the right answer, then the lesson text. predict=0 shows the text at once; in an
// embedded lab the reveal is posted to the parent page as an `answer` event.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, labFrame, noErrors, ready, shot, untilQuery } from './lab.mjs';

const prediction = (page) => page.evaluate(() => window.lossLab.prediction());

test('a lesson asks first, and reveals its answer and text once the run diverges', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  await page.locator('#preset-lr-high').click();
  await ready(page);
  const asked = await prediction(page);
  expect(asked).toMatchObject({ lesson: 'lr-high', picked: null, revealed: false, answer: null, right: null });
  expect(asked.options.length).toBeGreaterThanOrEqual(3);
  await expect(page.locator('#predict legend')).toHaveText(`Predict first: ${asked.question}`);
  await expect(page.locator('#predict input[type=radio]')).toHaveCount(asked.options.length);
  await expect(page.locator('#preset-note-text'), 'the lesson text waits for the run').toBeHidden();
  await expect(page.locator('#btn-start'), 'answering is optional').toBeEnabled();
  await shot(page, 'predict-question');

  // the learner picks the option that says the loss explodes, by clicking its label
  const right = asked.options.findIndex((o) => /explode/i.test(o));
  expect(right, `an option about exploding among ${asked.options.join(' | ')}`).toBeGreaterThanOrEqual(0);
  await page.locator('label.predict-option').nth(right).click();
  expect((await prediction(page)).picked).toBe(right);
  await expect(page.locator('.predict-hint')).toContainText('Your prediction is in');
  await expect(page.locator('#preset-note-text')).toBeHidden();

  await page.locator('#btn-start').click();
  await expect.poll(() => page.evaluate(() => window.lossLab.history().status), { message: 'the run diverges', timeout: TRAIN_MS }).toBe('diverged');
  await expect.poll(() => prediction(page), { message: 'the reveal', timeout: SIGNAL_MS })
    .toMatchObject({ revealed: true, picked: right, answer: right, right: true });
  await expect(page.locator('.predict-result')).toContainText('Right.');
  await expect(page.locator('.predict-result')).toContainText(asked.options[right]);
  await expect(page.locator('#preset-note-text')).toBeVisible();
  await expect(page.locator('#preset-note-text')).toContainText('Learning rate 5, five hundred times');
  await expect(page.locator('#predict input[type=radio]'), 'no more answering').toHaveCount(0);
  // beside the claim the answer rests on, the number this run measured (from the page's own record)
  const divergedAt = await page.evaluate(() => window.lossLab.history().divergedAt);
  expect((await prediction(page)).measured).toEqual({ claim: 'the loss explodes within a few steps', status: 'measured', value: divergedAt, holds: divergedAt <= 10 });
  await expect(page.locator('.predict-measured')).toHaveText(`The lesson’s claim: “the loss explodes within a few steps”. This run measured the step it diverged at: step ${divergedAt}. The claim: at most step 10 — ${divergedAt <= 10 ? '✓ it holds on this run.' : '✗ not on this run'}`, { useInnerText: false });
  await expect(page.evaluate(() => window.lossLab.predict(0))).rejects.toThrow(/revealed already/);
  await shot(page, 'predict-revealed');
  noErrors(errors);
});

test('a wrong prediction is revealed only once the lesson\u2019s epoch is done', async ({ open }) => {
  // pool-first: one epoch, and pooling the raw pixels first makes it the cheapest lesson to train; still, a lesson
  // trains its own 10,000 images (a smaller train_n would be a change that ends the lesson), so it gets twice the
  // usual time for an epoch
  test.setTimeout(4 * TRAIN_MS);
  const { page, errors } = await open(SMALL);
  await ready(page);
  await page.evaluate(() => window.lossLab.preset('pool-first'));
  await ready(page);
  const asked = await prediction(page);
  const block = await page.evaluate(async () => (await (await fetch('www/presets.json')).json()).presets.find((p) => p.id === 'pool-first').predict);
  const wrong = (block.answer + 1) % asked.options.length;
  expect(await page.evaluate((i) => window.lossLab.predict(i), wrong)).toMatchObject({ picked: wrong, revealed: false });
  await expect(page.locator(`#predict-opt-${wrong}`)).toBeChecked();
  await page.evaluate(() => window.lossLab.start());
  await page.waitForFunction(() => window.lossLab.history().steps >= 5, null, { timeout: TRAIN_MS });
  expect((await prediction(page)).revealed, 'not before the epoch is done').toBe(false);
  await expect(page.locator('#preset-note-text')).toBeHidden();
  await page.evaluate((t) => Promise.race([
    window.lossLab.whenEpoch(1),
    new Promise((_, rej) => setTimeout(() => rej(new Error(`no epoch after ${t} ms: ${document.getElementById('status').textContent}`)), t)),
  ]), 2 * TRAIN_MS);
  await page.evaluate(() => window.lossLab.pause());
  await expect.poll(() => prediction(page), { message: 'the reveal after epoch 1', timeout: SIGNAL_MS })
    .toMatchObject({ revealed: true, picked: wrong, answer: block.answer, right: false });
  await expect(page.locator('.predict-result')).toContainText('Not this time');
  await expect(page.locator('.predict-result')).toContainText(`You predicted “${asked.options[wrong]}”`);
  await expect(page.locator('.predict-result')).toContainText(`What happened: “${asked.options[block.answer]}”`);
  await expect(page.locator('#preset-note-text')).toContainText('Pooling the raw pixels');
  noErrors(errors);
});

test('predict=0 shows the lesson text at once; the checkbox writes the key', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&predict=0`);
  await ready(page);
  await expect(page.locator('#opt-predict')).not.toBeChecked();
  await page.locator('#preset-init-zeros').click();
  await expect(page.locator('#preset-note-text')).toBeVisible();
  await expect(page.locator('#preset-note-text')).toContainText('Every filter starts identical');
  await expect(page.locator('#predict')).toBeHidden();
  expect(await prediction(page)).toBeNull();
  await untilQuery(page, 'predict', '0');
  // on again: the next lesson asks; off in the middle of a question shows the text at once
  await page.locator('#opt-predict').check();
  await untilQuery(page, 'predict', null);
  await page.locator('#preset-init-tiny').click();
  await expect(page.locator('#predict')).toBeVisible();
  await expect(page.locator('#preset-note-text')).toBeHidden();
  await page.locator('#opt-predict').uncheck();
  await expect(page.locator('#predict')).toBeHidden();
  await expect(page.locator('#preset-note-text')).toContainText('σ = 0.0001');
  noErrors(errors);
});

test('in an embedded lab the answer is posted to the parent page, after the divergence and its finding', async ({ open }) => {
  // the example page, framing the lab without locks (lr-high needs the learning rate)
  const { page, errors } = await open(`docs/embed.html?lab=${encodeURIComponent('embed=1&train_n=1000&val_n=500')}`);
  const frame = await labFrame(page);
  await frame.evaluate(() => window.lossLab.preset('lr-high'));
  await ready(frame);
  await frame.evaluate(() => window.lossLab.predict(1));
  await frame.evaluate(() => window.lossLab.start());
  await page.waitForFunction(() => window.labEvents.some((e) => e.type === 'answer'), null, { timeout: TRAIN_MS });
  const events = await page.evaluate(() => window.labEvents);
  const answer = events.find((e) => e.type === 'answer');
  expect(answer).toMatchObject({ source: 'losslab', lesson: 'lr-high', picked: 1, answer: 0, right: false });
  expect(answer.question).toMatch(/learning rate is 5/i);
  const types = events.map((e) => e.type);
  expect(types.indexOf('diverged'), `events: ${types.join(', ')}`).toBeGreaterThan(-1);
  expect(types.indexOf('diverged')).toBeLessThan(types.indexOf('answer'));
  expect(events.find((e) => e.type === 'diverged')).toMatchObject({ lesson: 'lr-high' });
  await expect.poll(() => page.evaluate(() => window.labEvents.filter((e) => e.type === 'finding').map((e) => e.severity)),
    { message: 'the diagnosis of the divergence reaches the parent', timeout: SIGNAL_MS }).toContain('alarm');
  const finding = await page.evaluate(() => window.labEvents.find((e) => e.type === 'finding'));
  expect(typeof finding.id).toBe('string');
  expect(finding.summary.length).toBeGreaterThan(5);
  await expect(page.locator('#events li[data-type=answer]')).toContainText('lesson lr-high: predicted wrong');
  noErrors(errors);
});
