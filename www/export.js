// Export, for slides and worksheets: what a run measured as one CSV (a row per training step and a row per epoch),
// each chart as a PNG at 2× with its legend drawn under it, the configuration as JSON, and a link that
// reproduces the run. The page's buttons and lossLab.exportCsv(), .exportConfig() and .exportPng(id) (www/api.js)
// call the same functions, so a script gets exactly what a download holds.
//
// CSV (RFC 4180: comma-separated, CRLF line ends, a field with a comma, quote or line break is quoted and its
// quotes doubled). One header line, then the rows in training order: every step's row, and after the last step of
// an epoch that epoch's row. Columns:
//   kind                 'step' or 'epoch'
//   step                 steps trained (1, 2, …); on an epoch row, the epoch's last step
//   epoch                the epoch a step belongs to (1 for steps 1…stepsPerEpoch), or the finished epoch
//   batch_loss, batch_acc                  the step's mini-batch (loss in nats, accuracy 0…1)
//   train_loss, train_acc, val_loss, val_acc  the epoch's (www/lab/record.js history rows)
//   clean_loss, clean_acc, noisy_loss, noisy_acc  only with label noise: the samples whose label is true /
//                        corrupted — of the step's batch (loss only) or of the epoch
//   grad_<layer>         gradient norm of each parameterised layer's weights (biases left out), at the step, or at the epoch's last step
//   weight_norm_, update_ratio_, dead_frac_, sat_frac_, act_mean_, act_std_<layer>   epoch rows: the per-layer
//                        statistics of the epoch's last step
//   recall_<d>           epoch rows: validation recall of digit d (0…1)
//   confusion_<t>_<p>    epoch rows: validation images of true digit t predicted as p
// An empty cell: the value does not apply (an epoch figure on a step row, a batch without corrupted labels, an
// activation statistic of the output layer). NaN or Infinity: the value was measured and was not finite (a run
// that diverged). Numbers are written in full: a double as JavaScript prints it; a value the engine measured in
// single precision (every per-step figure, recall) with the fewest digits that read back as the same float32,
// so that 0.3f prints 0.3 rather than 0.30000001192092896, and nothing is lost.
import { toQuery } from './state.js';
import { BY_ID } from './presets.js';
import { FONT_FAMILY } from './ui/canvas.js';
import { PER_LAYER } from './lab/record.js';

/** Loss Lab's version (package.json's "version"; tests/e2e/export.spec.mjs checks that they agree). */
export const APP_VERSION = '0.1.0';

/** Each chart the page draws: short id -> canvas id. */
export const CHARTS = { loss: 'chart-loss', acc: 'chart-acc', grad: 'chart-grad', recall: 'chart-recall', ratio: 'chart-ratio', share: 'chart-share' };

/** A number as CSV text (see the header); '' for null or undefined. */
export function num(v) {
  if (v == null) return '';
  if (typeof v !== 'number' || !Number.isFinite(v)) return String(v);
  if (Math.fround(v) === v) {
    for (let p = 1; p <= 9; p++) {
      const s = Number(v.toPrecision(p));
      if (Math.fround(s) === v) return String(s);
    }
  }
  return String(v);
}

