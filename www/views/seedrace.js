// "Race on 3 seeds" (www/lab/seedrace.js): its button and epoch count beside "Race the pinned run", its status
// line (what it costs, how far it is, and at the end whether the difference between the two settings is inside
// the seed-to-seed spread), and the loss and accuracy charts' picture of it: each side a mean line with its
// min–max band over the seeds (bandCharts, drawn by www/views/plots.js). Colours mean sides here, not train and
// validation: this setting blue, the pinned one vermillion (Okabe & Ito); training solid, validation dashed.
import { OI } from '../charts.js';
import { el } from '../ui/dom.js';
import { pct } from '../ui/format.js';
import { RACE_SEEDS, DEFAULT_RACE_EPOCHS, MAX_RACE_EPOCHS, checkRaceSpec } from '../lab/seedrace.js';
import { FINAL } from '../lab/sweep.js';
import { fmtNum } from '../state.js';

const SIDE = [
  { key: 'cur', name: 'this setting', color: OI.blue },
  { key: 'pin', name: 'pinned', color: OI.vermillion },
];
const BAND_ALPHA = 0.22;

/**
 * The two sides' names with what tells them apart: "this setting (lr = 0.02)" and "pinned (lr = 0.01)" — the
 * settings whose values differ (the seed only when nothing else does), at most two, then "…".
 */
export function sideNames(race) {
  const [a, b] = race.configs;
  let keys = Object.keys(a).filter((k) => k !== 'seed' && String(a[k]) !== String(b[k]));
  if (!keys.length && String(a.seed) !== String(b.seed)) keys = ['seed'];
  const words = (c) => (keys.length ? ` (${keys.slice(0, 2).map((k) => `${k} = ${fmtNum(c[k])}`).join(', ')}${keys.length > 2 ? ', …' : ''})` : '');
  return [`${SIDE[0].name}${words(a)}`, `${SIDE[1].name}${words(b)}`];
}

const f3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : '—');

/**
 * The loss and accuracy charts of a race on several seeds: {loss: {series, areas, legend}, acc: {…}, bands: the
 * validation loss bands as drawn, for the tests' data-bands}. Every line is the mean over the seeds that reached
 * that point; its band is their lowest to highest.
 */
export function bandCharts(race, { raw = false } = {}) {
  const loss = { series: [], areas: [], legend: [] }, acc = { series: [], areas: [], legend: [] };
  const drawn = [];
  const dot = race.epochs <= 30 ? 4 : 0;
  const names = sideNames(race);
  const seeds = [];
  [0, 1].forEach((side) => {
    const b = race.bands(side);
    const { key, color } = SIDE[side];
    const name = names[side];
    const area = (bd, k, scale = 1) => ({ xs: bd.xs, lo: scale === 1 ? bd.lo : bd.lo.map((v) => v * scale), hi: scale === 1 ? bd.hi : bd.hi.map((v) => v * scale), n: bd.n, color, alpha: BAND_ALPHA, key: k });
    const line = (bd, k, label, o = {}, scale = 1) => ({ xs: bd.xs, ys: scale === 1 ? bd.mean : bd.mean.map((v) => v * scale), n: bd.n, color, key: k, name: `${name}: ${label}`, ...o });
    loss.areas.push(area(b.loss, `${key}-train`), area(b.val, `${key}-val`));
    loss.series.push(line(b.loss, `${key}-train`, `training, each batch ${raw ? '(smoothed: no raw curve over seeds)' : '(smoothed)'}`, { width: 2 }));
    loss.series.push(line(b.val, `${key}-val`, 'validation', { width: 2.5, dash: [7, 4], dots: dot }));
    acc.areas.push(area(b.valAcc, `${key}-val`, 100));
    acc.series.push(line(b.trainAcc, `${key}-train`, 'training', { width: 2, dots: dot && 3 }, 100));
    acc.series.push(line(b.valAcc, `${key}-val`, 'validation', { width: 2.5, dash: [7, 4], dots: dot }, 100));
    loss.legend.push({ label: `${name}: training`, color, key: `${key}-train` }, { label: `${name}: validation`, color, dash: true, key: `${key}-val` });
    acc.legend.push({ label: `${name}: training`, color, key: `${key}-train` }, { label: `${name}: validation`, color, dash: true, key: `${key}-val` });
    seeds.push(b.seeds);
    drawn.push({ side: side === 0 ? 'current' : 'pinned', xs: Array.from(b.val.xs), mean: Array.from(b.val.mean), lo: Array.from(b.val.lo), hi: Array.from(b.val.hi), count: Array.from(b.val.count) });
  });
  const so = Math.min(...seeds) === RACE_SEEDS ? `${RACE_SEEDS} seeds` : `the seeds trained so far (${seeds.join(' and ')} of ${RACE_SEEDS})`;
  const shade = { label: `lines: mean of ${so}; shaded: lowest to highest seed`, color: '#bbb', bar: true };
  loss.legend.push(shade);
  acc.legend.push(shade);
  return { loss, acc, bands: drawn };
}

