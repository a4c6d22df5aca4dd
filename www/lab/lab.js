// The lab: the page's current run, the pinned run and its race, and how the processor cores are shared between
// them and a sweep. main.js wires it to the controls and the views; the views hear its events.
//
// Events (on(type, fn), www/lab/run.js's Emitter), each from the current run only — a run replaced since is never
// heard: 'change', 'built', 'progress', 'estimate', 'epoch', 'diagnosis', 'diverged', 'stopped', 'error', 'cores' (as a Run
// emits them); from the raced run only while it races: 'race:change', 'race:built', 'race:progress',
// 'race:epoch', 'race:diverged', 'race:stopped', 'race:error'; and 'run' (a new current run), 'pin' (pinned or
// unpinned), 'racing' (a race began or ended), 'start' (the page's run starts training: a sweep gives the
// cores back), 'seedrace' (a race on several seeds began or was dropped).
import { Emitter, Run } from './run.js';
import { rowCopy } from './record.js';
import { Sweep } from './sweep.js';
import { SeedRace } from './seedrace.js';

// (worded so that it stays true once the sweep has ended: the note lasts until the run is resumed)
const SWEEP_WAIT = 'a sweep took the processor cores (see the Sweep panel) — press Resume to continue this run';

const RUN_EVENTS = ['change', 'built', 'progress', 'estimate', 'epoch', 'diagnosis', 'diverged', 'stopped', 'error', 'cores'];
const RACE_EVENTS = ['change', 'built', 'progress', 'epoch', 'diverged', 'stopped', 'error'];

export class Lab extends Emitter {
  run = null; // the current run (a Run), from open() on
  race = null; // the pinned configuration trained again beside it (a Run), or null
  pin = null; // frozen Record of the pinned run
  pinCfg = null; // the exact configuration at pin time (seed included): what a race trains again
  coresChosen = 1; // the Cores menu: what the current run trains on unless it races
  sweep = null; // the latest Sweep (www/lab/sweep.js), or null
  seedRace = null; // the race on several seeds (www/lab/seedrace.js) the charts show, or null
  readyWaiters = []; // ready() callers waiting for both runs

  /**
   * Makes the first run, of `cfg`. `unsupported` is non-empty when this browser cannot run the engine: the run
   * is then in the terminal phase 'unsupported' (no worker) and every request to it is refused with this text.
   */
  open(cfg, unsupported = '') {
    this.#adopt(new Run(cfg, '', { cores: this.coresChosen, unsupported }));
  }

  /** Makes r the current run: its events are the lab's from now on. */
  #adopt(r) {
    this.run = r;
    for (const type of RUN_EVENTS) r.on(type, (detail) => { if (this.run === r) this.#onRun(type, detail); });
    this.emit('run', r);
  }

  #onRun(type, detail) {
    const race = this.race;
    if (type === 'diverged') race?.pause('this run diverged; Reset restarts both'); // Start is off after a divergence
    if (type === 'stopped') race?.pause('this run stopped early; Reset restarts both');
    if (type === 'error' && detail.scope !== 'set') race?.pause('this run stopped with an error');
    this.emit(type, detail);
    if (type === 'change') this.#settleReady();
  }

  // ------------------------------------------------------------ building
  /** False for a browser that cannot run the engine: nothing is ever built. */
  get configurable() {
    return this.run?.phase !== 'unsupported';
  }

  /** Rebuilds the current run (and a race, so both start from epoch 0) from `cfg`. */
  configure(cfg, delayMs = 0) {
    if (!this.configurable) return;
    this.endSeedRace(); // its current side was these settings, no longer the page's
    // an engine that crashed again and again gets a fresh start when the learner changes something
    if (this.run.fatal) this.#adopt(new Run(cfg, '', { cores: this.race ? 1 : this.coresChosen }));
    this.run.configure(cfg, delayMs);
    if (this.race && !this.race.fatal) this.race.configure(this.pinCfg);
  }

  /** A raced run has been built or has failed for good: either way it no longer holds this run back. */
  raceSettled() {
    return !this.race || !!this.race.built || this.race.status === 'error';
  }

  /** The current run (and, while racing, the pinned run) can be trained. */
  runReady() {
    const run = this.run;
    return !!run && !!run.built && !run.configureTimer && this.raceSettled();
  }

  /** Resolves once both runs are built (lossLab.ready()); rejects when the current run cannot be. */
  ready() {
    const p = new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    this.#settleReady();
    return p;
  }

