// Training on the page: the worker trains while the page stays responsive, the charts redraw every epoch,
// a learning rate at its maximum diverges, and label noise shows in the curves.
import { test, expect, SMALL, TRAIN_MS, history, noErrors, ready, shot, trainEpochs, untilStatus } from './lab.mjs';

test('training runs in the worker and the loss chart redraws after each epoch', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  // The work must be in the worker: record the main thread's long tasks (each task that ran over 50 ms) while
  // training. Task lengths, not gaps between frames: a frame gap also counts the time the operating system
  // gave the CPU to other processes, which on a busy two-core machine says nothing about where training runs.
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); })
      .observe({ type: 'longtask' });
  });
  const before = await page.evaluate(() => document.getElementById('chart-loss').toDataURL());
  await page.evaluate(() => window.lossLab.start());
  // whenEpoch(n) resolves once the epoch's point has been drawn: the canvas is read right after it
  const [e1, after1] = await page.evaluate(async () => [await window.lossLab.whenEpoch(1), document.getElementById('chart-loss').toDataURL()]);
  const [e2, after2] = await page.evaluate(async () => [await window.lossLab.whenEpoch(2), document.getElementById('chart-loss').toDataURL()]);
  await page.evaluate(() => window.lossLab.pause());
  expect(after1, 'the loss chart after epoch 1').not.toBe(before);
  expect(after2, 'the loss chart after epoch 2').not.toBe(after1);
  expect(Number.isFinite(e1.trainLoss) && Number.isFinite(e1.valLoss), `epoch 1 losses not finite: ${JSON.stringify(e1)}`).toBe(true);
  expect(e1.trainLoss, 'epoch 1 train loss (chance is ln 10)').toBeLessThan(Math.log(10) + 0.2);
  expect(e2.valLoss, `validation loss rose from ${e1.valLoss}`).toBeLessThan(e1.valLoss + 0.05);
  expect(e2.valAcc, 'validation accuracy after 2 epochs').toBeGreaterThan(0.5);
  expect(e2.recall, 'per-digit recall').toHaveLength(10);
  expect(Object.keys(e2.gradNorms).length, 'layers with a gradient norm').toBeGreaterThanOrEqual(2);
  const h = await history(page);
  expect(h.status).toBe('paused');
  expect(h.steps, 'steps after two epochs of 32').toBeGreaterThanOrEqual(2 * 32);
  await expect(page.locator('#summary')).toHaveText(/^Epoch \d+: train loss [\d.e+-]+, validation loss [\d.e+-]+, validation accuracy [\d.]+%/);
  // one epoch of this run trains for seconds: on the main thread it would be a task of that length
  const worst = await page.evaluate(() => Math.max(0, ...window.__longTasks));
  expect(worst, 'longest main-thread task while training (ms)').toBeLessThan(500);
  await shot(page, '02-trained-two-epochs');
  noErrors(errors);
});

// The validation pass after an epoch visits the held-out images in a fixed shuffled order, so what it has counted
// so far estimates the complete pass (src/train/evaluate.rs; the interval's coverage is checked natively in
// tests/training.rs). From 2,048 images on, the charts draw that estimate as the epoch's first point, a hollow point
// with its 95% interval, and the complete pass's point replaces it. On one core the engine's advance() runs the
// pass; on two, the worker's own loop splits each chunk with the helper.
for (const cores of [1, 2]) {
  test(`the first epoch point is the validation pass so far, with its 95% interval, until the complete pass replaces it (${cores} core${cores > 1 ? 's' : ''})`, async ({ open }) => {
    // on two cores in projector mode, whose epoch line says the estimate too
    const projector = cores === 2;
    const { page, errors } = await open(`?train_n=1000&val_n=4000&cores=${cores}${projector ? '&projector=1' : ''}`);
    await ready(page);
    await page.evaluate(() => window.lossLab.start());
    const seen = await page.evaluate(async () => {
      const charts = () => ['chart-loss', 'chart-acc'].map((id) => document.getElementById(id).dataset.whiskers ?? null);
      const p = await window.lossLab.whenEpochPoint(1);
      const at = { charts: charts(), status: document.getElementById('status').textContent, legend: document.getElementById('legend-loss').textContent, projector: document.getElementById('ro-epoch-sub').textContent };
      const row = await window.lossLab.whenEpoch(1);
      const after = { charts: charts(), legend: document.getElementById('legend-loss').textContent };
      await window.lossLab.pause();
      return { p, at, row, after };
    });
    const { p, at, row, after } = seen;
    expect(p.type, `whenEpochPoint(1) resolved with ${JSON.stringify(p)}`).toBe('estimate');
    expect([p.epoch, p.count, p.total]).toEqual([1, 2048, 4000]);
    expect(p.lossHalf > 0 && p.accHalf > 0, JSON.stringify(p)).toBe(true);
    const [loss, acc] = at.charts.map((w) => JSON.parse(w));
    expect(loss, 'the loss chart draws the estimate and its interval at epoch 1').toHaveLength(1);
    for (const [got, want] of [[loss[0], [1, p.loss, p.loss - p.lossHalf, p.loss + p.lossHalf]], [acc[0], [1, 100 * p.acc, 100 * (p.acc - p.accHalf), 100 * (p.acc + p.accHalf)]]]) {
      got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    }
    expect(at.status).toContain('validating after epoch 1');
    expect(at.status).toContain('from 2,048 of 4,000 images (95% intervals)');
    expect(at.legend).toContain('so far: 2,048 of 4,000 images, 95% interval');
    if (projector) expect(at.projector).toBe(`validating epoch 1: ${(100 * p.acc).toFixed(1)}% ± ${(100 * p.accHalf).toFixed(1)}% so far`);
    // the complete pass: its own point, the estimate gone
    expect(after.charts).toEqual([null, null]);
    expect(after.legend).not.toContain('so far');
    // a loose check of agreement (four half-widths: the 95% interval's coverage is the native test's business)
    expect(Math.abs(row.valLoss - p.loss), JSON.stringify({ row: row.valLoss, p })).toBeLessThanOrEqual(4 * p.lossHalf);
    expect(Math.abs(row.valAcc - p.acc), JSON.stringify({ row: row.valAcc, p })).toBeLessThanOrEqual(4 * p.accHalf);
    expect(await page.evaluate(() => window.lossLab.cores().n), 'the cores it trained on').toBe(cores);
    noErrors(errors);
  });
}

