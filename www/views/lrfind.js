// "Find a learning rate": the learning-rate range test (Smith 2017; fastai's lr_find) in the page. The engine
// (src/train/lrfind.rs) raises the learning rate from 1e-6 to 10 over 100 mini-batches with the run's optimizer,
// from the current weights or a fresh net, and puts the weights back afterwards; this view draws the smoothed
// loss against the learning rate on a log axis, marks fastai's three suggestions and where the loss blew up,
// and applies the suggestion to the run on request. lossLab.findLr() runs the same test through `find`.
import { LineChart, OI } from '../charts.js';
import { lastParam } from '../state.js';

/** A learning rate in words: 0.0034, 3.2, 1e-5. */
export const fmtLr = (v) => (v == null || !Number.isFinite(v) ? '—' : v >= 0.001 && v < 1000 ? Number(v.toPrecision(2)).toString() : v.toExponential(1).replace('e+', 'e'));
/** Tick text of a log10 axis value: decades only (1e-6 … 0.01, 0.1, 1, 10); the grid lines between stay unlabelled. */
const decade = (e) => {
  const d = Math.round(e);
  if (Math.abs(e - d) > 1e-6) return '';
  return d >= -2 && d <= 2 ? String(10 ** d) : `1e${d}`;
};

/** The panel's URL key: `lrfind=current` or `lrfind=fresh` opens it with that starting point chosen. */
export const QUERY_PARAMS = new Set(['lrfind']);

/** Reads the panel's URL state: {open, fresh, notices}. A garbled value opens the panel on the default. */
export function readQuery(search) {
  const { last, notices } = lastParam(new URLSearchParams(search), 'lrfind');
  if (last === null) return { open: false, fresh: false, notices: [] };
  if (last !== 'current' && last !== 'fresh') {
    notices.push(`lrfind = "${last}" is not one of: current, fresh — the range test panel opens set to the current weights`);
    return { open: true, fresh: false, notices };
  }
  return { open: true, fresh: last === 'fresh', notices };
}

const MARKS = [
  ['valley', 'valley', OI.green, 'halfway down the longest stretch of falling loss (fastai\u2019s default suggestion)'],
  ['steep', 'steepest', OI.orange, 'where the loss falls fastest'],
  ['minimum', 'min ÷ 10', OI.purple, 'a tenth of the learning rate at the lowest loss'],
];