/** One RFC 4180 field. */
export function field(s) {
  s = String(s);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A Record (www/lab/record.js) as CSV text; see the header for the columns. */
export function recordCsv(rec) {
  const layers = [...rec.layerNames];
  for (const e of rec.epochs) for (const k of Object.keys(e.gradNorms || {})) if (!layers.includes(k)) layers.push(k);
  const noise = !!rec.withNoise;
  const cols = ['kind', 'step', 'epoch', 'batch_loss', 'batch_acc', 'train_loss', 'train_acc', 'val_loss', 'val_acc',
    'clean_loss', 'clean_acc', 'noisy_loss', 'noisy_acc', 'clip_frac', 'best_epoch', ...layers.map((l) => `grad_${l}`)];
  for (const [, name] of PER_LAYER) for (const l of layers) cols.push(`${name}_${l}`);
  for (let d = 0; d < 10; d++) cols.push(`recall_${d}`);
  for (let t = 0; t < 10; t++) for (let p = 0; p < 10; p++) cols.push(`confusion_${t}_${p}`);
  const at = Object.fromEntries(cols.map((c, i) => [c, i]));
  const lines = [cols.map(field).join(',')];
  const emit = (cells) => lines.push(cells.map(field).join(','));

  const spe = rec.stepsPerEpoch || 0;
  const n = Math.min(rec.loss.n, rec.acc.n);
  const stepRow = (i) => {
    const r = new Array(cols.length).fill('');
    const step = i + 1;
    r[at.kind] = 'step';
    r[at.step] = String(step);
    r[at.epoch] = spe ? String(Math.ceil(step / spe)) : '';
    r[at.batch_loss] = num(rec.loss.a[i]);
    r[at.batch_acc] = num(rec.acc.a[i]);
    if (noise) {
      // NaN here means the batch held no sample of that kind: nothing was measured
      const c = rec.clean.a[i], z = rec.noisy.a[i];
      r[at.clean_loss] = Number.isNaN(c) ? '' : num(c);
      r[at.noisy_loss] = Number.isNaN(z) ? '' : num(z);
    }
    layers.forEach((l, j) => { if (rec.grad[j] && i < rec.grad[j].n) r[at[`grad_${l}`]] = num(rec.grad[j].a[i]); });
    return r;
  };
  const epochRow = (e) => {
    const r = new Array(cols.length).fill('');
    r[at.kind] = 'epoch';
    r[at.step] = spe ? String(e.epoch * spe) : '';
    r[at.epoch] = String(e.epoch);
    for (const [k, c] of [['trainLoss', 'train_loss'], ['trainAcc', 'train_acc'], ['valLoss', 'val_loss'], ['valAcc', 'val_acc']]) r[at[c]] = num(e[k]);
    if (noise) for (const [k, c] of [['cleanLoss', 'clean_loss'], ['cleanAcc', 'clean_acc'], ['noisyLoss', 'noisy_loss'], ['noisyAcc', 'noisy_acc']]) r[at[c]] = num(e[k]);
    // the share of the epoch's steps that were clipped (0 with clipping off) and the best validation epoch so far
    r[at.clip_frac] = num(e.clipFrac);
    r[at.best_epoch] = e.bestEpoch == null ? '' : String(e.bestEpoch);
    for (const l of layers) r[at[`grad_${l}`]] = num(e.gradNorms?.[l]);
    for (const [k, name] of PER_LAYER) for (const l of layers) r[at[`${name}_${l}`]] = num(e[k]?.[l]);
    (e.recall || []).forEach((v, d) => { if (d < 10) r[at[`recall_${d}`]] = num(v); });
    (e.confusion || []).forEach((v, i) => { if (i < 100) r[at[`confusion_${Math.floor(i / 10)}_${i % 10}`]] = String(v); });
    return r;
  };
  // training order: an epoch's row right after its last step
  let k = 0;
  for (let i = 0; i < n; i++) {
    emit(stepRow(i));
    while (k < rec.epochs.length && spe && rec.epochs[k].epoch * spe <= i + 1) emit(epochRow(rec.epochs[k++]));
  }
  while (k < rec.epochs.length) emit(epochRow(rec.epochs[k++]));
  return lines.join('\r\n') + '\r\n';
}

/** The lesson whose button is pressed (www/views/lessons.js marks it; any rebuilding change clears it), or null. */
function lessonId() {
  return document.querySelector('button.preset[aria-pressed="true"]')?.dataset.preset ?? null;
}

/** This page's address with `cfg`'s query, as the page writes it (www/state.js toQuery): a link that reproduces it. */
export function linkFor(cfg) {
  const u = new URL(location.href);
  u.search = toQuery(cfg);
  u.hash = '';
  return u.href;
}

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** losslab[-lesson]-seed<n>[-what]-<date>.<ext> */
function fileName(cfg, ext, what = '') {
  const lesson = lessonId();
  return `losslab${lesson ? `-${lesson}` : ''}-seed${cfg.seed}${what ? `-${what}` : ''}-${today()}.${ext}`;
}

/** Saves `blob` as a download called `name`. */
function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // the download has its own copy once it started; keep the URL a while for slow browsers
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Breaks `text` into lines no wider than `width` at the context's current font, between the parts split by `sep`
 * where it can (a part too long for one line is broken between words).
 */
function wrap(ctx, text, width, sep = ' ') {
  const out = [];
  let line = '';
  for (const part of text.split(sep).filter(Boolean)) {
    const next = line ? `${line}${sep}${part}` : part;
    if (ctx.measureText(next).width <= width) { line = next; continue; }
    if (line) out.push(line);
    line = part;
    if (sep !== ' ' && ctx.measureText(part).width > width) {
      const words = wrap(ctx, part, width);
      out.push(...words.slice(0, -1));
      line = words[words.length - 1] || '';
    }
  }
  if (line) out.push(line);
  return out;
}

/** The visible entries of a figure's HTML legend (www/charts.js renderLegend): hidden lines are left out. */
function legendItems(fig) {
  const items = [];
  for (const li of fig.querySelectorAll('.legend li')) {
    if (li.querySelector('button[aria-pressed="false"]')) continue;
    const sw = li.querySelector('.swatch');
    items.push({
      text: li.textContent.trim(),
      color: sw?.style.getPropertyValue('--c') || '#444',
      dashed: !!sw?.classList.contains('dashed'),
      bar: !!sw?.classList.contains('bar'),
      faded: !!sw?.classList.contains('faded'),
    });
  }
  return items;
}

/** One legend swatch as the page's CSS draws it (.swatch, .dashed, .bar, .faded), its left end at x, centred on y. */
function drawSwatch(ctx, it, x, y) {
  ctx.save();
  if (it.faded) ctx.globalAlpha = 0.45;
  if (it.bar) {
    ctx.fillStyle = it.color;
    ctx.fillRect(x, y - 6.5, 13, 13);
  } else {
    ctx.strokeStyle = it.color;
    ctx.lineWidth = 3;
    ctx.setLineDash(it.faded ? [2, 3] : it.dashed ? [6, 4] : []);
    ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + 26, y); ctx.stroke();
  }
  ctx.restore();
}

