/**
 * Loss Lab page start-up and wiring: URL -> state -> controls; controls -> worker; worker -> record -> charts.
 *
 * Automation and classroom scripting: `window.lossLab`
 *
 *   lossLab.config()            -> the current full configuration {key: value} (keys of docs/ARCHITECTURE.md)
 *   lossLab.history()           -> { epochs: [{epoch, trainLoss, trainAcc, valLoss, valAcc, cleanLoss, cleanAcc,
 *                                   noisyLoss, noisyAcc, recall: [10], gradNorms: {layer: value}}],
 *                                   steps, status: 'idle'|'running'|'paused'|'diverged'|'error'|'loading',
 *                                   divergedAt, message,
 *                                   pinned: null (nothing pinned) or the pinned run, live while it races:
 *                                     { epochs: [rows as above], steps, raced: bool, config: {key: value} at pin time,
 *                                       status: 'pinned' (a frozen copy) | 'loading'|'idle'|'running'|'paused'|'diverged'|'error',
 *                                       divergedAt, message } }
 *                                  (losses in nats; accuracies and recall as fractions 0…1)
 *   lossLab.apply(partial)      -> validates {key: value} exactly like the URL does, applies it and returns the
 *                                  list of notices (strings) about values that were clamped, replaced or ignored.
 *                                  Changing a reset setting rebuilds the network from the seed; live settings
 *                                  (opt, lr, mom, b1, b2, eps, wd) apply at the next step.
 *   lossLab.preset(id)          -> loads a preset (ids in www/presets.js), as the buttons do
 *   lossLab.start(), .pause(), .step(), .reset()   (act on the raced pinned run too; start() and step() return a
 *                                  Promise and first wait for a rebuild in progress, like ready())
 *                                  pause() returns a Promise resolved once the worker(s) confirmed: no further
 *                                  steps will arrive (a validation pass under way may still post its epoch)
 *   lossLab.pin(), .unpin()     -> as the "Pin this run" and "Clear pin" buttons
 *   lossLab.race(on = true)     -> as the "Race the pinned run" box: trains the pinned configuration again in a second
 *                                  worker, side by side with the current run, both from epoch 0 (needs a pin)
 *   lossLab.ready()             -> Promise resolved once the network for the current configuration is built
 *                                  (and, while racing, the pinned run's network too, or it failed)
 *                                  (rejects with the message if it cannot be built or the data are missing)
 *   lossLab.whenEpoch(n)        -> Promise resolved with the history row of epoch n once its point is drawn;
 *                                  rejects if the run diverges, fails or is reset before getting there
 *
 * Example: await lossLab.ready(); lossLab.apply({lr: 0.1}); lossLab.start(); await lossLab.whenEpoch(2); lossLab.pause();
 */
import { SETTINGS, BY_KEY, defaults, merge, fromQuery, toQuery, toEngine, fmtNum } from './state.js';
import { Controls } from './controls.js';
import { BY_ID as PRESET_BY_ID } from './presets.js';
import { Record } from './views/record.js';
import { Plots } from './views/plots.js';
import { ArchView } from './views/arch.js';
import { renderPresets, showPresetNote } from './views/lessons.js';

const $ = (id) => document.getElementById(id);

/**
 * Training speed in samples per second over the last few seconds of progress messages. A window, not a
 * per-message rate: messages reach the page in bursts when its thread is busy drawing, and per-message
 * intervals then swing wildly. Validation pauses count (they are part of an epoch's time).
 */
