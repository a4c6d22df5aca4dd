// Export: the CSV holds one row per trained step and per epoch with the history's values, the settings' link
// reproduces the configuration in a new page, each chart's PNG is a real PNG at twice the canvas's width, Copy link
// puts that link on the clipboard (or, without a clipboard API, in a selected text field), and the buttons
// download what the calls return. Every wait is on a page signal (lossLab.ready(), whenEpoch, a status text, a
// download event), never on the clock.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, SMALL, SIGNAL_MS, TRAIN_MS, history, noErrors, ready, shot, trainEpochs } from './lab.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATE = /\d{4}-\d\d-\d\d/.source;

/** RFC 4180: records of fields; a quoted field may hold commas, doubled quotes and line breaks. */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      cell += c; i++; continue;
    }
    if (c === '"' && cell === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(cell); cell = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; continue; }
    cell += c; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Width and height of a PNG from its IHDR chunk, after checking the signature. */
function pngSize(dataUrl) {
  expect(dataUrl.startsWith('data:image/png;base64,'), 'a PNG data: URL').toBe(true);
  const b = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
  expect([...b.subarray(0, 8)], 'PNG signature').toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(b.toString('latin1', 12, 16), 'the first chunk is IHDR').toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** A CSV cell holds `want`: the same double, or for a single-precision value the same float32. */
function sameNumber(cell, want) {
  if (want === null || want === undefined) return cell === '';
  const got = Number(cell);
  return cell !== '' && (Object.is(got, want) || (Math.fround(want) === want && Math.fround(got) === want));
}

const EPOCH_FIELDS = [['train_loss', 'trainLoss'], ['train_acc', 'trainAcc'], ['val_loss', 'valLoss'], ['val_acc', 'valAcc']];
const LAYER_FIELDS = [['grad', 'gradNorms'], ['weight_norm', 'weightNorms'], ['update_ratio', 'updateRatios'], ['dead_frac', 'deadFracs'],
  ['sat_frac', 'satFracs'], ['act_mean', 'actMeans'], ['act_std', 'actStds']];

test('export: the CSV, the settings and their link, a PNG of every chart, Copy link and the downloads', async ({ open }) => {
  const { page, ctx, errors } = await open(SMALL, { setup: (c) => c.grantPermissions(['clipboard-read', 'clipboard-write']) });
  await ready(page);
  const h = await trainEpochs(page, 1);
  expect(h.epochs.length).toBe(1);

  // ---- CSV: a row per step and per epoch, the epoch's values those of the history row
  const csv = await page.evaluate(() => window.lossLab.exportCsv());
  const [head, ...rows] = parseCsv(csv);
  expect(csv.endsWith('\r\n'), 'records end with CRLF').toBe(true);
  for (const r of rows) expect(r.length, 'every row has every column').toBe(head.length);
  const col = Object.fromEntries(head.map((c, i) => [c, i]));
  const layers = Object.keys(h.epochs[0].gradNorms);
  expect(layers).toEqual(['conv1', 'conv2', 'dense']);
  for (const l of layers) for (const [name] of LAYER_FIELDS) expect(head, `a column ${name}_${l}`).toContain(`${name}_${l}`);
  const steps = rows.filter((r) => r[col.kind] === 'step');
  const epochs = rows.filter((r) => r[col.kind] === 'epoch');
  expect(steps.length + epochs.length, 'no other kind of row').toBe(rows.length);
  expect(steps.length, 'one row per trained step').toBe(h.steps);
  expect(epochs.length, 'one row per epoch').toBe(h.epochs.length);
  const spe = 32; // 1,000 training images in batches of 32
  steps.forEach((r, i) => {
    expect(r[col.step]).toBe(String(i + 1));
    expect(r[col.epoch]).toBe(String(Math.ceil((i + 1) / spe)));
    expect(Number.isFinite(Number(r[col.batch_loss])) && r[col.batch_loss] !== '', `step ${i + 1}'s loss`).toBe(true);
    for (const l of layers) expect(Number(r[col[`grad_${l}`]]), `step ${i + 1}'s gradient norm of ${l}`).toBeGreaterThan(0);
    for (const c of ['train_loss', 'val_acc', 'clean_loss', 'noisy_loss', `weight_norm_${layers[0]}`, 'recall_0']) expect(r[col[c]], `${c} on a step row`).toBe('');
  });
  // the epoch's row comes right after its last step, and its per-layer figures are that step's
  expect(rows.indexOf(epochs[0]), 'the epoch row follows step 32').toBe(spe);
  expect(epochs[0][col.step]).toBe(String(spe));
  for (const l of layers) expect(epochs[0][col[`grad_${l}`]]).toBe(steps[spe - 1][col[`grad_${l}`]]);
  const e = h.epochs[0];
  expect(epochs[0][col.epoch]).toBe('1');
  for (const [c, k] of EPOCH_FIELDS) expect(sameNumber(epochs[0][col[c]], e[k]), `${c} = ${e[k]} (CSV: ${epochs[0][col[c]]})`).toBe(true);
  expect(epochs[0][col.clip_frac], 'no clipping: no step clipped').toBe('0');
  expect(epochs[0][col.best_epoch]).toBe(String(e.bestEpoch));
  expect(e.bestEpoch).toBe(1);
  for (const [name, k] of LAYER_FIELDS) {
    for (const l of layers) {
      const cell = epochs[0][col[`${name}_${l}`]];
      expect(sameNumber(cell, e[k][l]), `${name}_${l} = ${e[k][l]} (CSV: ${cell})`).toBe(true);
    }
  }
  e.recall.forEach((v, d) => expect(sameNumber(epochs[0][col[`recall_${d}`]], v), `recall of ${d}`).toBe(true));
  e.confusion.forEach((v, i) => expect(epochs[0][col[`confusion_${Math.floor(i / 10)}_${i % 10}`]]).toBe(String(v)));
  for (const c of ['clean_loss', 'clean_acc', 'noisy_loss', 'noisy_acc']) expect(epochs[0][col[c]], `${c} without label noise`).toBe('');

  // ---- the settings: their link opens the same configuration
  const exp = await page.evaluate(() => window.lossLab.exportConfig());
  const cfg = await page.evaluate(() => window.lossLab.config());
  expect(exp.config).toEqual(cfg);
  expect(exp.seed).toBe(1);
  expect(exp.lesson).toBeNull();
  expect(exp.trained).toEqual({ steps: h.steps, epochs: 1, divergedAt: null });
  expect(exp.engine.version, 'the version package.json gives').toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  expect(Number.isNaN(Date.parse(exp.exportedAt))).toBe(false);
  expect(new URL(exp.url).searchParams.get('train_n')).toBe('1000');
  const other = await ctx.newPage();
  await other.goto(exp.url, { waitUntil: 'domcontentloaded' });
  await other.waitForFunction(() => window.lossLab !== undefined, null, { timeout: SIGNAL_MS });
  expect(await other.evaluate(() => window.lossLab.config()), 'the link gives the same configuration').toEqual(cfg);
  await other.close();

  // ---- a PNG of every chart at twice the canvas's CSS width, taller than the plot (title and legend)
  for (const id of ['loss', 'acc', 'grad', 'recall', 'ratio', 'share']) {
    const png = await page.evaluate((id) => window.lossLab.exportPng(id), id);
    const css = await page.evaluate((id) => {
      const c = document.getElementById(`chart-${id}`);
      return { width: c.clientWidth, height: c.clientHeight };
    }, id);
    const size = pngSize(png);
    expect(size.width, `${id}: twice the canvas's ${css.width} CSS pixels`).toBe(2 * css.width);
    expect(size.height, `${id}: the plot at 2x and a title and legend`).toBeGreaterThan(2 * css.height + 40);
  }
  expect(pngSize(await page.evaluate(() => window.lossLab.exportPng('chart-loss'))).width, 'a canvas id works too').toBeGreaterThan(0);
  await expect(page.evaluate(() => window.lossLab.exportPng('nope'))).rejects.toThrow(/no chart "nope"/);

  // ---- Copy link: the link on the clipboard
  await page.locator('#btn-copy-link').click();
  await expect(page.locator('#export-status')).toHaveText('link copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(exp.url);
  await expect(page.locator('#export-link-box')).toBeHidden();

  // ---- the downloads hold what the calls return; the menu works from the keyboard
  await page.locator('#export-menu summary').focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('#btn-export-csv')).toBeVisible();
  await shot(page, '60-export-menu');
  let wait = page.waitForEvent('download');
  await page.locator('#btn-export-csv').click();
  let dl = await wait;
  expect(dl.suggestedFilename()).toMatch(new RegExp(`^losslab-seed1-${DATE}\\.csv$`));
  expect(readFileSync(await dl.path(), 'utf8')).toBe(csv);
  await expect(page.locator('#export-panel-status'), 'said in the open menu').toHaveText(/^saved losslab-seed1-.*\.csv$/);
  wait = page.waitForEvent('download');
  await page.locator('#btn-export-json').click();
  dl = await wait;
  expect(dl.suggestedFilename()).toMatch(new RegExp(`^losslab-seed1-settings-${DATE}\\.json$`));
  const saved = JSON.parse(readFileSync(await dl.path(), 'utf8'));
  expect(saved.config).toEqual(cfg);
  expect(saved.url).toBe(exp.url);
  await page.keyboard.press('Escape');
  await expect(page.locator('#btn-export-csv')).toBeHidden();
  wait = page.waitForEvent('download');
  await page.locator('#chart-grad ~ .png-btn').click();
  dl = await wait;
  expect(dl.suggestedFilename()).toMatch(new RegExp(`^losslab-seed1-grad-${DATE}\\.png$`));
  expect([...readFileSync(await dl.path()).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
  await expect(page.locator('.png-btn')).toHaveCount(6);
  noErrors(errors);
});

test('export: a lesson names the files, and without a clipboard API Copy link selects the link in a text field', async ({ open }) => {
  const { page, errors } = await open(SMALL, {
    // as on an http:// page away from localhost: no navigator.clipboard
    setup: (c) => c.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true })),
  });
  await ready(page);
  await page.evaluate(() => window.lossLab.preset('lr-high'));
  await ready(page);
  const exp = await page.evaluate(() => window.lossLab.exportConfig());
  expect(exp.lesson).toBe('lr-high');
  expect(exp.config).toEqual(await page.evaluate(() => window.lossLab.config()));
  // before any step: the CSV is its header alone
  expect(parseCsv(await page.evaluate(() => window.lossLab.exportCsv())).length).toBe(1);
  await page.locator('#btn-copy-link').click();
  const box = page.locator('#export-link');
  await expect(box).toBeVisible();
  await expect(box).toHaveValue(exp.url);
  await expect(box).toBeFocused();
  expect(await box.evaluate((el) => [el.selectionStart, el.selectionEnd]), 'the whole link selected').toEqual([0, exp.url.length]);
  await expect(page.locator('#export-status')).toHaveText(/link copied|press Ctrl\+C/);
  const wait = page.waitForEvent('download');
  await page.locator('#chart-loss ~ .png-btn').click();
  expect((await wait).suggestedFilename()).toMatch(new RegExp(`^losslab-lr-high-seed1-loss-${DATE}\\.png$`));
  noErrors(errors);
});

