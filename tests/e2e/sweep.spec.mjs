// The Sweep: one setting trained at several values, each as its own run (www/lab/sweep.js, www/views/sweep.js).
// The playbook plot's drawn points (data-points) are compared with each run's history rows, the small
// multiples' axes with each other, and a sweep value with the page's own run trained on the same settings.
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot, trainEpochs, untilQuery } from './lab.mjs';

/** Runs lossLab.sweep(spec) in the page and returns its results (with a deadline that says what the panel showed). */
function sweep(page, spec, timeout = TRAIN_MS) {
  return page.evaluate(({ spec, timeout }) => Promise.race([
    window.lossLab.sweep(spec),
    new Promise((_, rej) => setTimeout(() => rej(new Error(`sweep not finished after ${timeout} ms: ${document.getElementById('sweep-state').textContent}`)), timeout)),
  ]), { spec, timeout });
}

/** The points a playbook figure drew: [{value, y, lo, hi, mark, epochs}]. */
function points(page, id) {
  return page.evaluate((id) => JSON.parse(document.getElementById(id).dataset.points), id);
}

test('a learning-rate sweep trains three runs of one epoch; the playbook plot draws each run\u2019s lowest validation loss', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  // the page's own run is training when the sweep starts: it pauses, and its status line says why
  await page.evaluate(() => window.lossLab.start());
  await page.waitForFunction(() => window.lossLab.history().steps > 0, null, { timeout: TRAIN_MS });
  const values = [0.001, 0.01, 0.1];
  const started = page.evaluate((values) => { window.sweepDone = window.lossLab.sweep({ key: 'lr', values, epochs: 1 }); return true; }, values);
  await started;
  await expect(page.locator('#status')).toHaveText('paused — a sweep took the processor cores (see the Sweep panel) — press Resume to continue this run');
  await expect(page.locator('#sweep')).toHaveAttribute('open', '');
  const results = await page.evaluate(() => window.sweepDone);
  expect(results.map((r) => [r.value, r.status, r.epochs.length]), 'value, status and epoch rows of each run').toEqual(values.map((v) => [v, 'done', 1]));
  const seed = await page.evaluate(() => window.lossLab.config().seed);
  expect(results.map((r) => r.seed), 'one seed: the page\u2019s').toEqual(values.map(() => seed));
  for (const r of results) {
    expect(Object.keys(r.epochs[0]), 'a sweep row has the fields of a history row').toEqual(expect.arrayContaining(['epoch', 'trainLoss', 'valLoss', 'valAcc', 'recall', 'confusion', 'gradNorms']));
    expect(Number.isFinite(r.epochs[0].valLoss) && r.epochs[0].valAcc > 0, `lr ${r.value}: ${JSON.stringify(r.epochs[0].valLoss)}`).toBe(true);
  }
  expect(new Set(results.map((r) => r.epochs[0].valLoss)).size, 'three different learning rates, three different losses').toBe(3);
  await expect(page.locator('#sweep-state')).toHaveText(/^Sweep finished: 3 runs in \d+ s\.$/);
  expect(await page.evaluate(() => window.lossLab.sweepResults()), 'sweepResults() after the sweep').toEqual(results);

  // the playbook plot: one filled point per value at its lowest validation loss (one epoch: that epoch's) and accuracy
  const want = (field, scale = 1) => results.map((r) => { const y = r.epochs[0][field] * scale; return { value: r.value, y, lo: y, hi: y, mark: 'dot', epochs: [1] }; });
  expect(await points(page, 'sweep-plot-loss-fig'), 'loss plot against the history rows').toEqual(want('valLoss'));
  const acc = await points(page, 'sweep-plot-acc-fig');
  expect(acc.map((p) => [p.value, p.mark]), 'accuracy plot').toEqual(values.map((v) => [v, 'dot']));
  acc.forEach((p, i) => expect(p.y, `accuracy of lr ${p.value}`).toBeCloseTo(results[i].epochs[0].valAcc * 100, 9));

  // small multiples: one per value, all on the same axes
  const figs = await page.evaluate(() => [...document.querySelectorAll('#sweep-multiples .sweep-run')].map((f) => [Number(f.dataset.value), f.dataset.status, f.dataset.axes]));
  expect(figs.map((f) => [f[0], f[1]])).toEqual(values.map((v) => [v, 'done']));
  expect(new Set(figs.map((f) => f[2])).size, `shared axes: ${figs.map((f) => f[2])}`).toBe(1);
  expect(figs[0][2]).toMatch(/^0 1 0 [\d.]+$/);

  // the best value (lowest validation loss during training) is named with its epoch, and its button applies it
  const best = results.reduce((a, b) => (b.epochs[0].valLoss < a.epochs[0].valLoss ? b : a));
  await expect(page.locator('#sweep-best')).toContainText(`Lowest validation loss during training: lr = ${best.value} — `);
  await expect(page.locator('#sweep-best')).toContainText(/ nats at epoch 1, [\d.]+% accuracy\. /);
  await expect(page.locator('#sweep-plot-loss-fig figcaption')).toHaveText('Lowest validation loss during training');
  await expect(page.locator(`#sweep-table tr[data-best][data-value="${best.value}"]`)).toHaveCount(1);
  await shot(page, 'sweep-lr-done');

  // same configuration, same seed and the same cores, same curve: the page's run of lr 0.01 for one epoch, on one
  // core as each of the sweep's runs trains, equals the sweep's
  await page.evaluate(() => { window.lossLab.setCores(1); return window.lossLab.reset(); });
  await ready(page);
  const h = await trainEpochs(page, 1);
  expect(h.epochs[0].valLoss, 'the page\u2019s own run at lr 0.01 against the sweep\u2019s').toBe(results[1].epochs[0].valLoss);

  await page.locator('#btn-sweep-use').focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => window.lossLab.config().lr), { message: 'lr after "Use"' }).toBe(best.value);
  await untilQuery(page, 'lr', best.value === 0.01 ? null : String(best.value));
  await expect(page.locator('#sweep-best')).toContainText(`The page now trains with lr = ${best.value}`);
  noErrors(errors);
});