/**
 * A chart as a PNG data: URL at `scale` (2: twice the canvas's CSS size): white, a title line (the figure's
 * caption) and a line naming the run, the plot redrawn (not scaled up), its legend entries, and the figure's
 * fixed notes (what a shaded band means).
 */
function chartPng(chart, { scale = 2, runLine = '' } = {}) {
  const canvas = chart.canvas;
  const fig = canvas.closest('figure');
  const plot = document.createElement('canvas');
  if (!chart.drawInto(plot, scale)) throw new Error(`${canvas.id} has not been drawn yet (is it on screen?)`);
  const W = chart.w, pad = 10, inner = W - 2 * pad;
  const m = document.createElement('canvas').getContext('2d');
  const title = fig?.querySelector('figcaption')?.textContent.trim().replace(/\s+/g, ' ') || canvas.getAttribute('aria-label') || canvas.id;
  const font = { title: `bold 16px ${FONT_FAMILY}`, small: `12px ${FONT_FAMILY}`, legend: `14px ${FONT_FAMILY}` };
  m.font = font.title;
  const titleLines = wrap(m, title, inner);
  m.font = font.small;
  const runLines = runLine ? wrap(m, runLine, inner, ' · ') : [];
  const notes = fig ? [...fig.querySelectorAll('.health-note')].filter((p) => p.textContent.trim()).map((p) => p.textContent.trim().replace(/\s+/g, ' ')) : [];
  const noteLines = notes.flatMap((t) => wrap(m, t, inner));
  // legend entries flow left to right and wrap, as the HTML list does
  m.font = font.legend;
  const placed = [];
  let lx = pad, row = 0;
  for (const it of legendItems(fig || document.createElement('figure'))) {
    const sw = it.bar ? 13 : 26;
    const lines = wrap(m, it.text, inner - sw - 6); // an entry wider than the chart wraps, as the HTML list's does
    const w = sw + 6 + Math.max(...lines.map((t) => m.measureText(t).width));
    if (lx > pad && (lines.length > 1 || lx + w > W - pad)) { row++; lx = pad; }
    placed.push({ ...it, lines, x: lx, row, sw });
    if (lines.length > 1) { row += lines.length; lx = pad; } else lx += w + 16;
  }
  if (lx === pad && row > 0 && placed.length && placed[placed.length - 1].lines.length > 1) row--; // no empty last row
  const rowH = 20;
  const titleTop = pad, titleH = titleLines.length * 20;
  const runTop = titleTop + titleH, runH = runLines.length * 16;
  const plotTop = runTop + runH + 6;
  const legendTop = plotTop + chart.h + 4;
  const legendH = placed.length ? (row + 1) * rowH : 0;
  const notesTop = legendTop + legendH + (noteLines.length ? 4 : 0);
  const H = notesTop + noteLines.length * 16 + pad;

  const out = document.createElement('canvas');
  out.width = Math.round(W * scale);
  out.height = Math.round(H * scale);
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#111';
  ctx.font = font.title;
  titleLines.forEach((t, i) => ctx.fillText(t, pad, titleTop + i * 20));
  ctx.fillStyle = '#4a4a4a';
  ctx.font = font.small;
  runLines.forEach((t, i) => ctx.fillText(t, pad, runTop + 1 + i * 16));
  ctx.drawImage(plot, 0, plotTop, chart.w, chart.h);
  ctx.font = font.legend;
  ctx.textBaseline = 'middle';
  for (const it of placed) {
    const y = legendTop + it.row * rowH + rowH / 2;
    drawSwatch(ctx, it, it.x, y);
    ctx.fillStyle = '#222';
    it.lines.forEach((t, i) => ctx.fillText(t, it.x + it.sw + 6, y + i * rowH));
  }
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#4a4a4a';
  ctx.font = font.small;
  noteLines.forEach((t, i) => ctx.fillText(t, pad, notesTop + i * 16));
  return out;
}

