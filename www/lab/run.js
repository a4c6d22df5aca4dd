// One training run: a worker with its own wasm instance, the configuration it trains, the build id of
// that configuration, its record of steps and epochs, its status and speed, and its waiters. This file is
// the only handler of the worker protocol (docs/ARCHITECTURE.md, "Worker protocol"); the page's current run
// and the raced pinned run are two instances, and a sweep (www/lab/sweep.js) is N of them sharing the cores.
//
// Every worker message that belongs to a build carries that build's id; `#onMessage` drops a message of an
// older build in one place, so a late `diverged` or `epoch` of a replaced configuration never reaches the page.
import { LIVE_KEYS, toEngine } from '../state.js';
import { Record } from './record.js';
import { estimateText } from '../ui/format.js';
import { mnistSet, takeEarlyWorker } from '../boot.js';

/**
 * Training speed in samples per second over the last few seconds of progress messages. A window, not a
 * per-message rate: messages reach the page in bursts when its thread is busy drawing, and per-message
 * intervals then swing wildly. Validation pauses count (they are part of an epoch's time).
 */
export class Rate {
  constructor(windowMs = 3000) { this.windowMs = windowMs; this.reset(); }
  reset() { this.t = []; this.total = []; this.sum = 0; }
  add(samples, now) {
    this.sum += samples;
    this.t.push(now);
    this.total.push(this.sum);
    while (this.t.length > 2 && now - this.t[1] > this.windowMs) { this.t.shift(); this.total.shift(); }
  }
  /** 0 until the window holds enough time to say anything; the first message only marks the start. */
  get value() {
    const n = this.t.length;
    const dt = n > 1 ? this.t[n - 1] - this.t[0] : 0;
    return dt >= 250 ? ((this.total[n - 1] - this.total[0]) * 1000) / dt : 0;
  }
}

/**
 * What a run is doing, as data: `phase` is one of these ids, `note` says it in words for people (code never reads
 * the note). `status` is the coarse state the buttons, the status line's data-state and lossLab.history() use.
 *   loading     the worker is loading the training engine
 *   restarting  a fresh worker is loading it after an engine crash
 *   building    the network of the current configuration is being built (data loading included)
 *   idle        built, not started
 *   training    training an epoch
 *   validating  the validation pass after an epoch
 *   paused      paused by the learner (Pause), after a step
 *   stepping    One step: a mini-batch at a time
 *   held        paused for a reason given in the note (a sweep took the cores, the other run diverged, …)
 *   diverged, stopped (early stopping), error (note: the message; scope: where), unsupported (this browser
 *   cannot run the engine: terminal, no worker)
 */
export const PHASE_STATUS = Object.freeze({
  loading: 'loading', restarting: 'loading', building: 'loading',
  idle: 'idle',
  training: 'running', validating: 'running',
  paused: 'paused', stepping: 'paused', held: 'paused',
  diverged: 'diverged', stopped: 'stopped', error: 'error', unsupported: 'error',
});

/** A Rust panic leaves a wasm instance unusable; a run restarts its worker at most this often a minute. */
const MAX_RESTARTS_PER_MINUTE = 2;
const WORKER_URL = new URL('../engine/worker.js', import.meta.url);
const HELPER_URL = new URL('../engine/helper.js', import.meta.url);

/** on(type, fn) calls fn(detail, source) for every emit(type, detail): the events of a Run and of a Sweep. */
export class Emitter {
  listeners = new Map();
  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
    return this;
  }
  emit(type, detail) {
    for (const fn of this.listeners.get(type) || []) fn(detail, this);
  }
}

