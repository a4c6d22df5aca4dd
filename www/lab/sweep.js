// A sweep: one numeric setting trained at 3–8 values, each value as its own Run (www/lab/run.js) built from the
// same base configuration and seed with only that key replaced, for a chosen number of epochs, at most two at a
// time (one worker per processor core). With `seeds` 2 or 3 each value trains once per seed (the page's seed s,
// then s+1, s+2): every (value, seed) pair is one more run in the same queue. The Tuning Playbook's way of reading
// a hyperparameter (Godbole et al., Google Research, "Deep Learning Tuning Playbook", 2023): the best validation
// loss each trial reached during training against the value, with the trials that diverged kept in the picture
// rather than dropped, and repeated over seeds to see the trial-to-trial variance before trusting a difference.
//
// This file knows nothing of the page: www/views/sweep.js draws a Sweep, main.js wires it, www/api.js exposes it.
// The URL keys of a sweep (`sweep`, `sweep_values`, `sweep_epochs`, `sweep_seeds`) are read and written here too.
import { SETTINGS, BY_KEY, validate, fmtNum } from '../state.js';
import { Emitter, Run } from './run.js';
import { rowCopy } from './record.js';
import { concurrency } from './cores.js';

export const MIN_VALUES = 3;
export const MAX_VALUES = 8;
export const MAX_EPOCHS = 20;
export const DEFAULT_EPOCHS = 2;
/** Seeds per value: 1 (quick) to 3. */
export const MAX_SEEDS = 3;
export const DEFAULT_SEEDS = 1;
/** The URL keys of a sweep; they are not settings, so the settings parser leaves them alone. */
export const QUERY_PARAMS = new Set(['sweep', 'sweep_values', 'sweep_epochs', 'sweep_seeds']);

/** The settings a sweep can vary: every number of the settings table (whole, decimal or logarithmic). */
export const SWEEPABLE = SETTINGS.filter((s) => s.type === 'int' || s.type === 'float' || s.type === 'log');
const SWEEPABLE_KEYS = new Set(SWEEPABLE.map((s) => s.key));

/** Whole-number settings usually varied by factors: drawn on a log axis too when every value is positive. */
const FACTOR_KEYS = new Set(['batch', 'train_n', 'val_n']);

/** Values a learner would try first; a key not listed gets evenly spread values in its range (decades for log). */
const STARTING_VALUES = {
  lr: [0.001, 0.01, 0.1, 1],
  mom: [0, 0.5, 0.9, 0.99],
  b1: [0, 0.5, 0.9, 0.99],
  b2: [0.9, 0.99, 0.999, 0.9999],
  eps: [1e-8, 1e-4, 0.01, 1],
  wd: [0, 0.0005, 0.005, 0.05],
  batch: [8, 32, 128, 512],
  gain: [0.01, 0.1, 1, 10],
  bias: [-0.5, 0, 0.5],
  seed: [1, 2, 3, 4],
  train_n: [500, 2000, 10000],
  val_n: [1000, 5000, 10000],
  noise: [0, 20, 40, 60, 80],
  imb_keep: [0.01, 0.1, 1],
  imb_ratio: [1, 10, 100, 1000],
  aug_rot: [0, 15, 45, 90, 180],
  depth: [1, 2, 3, 4],
  hidden: [0, 32, 128, 512],
};

/** The values a sweep of `key` starts with. */
export function startingValues(key) {
  if (STARTING_VALUES[key]) return [...STARTING_VALUES[key]];
  const s = BY_KEY.get(key);
  if (!s) return [];
  if (s.type === 'log') {
    const lo = Math.ceil(Math.log10(s.min)), hi = Math.floor(Math.log10(s.max));
    const step = Math.max(1, Math.ceil((hi - lo) / 3));
    const out = [];
    for (let e = lo; e <= hi && out.length < 4; e += step) out.push(Number((10 ** e).toPrecision(6)));
    return out;
  }
  // augmentations: off, the strength a switched-on control starts at, and two stronger ones
  const top = s.on !== undefined ? Math.min(s.max, s.on * 4) : s.max;
  const out = [];
  for (let i = 0; i < 4; i++) {
    const v = s.min + ((top - s.min) * i) / 3;
    out.push(s.type === 'int' ? Math.round(v) : Number(v.toPrecision(3)));
  }
  return [...new Set(out)];
}