test('export: with label noise the CSV has the clean and corrupted-label figures of every step and epoch', async ({ open }) => {
  const { page, errors } = await open(`${SMALL}&noise=40`);
  await ready(page);
  const h = await trainEpochs(page, 1, TRAIN_MS);
  const [head, ...rows] = parseCsv(await page.evaluate(() => window.lossLab.exportCsv()));
  const col = Object.fromEntries(head.map((c, i) => [c, i]));
  const steps = rows.filter((r) => r[col.kind] === 'step');
  expect(steps.length).toBe((await history(page)).steps);
  // with 40% of 1,000 labels corrupted, every batch of 32 holds both kinds
  for (const r of steps) {
    expect(r[col.clean_loss], `step ${r[col.step]}'s clean-label loss`).not.toBe('');
    expect(r[col.noisy_loss], `step ${r[col.step]}'s corrupted-label loss`).not.toBe('');
  }
  const ep = rows.find((r) => r[col.kind] === 'epoch');
  for (const [c, k] of [['clean_loss', 'cleanLoss'], ['clean_acc', 'cleanAcc'], ['noisy_loss', 'noisyLoss'], ['noisy_acc', 'noisyAcc']]) {
    expect(sameNumber(ep[col[c]], h.epochs[0][k]), `${c} = ${h.epochs[0][k]} (CSV: ${ep[col[c]]})`).toBe(true);
  }
  noErrors(errors);
});