export class Run extends Emitter {
  /**
   * @param {object} cfg   the page configuration ({key: value}, as www/state.js holds it) to build first
   * @param {string} label what the charts and notes call this run
   * @param {{cores?: number, unsupported?: string}} options cores: 2 trains this run on two workers
   *   (src/train/parallel.rs), 1 on one; unsupported: this browser cannot run the engine, and this says why — the
   *   run starts in the terminal phase 'unsupported', without a worker, and every request is refused with it
   */
  constructor(cfg, label = '', { cores = 1, unsupported = '' } = {}) {
    super();
    this.coresWanted = cores === 2 ? 2 : 1;
    this.cores = 1; // the cores this run trains on now: 2 while a helper worker is attached
    this.coresNote = ''; // why it trains on fewer cores than asked, if it does
    this.helper = null;
    this.cfg = { ...cfg };
    this.label = label;
    this.record = this.#newRecord([]);
    this.diagnosis = null; // the engine's latest reading of this build's symptoms (lossLab.diagnosis())
    this.built = null; // the worker's 'built' message of the current build, null while (re)building
    this.phase = 'loading'; // what the run is doing (PHASE_STATUS)
    this.note = 'loading the training engine'; // the same in words, for people (no trailing punctuation)
    this.scope = ''; // of the last error: 'config' | 'data' | 'engine' | 'set' | 'unsupported'
    this.fatal = false; // the worker crashed too often: this run is over
    this.speed = new Rate();
    this.secondsLeft = null; // of the current epoch, at the recent speed
    this.buildId = 0;
    this.engineReady = false;
    this.restarting = false;
    this.crashes = [];
    this.waiters = { ready: [], epoch: [], point: [], pause: [], reply: new Map() };
    this.requestNo = 0;
    this.configureTimer = null;
    this.worker = null;
    if (unsupported) {
      this.phase = 'unsupported';
      this.note = unsupported;
      this.scope = 'unsupported';
      this.fatal = true;
      return;
    }
    this.#startWorker();
  }