  #settleReady() {
    if (!this.readyWaiters.length) return;
    const run = this.run;
    if (this.runReady()) {
      for (const w of this.readyWaiters) w.resolve();
      this.readyWaiters = [];
    } else if (run.status === 'error' && !run.restarting) {
      for (const w of this.readyWaiters) w.reject(new Error(run.note));
      this.readyWaiters = [];
    }
  }

  // ------------------------------------------------------------ training
  start() {
    const run = this.run;
    if (!this.runReady() || !run.trainable || run.status === 'running') return;
    this.emit('start'); // a running sweep pauses: the cores go back to this run
    this.endSeedRace(); // the charts go back to this run
    run.run();
    this.race?.run();
  }

  /** Pauses both runs; the Promise resolves once their workers confirmed that no further steps will arrive. */
  pause() {
    const race = this.race;
    return Promise.all([this.run.pause(), race && !race.fatal ? race.pause() : null]).then(() => undefined);
  }

  step() {
    const run = this.run;
    if (!this.runReady() || !run.trainable || run.status === 'running') return;
    run.step();
    this.race?.step();
  }

  // ------------------------------------------------------------ the cores
  /** The Cores menu changed: the current run trains on n cores, unless it races (each run has one then). */
  setCores(n) {
    this.coresChosen = n === 1 ? 1 : 2;
    if (this.run && !this.race) this.run.setCores(this.coresChosen);
  }

  /** A sweep takes the cores: the page's runs that are training pause, and their status says why. */
  yieldCores(why = SWEEP_WAIT) {
    for (const r of [this.run, this.race]) if (r && r.status === 'running') r.pause(why);
  }

  // ------------------------------------------------------------ sweeps
  // Each swept value trains in a Run of its own; while the sweep trains, the page's own runs pause so that the
  // sweep has the processor cores, and starting the page's run pauses the sweep (the 'start' event).

  /** A new sweep of `spec` from the configuration `base`, not started yet (the caller starts it); the page's
   * runs give it the cores. */
  startSweep(base, spec) {
    this.yieldCores();
    this.seedRace?.cancel(); // the cores go to the sweep; the race's finished runs stay on the charts
    this.sweep = new Sweep(base, spec);
    return this.sweep;
  }

  /** A paused sweep goes on, with the cores. */
  resumeSweep() {
    this.yieldCores();
    this.sweep?.resume();
  }

  // ------------------------------------------------------------ pin and race
  // "Race the pinned run" trains the configuration saved at pin time in a second Run (its own worker and wasm
  // instance, so the browser can put it on the second core) while this run trains in the first. Both restart
  // from epoch 0 together; Start, Pause, One step and Reset drive both. The raced run takes the pin's place on
  // the charts, faded. If it diverges or fails, its legend and #race-status say so and this run goes on.

  /** The pinned run for lossLab.history(): plain copies, or null without a pin. */
  pinHistory() {
    const p = this.shownPin();
    if (!p) return null;
    const race = this.race;
    return {
      epochs: p.epochs.map(rowCopy),
      steps: p.steps,
      raced: !!race,
      config: { ...this.pinCfg },
      status: race ? race.status : 'pinned',
      divergedAt: p.divergedAt,
      message: race ? race.note : '',
    };
  }

  /** The run drawn faded: the raced run while racing, else the frozen pin (or null). */
  shownPin() {
    return this.race ? this.race.record : this.pin;
  }

  /** Pins the current run as it is now: `cfg` its configuration, `label` what the legend calls it. */
  pinRun(cfg, label) {
    this.stopRace();
    this.endSeedRace();
    this.pin = this.run.record.frozen(label);
    this.pinCfg = { ...cfg };
    this.emit('pin');
  }

  unpin() {
    this.stopRace();
    this.endSeedRace();
    this.pin = null;
    this.pinCfg = null;
    this.emit('pin');
  }

  /** Trains the pinned configuration again beside the current run; false when there is nothing to race. The
   * caller rebuilds the current run, so both start from epoch 0. */
  startRace() {
    if (!this.pin || this.race || !this.configurable) return false;
    const r = new Run(this.pinCfg, this.pin.label);
    this.race = r;
    this.run.setCores(1); // one core for each of the two runs
    for (const type of RACE_EVENTS) {
      r.on(type, (detail) => {
        if (this.race !== r) return;
        if (type === 'built' && this.run.status === 'running') r.run(); // this run started already: catch up
        this.emit(`race:${type}`, detail);
        if (type === 'change') this.#settleReady();
      });
    }
    this.emit('racing');
    return true;
  }

  /**
   * Trains this run's settings `cfg` and the pinned ones on 3 seeds each for `epochs` epochs, two runs at a time
   * (www/lab/seedrace.js); the charts draw each side as a mean line with its min–max band. The page's runs give it
   * the cores (as to a sweep). Returns the SeedRace (not started: the caller starts it), or null without a pin.
   */
  startSeedRace(cfg, { epochs, seeds }) {
    if (!this.pin || !this.configurable) return null;
    this.endSeedRace();
    this.yieldCores('the race on 3 seeds took the processor cores — press Resume to continue this run');
    if (this.sweep?.state === 'running') this.sweep.pause(); // its panel offers Resume sweep
    this.seedRace = new SeedRace(cfg, this.pinCfg, { epochs, seeds, pinLabel: this.pin.label });
    this.emit('seedrace');
    return this.seedRace;
  }

  /** Drops the race on several seeds (its runs under way are cancelled); the charts show this run again. */
  endSeedRace() {
    if (!this.seedRace) return;
    this.seedRace.cancel();
    this.seedRace = null;
    this.emit('seedrace');
  }

  /** Ends a race; false when there was none. */
  stopRace() {
    if (!this.race) return false;
    this.race.terminate();
    this.race = null;
    this.run.setCores(this.coresChosen);
    this.emit('racing');
    this.#settleReady();
    return true;
  }
}
