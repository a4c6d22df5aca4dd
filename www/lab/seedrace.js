// A race on several seeds: the current settings and the pinned ones, each trained on 3 seeds for a chosen number of
// epochs, so that the difference between them can be read against the spread a change of seed alone gives. One
// seed cannot show whether a 1-point difference is real (the Tuning Playbook's trial-to-trial variance). The runs
// are a queue of a Sweep (www/lab/sweep.js) whose two "values" are the two settings: two at a time, one core each,
// seed by seed, so the pair on the first seed finishes first; each run's Record is kept for the bands.
//
// Seeds: each side trains on its own seed s, s+1, s+2 (s the seed it was pinned or is set with), as a race on one
// seed trains each side on its own seed. This file knows nothing of the page: www/views/seedrace.js draws it.
import { Sweep, seedList, FINAL } from './sweep.js';
import { rowCopy } from './record.js';
import { band, spread, compare } from './bands.js';

export const RACE_SEEDS = 3;
export const MAX_RACE_EPOCHS = 10;
export const DEFAULT_RACE_EPOCHS = 2;
/** The two sides of the race, in the queue's order (value 0 and 1 of the Sweep). */
export const SIDES = ['current', 'pinned'];

/** Checks {seeds, epochs} of lossLab.race(true, …): {spec: {seeds, epochs}, errors}. */
export function checkRaceSpec({ seeds = RACE_SEEDS, epochs = DEFAULT_RACE_EPOCHS } = {}) {
  const errors = [];
  if (seeds !== RACE_SEEDS && seeds !== 1) errors.push(`seeds = ${String(seeds).slice(0, 20)}: a race trains on 1 seed (live, side by side) or ${RACE_SEEDS}`);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > MAX_RACE_EPOCHS) errors.push(`epochs = ${String(epochs).slice(0, 20)} is not a whole number from 1 to ${MAX_RACE_EPOCHS}`);
  return { spec: errors.length ? null : { seeds, epochs }, errors };
}

export class SeedRace {
  /**
   * @param {object} current the page's configuration (seed included)
   * @param {object} pinned the pinned configuration (seed included)
   * @param {{epochs: number, seeds?: number, pinLabel?: string}} o
   * @param {object} [sweepOptions] passed to the Sweep (parallel, makeRun: for tests)
   */
  constructor(current, pinned, { epochs, seeds = RACE_SEEDS, pinLabel = '' }, sweepOptions = {}) {
    this.epochs = epochs;
    this.configs = [{ ...current }, { ...pinned }];
    this.pinLabel = pinLabel;
    // the seeds of each side: its own s, s+1, … (the queue is keyed by the current side's list)
    this.sideSeeds = this.configs.map((c) => seedList(Number(c.seed) || 0, seeds));
    const queueSeeds = this.sideSeeds[0];
    this.sweep = new Sweep(current, { key: 'race', values: [0, 1], epochs, seeds }, {
      ...sweepOptions,
      configFor: (side, seed) => {
        const k = queueSeeds.indexOf(seed);
        const s = this.sideSeeds[side][k];
        return { cfg: { ...this.configs[side], seed: s }, label: `${side === 0 ? 'this setting' : 'pinned'}, seed ${s}` };
      },
    });
    this.finished = this.sweep.finished.then(() => this.results());
  }

  get state() { return this.sweep.state; }
  get active() { return this.sweep.active; }
  get runCount() { return this.sweep.items.length; }
  on(type, fn) { this.sweep.on(type, fn); return this; }
  start() { this.sweep.start(); return this.finished; }
  pause() { return this.sweep.pause(); }
  resume() { this.sweep.resume(); }
  cancel() { this.sweep.cancel(); }

  /** The items (runs) of one side (0: current, 1: pinned), in seed order, with their real seed. */
  items(side) {
    return this.sweep.items.filter((it) => it.value === side).map((it, k) => ({ it, seed: this.sideSeeds[side][k] }));
  }

  /**
   * The bands of one side, over the seeds trained so far: loss (the smoothed batch loss, per step), train and val
   * (the epoch rows' losses), trainAcc and valAcc (fractions); each as band() gives it. `seeds`: how many of the
   * side's runs have any record yet, `done`: how many are final.
   */
  bands(side) {
    const runs = this.items(side).map(({ it }) => it);
    const recs = runs.filter((it) => it.record && it.record.steps > 0);
    const cap = (rec) => {
      let n = 0;
      while (n < rec.x.n && rec.x.a[n] <= this.epochs + 1e-9) n++;
      return n;
    };
    const rows = (f) => recs.map((it) => {
      const e = it.epochs;
      return { xs: e.map((r) => r.epoch), ys: e.map((r) => r[f]), n: e.length };
    });
    return {
      loss: band(recs.map((it) => ({ xs: it.record.x.a, ys: it.record.lossEma.a, n: cap(it.record) }))),
      train: band(rows('trainLoss')),
      val: band(rows('valLoss')),
      trainAcc: band(rows('trainAcc')),
      valAcc: band(rows('valAcc')),
      seeds: recs.length,
      done: runs.filter((it) => FINAL.has(it.status)).length,
      diverged: runs.filter((it) => it.status === 'diverged').length,
    };
  }

  /**
   * The figures the race is read by, per side over its seeds that finished every epoch: the last epoch's validation
   * loss and accuracy (spread(): mean, lo, hi, n); and the verdict of the validation losses (compare(): 'inside' the
   * seed-to-seed spread, 'apart', or 'unmeasured' while a side has fewer than two finished seeds).
   */
  summary() {
    const sides = [0, 1].map((side) => {
      const done = this.items(side).filter(({ it }) => it.status === 'done' && it.epochs.length >= this.epochs);
      const last = done.map(({ it }) => it.epochs[this.epochs - 1]);
      return { valLoss: spread(last.map((r) => r.valLoss)), valAcc: spread(last.map((r) => r.valAcc)) };
    });
    return { sides, ...compare(sides[0].valLoss, sides[1].valLoss) };
  }

  /** lossLab.race(true, {seeds: 3}) resolves to this: plain copies for scripts. */
  results() {
    const { sides, verdict, gap, width } = this.summary();
    return {
      state: this.state,
      epochs: this.epochs,
      runs: this.runCount,
      sides: [0, 1].map((side) => ({
        side: SIDES[side],
        config: { ...this.configs[side] },
        seeds: [...this.sideSeeds[side]],
        runs: this.items(side).map(({ it, seed }) => ({
          seed, status: it.status, epochs: it.epochs.map(rowCopy), divergedAt: it.divergedAt, message: it.message,
        })),
        valLoss: sides[side].valLoss,
        valAcc: sides[side].valAcc,
      })),
      verdict, gap, width,
    };
  }
}