/**
 * Builds the export controls and returns the calls lossLab exposes. page: {config() -> {key: value},
 * record() -> the current Record, pinned() -> the pinned configuration or null, charts: {short id: chart}}.
 */
export function installExport(page) {
  const charts = new Map(); // canvas id -> chart
  for (const [short, chart] of Object.entries(page.charts)) if (chart) charts.set(CHARTS[short] || chart.canvas.id, chart);
  const chartFor = (id) => charts.get(CHARTS[id] || id);

  const runLine = () => {
    const cfg = page.config();
    const lesson = lessonId();
    const q = toQuery(cfg).slice(1).replace(/&/g, ', ');
    const rec = page.record();
    const epochs = rec.epochs.length;
    const trained = rec.steps ? `after ${rec.steps} steps${epochs ? ` (${epochs} epoch${epochs > 1 ? 's' : ''})` : ''}` : 'not trained yet';
    const what = lesson ? `lesson “${BY_ID.get(lesson)?.title ?? lesson}”` : q ? '' : 'healthy baseline';
    return ['Loss Lab', what, `seed ${cfg.seed}`, q, trained].filter(Boolean).join(' · ');
  };

  const api = {
    csv: () => recordCsv(page.record()),
    config: () => {
      const cfg = page.config();
      const rec = page.record();
      const pinned = page.pinned();
      return {
        config: cfg,
        seed: cfg.seed,
        url: linkFor(cfg),
        lesson: lessonId(),
        engine: { name: 'Loss Lab', version: APP_VERSION },
        trained: { steps: rec.steps, epochs: rec.epochs.length, divergedAt: rec.divergedAt },
        pinned: pinned ? { config: pinned, url: linkFor(pinned) } : null,
        exportedAt: new Date().toISOString(),
      };
    },
    canvas: (id, scale = 2) => {
      const chart = chartFor(id);
      if (!chart) throw new Error(`no chart "${id}": one of ${Object.keys(CHARTS).join(', ')} (or its canvas id)`);
      return chartPng(chart, { scale, runLine: runLine() });
    },
    png: (id) => new Promise((resolve, reject) => {
      try { resolve(api.canvas(id).toDataURL('image/png')); } catch (e) { reject(e); }
    }),
  };

  buildControls(page, api, charts);
  return api;
}