  // ------------------------------------------------------------ events
  // on(type, fn) (Emitter) hears 'change' (phase or note), 'built', 'progress', 'epoch', 'diagnosis', 'diverged',
  // 'stopped', 'error'.
  #set(phase, note) {
    // progress messages repeat the same phase many times a second; listeners only hear a real change
    if (phase === this.phase && note === this.note) return;
    this.phase = phase;
    this.note = note;
    this.emit('change');
  }

  /** The coarse state of `phase`: 'loading' | 'idle' | 'running' | 'paused' | 'diverged' | 'stopped' | 'error'. */
  get status() {
    return PHASE_STATUS[this.phase];
  }

  // ------------------------------------------------------------ worker
  #startWorker() {
    this.engineReady = false;
    // the page's first run takes the worker www/boot.js started at load, already sent its 'init'
    const early = this.restarting ? null : takeEarlyWorker();
    const w = early?.worker ?? new Worker(WORKER_URL, { type: 'module' });
    this.worker = w;
    const listen = () => {
      w.onmessage = (e) => { if (this.worker === w) this.#onMessage(e.data); };
      w.onerror = (e) => {
        e.preventDefault();
        if (this.worker !== w) return;
        this.#fail('engine', `the training engine could not start (${e.message || 'the worker failed to load'}) — check that www/pkg/ was built (npm run build)`);
      };
    };
    // the MNIST files this configuration trains on, fetched while the engine compiles (www/engine/worker.js)
    const prefetch = mnistSet(this.cfg.data, this.cfg.train_n);
    if (!early) {
      listen();
      w.postMessage({ type: 'init', prefetch });
      return;
    }
    // boot.js read ahead by guess from the address; this is the set the configuration needs (already read: nothing)
    w.postMessage({ type: 'prefetch', key: prefetch });
    // What the worker said before it was taken is heard as if it arrived now, in a task of its own as a message
    // would be (the page wires this run's events first), and before anything it says later.
    setTimeout(() => {
      listen();
      for (const e of early.held) (e.type === 'error' ? w.onerror(e) : w.onmessage(e));
    }, 0);
  }

  #post(msg) {
    if (this.worker && this.engineReady) this.worker.postMessage(msg);
  }

  /**
   * Trains on n cores (1 or 2) from the next step on: 2 starts a helper worker (www/engine/helper.js) and hands it and
   * the training worker the two ends of a MessageChannel; 1 ends it. A run that races or sweeps beside others
   * gets 1 (their cores go to separate runs). The same seed and the same number of cores give the same curve.
   */
  setCores(n) {
    this.coresWanted = n === 2 ? 2 : 1;
    this.coresNote = '';
    this.#applyCores();
  }

  #applyCores() {
    if (this.coresWanted === 2 && !this.helper && this.worker && this.engineReady) {
      const h = new Worker(HELPER_URL, { type: 'module' });
      this.helper = h;
      h.onerror = (e) => {
        e.preventDefault();
        if (this.helper === h) this.#dropHelper(`the second worker could not start (${e.message || 'it failed to load'}) — training on one core`);
      };
      const ch = new MessageChannel();
      h.postMessage({ type: 'init', port: ch.port2 }, [ch.port2]);
      this.worker.postMessage({ type: 'peer', port: ch.port1 }, [ch.port1]);
      this.cores = 2;
      this.emit('cores', { n: 2 });
    } else if (this.coresWanted === 1 && this.helper) {
      this.#dropHelper('');
    }
  }

  /** Ends the helper worker; the training worker finishes any step under way itself. */
  #dropHelper(why) {
    this.helper?.terminate();
    this.helper = null;
    if (this.worker && this.engineReady) this.worker.postMessage({ type: 'peer', port: null });
    this.cores = 1;
    this.coresNote = why;
    this.emit('cores', { n: 1, message: why });
  }

  /** Stops this run for good: its worker is ended and every waiter is told. */
  terminate() {
    clearTimeout(this.configureTimer);
    this.helper?.terminate();
    this.helper = null;
    this.worker?.terminate();
    this.worker = null;
    this.engineReady = false;
    this.fatal = true;
    this.#settlePause();
    this.#rejectWaiters('the run was stopped');
  }

  // ------------------------------------------------------------ configuration
  /**
   * Rebuilds the run from `cfg` (and its seed). Messages of the build being replaced are dropped from this
   * moment on. With `delayMs` the build waits that long (a slider still moving), the old one pauses at once.
   */
  configure(cfg, delayMs = 0) {
    this.cfg = { ...cfg };
    this.buildId++;
    clearTimeout(this.configureTimer);
    this.configureTimer = null;
    this.built = null;
    this.record = this.#newRecord([]);
    this.diagnosis = null;
    this.speed.reset();
    this.secondsLeft = null;
    this.#failEpochWaiters(new Error('the run was reset'));
    if (this.fatal) return;
    this.#post({ type: 'pause' });
    if (!this.engineReady) {
      if (this.restarting) this.#set('restarting', 'restarting the training engine');
      else this.#set('loading', 'loading the training engine');
      return;
    }
    this.#set('building', this.cfg.data === 'synthetic' ? 'building the network (synthetic digits)' : 'building the network');
    if (delayMs > 0) this.configureTimer = setTimeout(() => this.#sendConfigure(), delayMs);
    else this.#sendConfigure();
  }

  #sendConfigure() {
    this.configureTimer = null;
    // the full current configuration: a live value changed since configure() was called is in it
    this.#post({ type: 'configure', config: toEngine(this.cfg), id: this.buildId });
  }

  /**
   * Changes a live setting (LIVE_KEYS: kind 'live' in src/config.rs SETTINGS). It applies at the next step; during
   * a build the worker keeps it and the new trainer starts with it, so no change is lost.
   */
  setLive(key, value) {
    if (!LIVE_KEYS.has(key)) throw new Error(`${key} is not a live setting`);
    this.cfg[key] = value;
    if (this.configureTimer) return; // the configure about to be sent carries it
    this.#post({ type: 'set', key, value: toEngine(this.cfg)[key], id: this.buildId });
  }

  // ------------------------------------------------------------ training
  get trainable() {
    return !!this.built && !this.configureTimer && (this.status === 'idle' || this.status === 'paused' || this.status === 'running');
  }
  run() {
    if (!this.trainable || this.status === 'running') return;
    this.speed.reset();
    this.#post({ type: 'run', id: this.buildId });
    this.#set('training', `training epoch ${this.record.epochs.length + 1}`);
  }
  /** Resolves once the worker confirmed that no further step of this run will arrive. */
  pause(why = '') {
    if (!this.worker || !this.engineReady) return Promise.resolve();
    const done = new Promise((r) => this.waiters.pause.push(r));
    this.worker.postMessage({ type: 'pause' });
    if (this.status === 'running' || (why && this.status === 'idle')) {
      if (why) this.#set('held', why);
      else this.#set('paused', `paused after step ${this.record.steps}`);
    }
    return done;
  }
  step() {
    if (!this.trainable || this.status === 'running') return;
    this.#post({ type: 'step', id: this.buildId });
    this.#set('stepping', 'stepping one mini-batch at a time');
  }

  // ------------------------------------------------------------ promises
  /** Resolves once the network of the current configuration is built; rejects when it cannot be. */
  ready() {
    if (this.built && !this.configureTimer) return Promise.resolve();
    if (this.status === 'error' && !this.restarting) return Promise.reject(new Error(this.note));
    return new Promise((resolve, reject) => this.waiters.ready.push({ resolve, reject }));
  }
  /** Resolves with the history row of epoch n; rejects if the run diverges, fails or is rebuilt first. */
  whenEpoch(n) {
    if (this.record.epochs.length >= n) return Promise.resolve(this.record.epochs[n - 1]);
    if (this.#ended()) return Promise.reject(new Error(this.note));
    return new Promise((resolve, reject) => this.waiters.epoch.push({ n, resolve, reject }));
  }
  /** Resolves when epoch n has a validation point on the charts: the estimate of its pass under way (the 'estimate'
   * message, {epoch, count, total, loss, lossHalf, acc, accHalf}), or its row if the complete pass came first (a
   * validation set too small for an estimate). Rejects as whenEpoch does. */
  whenEpochPoint(n) {
    if (this.record.epochs.length >= n) return Promise.resolve(this.record.epochs[n - 1]);
    if (this.record.estimate && this.record.estimate.epoch >= n) return Promise.resolve(this.record.estimate);
    if (this.#ended()) return Promise.reject(new Error(this.note));
    return new Promise((resolve, reject) => this.waiters.point.push({ n, resolve, reject }));
  }
  /** No further epoch will come: training ended (diverged, stopped early) or failed for good. */
  #ended() {
    return this.status === 'diverged' || this.status === 'stopped' || (this.status === 'error' && !this.restarting);
  }
  /** The trainer's own configuration ({key: engine text}), or null while nothing is built. */
  engineConfig() {
    if (this.phase === 'unsupported') return Promise.resolve(null);
    return this.#ask({ type: 'engineConfig' }).then((m) => m.config);
  }
  /** A fresh random seed drawn by the engine (getrandom), a whole number 0 … 2^53. */
  freshSeed() {
    return this.#ask({ type: 'freshSeed' }).then((m) => m.seed);
  }
  /** Weights of the current build's parameterised layer i (0 = first): {shape, data: Float32Array}, in the
   * PyTorch layout (conv: (out_ch, in_ch, kh, kw); dense: (out, in)); rejects while nothing is built. */
  weights(i) {
    return this.#ask({ type: 'weights', i }).then((m) => ({ shape: m.shape, data: m.data }));
  }
  /** The first n samples of the current build's last training batch as the network saw them: {count,
   * images: Uint8Array(count×784) grey levels, labels (trained on), trueLabels (before label noise),
   * corrupted, flipped, rotated (180°), transformed (warp, jitter or pixel noise): Uint8Array 0/1 each,
   * step}; count is 0 before the first step. */
  batchView(n) {
    return this.#ask({ type: 'batchView', n }).then(({ type, req, ...v }) => v);
  }
  /** The k highest-loss training images under the current weights (the worker scans the whole training
   * set in chunks; training waits for it): {items: [{index, label, trueLabel, predicted, prob, loss,
   * corrupted}], images: Uint8Array(k×784), corruptedShareTop, corruptedShareAll, trainCount, step}. */
  lossScan(k) {
    return this.#ask({ type: 'lossScan', k }).then(({ type, req, ...v }) => v);
  }
  /** The learning-rate range test (src/train/lrfind.rs) on the current build, from its weights or (fresh) from
   * a newly initialised net; training waits for it and the weights and optimizer state are restored after:
   * {lrs, losses (smoothed), raw: Float32Array, suggestions: {valley, steep, minimum}, suggestion, blewUpAt,
   * fresh, start, end, steps}. */
  lrFind({ fresh = false, start = 1e-6, end = 10, steps = 100 } = {}) {
    return this.#ask({ type: 'lrFind', fresh, start, end, steps }).then(({ type, req, ...v }) => v);
  }
  /** "Overfit one batch" (src/train/overfit.rs): a fresh copy of the current build's network trains on its first
   * `images` training images for `steps` steps with the run's loss and optimizer; the run is not touched:
   * {blank, images, steps, losses: Float32Array, lastLoss, level, labelEntropy, acc, diverged, fitted, fittedLoss,
   * settled}; with blank every input pixel is 0 ("zero the inputs"). */
  overfit({ images = 32, steps = 300, blank = false } = {}) {
    return this.#ask({ type: 'overfit', images, steps, blank }).then(({ type, req, ...v }) => v);
  }
  /** The current build's class probabilities for one 28×28 image (784 grey levels 0…1, 0 = background, row-major
   * as MNIST), in evaluation mode with the input transform of training: {probs: Float32Array(10) (NaN when the
   * weights are not finite), step (steps trained so far; 0 = an untrained net)}. Training is not disturbed. */
  classify(pixels) {
    return this.#ask({ type: 'classify', pixels: Float32Array.from(pixels) }).then(({ probs, step }) => ({ probs, step }));
  }
  /** Every layer's output for validation image `index` (an integer in 0 … valCount − 1) under the current weights,
   * in evaluation mode (src/train/activations.rs): {index, label, layers: [{name, kind, shape: [c, h, w], values:
   * Float32Array, dead, flat, channels: Uint8Array (0 live, 1 dead, 2 flat)}], logits: Float32Array(10), probs: Float32Array(10), predicted (null when not finite),
   * flatShare, step}. Training is not disturbed. */
  activations(index) {
    return this.#ask({ type: 'activations', index }).then(({ type, req, ...v }) => v);
  }
  /** The stability meter's estimates so far (src/train/sharpness.rs): {step, lambdaMax, lr, threshold, ratio:
   * Float64Array each, preconditioned: Uint8Array, every, images, lastStep}. */
  sharpness() {
    return this.#ask({ type: 'sharpness' }).then(({ type, req, ...v }) => v);
  }
  /** Every activation's histogram over training (src/train/acthist.rs): {steps: Float64Array, every, layers: [{name,
   * after, activation, scale ('linear' | 'log2'), edges: Float32Array, counts, saturated: Uint32Array}], lastStep}. */
  actHistory() {
    return this.#ask({ type: 'actHistory' }).then(({ history, lastStep }) => ({ ...history, lastStep }));
  }
  /** The loss along the last step (src/train/sharpness.rs): {step, t, loss: Float32Array, tMin, overshoot}, or null
   * before the first step. Training is not disturbed. */
  stepLine() {
    return this.#ask({ type: 'stepLine' }).then(({ line }) => line);
  }
  /** The final check on the test set (src/train/final_test.rs) under the current weights, as one job between two
   * chunks of training: {loss, acc, perClassRecall: [10], count, step, weightsEpoch (null: mid-epoch), synthetic}. */
  test() {
    return this.#ask({ type: 'test' }).then(({ type, req, ...v }) => v);
  }
  /** The 2-D sandbox (src/sandbox.rs): the optimizer settings of `config` ({opt, lr, mom, b1, b2, eps}) for `steps`
   * steps from (x0, y0) on the valley ½(a·x² + b·y²), run by the engine's own optimizer: {path: Float32Array [x, y,
   * …], threshold, onset, verdict, axis, axes: [{lambda, ratio, verdict, rate}], adamRatios}. Training is not
   * disturbed. */
  sandbox({ config, a, b, x0, y0, steps }) {
    return this.#ask({ type: 'sandbox', config, a, b, x0, y0, steps }).then(({ type, req, ...v }) => v);
  }
  #ask(msg) {
    const req = ++this.requestNo;
    return new Promise((resolve, reject) => {
      if (!this.worker) { reject(new Error(this.phase === 'unsupported' ? this.note : 'the run has no engine')); return; }
      this.waiters.reply.set(req, { resolve, reject });
      // queued behind init: the worker answers once it has loaded the engine
      this.worker.postMessage({ ...msg, req });
    });
  }

  #rejectWaiters(text) {
    this.#failEpochWaiters(new Error(text));
    for (const w of this.waiters.ready) w.reject(new Error(text));
    this.waiters.ready = [];
    for (const w of this.waiters.reply.values()) w.reject(new Error(text));
    this.waiters.reply.clear();
  }
  #settlePause() {
    for (const r of this.waiters.pause) r();
    this.waiters.pause = [];
  }

  /** The network of the current build exists: the run is ready, and its ready() callers are told. */
  #announceReady() {
    if (!this.built || this.configureTimer) return;
    this.#set('idle', 'ready');
    for (const w of this.waiters.ready) w.resolve();
    this.waiters.ready = [];
    this.emit('built', this.built);
  }

  /** part: of a refused configuration, 'setting' or 'design' (the worker's `part`), else null. */
  #fail(scope, text, part = null) {
    this.scope = scope;
    this.#set('error', text);
    this.#rejectWaiters(text);
    this.emit('error', { scope, message: text, part });
  }

  #newRecord(layerNames) {
    const r = new Record(layerNames);
    r.label = this.label;
    r.withNoise = Number(this.cfg.noise) > 0;
    return r;
  }

  /** Resolves the `kind` waiters ('epoch': whenEpoch, 'point': whenEpochPoint) of epochs up to `epoch` with
   * value(n) for their n, and keeps the others. */
  #reach(kind, epoch, value) {
    const still = [];
    for (const w of this.waiters[kind]) (w.n <= epoch ? w.resolve(value(w.n)) : still.push(w));
    this.waiters[kind] = still;
  }

  /** Rejects every whenEpoch and whenEpochPoint waiting: no epoch will come (a reset, an error, the end). */
  #failEpochWaiters(err) {
    for (const w of [...this.waiters.epoch, ...this.waiters.point]) w.reject(err);
    this.waiters.epoch = [];
    this.waiters.point = [];
  }

  // ------------------------------------------------------------ the protocol
  #onMessage(m) {
    // Answers to a build that has been replaced since: dropped here, and only here. A crash is never stale:
    // whichever build it hit, the wasm instance is gone.
    if (m.id !== undefined && m.id !== this.buildId && !(m.type === 'error' && m.fatal)) return;
    switch (m.type) {
      case 'ready':
        this.engineReady = true;
        this.restarting = false;
        this.#applyCores();
        this.configure(this.cfg);
        break;
      case 'reply': {
        const w = this.waiters.reply.get(m.req);
        this.waiters.reply.delete(m.req);
        if (w) (m.error ? w.reject(new Error(m.error)) : w.resolve(m));
        break;
      }
      case 'status':
        // a step within the build (m.phase: 'data' | 'synthetic'): the run is still building; its words change
        if (this.phase === 'building') this.#set('building', m.text);
        break;
      case 'built':
        if (this.configureTimer) return;
        this.built = m;
        this.record = this.#newRecord(m.layerNames);
        this.record.watchDigits(m.watch, m.predictions);
        this.#announceReady();
        break;
      case 'progress': {
        if (!this.built) return;
        this.record.addSteps(m);
        if (this.status === 'running') this.speed.add(m.loss.length * m.batch, performance.now());
        const done = m.epochDone ? m.stepsPerEpoch : m.stepInEpoch;
        this.secondsLeft = this.speed.value > 0 ? ((m.stepsPerEpoch - done) * m.batch) / this.speed.value : null;
        if (this.status === 'running') {
          if (m.epochDone) this.#set('validating', `validating after epoch ${m.epoch}`);
          else this.#set('training', `training epoch ${m.epoch + 1}`);
        } else if (this.phase === 'paused') this.#set('paused', `paused after step ${this.record.steps}`);
        this.emit('progress', m);
        break;
      }
      case 'estimate': {
        // the validation pass under way so far (www/engine/worker.js postEstimate), until its 'epoch' arrives
        if (!this.built) return;
        const first = this.record.estimate?.epoch !== m.epoch;
        if (!this.record.setEstimate(m)) return;
        if (this.status === 'running') this.#set('validating', `validating after epoch ${m.epoch}: ${estimateText(m)}`);
        this.emit('estimate', { ...m, first });
        this.#reach('point', m.epoch, () => m);
        break;
      }
      case 'epoch': {
        if (!this.built) return;
        const row = this.record.addEpoch(m);
        if (this.status === 'running') this.#set('training', `training epoch ${row.epoch + 1}`);
        this.emit('epoch', row);
        const rowOf = (n) => this.record.epochs[n - 1] || row;
        this.#reach('point', row.epoch, rowOf);
        this.#reach('epoch', row.epoch, rowOf);
        break;
      }
      case 'diagnosis':
        if (!this.built) return;
        this.diagnosis = m.diagnosis;
        this.emit('diagnosis', m.diagnosis);
        break;
      case 'diverged':
        this.record.divergedAt = m.step;
        this.#set('diverged', m.message);
        this.#failEpochWaiters(new Error(`diverged at step ${m.step}`));
        this.emit('diverged', m);
        break;
      case 'stopped':
        // early stopping: a normal end of training (not a failure), after the validation pass of m.epoch
        this.record.stoppedAt = m.epoch;
        this.record.weightsEpoch = m.weightsEpoch ?? null; // the best epoch's, restored
        this.#set('stopped', m.message);
        this.#failEpochWaiters(new Error(m.message));
        this.emit('stopped', m);
        break;
      case 'paused':
        this.#settlePause();
        // the steps of a chunk that was under way when Pause was pressed have arrived by now
        if (this.phase === 'paused') this.#set('paused', `paused after step ${this.record.steps}`);
        break;
      case 'error':
        this.#onError(m);
        break;
      case 'cores':
        // the helper failed; the training worker went on alone
        if (this.helper) this.#dropHelper(m.message);
        break;
      default:
        break;
    }
  }

  #onError(m) {
    if (m.fatal) {
      // a Rust panic leaves the wasm instance unusable: a fresh worker (and module instance) rebuilds this run
      const now = performance.now();
      this.crashes = this.crashes.filter((t) => now - t < 60000);
      this.crashes.push(now);
      this.worker.terminate();
      this.worker = null;
      this.engineReady = false;
      this.built = null;
      // the fresh worker gets a fresh helper once it is ready
      this.helper?.terminate();
      this.helper = null;
      this.cores = 1;
      this.#settlePause();
      if (this.crashes.length <= MAX_RESTARTS_PER_MINUTE) {
        this.restarting = true;
        this.#fail('engine', m.message);
        this.#startWorker();
      } else {
        this.restarting = false;
        this.fatal = true;
        this.#fail('engine', `${m.message}. The engine crashed repeatedly — change a setting or reload the page`);
      }
      return;
    }
    if (m.scope === 'set') {
      // the configuration keeps the value the page holds; the engine kept its previous one
      this.emit('error', { scope: 'set', message: m.message });
      if (this.status === 'running') this.#set('held', 'a setting was refused');
      return;
    }
    this.built = null;
    this.#fail(m.scope || 'engine', m.message, m.part || null);
  }
}