export class LrFindView {
  /**
   * root: the #lrfind panel. o: {find(options) -> Promise of the engine's report (the Run's lrFind),
   * apply(lr) -> applies a learning rate to the run, canRun(options) -> '' or why the test cannot run now,
   * lr() -> the run's current learning rate, changed() -> the panel's URL state changed}
   */
  constructor(root, o) {
    const q = (s) => root.querySelector(s);
    this.o = o;
    this.root = root;
    this.button = q('#btn-lrfind');
    this.useButton = q('#btn-lrfind-use');
    this.note = q('#lrfind-note');
    this.detail = q('#lrfind-detail');
    this.canvas = q('#chart-lrfind');
    this.chart = new LineChart(this.canvas, {
      xLabel: 'learning rate (log scale)', yLabel: 'loss, smoothed (nats)',
      xTick: decade, xName: (x) => `learning rate ${fmtLr(10 ** x)}`,
    });
    this.result = null;
    this.busy = false;
    this.button.addEventListener('click', () => { this.run().catch(() => {}); });
    // the open panel and its starting point are in the URL (o.changed writes it)
    root.addEventListener('toggle', () => o.changed?.());
    for (const r of root.querySelectorAll('input[name="lrfind-from"]')) r.addEventListener('change', () => o.changed?.());
    this.useButton.addEventListener('click', () => this.use());
    new ResizeObserver(() => { if (this.result) this.#draw(); }).observe(this.canvas);
  }

  /** This panel's part of the page's query string ('' while it is closed). */
  query() {
    return this.root.open ? `lrfind=${this.fresh ? 'fresh' : 'current'}` : '';
  }

  /** Opens the panel as a link asked ({open, fresh} of readQuery); it does not start a test. */
  load({ open, fresh }) {
    if (!open) return;
    this.fresh = fresh;
    this.root.open = true;
  }

  /** The learner's choice of starting point. */
  get fresh() { return this.root.querySelector('input[name="lrfind-from"]:checked')?.value === 'fresh'; }
  set fresh(v) { this.root.querySelector(`input[name="lrfind-from"][value="${v ? 'fresh' : 'current'}"]`).checked = true; }

  /** Runs the test with `options` ({fresh, start, end, steps}; fresh defaults to the panel's choice). */
  async run(options = {}) {
    if (this.busy) throw new Error('a range test is already under way');
    const opts = { fresh: this.fresh, ...options };
    const why = this.o.canRun(opts);
    if (why) { this.root.dataset.state = 'error'; this.#say(why, 'error'); throw new Error(why); }
    if (options.fresh !== undefined) this.fresh = !!options.fresh;
    this.busy = true;
    this.root.dataset.state = 'running';
    this.button.disabled = true;
    this.useButton.hidden = true;
    this.#say(`testing learning rates from ${fmtLr(opts.start ?? 1e-6)} to ${fmtLr(opts.end ?? 10)} over ${opts.steps ?? 100} mini-batches from ${opts.fresh ? 'a fresh net' : 'the current weights'} — training waits meanwhile…`);
    try {
      const r = await this.o.find(opts);
      this.result = {
        lrs: Array.from(r.lrs), losses: Array.from(r.losses), raw: Array.from(r.raw),
        suggestions: { ...r.suggestions }, suggestion: r.suggestion, blewUpAt: r.blewUpAt,
        fresh: r.fresh, start: r.start, end: r.end, steps: r.steps,
      };
      this.root.dataset.state = 'done';
      this.#draw();
      this.#explain();
      return structuredClone(this.result);
    } catch (e) {
      this.root.dataset.state = 'error';
      this.#say(`the range test could not run: ${e.message}`, 'error');
      throw e;
    } finally {
      this.busy = false;
      this.button.disabled = false;
    }
  }

  /** Applies the suggestion to the run's learning rate. */
  use() {
    const s = this.result?.suggestion;
    if (s == null) return;
    this.o.apply(Number(s.toPrecision(2)));
    this.useButton.textContent = `Learning rate set to ${fmtLr(s)}`;
    this.useButton.disabled = true;
  }

  /** The figures drawn, for tests and scripts: [[lr, smoothed loss]] and the marked learning rates. */
  drawn() {
    return this.result ? { points: this.result.lrs.map((lr, i) => [lr, this.result.losses[i]]), marks: this.marks || [] } : null;
  }

  #say(text, kind = '') {
    this.note.textContent = text;
    this.note.dataset.kind = kind;
  }

  #draw() {
    const r = this.result;
    const xs = r.lrs.map((v) => Math.log10(v));
    const finite = r.losses.filter(Number.isFinite);
    const low = Math.min(...finite);
    const vlines = [];
    this.marks = [];
    for (const [key, label, color] of MARKS) {
      const v = r.suggestions[key];
      if (v == null) continue;
      vlines.push({ x: Math.log10(v), label, color, row: vlines.length });
      this.marks.push([key, v]);
    }
    if (r.blewUpAt != null) {
      vlines.push({ x: Math.log10(r.blewUpAt), label: 'blew up', color: OI.vermillion, row: vlines.length });
      this.marks.push(['blewUp', r.blewUpAt]);
    }
    this.canvas.dataset.points = String(r.lrs.length);
    this.canvas.dataset.marks = JSON.stringify(Object.fromEntries(this.marks));
    this.chart.draw({
      series: [
        { xs: r.lrs.map((v) => Math.log10(v)), ys: r.raw, n: r.raw.length, color: '#9a9a9a', width: 1, alpha: 0.6, name: 'loss of each mini-batch' },
        { xs, ys: r.losses, n: r.losses.length, color: OI.blue, width: 2.5, name: 'smoothed loss' },
      ],
      // the y axis follows the smoothed curve (up to 4× its best, where the test stops), not a wild raw batch
      yInclude: [low, Math.min(Math.max(...finite), 4 * low + 0.5)],
      yCap: Math.max(...finite) * 1.05,
      hlines: [{ y: Math.LN10, label: 'chance: ln 10', color: '#666', left: true }],
      vlines,
      xMin: Math.log10(r.start), xMax: Math.log10(r.end),
    });
  }

  #explain() {
    const r = this.result, s = r.suggestions;
    const from = r.fresh ? 'a fresh net (same seed)' : 'the current weights';
    if (r.suggestion == null) {
      this.#say(`No suggestion: the loss ${r.blewUpAt != null ? `blew up at learning rate ${fmtLr(r.blewUpAt)}` : 'never fell'} before the curve said anything. Try a fresh net, a smaller batch or another initializer, then test again.`, 'warn');
    } else {
      this.#say(`Suggested learning rate: ${fmtLr(r.suggestion)} (valley), from ${from}. The run now uses ${fmtLr(this.o.lr())}.`, 'ok');
    }
    this.detail.textContent = '';
    const lines = [['smoothed loss', OI.blue, 'the mean of the recent mini-batches, what the suggestions read'],
      ['each mini-batch', '#9a9a9a', 'its own loss, noisy']];
    for (const [label, color, words] of lines) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.setProperty('--c', color);
      li.append(sw, ` ${label}: ${words}`);
      this.detail.append(li);
    }
    for (const [key, label, color, words] of MARKS) {
      const li = document.createElement('li');
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.setProperty('--c', color);
      li.append(sw, ` ${label}: ${fmtLr(s[key])} — ${words}`);
      this.detail.append(li);
    }
    const li = document.createElement('li');
    li.textContent = r.blewUpAt != null
      ? `blew up: ${fmtLr(r.blewUpAt)} — the smoothed loss passed 4× its best there, so the test stopped after ${r.lrs.length} of ${r.steps} mini-batches`
      : `the loss never blew up up to ${fmtLr(r.end)}`;
    this.detail.append(li);
    this.useButton.hidden = r.suggestion == null;
    this.useButton.disabled = false;
    this.useButton.textContent = `Use learning rate ${fmtLr(r.suggestion)}`;
  }

  /** A rebuild replaced the network: an old curve no longer describes it, but stays until the next test. */
  stale() {
    if (!this.result) return;
    this.root.dataset.state = 'stale';
    this.#say('The network was rebuilt since this test: run it again to read the new one.', 'warn');
    this.useButton.hidden = true;
  }
}