/** Whether the plot draws values of `key` on a logarithmic axis. */
export function logAxis(key, values) {
  const s = BY_KEY.get(key);
  if (!s) return false;
  const positive = values.length > 0 && values.every((v) => v > 0);
  return positive && (s.type === 'log' || FACTOR_KEYS.has(key));
}

/** "lr = 0.1": a value in words. */
export function valueText(key, v) {
  return `${key} = ${fmtNum(v)}`;
}

/** Splits text like "0.001, 0.01 0.1" into entries (commas, semicolons or blanks between them). */
function entries(text) {
  return String(text).split(/[,;\s]+/).filter((t) => t !== '');
}

/** A count given as a number or text (`def` when absent; NaN when blank or garbled). */
const asNumber = (v, def) => (v === undefined ? def : typeof v === 'number' ? v : Number(String(v).trim() || NaN));

/** The notice of state.js's validate() without its "— using …" tail: a sweep refuses the value instead. */
const refusal = (notice) => notice.replace(/\s+— using .*$/, '');

/**
 * Checks a sweep's {key, values, epochs, seeds} (values: an array or text) the way the URL checks a setting
 * (state.js validate()). Returns {spec: {key, values: [numbers], epochs, seeds}, errors: [sentences]}; spec is
 * null when an error leaves nothing to train.
 */
export function checkSpec({ key, values, epochs, seeds } = {}) {
  const errors = [];
  const s = BY_KEY.get(String(key));
  if (!s || !SWEEPABLE_KEYS.has(s.key)) {
    errors.push(`${key === undefined ? 'no setting given' : `"${String(key).slice(0, 40)}" is not a numeric Loss Lab setting`} — a sweep varies one of ${SWEEPABLE.map((x) => x.key).join(', ')}`);
    return { spec: null, errors };
  }
  const raw = Array.isArray(values) ? values : entries(values ?? '');
  const out = [];
  for (const r of raw) {
    const { value, notice } = validate(s, r);
    if (notice) { errors.push(refusal(notice)); continue; }
    if (out.includes(value)) { errors.push(`${s.key}=${fmtNum(value)} is listed twice`); continue; }
    out.push(value);
  }
  if (raw.length < MIN_VALUES || raw.length > MAX_VALUES) {
    errors.push(`a sweep trains ${MIN_VALUES} to ${MAX_VALUES} values; ${raw.length === 0 ? 'none were' : raw.length === 1 ? '1 was' : `${raw.length} were`} given`);
  }
  const e = asNumber(epochs, DEFAULT_EPOCHS);
  if (!Number.isInteger(e) || e < 1 || e > MAX_EPOCHS) errors.push(`epochs = ${String(epochs).slice(0, 20)} is not a whole number from 1 to ${MAX_EPOCHS}`);
  const n = asNumber(seeds, DEFAULT_SEEDS);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEEDS) errors.push(`seeds = ${String(seeds).slice(0, 20)} is not 1, 2 or 3`);
  else if (n > 1 && s.key === 'seed') errors.push('a sweep of the seed itself trains one seed per value — seeds must be 1');
  return { spec: errors.length ? null : { key: s.key, values: out, epochs: e, seeds: n }, errors };
}

/** A whole-number URL key in 1 … max: its value, or `def` with a notice when it is not a whole number; clamped
 * into range with a notice when it is outside. */
function wholeParam(p, name, def, max, notices) {
  if (!p.has(name)) return def;
  const raw = p.get(name);
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) {
    notices.push(`${name}=${raw.slice(0, 20)} is not a whole number — using ${def}`);
    return def;
  }
  if (n < 1 || n > max) {
    const v = Math.min(max, Math.max(1, n));
    notices.push(`${name}=${raw} is outside 1 … ${max} — using ${v}`);
    return v;
  }
  return n;
}

/**
 * Reads a sweep from a query string, forgiving like the settings are: values out of range are clamped,
 * garbled ones left out, each with a notice. Returns {spec (null: no sweep in the URL or none left), notices}.
 */