class Rate {
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
const RESET_DEBOUNCE_MS = 200;
const LIVE = new Set(SETTINGS.filter((s) => s.kind === 'live').map((s) => s.key));

// ---------------------------------------------------------------- state
let cfg;
let status = 'loading';
let message = '';
let record = new Record();
let pin = null; // frozen Record of the pinned run
let pinCfg = null; // the exact configuration at pin time (seed included): what a race trains again
let race = null; // the pinned configuration trained again in a second worker (see "race" below), or null
let built = null; // the worker's 'built' message for the current config, null while (re)building
let worker = null;
let engineReady = false;
let crashes = [];
let restarting = false; // a fresh worker is starting after a crash
let epochWaiters = [];
let pauseWaiters = []; // resolved by this run's worker's next 'paused' (or when that worker is gone)
let readyWaiters = [];
let configureTimer = null;
let buildId = 0; // id of the latest configure sent; older answers are ignored
const speed = new Rate(); // this run's training speed
let secondsLeft = null; // of the current epoch of this run, at its recent speed
let drawQueued = false;

// ---------------------------------------------------------------- views
const plots = new Plots();
const arch = new ArchView();
const controls = new Controls($('settings'), {
  archOut: $('arch-out'),
  onChange: (key, raw, { final }) => change({ [key]: raw }, final),
  actions: {
    newSeed: () => change({ seed: Math.floor(Math.random() * 1e9) }, true),
    sameSeed: () => reset(),
  },
});
renderPresets($('preset-groups'), (p) => applyPreset(p));

function setStatus(s, text) {
  status = s;
  message = text;
  const line = $('status');
  line.dataset.state = s;
  line.textContent = text;
  const canRun = runReady() && s !== 'error' && s !== 'loading';
  $('btn-start').disabled = !canRun || s === 'diverged';
  $('btn-start').textContent = s === 'running' ? 'Pause' : s === 'paused' ? 'Resume' : 'Start';
  $('btn-start').setAttribute('aria-pressed', s === 'running' ? 'true' : 'false');
  $('btn-step').disabled = !canRun || s === 'running' || s === 'diverged';
  $('btn-reset').disabled = !engineReady;
}

function showNotices(list) {
  if (!list.length) return;
  const ul = $('notice-list');
  for (const n of list) {
    const li = document.createElement('li');
    li.textContent = n;
    ul.append(li);
  }
  $('notices').hidden = false;
}
$('btn-dismiss-notices').addEventListener('click', () => {
  $('notices').hidden = true;
  $('notice-list').textContent = '';
});

// Browsers throttle (and complain about) floods of history calls, e.g. while a slider is dragged:
// write at once, then at most every URL_EVERY_MS, always ending with the latest state.
const URL_EVERY_MS = 250;
let urlWrittenAt = 0;
let urlTimer = null;
function writeUrl() {
  const wait = urlWrittenAt + URL_EVERY_MS - performance.now();
  if (wait > 0) {
    if (!urlTimer) urlTimer = setTimeout(() => { urlTimer = null; writeUrl(); }, wait);
    return;
  }
  urlWrittenAt = performance.now();
  const url = new URL(location.href);
  url.search = toQuery(cfg);
  if (url.href !== location.href) history.replaceState(null, '', url.href);
}

function dataBadge() {
  const b = $('data-badge');
  if (!built) { b.textContent = cfg.data === 'synthetic' ? 'synthetic digits' : 'real MNIST digits'; return; }
  const kind = built.synthetic ? 'synthetic digits' : 'real MNIST';
  const n = (v) => v.toLocaleString('en-US');
  const noise = cfg.noise > 0 ? ` · ${fmtNum(cfg.noise)}% labels corrupted (${n(built.corruptedCount)})` : '';
  b.textContent = `${kind} · ${n(built.trainCount)} training · ${n(built.valCount)} validation images${noise}`;
}

// ---------------------------------------------------------------- drawing
function draw() {
  drawQueued = false;
  plots.draw(record, shownPin(), {
    raw: $('opt-raw').checked, logY: $('opt-logy').checked, noise: cfg.noise > 0, pinNote: race ? raceNote() : '',
  });
}
function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(draw);
}
$('opt-raw').addEventListener('change', draw);
$('opt-logy').addEventListener('change', draw);
function pinRun() {
  stopRace();
  pin = record.frozen(toQuery(cfg).slice(1).replace(/&/g, ', ') || 'baseline');
  pinCfg = { ...cfg };
  $('btn-unpin').disabled = false;
  $('opt-race').disabled = false;
  draw();
}
function unpin() {
  stopRace();
  pin = null;
  pinCfg = null;
  $('btn-unpin').disabled = true;
  $('opt-race').disabled = true;
  draw();
}
$('btn-pin').addEventListener('click', pinRun);
$('btn-unpin').addEventListener('click', unpin);
$('opt-race').addEventListener('change', (e) => (e.target.checked ? startRace() : stopRace()));