test('a value that diverges is marked ✗ on the top edge of the plot, in its small multiple and in the table', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  // lr 3 is the lesson "Learning rate too high" (www/presets.json): it explodes within ten steps; 10 sooner still
  const results = await sweep(page, { key: 'lr', values: '0.003, 0.03, 10', epochs: 1 });
  expect(results.map((r) => [r.value, r.status])).toEqual([[0.003, 'done'], [0.03, 'done'], [10, 'diverged']]);
  const bad = results[2];
  expect(Number.isInteger(bad.divergedAt) && bad.divergedAt >= 1 && bad.divergedAt <= 10, `divergedAt ${bad.divergedAt}`).toBe(true);
  expect(bad.message).toMatch(/loss/);
  const pts = await points(page, 'sweep-plot-loss-fig');
  expect(pts[2], 'the diverged run on the loss plot').toEqual({ value: 10, y: null, lo: null, hi: null, mark: 'x', epochs: [] });
  expect((await points(page, 'sweep-plot-acc-fig'))[2].mark, 'on the accuracy plot').toBe('x');
  await expect(page.locator('#sweep-multiples .sweep-run[data-value="10"]')).toHaveAttribute('data-status', 'diverged');
  await expect(page.locator('#sweep-multiples .sweep-run[data-value="10"] figcaption')).toHaveText(`lr = 10 ✗ diverged at step ${bad.divergedAt}`);
  await expect(page.locator('#sweep-table tr[data-value="10"] .sweep-result')).toHaveText(`✗ diverged at step ${bad.divergedAt}`);
  await expect(page.locator('#sweep-state')).toHaveText(/^Sweep finished: 3 runs in \d+ s \(1 diverged\)\.$/);
  // keyboard: the plot takes focus, End reads off the largest value
  await page.locator('#sweep-plot-loss').focus();
  await page.keyboard.press('End');
  await expect(page.locator('#sweep-plot-loss-readout')).toHaveText(new RegExp(`^lr = 10:\\s*diverged at step ${bad.divergedAt}$`));
  await page.keyboard.press('Home');
  await expect(page.locator('#sweep-plot-loss-readout')).toHaveText(/^lr = 0\.003:\s*lowest validation loss [\d.]+ at epoch 1$/);
  await page.locator('#sweep').scrollIntoViewIfNeeded();
  await shot(page, 'sweep-lr-diverged');
  noErrors(errors);
});