export function readQuery(search) {
  const p = new URLSearchParams(search);
  const notices = [];
  if (!p.has('sweep')) {
    if (p.has('sweep_values') || p.has('sweep_epochs') || p.has('sweep_seeds')) notices.push('sweep_values, sweep_epochs and sweep_seeds need sweep=<setting> — no sweep loaded');
    return { spec: null, notices };
  }
  const key = p.get('sweep');
  const s = BY_KEY.get(key);
  if (!s || !SWEEPABLE_KEYS.has(key)) {
    notices.push(`sweep=${key.slice(0, 40)} is not a numeric Loss Lab setting — no sweep loaded`);
    return { spec: null, notices };
  }
  const values = [];
  const tag = (t) => `sweep_values entry ${t.length > 20 ? t.slice(0, 20) + '…' : t}`;
  for (const t of entries(p.get('sweep_values') ?? '')) {
    const { value, notice } = validate(s, t);
    if (notice && /not a number/.test(notice)) { notices.push(`${tag(t)} is not a number — left out`); continue; }
    if (notice) notices.push(`sweep_values: ${notice}`);
    if (values.includes(value)) { notices.push(`sweep_values: ${key}=${fmtNum(value)} appears twice — kept once`); continue; }
    values.push(value);
  }
  if (!p.has('sweep_values')) values.push(...startingValues(key));
  if (values.length > MAX_VALUES) {
    notices.push(`sweep_values has ${values.length} values — a sweep trains at most ${MAX_VALUES}; keeping the first ${MAX_VALUES}`);
    values.length = MAX_VALUES;
  }
  if (values.length < MIN_VALUES) notices.push(`sweep_values has ${values.length} usable value${values.length === 1 ? '' : 's'} — a sweep needs ${MIN_VALUES} to ${MAX_VALUES}; add more before pressing Run sweep`);
  const epochs = wholeParam(p, 'sweep_epochs', DEFAULT_EPOCHS, MAX_EPOCHS, notices);
  let seeds = wholeParam(p, 'sweep_seeds', DEFAULT_SEEDS, MAX_SEEDS, notices);
  if (seeds > 1 && key === 'seed') {
    notices.push(`sweep_seeds=${p.get('sweep_seeds')} does not go with a sweep of the seed itself — using 1`);
    seeds = 1;
  }
  return { spec: { key, values, epochs, seeds }, notices };
}

/**
 * The query part of a sweep ("sweep=lr&sweep_values=0.001,0.01&sweep_epochs=1", then "&sweep_seeds=2" unless it
 * is the default 1), '' for none.
 */
export function toQuery(spec) {
  if (!spec) return '';
  const seeds = spec.seeds && spec.seeds !== DEFAULT_SEEDS ? `&sweep_seeds=${spec.seeds}` : '';
  return `sweep=${encodeURIComponent(spec.key)}&sweep_values=${spec.values.map((v) => encodeURIComponent(fmtNum(v))).join(',')}&sweep_epochs=${spec.epochs}${seeds}`;
}

/** The seeds a sweep from page seed `s` trains each value on: s, s+1, … (counting down near the largest seed). */
export function seedList(s, n) {
  const top = BY_KEY.get('seed').max;
  return Array.from({ length: n }, (_, k) => (s + k <= top ? s + k : s - k));
}

/** The row of a run's epochs with the lowest validation loss (the earliest of equals), or null. */
export function bestRow(rows) {
  let best = null;
  for (const r of rows) if (r && Number.isFinite(r.valLoss) && (!best || r.valLoss < best.valLoss)) best = r;
  return best;
}


/** The statuses of a sweep item that no longer change. */
export const FINAL = new Set(['done', 'diverged', 'error', 'cancelled']);