// ---------------------------------------------------------------- worker
function startWorker() {
  engineReady = false;
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (e) => onWorker(e.data);
  worker.onerror = (e) => {
    e.preventDefault();
    fail(`the training engine could not start (${e.message || 'worker failed to load'}) — check that www/pkg/ was built (npm run build)`);
  };
  worker.postMessage({ type: 'init' });
}

/** Scrolls the settings column (not the page) so that `el` is in view. */
function revealInControls(el) {
  const box = document.querySelector('.controls');
  if (box.scrollHeight <= box.clientHeight) return; // the column does not scroll on its own (narrow layout)
  const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
  if (top < 0 || top > box.clientHeight - 80) box.scrollTop += top - 60;
}

function fail(text) {
  setStatus('error', `error: ${text}`);
  pauseRace('this run stopped with an error');
  rejectWaiters(text);
}

function rejectWaiters(text) {
  for (const w of epochWaiters) w.reject(new Error(text));
  epochWaiters = [];
  for (const w of readyWaiters) w.reject(new Error(text));
  readyWaiters = [];
}

function configureNow() {
  clearTimeout(configureTimer);
  configureTimer = null;
  built = null;
  record = new Record();
  for (const w of epochWaiters) w.reject(new Error('the run was reset'));
  epochWaiters = [];
  $('epoch-progress').value = 0;
  $('epoch-label').textContent = 'Epoch —';
  $('speed').textContent = '';
  secondsLeft = null;
  $('data-missing').hidden = true;
  dataBadge();
  arch.pending('Building the network…');
  configureRace(); // a race restarts with the run, so that both start from epoch 0
  queueDraw();
  if (!engineReady) { setStatus('loading', 'Loading the training engine…'); return; }
  setStatus('loading', cfg.data === 'synthetic' ? 'building the network (synthetic digits)…' : 'building the network…');
  buildId++;
  worker.postMessage({ type: 'configure', config: toEngine(cfg), id: buildId });
}

function configureSoon() {
  clearTimeout(configureTimer);
  if (engineReady) worker.postMessage({ type: 'pause' });
  configureTimer = setTimeout(configureNow, RESET_DEBOUNCE_MS);
}

function onWorker(m) {
  switch (m.type) {
    case 'ready':
      engineReady = true;
      restarting = false;
      configureNow();
      break;
    case 'status':
      if (m.text !== 'running' && status === 'loading') setStatus('loading', m.text);
      break;
    case 'built': {
      if (configureTimer || m.id !== buildId) return; // a newer configuration replaced this one
      built = m;
      record = new Record(m.layerNames);
      record.withNoise = cfg.noise > 0;
      arch.show(m.layers, m.params);
      dataBadge();
      announceReady();
      queueDraw();
      break;
    }
    case 'progress': {
      if (!built) return;
      record.addSteps(m);
      if (status === 'running') speed.add(m.loss.length * m.batch, performance.now());
      const done = m.epochDone ? m.stepsPerEpoch : m.stepInEpoch;
      const epochNo = m.epochDone ? m.epoch : m.epoch + 1;
      $('epoch-progress').value = done / (m.stepsPerEpoch || 1);
      $('epoch-label').textContent = `Epoch ${epochNo}: ${Math.round((100 * done) / (m.stepsPerEpoch || 1))}%`;
      secondsLeft = speed.value > 0 ? ((m.stepsPerEpoch - done) * m.batch) / speed.value : null;
      showSpeed();
      if (status === 'running') setStatus('running', m.epochDone ? `validating after epoch ${m.epoch}…` : `training epoch ${epochNo}`);
      queueDraw();
      break;
    }
    case 'epoch': {
      if (!built) return;
      const row = record.addEpoch(m);
      draw();
      const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'not available');
      const loss = (v) => (!Number.isFinite(v) ? 'not a number' : v < 0.1 ? Number(v.toPrecision(2)).toString() : v.toFixed(2));
      let text = `Epoch ${row.epoch}: train loss ${loss(row.trainLoss)}, validation loss ${loss(row.valLoss)}, validation accuracy ${pct(row.valAcc)}`;
      if (cfg.noise > 0 && Number.isFinite(row.noisyAcc)) {
        text += `; training accuracy on clean labels ${pct(row.cleanAcc)}, on corrupted labels ${pct(row.noisyAcc)}`;
      }
      $('summary').textContent = text + '.';
      if (status === 'running') setStatus('running', `training epoch ${row.epoch + 1}`);
      const still = [];
      for (const w of epochWaiters) (row.epoch >= w.n ? w.resolve(record.epochs[w.n - 1] || row) : still.push(w));
      epochWaiters = still;
      break;
    }
    case 'diverged': {
      record.divergedAt = m.step;
      draw();
      setStatus('diverged', `diverged at step ${m.step}: ${m.message} — lower the learning rate (or change what you broke) and press Reset`);
      $('summary').textContent = `Training diverged at step ${m.step}: ${m.message}.`;
      // Start/Pause is off after a divergence: the pinned run must not train on out of reach
      pauseRace('this run diverged; Reset restarts both');
      rejectWaiters(`diverged at step ${m.step}`);
      break;
    }
    case 'error':
      onWorkerError(m);
      break;
    case 'paused':
      settlePause();
      break;
    default:
      break;
  }
}