test('with two seeds each value trains twice; the plot, table and sentence give the mean of each run\u2019s lowest validation loss and its spread', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&seed=5`);
  await ready(page);
  const values = [0.003, 0.03, 0.3];
  const results = await sweep(page, { key: 'lr', values, epochs: 2, seeds: 2 });
  // seed by seed: every value on seed 5, then every value on seed 6, each run two epochs
  expect(results.map((r) => [r.value, r.seed, r.status, r.epochs.length])).toEqual([5, 6].flatMap((s) => values.map((v) => [v, s, 'done', 2])));
  values.forEach((v, i) => expect(results[i + 3].epochs[1].valLoss, `lr ${v}: another seed, another curve`).not.toBe(results[i].epochs[1].valLoss));
  await expect(page.locator('#sweep-state')).toHaveText(/^Sweep finished: 6 runs \(3 values × 2 seeds\) in \d+ s\.$/);
  await untilQuery(page, 'sweep_seeds', '2');

  // per value: each seed's lowest validation loss over its epochs (not its last), their mean, lowest and highest
  const lowest = (r) => r.epochs.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
  const want = values.map((v) => {
    const rows = results.filter((r) => r.value === v).map(lowest);
    const ys = rows.map((r) => r.valLoss);
    return { value: v, y: (ys[0] + ys[1]) / 2, lo: Math.min(...ys), hi: Math.max(...ys), mark: 'dot', epochs: rows.map((r) => r.epoch) };
  });
  const pts = await points(page, 'sweep-plot-loss-fig');
  pts.forEach((p, i) => {
    expect({ ...p, y: 0 }, `lr ${p.value}`).toEqual({ ...want[i], y: 0 });
    expect(p.y, `mean of lr ${p.value}`).toBeCloseTo(want[i].y, 12);
  });
  await expect(page.locator('#sweep-plot-loss-fig figcaption')).toHaveText('Lowest validation loss during training, mean of 2 seeds');

  // the best value by the mean; the sentence says whether the runner-up lies within the seeds' spread
  const ranked = [...want].sort((a, b) => a.y - b.y);
  const [best, next] = ranked;
  await expect(page.locator(`#sweep-table tr[data-best][data-value="${best.value}"]`)).toHaveCount(1);
  const fmt = (v) => (v < 0.1 ? String(Number(v.toPrecision(2))) : v.toFixed(3));
  await expect(page.locator(`#sweep-table tr[data-value="${best.value}"] .sweep-spread`)).toHaveText(`${fmt(best.lo)}–${fmt(best.hi)}`);
  await expect(page.locator(`#sweep-table tr[data-value="${best.value}"] .sweep-at`)).toHaveText(best.epochs.join(', '));
  const sentence = page.locator('#sweep-best');
  // inside the seed-to-seed spread (the two ranges overlap) the sentence and the Use button call it a tie, not a win
  const overlap = best.hi >= next.lo && next.hi >= best.lo;
  await expect(sentence).toContainText(`${overlap ? 'No clear winner over 2 seeds. Lowest mean validation loss during training' : 'Lowest validation loss during training, mean of 2 seeds'}: lr = ${best.value} — ${fmt(best.y)} nats (seeds ${fmt(best.lo)}–${fmt(best.hi)}, at epochs ${best.epochs.join(', ')})`);
  await expect(sentence).toContainText(`Runner-up lr = ${next.value}: ${fmt(next.y)} nats (${fmt(next.lo)}–${fmt(next.hi)}) — `);
  await expect(sentence).toHaveAttribute('data-overlap', String(overlap));
  await expect(sentence).toHaveAttribute('data-verdict', overlap ? 'inside' : 'apart');
  await expect(sentence).toContainText(overlap ? 'inside the seed-to-seed spread: the difference is seed noise, not a winner' : 'the spreads do not overlap');
  await expect(page.locator('#btn-sweep-use')).toHaveText(overlap ? `Use lr = ${best.value} (a tie with ${next.value} within seed noise)` : `Use lr = ${best.value}`);
  // one small multiple per value, both seeds' curves in it
  const figs = await page.evaluate(() => [...document.querySelectorAll('#sweep-multiples .sweep-run')].map((f) => [Number(f.dataset.value), f.dataset.status]));
  expect(figs).toEqual(values.map((v) => [v, 'done']));
  await page.locator('#sweep-best').scrollIntoViewIfNeeded();
  await shot(page, 'sweep-two-seeds');
  noErrors(errors);
});