/**
 * One sweep. Items (one per value and seed: every value on the first seed, then every value on the next) are
 * {value, seed, index, status, phase, epochs: [rows], steps, divergedAt, message, note, progress,
 * record}; status goes 'queued' -> 'running' | 'paused' -> 'done' | 'diverged' | 'error' | 'cancelled'. `phase`
 * says what an unfinished item does ('queued' | 'building' | 'built' (waits for Resume) | 'training' |
 * 'validating' | 'paused'; a final item's phase is its status); `note` says it in words, for people.
 * Events (on(type, fn)): 'change' (any item or the sweep's state), 'progress' (an item trained some steps),
 * 'done' (every item is final). `finished` is a Promise of results() once every item is final.
 */
export class Sweep extends Emitter {
  /**
   * @param {object} base the page configuration the runs start from (a copy is kept)
   * @param {{key, values, epochs, seeds}} spec as checkSpec() returns it
   * @param {{parallel?: number, makeRun?: (cfg, label) => Run, configFor?: (value, seed) => {cfg, label}}} [o]
   *   configFor: the configuration and label of the run of one value and seed, for a queue whose values are not
   *   one key's (a race on several seeds, www/lab/seedrace.js: the values are the two settings)
   */
  constructor(base, spec, { parallel = concurrency(), makeRun = (cfg, label) => new Run(cfg, label), configFor = null } = {}) {
    super();
    this.base = { ...base };
    this.key = spec.key;
    this.epochCount = spec.epochs;
    this.seeds = seedList(Number(this.base.seed) || 0, spec.key === 'seed' ? 1 : spec.seeds || DEFAULT_SEEDS);
    this.parallel = Math.max(1, parallel);
    this.makeRun = makeRun;
    this.configFor = configFor;
    // seed by seed, so that every value has a first result before any value has a second
    this.items = this.seeds.flatMap((seed) => spec.values.map((value) => ({
      value, seed: spec.key === 'seed' ? value : seed, status: 'queued', phase: 'queued', epochs: [], steps: 0, divergedAt: null, message: '', note: 'waiting', progress: 0, record: null,
    })));
    this.items.forEach((it, index) => { it.index = index; });
    this.state = 'idle'; // 'idle' | 'running' | 'paused' | 'done' | 'cancelled'
    this.startedAt = 0;
    this.endedAt = 0;
    this.runs = new Map(); // item -> Run, while it trains
    this.finished = new Promise((resolve) => { this.resolve = resolve; });
  }


  /** The results so far, one per run (each value in the order given, seed by seed): plain copies for scripts. */
  results() {
    return this.items.map((it) => ({
      value: it.value, seed: it.seed, status: it.status, epochs: it.epochs.map(rowCopy), steps: it.steps, divergedAt: it.divergedAt, message: it.message,
    }));
  }

  get active() { return this.state === 'running' || this.state === 'paused'; }

  start() {
    if (this.state !== 'idle') return this.finished;
    this.state = 'running';
    this.startedAt = performance.now();
    this.#fill();
    this.emit('change');
    return this.finished;
  }

  /** Pauses the runs under way (no new one starts); resolves once their workers confirmed no step follows. */
  pause() {
    if (this.state !== 'running' && this.state !== 'paused') return Promise.resolve();
    const was = this.state;
    this.state = 'paused';
    const waits = [];
    // asked again while paused, the workers confirm again: a caller can tell that no step came in between
    for (const [it, run] of this.runs) {
      waits.push(run.pause('the sweep is paused'));
      if (it.status === 'running') { it.status = 'paused'; it.phase = 'paused'; it.note = `paused in epoch ${Math.min(this.epochCount, it.epochs.length + 1)}`; }
    }
    if (was === 'running') this.emit('change');
    return Promise.all(waits).then(() => undefined);
  }

  resume() {
    if (this.state !== 'paused') return;
    this.state = 'running';
    for (const [it, run] of this.runs) {
      it.status = 'running';
      if (run.built) { run.run(); it.phase = 'training'; it.note = `epoch ${it.epochs.length + 1} of ${this.epochCount}`; }
    }
    this.#fill();
    this.emit('change');
  }

  /** Stops every run under way and every run not started yet; the finished results stay. */
  cancel() {
    if (!this.active && this.state !== 'idle') return;
    for (const it of this.items) {
      if (FINAL.has(it.status)) continue;
      const run = this.runs.get(it);
      this.#finish(it, 'cancelled', run ? `cancelled in epoch ${Math.min(this.epochCount, it.epochs.length + 1)}` : 'cancelled before it started', run, false);
    }
    this.state = 'cancelled';
    this.#end();
  }