function settlePause() {
  for (const r of pauseWaiters) r();
  pauseWaiters = [];
  // the steps of a chunk that was under way when Pause was pressed have arrived by now
  if (status === 'paused' && message.startsWith('paused after step')) setStatus('paused', `paused after step ${record.steps} — press Resume to continue`);
}

function onWorkerError(m) {
  if ((m.scope === 'config' || m.scope === 'data') && (m.id !== buildId || configureTimer)) return; // stale
  if (m.fatal) {
    // a Rust panic leaves the wasm instance unusable: start a fresh worker (and module instance)
    const now = performance.now();
    crashes = crashes.filter((t) => now - t < 60000);
    crashes.push(now);
    worker.terminate();
    settlePause();
    built = null;
    fail(m.message);
    if (crashes.length <= 2) { restarting = true; startWorker(); }
    else setStatus('error', `error: ${m.message}. The engine crashed repeatedly — change a setting or reload the page.`);
    return;
  }
  if (m.scope === 'config') {
    built = null;
    // the engine names the layer or the architecture key it refuses; other refusals are not about the design
    if (/^(conv|pool|dense|hidden|relu|flatten|act|depth|ch|k|stride|pad|pool_type|pool_size)\w*\b/.test(m.message)) {
      arch.fail(m.message);
      revealInControls($('arch-error'));
    } else arch.pending('');
    fail(`this configuration cannot be built: ${m.message}`);
    return;
  }
  if (m.scope === 'data') {
    built = null;
    $('data-missing-text').textContent = m.message;
    $('data-missing').hidden = false;
    arch.pending('');
    fail('MNIST files not found at www/data/ — see the box below');
    $('data-badge').textContent = 'real MNIST digits (not loaded)';
    return;
  }
  if (m.scope === 'set') {
    showNotices([`The engine refused the value: ${m.message}`]);
    if (status === 'running') setStatus('paused', 'paused — a setting was refused');
    return;
  }
  fail(m.message);
}

$('btn-synthetic').addEventListener('click', () => {
  $('data-missing').hidden = true;
  change({ data: 'synthetic' }, true);
});

// ---------------------------------------------------------------- race: the pinned run trained again
// "Race the pinned run" trains the configuration saved at pin time in a second worker (same protocol, its own
// wasm instance, so the browser can put it on the second core) while this run trains in the first. Both
// restart from epoch 0 together; Start, Pause, One step and Reset drive both. The raced run takes the pin's
// place on the charts, faded. If it diverges or fails, its legend and #race-status say so and this run goes on.

/** The run drawn faded: the raced run while racing, else the frozen pin (or null). */
function shownPin() {
  return race ? race.record : pin;
}

/** The current run (and, while racing, the pinned run) can be trained. A failed race does not block this run. */
function runReady() {
  return !!built && (!race || race.built || race.state === 'error');
}