test('a sweep pauses, resumes, gives way to the page\u2019s own run, and cancels keeping the finished runs', async ({ open }) => {
  const { page, errors } = await open(SMALL);
  await ready(page);
  await page.evaluate(() => { window.sweepDone = window.lossLab.sweep({ key: 'batch', values: [16, 32, 64, 128], epochs: 2 }); });
  await page.waitForFunction(() => window.lossLab.sweepResults().some((r) => r.status === 'running' && r.steps > 0), null, { timeout: TRAIN_MS });
  await expect(page.locator('#sweep-active li').first()).toHaveText(/^run \d of 4: batch = \d+, /);
  // Pause resolves once the workers confirmed that no step follows
  await page.evaluate(() => window.lossLab.sweepPause());
  const paused = await page.evaluate(() => window.lossLab.sweepResults());
  expect(paused.filter((r) => r.status === 'paused').length, JSON.stringify(paused.map((r) => r.status))).toBeGreaterThanOrEqual(1);
  expect(paused.every((r) => ['paused', 'queued', 'done'].includes(r.status)), JSON.stringify(paused.map((r) => r.status))).toBe(true);
  await expect(page.locator('#btn-sweep-pause')).toHaveText('Resume sweep');
  await expect(page.locator('#sweep')).toHaveAttribute('data-state', 'paused');
  // still paused one confirmed pause later: no steps were trained in between
  await page.evaluate(() => window.lossLab.sweepPause());
  expect((await page.evaluate(() => window.lossLab.sweepResults())).map((r) => r.steps), 'steps while paused').toEqual(paused.map((r) => r.steps));

  // Resume by keyboard; then starting the page's own run pauses the sweep, and resuming the sweep pauses the run
  await page.locator('#btn-sweep-pause').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#sweep')).toHaveAttribute('data-state', 'running');
  await page.evaluate(() => window.lossLab.start());
  await expect(page.locator('#sweep')).toHaveAttribute('data-state', 'paused');
  await expect(page.locator('#sweep-state')).toHaveText(/you started the page’s own run/);
  await page.evaluate(() => window.lossLab.sweepPause(false));
  await expect(page.locator('#sweep')).toHaveAttribute('data-state', 'running');
  await expect.poll(() => history(page).then((x) => x.status), { message: 'the page\u2019s run once the sweep resumed', timeout: SIGNAL_MS }).toBe('paused');

  // Cancel once a run has finished: it stays done, the rest are cancelled, and sweep() resolves with all four
  await page.waitForFunction(() => window.lossLab.sweepResults().some((r) => r.status === 'done'), null, { timeout: TRAIN_MS });
  await page.locator('#btn-sweep-cancel').click();
  const results = await page.evaluate(() => window.sweepDone);
  expect(results.map((r) => r.value)).toEqual([16, 32, 64, 128]);
  const done = results.filter((r) => r.status === 'done');
  expect(done.length, JSON.stringify(results.map((r) => r.status))).toBeGreaterThanOrEqual(1);
  for (const r of done) expect(r.epochs.length, `batch ${r.value}`).toBe(2);
  expect(results.filter((r) => r.status !== 'done').every((r) => r.status === 'cancelled'), JSON.stringify(results.map((r) => r.status))).toBe(true);
  expect(results.some((r) => r.status === 'cancelled'), 'a run was cancelled').toBe(true);
  await expect(page.locator('#sweep-state')).toHaveText(/^Sweep cancelled: \d of 4 runs had finished; their results stay below\.$/);
  await expect(page.locator('#btn-sweep-run')).toBeEnabled();
  const pts = await points(page, 'sweep-plot-loss-fig');
  expect(pts.filter((p) => p.mark === 'dot').map((p) => p.value), 'filled points: the finished runs').toEqual(done.map((r) => r.value));
  noErrors(errors);
});