  /** Starts queued items while there is a free core and the sweep is running. */
  #fill() {
    while (this.state === 'running' && this.runs.size < this.parallel) {
      const it = this.items.find((x) => x.status === 'queued');
      if (!it) break;
      this.#train(it);
    }
    if (this.state === 'running' && this.items.every((x) => FINAL.has(x.status))) {
      this.state = 'done';
      this.#end();
    }
  }

  #end() {
    this.endedAt = performance.now();
    this.emit('change');
    this.emit('done');
    this.resolve(this.results());
  }

  #train(it) {
    // (a sweep of the seed itself gives each item its value as its seed)
    const own = this.configFor?.(it.value, it.seed);
    const cfg = own ? own.cfg : { ...this.base, [this.key]: it.value, seed: it.seed };
    const run = this.makeRun(cfg, own ? own.label : this.seeds.length > 1 ? `${valueText(this.key, it.value)}, seed ${it.seed}` : valueText(this.key, it.value));
    this.runs.set(it, run);
    it.status = this.state === 'paused' ? 'paused' : 'running';
    it.phase = 'building';
    it.note = 'building the network';
    it.record = run.record;
    const mine = (f) => (...a) => { if (this.runs.get(it) === run) f(...a); };
    run.on('built', mine(() => {
      it.record = run.record; // a fresh record per build (an engine restart rebuilds from step 0)
      it.epochs = [];
      if (this.state === 'running') { run.run(); it.phase = 'training'; it.note = `epoch 1 of ${this.epochCount}`; }
      else { it.phase = 'built'; it.note = 'built; waits for Resume'; }
      this.emit('change');
    }));
    run.on('progress', mine((m) => {
      it.steps = run.record.steps;
      it.progress = (m.epochDone ? m.stepsPerEpoch : m.stepInEpoch) / (m.stepsPerEpoch || 1);
      // the last epoch's steps are in: no further step is wanted, and its validation pass still completes
      if (m.epochDone && m.epoch >= this.epochCount) run.pause('the sweep has its epochs');
      const epochNo = m.epochDone ? m.epoch : m.epoch + 1;
      if (it.status === 'running') {
        it.phase = m.epochDone ? 'validating' : 'training';
        it.note = m.epochDone ? `validating after epoch ${m.epoch} of ${this.epochCount}` : `epoch ${epochNo} of ${this.epochCount}`;
      }
      this.emit('progress', it);
    }));
    run.on('epoch', mine((row) => {
      it.epochs = run.record.epochs.slice(0, this.epochCount);
      if (row.epoch >= this.epochCount) this.#finish(it, 'done', '', run);
      else this.emit('change');
    }));
    run.on('diverged', mine((m) => this.#finish(it, 'diverged', m.message, run)));
    run.on('error', mine((e) => {
      if (e.scope === 'set' || run.restarting) return; // a crashed engine restarts and rebuilds this run by itself
      this.#finish(it, 'error', e.message, run);
    }));
  }

  /** Makes an item final, keeps what it measured (up to the sweep's epochs) and ends its worker. */
  #finish(it, status, message, run, next = true) {
    if (FINAL.has(it.status)) return;
    it.status = status;
    it.phase = status;
    it.message = message;
    if (run) {
      const rec = run.record;
      it.record = rec;
      it.epochs = rec.epochs.slice(0, this.epochCount);
      it.steps = Math.min(rec.steps, rec.stepsPerEpoch ? rec.stepsPerEpoch * this.epochCount : rec.steps);
      it.divergedAt = rec.divergedAt;
      run.terminate();
      this.runs.delete(it);
    }
    it.note = {
      done: `done: ${this.epochCount} epoch${this.epochCount === 1 ? '' : 's'}`,
      diverged: `diverged at step ${it.divergedAt}`,
      error: `failed: ${message}`,
      cancelled: message,
    }[status];
    if (next) {
      this.emit('change');
      this.#fill();
    }
  }
}