function startRace() {
  if (!pin || race) { $('opt-race').checked = !!race; return; }
  const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const rec = new Record();
  rec.label = pin.label;
  race = { worker: w, record: rec, engineReady: false, built: false, buildId: 0, state: 'loading', note: 'starting', speed: new Rate(), pauseWaiters: [] };
  w.onmessage = (e) => onRace(w, e.data);
  w.onerror = (e) => {
    e.preventDefault();
    if (race && race.worker === w) raceFailed(`its engine could not start (${e.message || 'worker failed to load'})`, true);
  };
  w.postMessage({ type: 'init' });
  $('opt-race').checked = true;
  showRace();
  // both runs start from epoch 0: restart this one too (configureNow also configures the race once it is up)
  if (engineReady) worker.postMessage({ type: 'pause' });
  $('summary').textContent = '';
  configureNow();
}

function stopRace() {
  $('opt-race').checked = false;
  if (!race) return;
  race.worker.terminate();
  for (const r of race.pauseWaiters) r();
  race = null;
  showRace();
  showSpeed();
  queueDraw();
  announceReady();
  setStatus(status, message); // a pending race may have been what kept Start disabled
}

/** (Re)builds the raced run from the pinned configuration and its seed. */
function configureRace() {
  if (!race || !race.engineReady) return;
  if (race.state === 'error' && race.fatal) return;
  race.built = false;
  race.buildId++;
  race.record = new Record();
  race.record.label = pin.label;
  race.speed.reset();
  setRace('loading', 'building the network');
  race.worker.postMessage({ type: 'configure', config: toEngine(pinCfg), id: race.buildId });
}

function raceCanTrain() {
  return !!race && race.built && race.state !== 'diverged' && race.state !== 'error';
}
function runRace() {
  if (!raceCanTrain() || race.state === 'running') return;
  race.speed.reset();
  race.worker.postMessage({ type: 'run' });
  setRace('running');
}
/** Pauses the raced run; `why` says so in its status line when this run stopped on its own. */
function pauseRace(why = '') {
  if (!race) return;
  race.worker.postMessage({ type: 'pause' });
  if (race.state === 'running' || (why && race.state === 'idle')) setRace('paused', why);
}

function setRace(state, note = '') {
  race.state = state;
  race.note = note;
  showRace();
}

function raceFailed(text, fatal) {
  if (fatal) {
    race.worker.terminate();
    race.fatal = true;
    for (const r of race.pauseWaiters) r();
    race.pauseWaiters = [];
  } else race.worker.postMessage({ type: 'pause' });
  setRace('error', text);
  queueDraw();
  announceReady();
  setStatus(status, message);
}

/** What the legend adds to "faded: pinned run (…)" while racing. */
function raceNote() {
  if (!race) return '';
  switch (race.state) {
    case 'loading': return ', trained again: starting…';
    case 'diverged': return `, trained again: diverged at step ${race.record.divergedAt}`;
    case 'error': return ', trained again: failed';
    default: return ', trained again alongside';
  }
}

function showRace() {
  const el = $('race-status');
  if (!race) { el.hidden = true; el.textContent = ''; return; }
  el.hidden = false;
  el.dataset.state = race.state;
  const rec = race.record;
  const last = rec.epochs[rec.epochs.length - 1];
  const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'not available');
  const loss = (v) => (!Number.isFinite(v) ? 'not a number' : v < 0.1 ? Number(v.toPrecision(2)).toString() : v.toFixed(2));
  const after = last ? ` After epoch ${last.epoch}: train loss ${loss(last.trainLoss)}, validation loss ${loss(last.valLoss)}, validation accuracy ${pct(last.valAcc)}.` : '';
  const text = {
    loading: `Pinned run, trained again in a second worker: ${race.note}…`,
    idle: 'Pinned run, trained again in a second worker: ready, starts with this run.',
    running: `Pinned run, trained again in a second worker: training epoch ${rec.epochs.length + 1}.${after}`,
    paused: `Pinned run, trained again in a second worker: paused after step ${rec.steps}${race.note ? ` (${race.note})` : ''}.${after}`,
    diverged: `Pinned run diverged at step ${rec.divergedAt}: ${race.note} — this run keeps training.${after}`,
    error: `Pinned run failed: ${race.note} — this run keeps training.${after}`,
  }[race.state];
  el.textContent = text;
}