test('the sweep is in the URL: a shared link fills the panel without training, and bad values are named', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&sweep=lr&sweep_values=0.001,0.01,0.1&sweep_epochs=1`);
  await ready(page);
  await expect(page.locator('#sweep')).toHaveAttribute('open', '');
  await expect(page.locator('#sweep-key')).toHaveValue('lr');
  await expect(page.locator('#sweep-values')).toHaveValue('0.001, 0.01, 0.1');
  await expect(page.locator('#sweep-epochs')).toHaveValue('1');
  await expect(page.locator('#notices')).toBeHidden();
  expect(await page.evaluate(() => window.lossLab.sweepResults()), 'nothing trains by itself').toEqual([]);
  expect(new URL(page.url()).search).toBe(`${SMALL}&sweep=lr&sweep_values=0.001,0.01,0.1&sweep_epochs=1`);
  // the form writes the URL: another setting brings its own starting values
  await page.locator('#sweep-key').selectOption('mom');
  await untilQuery(page, 'sweep', 'mom');
  await untilQuery(page, 'sweep_values', '0,0.5,0.9,0.99');
  await page.locator('#sweep-epochs').fill('3');
  await untilQuery(page, 'sweep_epochs', '3');
  await untilQuery(page, 'train_n', '1000'); // the settings stay in the URL beside it
  await expect(page.locator('#sweep-seeds')).toHaveValue('1');
  await untilQuery(page, 'sweep_seeds', null); // one seed, the default, is left out of the link
  await page.locator('#sweep-seeds').selectOption('3');
  await untilQuery(page, 'sweep_seeds', '3');
  await expect(page.locator('#sweep-base')).toContainText('each value once from each of seeds 1, 2 and 3');
  // a script's sweep with bad values is refused, in words, and nothing trains
  const refused = await page.evaluate(() => window.lossLab.sweep({ key: 'lr', values: [0.1, 'x', 20], epochs: 1 }).then(() => 'resolved', (e) => e.message));
  expect(refused).toBe('sweep refused: lr=x was not a number; lr=20 is above the maximum 10');
  expect(await page.evaluate(() => window.lossLab.sweep({ key: 'opt', values: [1, 2, 3] }).then(() => 'resolved', (e) => e.message))).toMatch(/"opt" is not a numeric Loss Lab setting/);
  expect(await page.evaluate(() => window.lossLab.sweep({ key: 'lr', values: [0.1, 0.2], epochs: 1 }).then(() => 'resolved', (e) => e.message))).toMatch(/a sweep trains 3 to 8 values; 2 were given/);
  expect(await page.evaluate(() => window.lossLab.sweep({ key: 'lr', values: [0.1, 0.2, 0.3], epochs: 21 }).then(() => 'resolved', (e) => e.message))).toMatch(/epochs = 21 is not a whole number from 1 to 20/);
  expect(await page.evaluate(() => window.lossLab.sweep({ key: 'lr', values: [0.1, 0.2, 0.3], epochs: 1, seeds: 4 }).then(() => 'resolved', (e) => e.message))).toBe('sweep refused: seeds = 4 is not 1, 2 or 3');
  expect(await page.evaluate(() => window.lossLab.sweep({ key: 'seed', values: [1, 2, 3], epochs: 1, seeds: 2 }).then(() => 'resolved', (e) => e.message))).toMatch(/a sweep of the seed itself trains one seed per value/);
  expect(await page.evaluate(() => window.lossLab.sweepResults()), 'refused sweeps train nothing').toEqual([]);
  // the form says the same under the field as it is typed, and Run sweep starts nothing
  await page.locator('#sweep-values').fill('0.1, abc, 20');
  await expect(page.locator('#sweep-check')).toHaveText('mom=abc was not a number; mom=20 is above the maximum 0.999.');
  await page.locator('#btn-sweep-run').click();
  await expect(page.locator('#sweep-values')).toBeFocused();
  expect(await page.evaluate(() => window.lossLab.sweepResults())).toEqual([]);
  await expect(page.locator('#sweep-values')).toHaveAttribute('aria-invalid', 'true');
  noErrors(errors);
});

test('garbled sweep parameters in a link give notices like other bad URL parameters', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&sweep=lr&sweep_values=0.01,abc,20,0.01,0.1&sweep_epochs=99&sweep_seeds=7`);
  await ready(page);
  const notices = page.locator('#notice-list li');
  await expect(notices).toHaveText([
    'sweep_values entry abc is not a number — left out',
    'sweep_values: lr=20 is above the maximum 10 — using 10',
    'sweep_values: lr=0.01 appears twice — kept once',
    'sweep_epochs=99 is outside 1 … 20 — using 20',
    'sweep_seeds=7 is outside 1 … 3 — using 3',
  ]);
  await expect(page.locator('#sweep-values')).toHaveValue('0.01, 10, 0.1');
  await expect(page.locator('#sweep-epochs')).toHaveValue('20');
  await expect(page.locator('#sweep-seeds')).toHaveValue('3');
  // the corrected sweep is what the URL now holds
  await untilQuery(page, 'sweep_values', '0.01,10,0.1');
  await untilQuery(page, 'sweep_epochs', '20');
  await untilQuery(page, 'sweep_seeds', '3');

  const word = await open(`${SMALL}&sweep=lr&sweep_seeds=two`);
  await ready(word.page);
  await expect(word.page.locator('#notice-list li')).toHaveText(['sweep_seeds=two is not a whole number — using 1']);
  await expect(word.page.locator('#sweep-seeds')).toHaveValue('1');
  await untilQuery(word.page, 'sweep_seeds', null);
  noErrors(word.errors);

  const other = await open(`${SMALL}&sweep=opt&sweep_values=1,2,3`);
  await ready(other.page);
  await expect(other.page.locator('#notice-list li')).toHaveText(['sweep=opt is not a numeric Loss Lab setting — no sweep loaded']);
  await expect(other.page.locator('#sweep')).not.toHaveAttribute('open', '');
  await untilQuery(other.page, 'sweep', null);
  noErrors(errors);
  noErrors(other.errors);
});