test('learning rate at its maximum diverges and the page says so', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&lr=10`);
  await ready(page);
  await page.evaluate(() => window.lossLab.start());
  await untilStatus(page, 'diverged', TRAIN_MS);
  const h = await history(page);
  expect(Number.isInteger(h.divergedAt) && h.divergedAt >= 1, `divergedAt: ${h.divergedAt}`).toBe(true);
  await expect(page.locator('#status')).toContainText(`diverged at step ${h.divergedAt}`);
  await expect(page.locator('#status')).toContainText(/lower the learning rate/);
  await expect(page.locator('#btn-start')).toBeDisabled();
  await shot(page, '03-diverged');
  noErrors(errors);
});

test('40% label noise changes the training curves (compared with a pinned clean run)', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  const clean = await trainEpochs(page, 2);
  await page.locator('#btn-pin').click(); // keep the clean run as the faded reference
  const notices = await page.evaluate(() => window.lossLab.apply({ noise: 40 }));
  expect(notices).toEqual([]);
  await ready(page);
  const noisy = await trainEpochs(page, 2);
  const c = clean.epochs[1], n = noisy.epochs[1];
  expect(n.trainLoss, `train loss with noise vs without ${c.trainLoss}`).toBeGreaterThan(c.trainLoss + 0.3);
  expect(n.trainAcc, `train accuracy with noise vs without ${c.trainAcc}`).toBeLessThan(c.trainAcc - 0.15);
  expect(Number.isFinite(n.noisyLoss) && n.noisyLoss > n.cleanLoss, `clean ${n.cleanLoss} vs corrupted ${n.noisyLoss} loss`).toBe(true);
  expect(Number.isFinite(c.noisyLoss), `a clean run reports a corrupted-sample loss ${c.noisyLoss}`).toBe(false);
  await expect(page.locator('#data-badge')).toContainText(/40% labels corrupted \(400\)/);
  await expect(page.locator('#legend-acc')).toContainText(/corrupted labels/);
  await expect(page.locator('#legend-loss')).toContainText(/pinned run/);
  await expect(page.locator('#btn-unpin')).toBeEnabled();
  await shot(page, '04-label-noise');
  noErrors(errors);
});

test('the line under the loss chart reads the untrained net\'s start and the logit spread behind it', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  // The default output layer is drawn at the LeCun scale, yet the ten outputs still spread and the start is above chance.
  let s = (await history(page)).start;
  expect(s.count, 'images the start is read on').toBeGreaterThan(0);
  expect(s.loss, `the default start ${JSON.stringify(s)}`).toBeGreaterThan(Math.LN10 + 0.5);
  expect(s.spread).toBeGreaterThan(1);
  const line = page.locator('#loss-start');
  await expect(line).toBeVisible();
  await expect(line).toContainText(`Start: ${s.loss.toFixed(2)} nats`);
  await expect(line).toContainText(`σ = ${s.spread.toFixed(2)}`);
  await expect(line).toContainText(`by ${(s.loss - Math.LN10).toFixed(2)} nats`);
  // "Start calibrated" zeroes the output layer: equal outputs, exactly ln 10.
  await page.evaluate(() => window.lossLab.apply({ calibrated: 'on' }));
  await ready(page);
  s = (await history(page)).start;
  expect(s.spread).toBe(0);
  expect(Math.abs(s.loss - Math.LN10)).toBeLessThan(1e-6);
  await expect(line).toContainText('Start: 2.30 nats');
  await expect(line).toContainText('practically equal');
  noErrors(errors);
});