function onRace(w, m) {
  if (!race || race.worker !== w) return; // a stopped race
  switch (m.type) {
    case 'ready':
      race.engineReady = true;
      configureRace();
      break;
    case 'status':
      if (race.state === 'loading' && m.text !== 'running') setRace('loading', m.text.replace(/…$/, ''));
      break;
    case 'built':
      if (m.id !== race.buildId) return;
      race.built = true;
      race.record = new Record(m.layerNames);
      race.record.label = pin.label;
      race.record.withNoise = pinCfg.noise > 0;
      setRace('idle');
      announceReady();
      if (status === 'running') runRace(); // this run was already started: catch up
      queueDraw();
      break;
    case 'progress': {
      if (!race.built) return;
      race.record.addSteps(m);
      if (race.state === 'running') race.speed.add(m.loss.length * m.batch, performance.now());
      else showRace(); // a chunk that was under way when it paused, or one step: keep "paused after step N" true
      showSpeed();
      queueDraw();
      break;
    }
    case 'epoch':
      if (!race.built) return;
      race.record.addEpoch(m);
      showRace();
      queueDraw();
      break;
    case 'paused':
      for (const r of race.pauseWaiters) r();
      race.pauseWaiters = [];
      break;
    case 'diverged':
      race.record.divergedAt = m.step;
      setRace('diverged', m.message);
      queueDraw();
      break;
    case 'error':
      if ((m.scope === 'config' || m.scope === 'data') && m.id !== race.buildId) return; // stale
      raceFailed(m.message, !!m.fatal);
      break;
    default:
      break;
  }
}

/** Resolves ready() and says "ready" once this run (and a racing pinned run) are built. */
function announceReady() {
  if (!built || configureTimer || status !== 'loading') return;
  if (!runReady()) { setStatus('loading', 'building the pinned run in a second worker…'); return; }
  const both = race && race.built ? ' both runs side by side' : '';
  setStatus('idle', `ready — ${built.synthetic ? 'synthetic digits' : 'MNIST'} loaded; press Start to train${both}`);
  for (const w of readyWaiters) w.resolve();
  readyWaiters = [];
}

/** The progress line: samples per second of this run (and of the raced pinned run), time left in the epoch. */
function showSpeed() {
  const n = (v) => Math.round(v).toLocaleString('en-US');
  const left = secondsLeft == null ? '' : ` · ${secondsLeft < 1 ? '<1' : Math.round(secondsLeft)} s left in this epoch`;
  const mine = speed.value, theirs = race ? race.speed.value : 0;
  if (race && (mine > 0 || theirs > 0)) {
    const other = race.state === 'diverged' || race.state === 'error' ? `pinned run ${race.state === 'error' ? 'failed' : 'diverged'}`
      : `pinned run ${theirs > 0 ? n(theirs) : '—'} samples/s`;
    $('speed').textContent = `this run ${mine > 0 ? n(mine) : '—'} samples/s · ${other}${left}`;
  } else if (mine > 0) {
    $('speed').textContent = `${n(mine)} samples/s${left}`;
  }
}

function pinHistory() {
  const p = shownPin();
  if (!p) return null;
  return {
    epochs: p.epochs.map((e) => ({ ...e, recall: [...e.recall], gradNorms: { ...e.gradNorms } })),
    steps: p.steps,
    raced: !!race,
    config: { ...pinCfg },
    status: race ? race.state : 'pinned',
    divergedAt: p.divergedAt,
    message: race ? race.note : '',
  };
}

