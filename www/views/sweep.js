// The Sweep panel: pick a numeric setting, 3–8 values, an epoch count and 1–3 seeds; each value trains as its own
// run per seed (www/lab/sweep.js). Drawn: the Tuning Playbook's plot — the lowest validation loss each run reached
// during training (not its last epoch's), and the validation accuracy at that epoch, against the value (log x
// for logarithmic settings); with several seeds the mean over seeds and a bar from the lowest to the highest
// seed; a ✗ on the top edge for a value that diverged rather than leaving it out — and every value's loss
// curves as small multiples on shared axes (one set of curves per seed), plus a table of the same figures.
//
// For the tests, each playbook figure carries `data-points` (JSON [{value, y, lo, hi, mark, epochs}] as drawn:
// y the mean over the seeds that have an epoch, lo/hi the lowest and highest seed, epochs each seed's epoch of
// lowest validation loss; mark is 'dot' (every seed finished), 'open' (a seed still training or cancelled),
// 'x' (a seed diverged) or null (no point)) and each small multiple `data-value`, `data-status` and `data-axes`
// ("xMin xMax yMin yMax"). A value whose run failed (a design the engine refuses, say) is a grey ✗ with mark
// 'failed' in the same strip as the diverged ones.
import { BY_KEY, fmtNum, isRelevant, labelFor, toQuery as settingsQuery } from '../state.js';
import { LineChart, ItemReadout, OI, renderLegend } from '../charts.js';
import {
  SWEEPABLE, MIN_VALUES, MAX_VALUES, MAX_EPOCHS, DEFAULT_EPOCHS,
  MAX_SEEDS, DEFAULT_SEEDS, checkSpec, startingValues, logAxis, valueText, toQuery, seedList, bestRow, FINAL,
} from '../lab/sweep.js';
import { concurrency } from '../lab/cores.js';
import { spread, compare } from '../lab/bands.js';
import { el } from '../ui/dom.js';
import { keyboardScrollable } from '../ui/scroll.js';
import { font, niceStep } from '../ui/canvas.js';
import { pct } from '../ui/format.js';

const CHANCE = Math.log(10);
const FONT = font(13);
const BOLD = font(13, 'bold');
/** Item phases (www/lab/sweep.js) whose progress through an epoch is not worth a percentage. */
const PHASE_WITHOUT_PROGRESS = new Set(['building', 'built', 'validating']);

const nats = (v) => (!Number.isFinite(v) ? '—' : v < 0.1 ? Number(v.toPrecision(2)).toString() : v.toFixed(3));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * One value of a sweep, over its seeds: {value, runs (items, seed order), status, bad (the run that diverged or
 * failed, or null), divergedAt, message, best (each run's row of lowest validation loss, null for a run with
 * none), at (the epochs of those rows), loss and acc ({mean, lo, hi} over the runs that have such a row: the lowest
 * validation loss and the accuracy at that epoch; null for none), finished}.
 */
function groupOf(value, runs, sweepState) {
  const st = runs.map((r) => r.status);
  const status = st.includes('diverged') ? 'diverged' : st.includes('error') ? 'error'
    : st.every((x) => x === 'done') ? 'done' : st.every((x) => FINAL.has(x)) ? 'cancelled'
      : st.every((x) => x === 'queued') ? 'queued' : sweepState === 'paused' ? 'paused' : 'running';
  const bad = runs.find((r) => r.status === status && (status === 'diverged' || status === 'error')) || null;
  const best = runs.map((r) => bestRow(r.epochs));
  const got = best.filter(Boolean);
  return {
    value, runs, status, bad, divergedAt: bad ? bad.divergedAt : null, message: bad ? bad.message : '', best,
    at: got.map((r) => r.epoch),
    loss: spread(got.map((r) => r.valLoss)), acc: spread(got.map((r) => r.valAcc)),
    finished: runs.filter((r) => FINAL.has(r.status)).length,
  };
}

/** "seed 2: ✗ diverged at step 9" — what one run of a value did, in words. */
function runResult(it) {
  return it.status === 'done' ? 'done' : it.status === 'diverged' ? `✗ diverged at step ${it.divergedAt}` : it.note;
}

/**
 * One playbook figure: a figure of every value's runs at their epoch of lowest validation loss (y: the mean over
 * seeds, a bar from the lowest to the highest seed) against the swept value (x, at the values themselves), points
 * joined in value order; ✗ in a strip along the top edge for a diverged value. Hover or focus it and ←/→ read off
 * one value at a time.
 */