export class SeedRaceView {
  /**
   * tools: the element the button and the epoch menu go into (after "Race the pinned run"); line: the element the
   * status line goes after. o: {config() -> the page's configuration, redraw() -> the charts should be drawn again}
   */
  constructor(lab, { tools, line }, o) {
    this.lab = lab;
    this.o = o;
    this.button = el('button', { type: 'button', id: 'btn-race-seeds', disabled: '', text: `Race on ${RACE_SEEDS} seeds (${2 * RACE_SEEDS} runs)` });
    this.button.title = `Trains this setting and the pinned one on ${RACE_SEEDS} seeds each (${2 * RACE_SEEDS} runs, two at a time) and draws each as its mean with the lowest-to-highest band`;
    this.epochs = el('select', { id: 'race-seeds-epochs' });
    for (let e = 1; e <= MAX_RACE_EPOCHS; e++) this.epochs.append(el('option', { value: String(e), text: String(e) }));
    this.epochs.value = String(DEFAULT_RACE_EPOCHS);
    const label = el('label', { class: 'race-seeds-epochs' }, this.epochs, ' epochs');
    this.button.addEventListener('click', () => { this.start({ epochs: Number(this.epochs.value) }).catch(() => {}); });
    // shown only while a run is pinned (there is nothing to race before), so that the chart options keep to one row
    this.tools = el('span', { class: 'race-seeds', hidden: '' }, this.button, label);
    tools.append(this.tools);
    this.line = el('p', { id: 'seed-race-status', class: 'race-status seed-race-status', 'aria-live': 'polite', hidden: '' });
    this.text = el('span', {});
    this.endButton = el('button', { type: 'button', id: 'btn-race-seeds-end', text: 'Back to one seed' });
    this.endButton.addEventListener('click', () => this.lab.endSeedRace());
    this.line.append(this.text, ' ', this.endButton);
    line.after(this.line);
    this.queued = false;
    lab.on('pin', () => this.render());
    lab.on('seedrace', () => { this.render(); this.o.redraw(); });
    lab.on('run', () => this.render());
    this.render();
  }

  /**
   * Starts a race on several seeds of `epochs` epochs (lossLab.race(true, {seeds: 3, epochs})); resolves to its
   * results once every run is final (www/lab/seedrace.js results()); rejects, in words, without a pin.
   */
  start({ epochs = DEFAULT_RACE_EPOCHS, seeds = RACE_SEEDS } = {}) {
    const { spec, errors } = checkRaceSpec({ epochs, seeds });
    if (!spec) return Promise.reject(new Error(`race refused: ${errors.join('; ')}`));
    if (!this.lab.pin) return Promise.reject(new Error('pin a run first: the race trains the pinned configuration again'));
    if (!this.lab.configurable) return Promise.reject(new Error(this.lab.run.note));
    this.epochs.value = String(spec.epochs);
    const race = this.lab.startSeedRace(this.o.config(), spec);
    const mine = () => this.lab.seedRace === race;
    race.on('change', () => { if (mine()) this.#queue(); });
    race.on('progress', () => { if (mine()) this.#queue(); });
    const done = race.start();
    this.render();
    return done;
  }

  /** The results so far of the race on several seeds the charts show, or null. */
  results() {
    return this.lab.seedRace ? this.lab.seedRace.results() : null;
  }

  #queue() {
    if (this.queued) return;
    this.queued = true;
    requestAnimationFrame(() => { this.queued = false; this.render(); this.o.redraw(); });
  }

  render() {
    const race = this.lab.seedRace;
    const active = !!race?.active;
    this.tools.hidden = !this.lab.pin;
    this.button.disabled = !this.lab.pin || !this.lab.configurable || active;
    this.epochs.disabled = active;
    this.line.hidden = !race;
    document.getElementById('charts')?.classList.toggle('seed-race', !!race);
    if (!race) { this.text.textContent = ''; delete this.line.dataset.state; delete this.line.dataset.verdict; return; }
    this.line.dataset.state = race.state;
    const n = race.runCount, E = race.epochs;
    const items = race.sweep.items;
    const finished = items.filter((it) => FINAL.has(it.status)).length;
    const trained = items.filter((it) => it.status === 'done' || it.status === 'diverged').length;
    const cost = `${n} runs (this setting and the pinned one on ${RACE_SEEDS} seeds each) of ${E} epoch${E === 1 ? '' : 's'}, two at a time on one core each: about ${RACE_SEEDS} times as long as a race on one seed`;
    const s = race.summary();
    this.line.dataset.verdict = s.verdict;
    const names = sideNames(race);
    const side = (i) => {
      const v = s.sides[i];
      if (!v.valLoss) return `${names[i]}: no seed finished`;
      return `${names[i]} ${f3(v.valLoss.mean)}${v.valLoss.n > 1 ? ` (seeds ${f3(v.valLoss.lo)}–${f3(v.valLoss.hi)})` : ''}, accuracy ${pct(v.valAcc.mean)}`;
    };
    const verdict = {
      inside: 'the ranges overlap: the difference is inside the seed-to-seed spread — seed noise, not a winner.',
      apart: 'the ranges do not overlap: every seed of one setting beats every seed of the other, a difference the seeds alone do not make.',
      unmeasured: 'a side has fewer than two finished seeds, so its spread is not measured yet.',
    }[s.verdict];
    const diverged = items.filter((it) => it.status === 'diverged').length;
    const div = diverged ? ` ${diverged} of the runs diverged (left out of the figures).` : '';
    const figures = `Validation loss after epoch ${E}, mean of the seeds: ${side(0)}; ${side(1)} — ${verdict}${div}`;
    const head = 'Race on 3 seeds:';
    // the loss and accuracy charts show the race; the rest of the page is still about the page's own run
    const rest = ' The other charts and the diagnosis are this page\u2019s own run.';
    this.text.textContent = {
      running: `${head} ${cost}. ${finished} of ${n} finished${finished ? `. So far: ${figures}` : '.'}`,
      paused: `${head} paused (the page\u2019s own run or a sweep has the cores), ${finished} of ${n} finished. ${cost}.`,
      done: `${head} ${figures}${rest}`,
      cancelled: `${head} cancelled with ${trained} of ${n} runs finished${trained ? `. ${figures}${rest}` : '.'}`,
      idle: `${head} starting…`,
    }[race.state] ?? '';
    this.endButton.textContent = active ? 'Cancel' : 'Back to one seed';
  }
}