// ---------------------------------------------------------------- actions
/** Applies a partial config; returns the notices. `final` false while a slider is still moving. */
function change(partial, final = true) {
  const r = merge(cfg, partial);
  cfg = r.config;
  showNotices(r.notices);
  controls.update(cfg);
  writeUrl();
  let rebuild = false;
  for (const key of r.changed) {
    if (LIVE.has(key)) {
      if (engineReady && built) worker.postMessage({ type: 'set', key, value: toEngine(cfg)[key] });
    } else rebuild = true;
  }
  if (rebuild) {
    showPresetNote(null);
    if (final) configureNow();
    else configureSoon();
  }
  if (r.changed.includes('noise')) queueDraw();
  return r.notices;
}

function start() {
  if (!runReady() || status === 'running' || status === 'diverged' || status === 'error' || status === 'loading') return;
  speed.reset();
  setStatus('running', `training epoch ${record.epochs.length + 1}`);
  worker.postMessage({ type: 'run' });
  runRace();
}
/** Pauses both runs; the Promise resolves once their workers confirmed that no further steps will arrive. */
function pause() {
  const done = [];
  if (engineReady) {
    done.push(new Promise((r) => pauseWaiters.push(r)));
    worker.postMessage({ type: 'pause' });
  }
  if (race && !race.fatal) {
    done.push(new Promise((r) => race.pauseWaiters.push(r)));
    pauseRace();
  }
  if (status === 'running') setStatus('paused', `paused after step ${record.steps} — press Resume to continue`);
  return Promise.all(done).then(() => undefined);
}
function step() {
  if (!runReady() || status === 'running' || status === 'diverged' || status === 'error' || status === 'loading') return;
  worker.postMessage({ type: 'step' });
  if (raceCanTrain()) { race.worker.postMessage({ type: 'step' }); setRace('paused'); }
  setStatus('paused', 'paused — stepping one mini-batch at a time');
}
function reset() {
  if (!engineReady) return;
  worker.postMessage({ type: 'pause' });
  $('summary').textContent = '';
  configureNow();
}

function applyPreset(p) {
  const r = merge(defaults(), p.set);
  cfg = r.config;
  controls.update(cfg);
  writeUrl();
  showPresetNote(p);
  if (engineReady) worker.postMessage({ type: 'pause' });
  $('summary').textContent = '';
  configureNow();
  return r.notices;
}

$('btn-start').addEventListener('click', () => (status === 'running' ? pause() : start()));
$('btn-step').addEventListener('click', step);
$('btn-reset').addEventListener('click', reset);

// ---------------------------------------------------------------- automation API
window.lossLab = {
  config: () => ({ ...cfg }),
  history: () => ({
    epochs: record.epochs.map((e) => ({ ...e, recall: [...e.recall], gradNorms: { ...e.gradNorms } })),
    steps: record.steps,
    status,
    divergedAt: record.divergedAt,
    message,
    pinned: pinHistory(),
  }),
  apply: (partial) => change(partial && typeof partial === 'object' ? partial : {}, true),
  preset: (id) => {
    const p = PRESET_BY_ID.get(id);
    if (!p) throw new Error(`no preset "${id}"`);
    return applyPreset(p);
  },
  // A script may call start() or step() right after a change that rebuilds the network (apply, preset,
  // race): they wait for the rebuild instead of being ignored as a disabled button would be.
  start: () => window.lossLab.ready().then(start),
  step: () => window.lossLab.ready().then(step),
  pause, reset,
  pin: pinRun,
  unpin,
  race: (on = true) => {
    if (on && !pin) throw new Error('pin a run first: the race trains the pinned configuration again');
    if (on) startRace(); else stopRace();
  },
  ready: () => (runReady() && !configureTimer ? Promise.resolve()
    : status === 'error' && !restarting ? Promise.reject(new Error(message))
      : new Promise((resolve, reject) => readyWaiters.push({ resolve, reject }))),
  whenEpoch: (n) => (record.epochs.length >= n ? Promise.resolve(record.epochs[n - 1])
    : new Promise((resolve, reject) => epochWaiters.push({ n, resolve, reject }))),
};

// ---------------------------------------------------------------- start-up
{
  const parsed = fromQuery(location.search);
  cfg = parsed.config;
  showNotices(parsed.notices);
  controls.update(cfg);
  writeUrl();
  dataBadge();
  setStatus('loading', 'Loading the training engine…');
  draw();
  startWorker();
}

export { BY_KEY };