class PlaybookPlot {
  /** o: {field ('loss' | 'acc' of a group), scale, yLabel, name, unit, yFixed: [lo, hi] or null, chance} */
  constructor(fig, canvas, o) {
    this.fig = fig;
    this.canvas = canvas;
    this.o = o;
    this.ctx = canvas.getContext('2d');
    this.w = this.h = 0;
    this.spec = null;
    this.frame = null;
    this.at = null;
    this.readout = new ItemReadout(canvas, `${canvas.id}-readout`);
    new ResizeObserver(() => this.#resize()).observe(canvas);
    canvas.addEventListener('mousemove', (e) => {
      if (!this.frame) return;
      const x = e.clientX - canvas.getBoundingClientRect().left;
      let best = null, d = Infinity;
      this.frame.pts.forEach((p, i) => { if (Math.abs(p.px - x) < d) { d = Math.abs(p.px - x); best = i; } });
      this.#pick(d < 40 ? best : null);
    });
    canvas.addEventListener('mouseleave', () => { if (document.activeElement !== canvas) this.#pick(null); });
    canvas.addEventListener('focus', () => { if (this.at === null && this.frame?.pts.length) this.#pick(0); });
    canvas.addEventListener('blur', () => this.#pick(null));
    canvas.addEventListener('keydown', (e) => {
      const n = this.frame?.pts.length ?? 0;
      if (!n) return;
      const i = this.at ?? 0;
      const to = { ArrowLeft: i - 1, ArrowRight: i + 1, Home: 0, End: n - 1 }[e.key];
      if (to === undefined) return;
      e.preventDefault();
      this.#pick(Math.max(0, Math.min(n - 1, to)));
    });
  }

  #resize() {
    const dpr = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (!w || !h || (w === this.w && h === this.h && dpr === this.dpr)) return;
    this.w = w; this.h = h; this.dpr = dpr;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    if (this.spec) this.draw(this.spec);
  }

  /** Reads off point i (null hides the readout). */
  #pick(i) {
    this.at = i;
    const f = this.frame;
    if (i === null || !f || !f.pts[i]) { this.readout.hide(); delete this.canvas.dataset.readout; return; }
    const p = f.pts[i];
    const rows = [{ color: p.mark === 'x' ? OI.vermillion : p.mark === 'failed' ? '#666' : this.o.color, text: p.text }];
    if (p.note) rows.push({ text: p.note });
    this.readout.show(p.px - 7, p.px + 7, f, `${valueText(this.spec.key, p.value)}:`, rows);
    this.canvas.dataset.readout = JSON.stringify([p.value, p.y]);
  }

  /** spec: {key, log, seeds, items: groups (groupOf) sorted by value, best: value or null} */
  draw(spec) {
    this.spec = spec;
    const { field, scale = 1, unit = '' } = this.o;
    // what is drawn, also when the canvas has no size yet (the folded panel): data-points is always current
    const pts = spec.items.map((g) => {
      const f = g[field];
      const y = f ? f.mean * scale : NaN;
      const mark = g.status === 'diverged' ? 'x' : g.status === 'error' ? 'failed' : Number.isFinite(y) ? (g.status === 'done' ? 'dot' : 'open') : null;
      const fmt = (v) => (unit === '%' ? `${v.toFixed(1)}%` : nats(v));
      const epochs = g.at;
      const n = epochs.length;
      const at = `at epoch${n > 1 ? 's' : ''} ${epochs.join(', ')}`;
      const figure = () => (n > 1 ? `${fmt(y)}, mean of ${n} seeds (${fmt(f.lo * scale)}–${fmt(f.hi * scale)}) ${at}` : `${fmt(y)} ${at}`);
      let text, note = '';
      if (mark === 'failed') text = `failed: ${g.message}`;
      else if (mark === 'x') {
        text = `diverged at step ${g.divergedAt ?? '?'}${spec.seeds > 1 ? ` (seed ${g.bad.seed})` : ''}`;
        if (Number.isFinite(y)) note = `${this.o.name} before it diverged: ${figure()}`;
      } else if (mark) {
        text = `${this.o.name} ${figure()}`;
        if (g.status !== 'done') note = g.status === 'cancelled' ? 'cancelled before its last epoch' : 'still training';
      } else text = g.status === 'cancelled' ? 'cancelled before its first epoch' : 'no epoch yet';
      const drawn = mark !== 'x' && mark !== 'failed' && Number.isFinite(y);
      return {
        value: g.value, y: drawn ? y : null, lo: drawn ? f.lo * scale : null, hi: drawn ? f.hi * scale : null,
        mark, epochs: drawn ? epochs : [], text, note,
      };
    });
    this.fig.dataset.points = JSON.stringify(pts.map(({ value, y, lo, hi, mark, epochs }) => ({ value, y, lo, hi, mark, epochs })));
    if (!this.w) this.#resize();
    if (!this.w) return;
    const ctx = this.ctx;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.w, this.h);
    const L = 58, R = 16, T = 8, B = 44, STRIP = 24; // STRIP: the band along the top edge that holds the ✗s
    const pw = this.w - L - R, ph = this.h - T - B;
    if (pw < 40 || ph < 40 || !pts.length) { this.frame = null; return; }
    const tx = (v) => (spec.log ? Math.log10(v) : v);
    let x0 = Math.min(...pts.map((p) => tx(p.value))), x1 = Math.max(...pts.map((p) => tx(p.value)));
    const padX = (x1 - x0 || 1) * 0.08;
    x0 -= padX; x1 += padX;
    const X = (v) => L + ((tx(v) - x0) / (x1 - x0)) * pw;
    let y0, y1;
    if (this.o.yFixed) [y0, y1] = this.o.yFixed;
    else {
      y0 = 0;
      const ys = pts.filter((p) => p.y !== null).map((p) => p.hi);
      y1 = Math.max(this.o.chance ?? 0, ...ys) * 1.08 || 1;
    }
    const top = T + STRIP; // data live below the strip
    const dh = T + ph - top;
    const Y = (v) => top + dh - ((v - y0) / (y1 - y0)) * dh;

    // grid, y ticks
    ctx.font = FONT;
    ctx.lineWidth = 1;
    ctx.strokeStyle = '#e3e3e3';
    ctx.fillStyle = '#333';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    const step = niceStep(y1 - y0, Math.max(2, Math.floor(dh / 40)));
    for (let v = Math.ceil(y0 / step) * step; v <= y1 + step * 1e-6; v += step) {
      const py = Math.round(Y(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
      ctx.fillText(unit === '%' ? `${Math.round(v)}` : String(Number(v.toPrecision(3))), L - 6, py);
    }
    // the strip of diverged runs, labelled on the axis
    ctx.fillStyle = '#fbeae5';
    ctx.fillRect(L + 1, T, pw, STRIP - 4);
    ctx.fillStyle = OI.vermillion;
    ctx.font = BOLD;
    ctx.fillText('✗', L - 6, T + (STRIP - 4) / 2);
    ctx.font = FONT;
    // x ticks at the values themselves; a label that would touch the previous one is left out
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    let lastRight = -Infinity;
    for (const p of pts) {
      const px = Math.round(X(p.value)) + 0.5;
      ctx.strokeStyle = '#e3e3e3';
      ctx.beginPath(); ctx.moveTo(px, T); ctx.lineTo(px, T + ph); ctx.stroke();
      const label = fmtNum(p.value);
      const w = ctx.measureText(label).width;
      if (px - w / 2 > lastRight + 6) {
        ctx.fillStyle = '#333';
        ctx.fillText(label, px, T + ph + 5);
        lastRight = px + w / 2;
      }
    }
    // axes and their labels
    ctx.strokeStyle = '#555';
    ctx.beginPath(); ctx.moveTo(L + 0.5, T); ctx.lineTo(L + 0.5, T + ph + 0.5); ctx.lineTo(L + pw, T + ph + 0.5); ctx.stroke();
    ctx.fillStyle = '#222';
    ctx.font = font(14);
    const s = BY_KEY.get(spec.key);
    ctx.fillText(`${s ? s.label : spec.key} (${spec.key})${spec.log ? ', log scale' : ''}`, L + pw / 2, T + ph + 24);
    ctx.save();
    ctx.translate(13, top + dh / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(this.o.yLabel, 0, 0);
    ctx.restore();
    // chance
    if (this.o.chance !== undefined && this.o.chance >= y0 && this.o.chance <= y1) {
      const py = Math.round(Y(this.o.chance)) + 0.5;
      ctx.strokeStyle = '#444';
      ctx.setLineDash([6, 4]);
      ctx.beginPath(); ctx.moveTo(L, py); ctx.lineTo(L + pw, py); ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = FONT;
      ctx.textAlign = 'right';
      ctx.textBaseline = 'bottom';
      ctx.fillStyle = '#444';
      ctx.fillText(this.o.chanceLabel, L + pw - 4, py - 2);
    }
    // the line through the runs that have a value, in value order
    ctx.strokeStyle = this.o.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    let pen = false;
    for (const p of pts) {
      if (p.y === null) { pen = false; continue; }
      const px = X(p.value), py = Y(p.y);
      if (pen) ctx.lineTo(px, py); else { ctx.moveTo(px, py); pen = true; }
    }
    ctx.stroke();
    const framePts = [];
    const crosses = [];
    for (const p of pts) {
      const px = X(p.value);
      framePts.push({ ...p, px });
      if (p.mark === 'x' || p.mark === 'failed') {
        const cy = T + (STRIP - 4) / 2;
        const word = p.mark === 'x' ? 'diverged' : 'failed';
        ctx.strokeStyle = p.mark === 'x' ? OI.vermillion : '#666';
        ctx.lineWidth = 3;
        ctx.beginPath(); ctx.moveTo(px - 6, cy - 6); ctx.lineTo(px + 6, cy + 6); ctx.moveTo(px + 6, cy - 6); ctx.lineTo(px - 6, cy + 6); ctx.stroke();
        crosses.push({ px, cy, word, color: p.mark === 'x' ? '#9a2f0c' : '#444' });
        continue;
      }
      if (p.y === null) continue;
      const py = Y(p.y);
      if (p.hi > p.lo) { // the seeds' spread: a bar from the lowest to the highest, with caps
        const a = Math.round(Y(p.lo)) + 0.5, b = Math.round(Y(p.hi)) + 0.5, x = Math.round(px) + 0.5;
        ctx.strokeStyle = this.o.color;
        ctx.lineWidth = 1.5;
        ctx.beginPath(); ctx.moveTo(x, a); ctx.lineTo(x, b); ctx.moveTo(x - 5, a); ctx.lineTo(x + 5, a); ctx.moveTo(x - 5, b); ctx.lineTo(x + 5, b); ctx.stroke();
      }
      ctx.beginPath();
      ctx.arc(px, py, 5, 0, Math.PI * 2);
      if (p.mark === 'dot') { ctx.fillStyle = this.o.color; ctx.fill(); }
      else { ctx.fillStyle = '#fff'; ctx.fill(); ctx.strokeStyle = this.o.color; ctx.lineWidth = 2; ctx.stroke(); }
      if (spec.best !== null && p.value === spec.best) {
        ctx.strokeStyle = '#222';
        ctx.lineWidth = 2;
        ctx.beginPath(); ctx.arc(px, py, 9, 0, Math.PI * 2); ctx.stroke();
        ctx.font = BOLD;
        ctx.fillStyle = '#222';
        const label = this.o.bestLabel;
        const w = ctx.measureText(label).width;
        ctx.textAlign = px + 12 + w < L + pw ? 'left' : 'right';
        // above the point, or below it where the strip of diverged runs begins
        const below = py - 24 < top;
        ctx.textBaseline = below ? 'top' : 'bottom';
        ctx.fillText(label, ctx.textAlign === 'left' ? px + 12 : px - 12, below ? py + 8 : py - 8);
      }
    }
    // each cross worded beside it, on a side with room (diverged runs are usually the largest values); a label
    // that would touch a neighbouring cross or label is left out (the readout and the table still say it)
    ctx.font = BOLD;
    ctx.textBaseline = 'middle';
    let used = L;
    crosses.forEach((c, i) => {
      const w = ctx.measureText(c.word).width;
      const next = i + 1 < crosses.length ? crosses[i + 1].px - 10 : L + pw;
      ctx.fillStyle = c.color;
      if (c.px + 12 + w <= next) {
        ctx.textAlign = 'left';
        ctx.fillText(c.word, c.px + 12, c.cy);
        used = c.px + 12 + w;
      } else if (c.px - 12 - w >= used + 4) {
        ctx.textAlign = 'right';
        ctx.fillText(c.word, c.px - 12, c.cy);
        used = c.px + 6;
      } else used = c.px + 6;
    });
    this.frame = { L, T, pw, ph, pts: framePts };
    if (this.at !== null) this.#pick(Math.min(this.at, framePts.length - 1));
  }
}

export class SweepView {
  /**
   * root: the panel (<details id="sweep">); hooks: {config() (the page's configuration), apply(partial)
   * (returns notices), urlChanged() (the form changed: rewrite the URL)}. `lab` (www/lab/lab.js) starts the
   * sweeps and shares the cores: the page's runs pause while a sweep trains, and a sweep pauses when the page's
   * run starts ('start').
   */
  constructor(root, lab, hooks) {
    this.root = root;
    this.lab = lab;
    this.hooks = hooks;
    lab.on('start', () => this.pageStarted());
    this.sweep = null;
    this.multiples = []; // [{value, runs, fig, cap, chart}] of the current sweep, in value order
    this.queued = false;
    this.pausedWhy = '';
    this.build();
    this.root.addEventListener('toggle', () => { this.#checkForm(); this.hooks.urlChanged(); if (this.root.open) this.render(); });
    this.render();
  }

  build() {
    const body = this.root.querySelector('.sweep-body');
    this.select = el('select', { id: 'sweep-key' });
    for (const s of SWEEPABLE) this.select.append(el('option', { value: s.key, text: `${s.label} (${s.key})` }));
    this.values = el('input', { id: 'sweep-values', type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'sweep-check' });
    this.epochs = el('input', { id: 'sweep-epochs', type: 'number', min: '1', max: String(MAX_EPOCHS), step: '1', value: String(DEFAULT_EPOCHS) });
    this.seedsSel = el('select', { id: 'sweep-seeds' });
    for (let n = 1; n <= MAX_SEEDS; n++) this.seedsSel.append(el('option', { value: String(n), text: String(n) }));
    this.seedsSel.value = String(DEFAULT_SEEDS);
    this.btnRun = el('button', { type: 'button', id: 'btn-sweep-run', class: 'primary', text: 'Run sweep' });
    this.btnPause = el('button', { type: 'button', id: 'btn-sweep-pause', 'aria-pressed': 'false', text: 'Pause' });
    this.btnCancel = el('button', { type: 'button', id: 'btn-sweep-cancel', text: 'Cancel' });
    const field = (label, input, cls) => el('div', { class: `sweep-field ${cls}` }, el('label', { for: input.id, text: label }), input);
    const form = el('div', { class: 'sweep-form', role: 'group', 'aria-label': 'Sweep setup' },
      field('Setting', this.select, 'sweep-f-key'),
      field(`Values (${MIN_VALUES}–${MAX_VALUES}, comma-separated)`, this.values, 'sweep-f-values'),
      field(`Epochs each (1–${MAX_EPOCHS})`, this.epochs, 'sweep-f-epochs'),
      field('Seeds per value', this.seedsSel, 'sweep-f-seeds'),
      el('div', { class: 'sweep-buttons' }, this.btnRun, this.btnPause, this.btnCancel));
    this.check = el('p', { id: 'sweep-check', class: 'sweep-check', 'aria-live': 'polite' });
    this.base = el('p', { id: 'sweep-base', class: 'help sweep-base' });
    this.state = el('p', { id: 'sweep-state', class: 'sweep-state', 'aria-live': 'polite' });
    this.bar = el('progress', { id: 'sweep-progress', max: '1', value: '0', 'aria-label': 'Sweep progress' });
    this.activeList = el('ul', { id: 'sweep-active', class: 'sweep-active' });
    this.best = el('p', { id: 'sweep-best', class: 'sweep-best', 'aria-live': 'polite' });
    const plot = (id) => {
      const canvas = el('canvas', { id, role: 'img' });
      const cap = el('figcaption', {});
      const fig = el('figure', { class: 'chart sweep-plot', id: `${id}-fig` }, cap, canvas);
      return { fig, canvas, cap };
    };
    const pl = plot('sweep-plot-loss');
    const pa = plot('sweep-plot-acc');
    this.plotCaps = { loss: pl, acc: pa };
    this.multH3 = el('h3', { class: 'sweep-h3' });
    this.#captionPlots(1);
    this.plotLoss = new PlaybookPlot(pl.fig, pl.canvas, {
      field: 'loss', yLabel: 'lowest validation loss (nats)', name: 'lowest validation loss', color: OI.vermillion,
      chance: CHANCE, chanceLabel: 'chance (ln 10)', bestLabel: 'lowest',
    });
    this.plotAcc = new PlaybookPlot(pa.fig, pa.canvas, {
      field: 'acc', scale: 100, unit: '%', yLabel: 'validation accuracy %', name: 'validation accuracy', color: OI.blue,
      yFixed: [0, 100], chance: 10, chanceLabel: 'chance (10%)', bestLabel: 'lowest loss',
    });
    this.plots = el('div', { class: 'sweep-plots' }, pl.fig, pa.fig);
    this.plotNote = el('p', { class: 'help sweep-note', text: 'Each point is the lowest validation loss a run reached during training, at whichever epoch that was (the epoch early stopping would keep), not its last epoch’s; with several seeds, the mean over seeds with a bar from the lowest to the highest. Filled: every run of the value finished its epochs; hollow: a run still training (or cancelled); ✗ on the top edge: a value that diverged (red) or failed (grey), kept in the picture rather than left out. Hover or focus a plot and use ←/→ to read off each value.' });
    this.table = el('table', { id: 'sweep-table', class: 'sweep-table' });
    this.multLegend = el('ul', { class: 'legend sweep-legend' });
    this.multGrid = el('div', { id: 'sweep-multiples', class: 'sweep-multiples' });
    const tableWrap = el('div', { class: 'sweep-table-wrap' }, this.table);
    keyboardScrollable(tableWrap, 'Table of every run of the sweep'); // wider than a phone: it scrolls sideways
    this.results = el('div', { class: 'sweep-results', hidden: '' },
      this.best, this.plots, this.plotNote, tableWrap,
      this.multH3, this.multLegend, this.multGrid);
    body.append(form, this.check, this.base, el('div', { class: 'sweep-status' }, this.state, this.bar), this.activeList, this.results);
    renderLegend(this.multLegend, [
      { label: 'training loss, each batch (smoothed)', color: OI.sky },
      { label: 'training loss (epoch)', color: OI.blue },
      { label: 'validation loss (epoch)', color: OI.vermillion, dash: true },
      { label: 'chance (ln 10)', color: '#444', dash: true },
    ]);

    this.select.value = 'lr';
    this.values.value = startingValues('lr').map(fmtNum).join(', ');
    this.select.addEventListener('change', () => {
      this.values.value = startingValues(this.select.value).map(fmtNum).join(', ');
      this.#checkForm();
      this.hooks.urlChanged();
    });
    for (const input of [this.values, this.epochs]) input.addEventListener('input', () => { this.#checkForm(); this.hooks.urlChanged(); });
    this.seedsSel.addEventListener('change', () => { this.#checkForm(); this.hooks.urlChanged(); });
    this.values.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !this.btnRun.disabled) this.btnRun.click(); });
    this.btnRun.addEventListener('click', () => {
      const { spec, errors } = this.#formSpec();
      if (!spec) { this.#showCheck(errors, []); this.values.focus(); return; }
      this.start(spec).catch(() => {});
    });
    this.btnPause.addEventListener('click', () => this.pause(this.sweep?.state === 'running'));
    this.btnCancel.addEventListener('click', () => this.cancel());
    this.#checkForm();
  }

  // ------------------------------------------------------------ the form and the URL
  #formSpec() {
    return checkSpec({
      key: this.select.value, values: this.values.value, epochs: this.epochs.value.trim() === '' ? NaN : Number(this.epochs.value),
      seeds: Number(this.seedsSel.value),
    });
  }

  /** The two plots' captions and aria-labels, for `seeds` seeds per value. */
  #captionPlots(seeds) {
    const over = seeds > 1 ? `, mean of ${seeds} seeds (bar: lowest to highest seed)` : '';
    const { loss, acc } = this.plotCaps;
    loss.cap.textContent = `Lowest validation loss during training${seeds > 1 ? `, mean of ${seeds} seeds` : ''}`;
    acc.cap.textContent = `Validation accuracy at that epoch${seeds > 1 ? `, mean of ${seeds} seeds` : ''}`;
    this.multH3.textContent = `Loss curves of every run, on the same axes${seeds > 1 ? ` (one set of curves per seed)` : ''}`;
    loss.canvas.setAttribute('aria-label', `Lowest validation loss each run reached during training (at any epoch, not only the last) against the swept value${over}; diverged values marked with a cross along the top edge; the table below lists the same figures`);
    acc.canvas.setAttribute('aria-label', `Validation accuracy at each run’s epoch of lowest validation loss against the swept value${over}; diverged values marked with a cross along the top edge`);
  }

  #warnings(key) {
    const s = BY_KEY.get(key);
    const cfg = this.hooks.config();
    return s && !isRelevant(s, cfg) ? [`${labelFor(s, cfg)} has no effect with the page's current settings: every run would train alike`] : [];
  }

  #showCheck(errors, warnings) {
    this.check.textContent = '';
    this.check.dataset.state = errors.length ? 'error' : warnings.length ? 'warn' : 'ok';
    this.check.textContent = [...errors, ...warnings].join('; ') + (errors.length || warnings.length ? '.' : '');
    this.values.setAttribute('aria-invalid', errors.length ? 'true' : 'false');
  }

  #checkForm() {
    const { errors } = this.#formSpec();
    this.#showCheck(this.sweep?.active ? [] : errors, this.#warnings(this.select.value));
    this.#renderBase();
  }

  /** Fills the form from a sweep read from the URL and opens the panel (it does not start training). */
  load({ spec }) {
    if (!spec) return;
    this.select.value = spec.key;
    this.values.value = spec.values.map(fmtNum).join(', ');
    this.epochs.value = String(spec.epochs);
    this.seedsSel.value = String(spec.seeds ?? DEFAULT_SEEDS);
    this.root.open = true;
    this.#checkForm();
  }

  /**
   * The sweep's part of the URL: the form while the panel is open or a sweep is shown, else ''. (While a sweep
   * runs the form is locked and holds that sweep.)
   */
  query() {
    if (!this.root.open && !this.sweep) return '';
    const { spec } = this.#formSpec();
    if (spec) return toQuery(spec);
    // a half-typed form is kept as typed, so a reload shows the same text
    const p = new URLSearchParams();
    p.set('sweep', this.select.value);
    p.set('sweep_values', this.values.value.replace(/\s+/g, ''));
    p.set('sweep_epochs', this.epochs.value);
    if (this.seedsSel.value !== String(DEFAULT_SEEDS)) p.set('sweep_seeds', this.seedsSel.value);
    return p.toString().replace(/%2C/g, ',');
  }

  /** The page's configuration changed: the line that says what each run starts from follows it. */
  configChanged() {
    if (!this.sweep?.active) this.#checkForm();
  }

  #renderBase() {
    const sw = this.sweep;
    const cfg = sw ? sw.base : this.hooks.config();
    const key = sw ? sw.key : this.select.value;
    const rest = settingsQuery({ ...cfg, [key]: BY_KEY.get(key)?.def }).slice(1).replace(/&/g, ', ');
    const epochs = sw ? sw.epochCount : Number(this.epochs.value);
    const seeds = sw ? sw.seeds : key === 'seed' ? [cfg.seed] : seedList(Number(cfg.seed) || 0, Number(this.seedsSel.value) || 1);
    const n = concurrency();
    const from = key === 'seed' ? 'each run from its own seed'
      : seeds.length > 1 ? `each value once from each of seeds ${seeds.slice(0, -1).join(', ')} and ${seeds[seeds.length - 1]}` : `every run from seed ${cfg.seed}`;
    this.base.textContent = `Each value trains as its own run: ${sw ? 'the page\u2019s settings when the sweep started' : 'the page\u2019s current settings'} (${rest || 'all at their defaults'})`
      + ` with ${key} replaced, ${from}, for ${Number.isInteger(epochs) && epochs > 0 ? epochs : '?'} epoch${epochs === 1 ? '' : 's'};`
      + ` ${n === 2 ? 'two at a time, one per processor core' : 'one at a time (this computer reports one processor core)'}. The page\u2019s own run waits meanwhile.`;
  }

  // ------------------------------------------------------------ driving a sweep
  /**
   * Starts a sweep of spec {key, values, epochs, seeds}; resolves with its results once every run is final (also after
   * Cancel); rejects, in words, when the spec is refused, a sweep is already under way or the browser cannot train.
   */
  start(input) {
    if (!this.lab.configurable) return Promise.reject(new Error(this.lab.run.note));
    if (this.sweep?.active) return Promise.reject(new Error('a sweep is already running — cancel it first (lossLab.sweepCancel())'));
    const { spec, errors } = checkSpec(input);
    if (!spec) return Promise.reject(new Error(`sweep refused: ${errors.join('; ')}`));
    this.select.value = spec.key;
    this.values.value = spec.values.map(fmtNum).join(', ');
    this.epochs.value = String(spec.epochs);
    this.seedsSel.value = String(spec.seeds);
    this.root.open = true;
    this.pausedWhy = '';
    this.usedNote = '';
    const sweep = this.lab.startSweep(this.hooks.config(), spec);
    this.sweep = sweep;
    sweep.on('change', () => { if (this.sweep === sweep) this.queue(); });
    sweep.on('progress', () => { if (this.sweep === sweep) this.queue(); });
    this.#buildMultiples();
    this.hooks.urlChanged();
    this.#checkForm();
    const done = sweep.start();
    this.render();
    return done;
  }

  /** on: pause the sweep's runs (resolves once their workers confirmed); off: resume (the page's run pauses). */
  pause(on = true, why = '') {
    const sw = this.sweep;
    if (!sw) return Promise.resolve();
    if (!on) {
      if (sw.state !== 'paused') return Promise.resolve();
      this.pausedWhy = '';
      this.lab.resumeSweep();
      return Promise.resolve();
    }
    this.pausedWhy = why;
    const p = sw.pause();
    this.render();
    return p;
  }

  /** The page's own run was started: a running sweep pauses, so that the run gets the cores back. */
  pageStarted() {
    if (this.sweep?.state === 'running') this.pause(true, 'you started the page\u2019s own run; Resume sweep pauses it again');
  }

  cancel() {
    if (!this.sweep?.active) return [];
    this.sweep.cancel();
    this.render();
    return this.sweep.results();
  }

  /** The results so far (one per run: each value in the order given, seed by seed), or [] before the first sweep. */
  resultsSoFar() {
    return this.sweep ? this.sweep.results() : [];
  }

  // ------------------------------------------------------------ drawing
  queue() {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.render(); });
  }

  /** The values of the current sweep in value order, each over its seeds (groupOf). */
  #groups() {
    const sw = this.sweep;
    const values = [...new Set(sw.items.map((it) => it.value))].sort((a, b) => a - b);
    return values.map((v) => groupOf(v, sw.items.filter((it) => it.value === v), sw.state));
  }

  #buildMultiples() {
    this.multGrid.textContent = '';
    const sw = this.sweep;
    this.multiples = this.#groups().map(({ value, runs }) => {
      const id = `sweep-run-${runs[0].index}`;
      const seeds = runs.length > 1 ? ` (one set of curves per seed: ${runs.map((r) => r.seed).join(', ')})` : '';
      const canvas = el('canvas', { id, role: 'img', 'aria-label': `Loss of the run${runs.length > 1 ? 's' : ''} with ${valueText(sw.key, value)} against epochs${seeds}` });
      const cap = el('figcaption', {});
      const fig = el('figure', { class: 'chart sweep-run', 'data-value': String(value) }, cap, canvas);
      this.multGrid.append(fig);
      const chart = new LineChart(canvas, {
        xLabel: 'epoch', yLabel: 'loss (nats)', yMin: 0, xName: (x) => `epoch ${x.toFixed(2)}`,
        pointName: (x) => (Number.isInteger(x) ? `epoch ${x}` : `epoch ${x.toFixed(2)}`),
      });
      return { value, runs, fig, cap, chart };
    });
  }

  render() {
    const sw = this.sweep;
    const active = !!sw?.active;
    this.root.dataset.state = sw ? sw.state : 'none';
    this.btnRun.disabled = active || !this.lab.configurable;
    this.btnPause.disabled = !active;
    this.btnCancel.disabled = !active;
    this.btnPause.textContent = sw?.state === 'paused' ? 'Resume sweep' : 'Pause';
    this.btnPause.setAttribute('aria-pressed', sw?.state === 'paused' ? 'true' : 'false');
    for (const input of [this.select, this.values, this.epochs, this.seedsSel]) input.disabled = active;
    if (!sw) {
      this.state.textContent = 'Pick a setting and its values, then press Run sweep.';
      this.bar.hidden = true;
      this.activeList.textContent = '';
      this.results.hidden = true;
      return;
    }
    const n = sw.items.length;
    const S = sw.seeds.length;
    const runsText = S > 1 ? `${n} runs (${n / S} values × ${S} seeds)` : `${n} runs`;
    const finished = sw.items.filter((it) => FINAL.has(it.status));
    const diverged = finished.filter((it) => it.status === 'diverged').length;
    const failed = finished.filter((it) => it.status === 'error').length;
    const tail = [diverged ? `${diverged} diverged` : '', failed ? `${failed} failed` : ''].filter(Boolean).join(', ');
    const secs = Math.round(((sw.endedAt || performance.now()) - sw.startedAt) / 1000);
    this.state.textContent = {
      running: `Sweep running: ${finished.length} of ${runsText} finished${tail ? ` (${tail})` : ''}. The page\u2019s own run waits while the sweep uses the processor cores.`,
      paused: `Sweep paused: ${finished.length} of ${runsText} finished${this.pausedWhy ? ` — ${this.pausedWhy}` : ' — press Resume sweep to continue'}.`,
      done: `Sweep finished: ${runsText} in ${secs} s${tail ? ` (${tail})` : ''}.`,
      cancelled: `Sweep cancelled: ${finished.filter((it) => it.status !== 'cancelled').length} of ${runsText} had finished; their results stay below.`,
      idle: 'Starting the sweep…',
    }[sw.state];
    // progress: finished epochs of every run (a run that stopped early counts as complete)
    let doneEpochs = 0;
    for (const it of sw.items) doneEpochs += FINAL.has(it.status) ? sw.epochCount : Math.min(sw.epochCount, it.epochs.length + (it.progress || 0) * (it.status === 'queued' ? 0 : 1));
    this.bar.hidden = false;
    this.bar.value = doneEpochs / (n * sw.epochCount);
    this.activeList.textContent = '';
    if (active) {
      for (const it of sw.items) {
        if (FINAL.has(it.status) || it.status === 'queued') continue;
        const pctIn = it.progress && !PHASE_WITHOUT_PROGRESS.has(it.phase) ? ` (${Math.round(it.progress * 100)}%)` : '';
        this.activeList.append(el('li', { text: `run ${it.index + 1} of ${n}: ${valueText(sw.key, it.value)}, ${S > 1 ? `seed ${it.seed}, ` : ''}${it.note}${pctIn}` }));
      }
    }
    this.results.hidden = false;
    const groups = this.#groups();
    const ranked = groups.filter((g) => g.status === 'done' && g.loss).sort((a, b) => a.loss.mean - b.loss.mean);
    this.#renderPlots(groups, ranked);
    this.#renderTable(groups, ranked[0] || null);
    this.#renderMultiples(groups);
  }

  /**
   * The value with the lowest mean (over seeds) of each run's lowest validation loss during training, among the
   * values whose runs all finished (ranked[0]); the runner-up is ranked[1]. Their spreads overlap when the best's
   * highest seed is at or above the runner-up's lowest.
   */
  #renderPlots(groups, ranked) {
    const sw = this.sweep;
    const S = sw.seeds.length;
    const best = ranked[0] || null;
    this.#captionPlots(S);
    const spec = { key: sw.key, log: logAxis(sw.key, groups.map((g) => g.value)), seeds: S, items: groups, best: best ? best.value : null };
    this.plotLoss.draw(spec);
    this.plotAcc.draw(spec);
    // the best value and the button that applies it
    this.best.textContent = '';
    delete this.best.dataset.overlap;
    delete this.best.dataset.verdict;
    if (!best) {
      this.best.append(sw.active ? 'The lowest validation loss reached during training is named here once a value\u2019s runs have finished.' : 'No value finished all its epochs, so no value can be called best.');
      return;
    }
    const epochs = best.at;
    const next = ranked[1] || null;
    // best against the runner-up over the seeds (www/lab/bands.js): 'inside' the seed-to-seed spread, 'apart', or
    // 'unmeasured' with one seed; inside, the button says it is a tie rather than a winner
    const { verdict } = compare(best.loss, next?.loss);
    this.best.dataset.verdict = next ? verdict : 'alone';
    const tie = next && verdict === 'inside';
    const b = el('button', { type: 'button', id: 'btn-sweep-use', text: `Use ${valueText(sw.key, best.value)}${tie ? ` (a tie with ${fmtNum(next.value)} within seed noise)` : ''}` });
    b.title = tie ? 'The runner-up is inside the seed-to-seed spread: either value is as good on this evidence. Sets this value on the page, as lossLab.apply does'
      : 'Sets this value on the page, as lossLab.apply does';
    b.addEventListener('click', () => {
      const notices = this.hooks.apply({ [sw.key]: best.value });
      this.usedNote = notices.length ? notices.join('; ') : `The page now trains with ${valueText(sw.key, best.value)} — press Start (or Reset) to see it.`;
      this.render();
      document.getElementById('btn-sweep-use')?.focus();
    });
    const soFar = sw.active ? ' (so far)' : '';
    if (S === 1) {
      this.best.append(el('strong', { text: 'Lowest validation loss during training: ' }),
        `${valueText(sw.key, best.value)} — ${nats(best.loss.mean)} nats at epoch ${epochs[0]}, ${pct(best.acc.mean)} accuracy${soFar}. `, b);
      if (ranked.length > 1) this.best.append(el('span', { class: 'help sweep-one-seed', text: ' One seed per value: the seed-to-seed spread is not measured, so a small difference may be noise (try 2 or 3 seeds).' }));
    } else {
      this.best.append(el('strong', { text: tie ? `No clear winner over ${S} seeds. Lowest mean validation loss during training: ` : `Lowest validation loss during training, mean of ${S} seeds: ` }),
        `${valueText(sw.key, best.value)} — ${nats(best.loss.mean)} nats (seeds ${nats(best.loss.lo)}–${nats(best.loss.hi)}, at epochs ${epochs.join(', ')}), ${pct(best.acc.mean)} accuracy${soFar}. `);
      if (next) {
        const overlap = verdict === 'inside';
        this.best.dataset.overlap = String(overlap);
        this.best.append(`Runner-up ${valueText(sw.key, next.value)}: ${nats(next.loss.mean)} nats (${nats(next.loss.lo)}–${nats(next.loss.hi)}) — `,
          overlap ? el('strong', { class: 'sweep-overlap', text: 'inside the seed-to-seed spread: the difference is seed noise, not a winner' }) : 'the spreads do not overlap: every seed of the best beats every seed of the runner-up',
          '. ');
      }
      this.best.append(b);
    }
    if (this.usedNote) this.best.append(el('span', { class: 'sweep-used', text: ` ${this.usedNote}` }));
  }

  #renderTable(groups, best) {
    const sw = this.sweep;
    const S = sw.seeds.length;
    const t = this.table;
    t.textContent = '';
    t.append(el('caption', { class: 'sr-only', text: `Every value of the sweep: how its run${S > 1 ? 's' : ''} ended, the lowest validation loss reached during training${S > 1 ? ` (mean over ${S} seeds and the lowest to highest seed)` : ''}, the epoch it was reached, the validation accuracy there, and the last epoch\u2019s validation loss` }));
    const head = el('tr', {});
    const heads = S > 1
      ? [sw.key, 'result', 'epochs', `lowest val. loss, mean of ${S} seeds (min–max)`, 'at epoch', 'val. acc. there', 'final val. loss']
      : [sw.key, 'result', 'epochs', 'lowest val. loss during training', 'at epoch', 'val. acc. there', 'final val. loss'];
    for (const h of heads) head.append(el('th', { scope: 'col', text: h }));
    t.append(el('thead', {}, head));
    const body = el('tbody', {});
    for (const g of groups) {
      const finals = g.runs.map((r) => r.epochs[r.epochs.length - 1]?.valLoss).filter(Number.isFinite);
      const tr = el('tr', { 'data-status': g.status, 'data-value': String(g.value) });
      if (best === g) tr.dataset.best = '';
      const result = S === 1 ? runResult(g.runs[0])
        : g.status === 'done' ? 'done' : g.runs.map((r) => `seed ${r.seed}: ${runResult(r)}`).join('; ');
      tr.append(
        el('th', { scope: 'row', text: fmtNum(g.value) + (best === g ? ' (lowest)' : '') }),
        el('td', { class: 'sweep-result', text: result }),
        el('td', { text: g.runs.map((r) => r.epochs.length).join(', ') }),
        el('td', { class: 'sweep-lowest' }, g.loss ? nats(g.loss.mean) : '—',
          ...(S > 1 && g.loss ? [' (', el('span', { class: 'sweep-spread', text: `${nats(g.loss.lo)}–${nats(g.loss.hi)}` }), ')'] : [])),
        el('td', { class: 'sweep-at', text: g.at.length ? g.at.join(', ') : '—' }),
        el('td', { text: g.acc ? pct(g.acc.mean) : '—' }),
        el('td', { class: 'sweep-final', text: finals.length ? nats(mean(finals)) : '—' }));
      body.append(tr);
    }
    t.append(body);
  }

  #renderMultiples(groups) {
    const sw = this.sweep;
    const E = sw.epochCount;
    const S = sw.seeds.length;
    // shared axes: epochs 0 … E, loss 0 … the highest finite value any run drew, between 1.1 ln 10 and 5 nats
    // (an untrained net starts at 3–5 nats; a run that blew up leaves the top, and its caption and red line say where)
    let hi = 0;
    const cut = (rec) => {
      let n = 0;
      while (n < rec.x.n && rec.x.a[n] <= E + 1e-9) n++;
      return n;
    };
    for (const item of sw.items) {
      const rec = item.record;
      if (!rec) continue;
      const n = cut(rec);
      for (let i = 0; i < n; i++) { const v = rec.lossEma.a[i]; if (Number.isFinite(v) && v > hi && v < 1e3) hi = v; }
      for (const r of item.epochs) for (const v of [r.trainLoss, r.valLoss]) if (Number.isFinite(v) && v > hi && v < 1e3) hi = v;
    }
    const yTop = Number(Math.max(CHANCE * 1.1, Math.min(hi * 1.05, 5)).toPrecision(2));
    const byValue = new Map(groups.map((g) => [g.value, g]));
    for (const m of this.multiples) {
      const { fig, cap, chart } = m;
      const g = byValue.get(m.value);
      fig.dataset.status = g.status;
      fig.dataset.axes = `0 ${E} 0 ${yTop}`;
      const what = g.status === 'done' ? (S > 1 ? `lowest val. loss ${nats(g.loss?.mean)} (mean of ${S} seeds)` : `lowest val. loss ${nats(g.loss?.mean)} at epoch ${g.at[0]}`)
        : g.status === 'diverged' ? `✗ diverged at step ${g.divergedAt}${S > 1 ? ` (seed ${g.bad.seed})` : ''}`
          : g.status === 'error' ? 'failed' : S > 1 ? `${g.finished} of ${S} seeds finished` : g.runs[0].note;
      cap.textContent = '';
      cap.append(el('span', { class: 'sweep-run-value', text: valueText(sw.key, m.value) }), el('span', { class: 'sweep-run-what', text: ` ${what}` }));
      chart.opts.yMax = yTop;
      const series = [];
      const vlines = [];
      for (const item of g.runs) {
        const rec = item.record;
        if (!rec) continue;
        const n = cut(rec);
        const rows = item.epochs;
        const seed = S > 1 ? `, seed ${item.seed}` : '';
        const col = (f) => ({ xs: rows.map((r) => r.epoch), ys: rows.map((r) => r[f]), n: rows.length });
        series.push({ xs: rec.x.a, ys: rec.lossEma.a, n, color: OI.sky, width: 1.5, name: `train, each batch (smoothed)${seed}` });
        series.push({ ...col('trainLoss'), color: OI.blue, width: 2, dots: 3.5, name: `train (epoch)${seed}` });
        series.push({ ...col('valLoss'), color: OI.vermillion, width: 2, dots: 3.5, dash: [6, 3], name: `validation${seed}` });
        if (item.divergedAt != null && rec.stepsPerEpoch) vlines.push({ x: item.divergedAt / rec.stepsPerEpoch, label: '✗ diverged', color: OI.vermillion });
      }
      // a little room right of the last epoch, so that its dots are whole
      chart.draw({ series, xMin: 0, xMax: E * 1.04, integerX: true, vlines, hlines: [{ y: CHANCE, label: 'chance', color: '#444' }] });
    }
  }
}