// ---------------------------------------------------------------- the controls
/** The Export group beside the chart options, and a PNG button on each chart's figure. */
function buildControls(page, api, charts) {
  const el = (tag, props = {}, ...kids) => {
    const e = Object.assign(document.createElement(tag), props);
    e.append(...kids);
    return e;
  };
  // what an export did, for 8 s: under the buttons, or at the foot of the open Export menu (which would hide it)
  const status = el('span', { id: 'export-status', className: 'export-status' });
  const panelStatus = el('p', { id: 'export-panel-status', className: 'export-panel-status' });
  for (const s of [status, panelStatus]) s.setAttribute('role', 'status');
  let clearTimer = null;
  let menu = null;
  const say = (text, short = text) => {
    const [here, there] = menu?.open ? [panelStatus, status] : [status, panelStatus];
    here.textContent = here === status ? short : text;
    there.textContent = '';
    clearTimeout(clearTimer);
    clearTimer = setTimeout(() => { status.textContent = ''; panelStatus.textContent = ''; }, 8000);
  };

  const copy = el('button', { type: 'button', id: 'btn-copy-link', textContent: 'Copy link',
    title: 'Copy a link that opens Loss Lab with these settings and this seed: the same run, step for step' });
  const linkInput = el('input', { type: 'text', id: 'export-link', readOnly: true, className: 'export-link-input' });
  const linkBox = el('div', { id: 'export-link-box', className: 'export-link-box', hidden: true },
    el('label', { htmlFor: 'export-link', textContent: 'Link to this run (copy it with Ctrl+C or ⌘C):' }), linkInput,
    el('button', { type: 'button', textContent: 'Close', onclick: () => { linkBox.hidden = true; copy.focus(); } }));
  copy.addEventListener('click', async () => {
    const url = api.config().url;
    linkInput.value = url;
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard API');
      await navigator.clipboard.writeText(url);
      linkBox.hidden = true;
      say('link copied');
    } catch {
      // an http:// page away from localhost has no clipboard API, and a browser may refuse it: the link in a
      // selected text field, which the old copy command or the learner's Ctrl+C copies
      linkBox.hidden = false;
      fit(linkBox);
      linkInput.focus();
      linkInput.select();
      let ok = false;
      try { ok = document.execCommand('copy'); } catch { ok = false; }
      say(ok ? 'link copied' : 'press Ctrl+C (⌘C) to copy the selected link');
    }
  });

  const csvBtn = el('button', { type: 'button', id: 'btn-export-csv', textContent: 'Download CSV' });
  const csvHelp = el('span', { className: 'export-help', id: 'export-csv-help', textContent: 'every step and every epoch: losses, accuracies, per-layer statistics' });
  csvBtn.setAttribute('aria-describedby', csvHelp.id);
  csvBtn.addEventListener('click', () => {
    const name = fileName(page.config(), 'csv');
    download(name, new Blob([api.csv()], { type: 'text/csv;charset=utf-8' }));
    say(`saved ${name}`, 'CSV saved');
  });
  const jsonBtn = el('button', { type: 'button', id: 'btn-export-json', textContent: 'Download settings (JSON)' });
  const jsonHelp = el('span', { className: 'export-help', id: 'export-json-help', textContent: 'every setting, the seed and the link' });
  jsonBtn.setAttribute('aria-describedby', jsonHelp.id);
  jsonBtn.addEventListener('click', () => {
    const name = fileName(page.config(), 'json', 'settings');
    download(name, new Blob([JSON.stringify(api.config(), null, 2) + '\n'], { type: 'application/json' }));
    say(`saved ${name}`, 'settings saved');
  });
  menu = el('details', { id: 'export-menu', className: 'export-menu' },
    el('summary', { textContent: 'Export' }),
    el('div', { className: 'export-panel' }, csvBtn, csvHelp, jsonBtn, jsonHelp,
      el('p', { className: 'export-help', textContent: 'A chart as a picture: the PNG button at the bottom right of each chart.' }),
      panelStatus));
  const close = () => { if (menu.open) menu.open = false; };
  menu.addEventListener('keydown', (e) => { if (e.key === 'Escape' && menu.open) { close(); menu.querySelector('summary').focus(); } });
  // pointerdown, not click: the downloads' own <a>.click() must not close the menu
  document.addEventListener('pointerdown', (e) => { if (!menu.contains(e.target)) close(); });

  const group = el('span', { className: 'export-tools' }, copy, menu, status, linkBox);
  // the menu and the link box hang from the group's right edge; where that would cut them off on the left (a
  // phone, a wrapped toolbar), from its left edge
  const fit = (box) => {
    group.classList.remove('export-from-left');
    if (box.getBoundingClientRect().left < 0) group.classList.add('export-from-left');
  };
  menu.addEventListener('toggle', () => { if (menu.open) fit(menu.querySelector('.export-panel')); });
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', 'Export');
  (document.querySelector('.chart-tools') || document.getElementById('charts'))?.append(group);

  // a PNG button on each chart
  for (const [id, chart] of charts) {
    const fig = chart.canvas.closest('figure');
    if (!fig) continue;
    const title = fig.querySelector('figcaption')?.textContent.trim() || id;
    const b = el('button', { type: 'button', className: 'png-btn', textContent: 'PNG', title: `Download “${title}” as a picture (PNG, twice the size on screen, with its legend)` });
    b.dataset.chart = id;
    b.setAttribute('aria-label', `Download the chart “${title}” as a PNG image`);
    b.addEventListener('click', () => {
      try {
        const name = fileName(page.config(), 'png', id.replace(/^chart-/, ''));
        api.canvas(id).toBlob((blob) => { if (blob) { download(name, blob); say(`saved ${name}`, 'picture saved'); } });
      } catch (e) { say(`no picture: ${e.message}`); }
    });
    // in the canvas's bottom-right corner, under the last tick label and beside the centred axis title: the one
    // place of a chart that is always empty, so the button neither covers the plot nor moves anything
    chart.canvas.after(b);
    const place = () => { b.style.top = `${chart.canvas.offsetTop + chart.canvas.offsetHeight - b.offsetHeight}px`; };
    const watch = new ResizeObserver(place);
    watch.observe(chart.canvas);
    watch.observe(fig);
    place();
  }
}
