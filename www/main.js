/**
 * Loss Lab page start-up and wiring: URL -> state -> controls; controls -> worker; worker -> record -> charts.
 *
 * Automation and classroom scripting: `window.lossLab`
 *
 *   lossLab.config()            -> the current full configuration {key: value} (keys of docs/ARCHITECTURE.md)
 *   lossLab.history()           -> { epochs: [{epoch, trainLoss, trainAcc, valLoss, valAcc, cleanLoss, cleanAcc,
 *                                   noisyLoss, noisyAcc, recall: [10], gradNorms: {layer: value}}],
 *                                   steps, status: 'idle'|'running'|'paused'|'diverged'|'error'|'loading',
 *                                   divergedAt, message }
 *                                  (losses in nats; accuracies and recall as fractions 0…1)
 *   lossLab.apply(partial)      -> validates {key: value} exactly like the URL does, applies it and returns the
 *                                  list of notices (strings) about values that were clamped, replaced or ignored.
 *                                  Changing a reset setting rebuilds the network from the seed; live settings
 *                                  (opt, lr, mom, b1, b2, eps, wd) apply at the next step.
 *   lossLab.preset(id)          -> loads a preset (ids in www/presets.js), as the buttons do
 *   lossLab.start(), .pause(), .step(), .reset()
 *   lossLab.ready()             -> Promise resolved once the network for the current configuration is built
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
const RESET_DEBOUNCE_MS = 200;
const LIVE = new Set(SETTINGS.filter((s) => s.kind === 'live').map((s) => s.key));

// ---------------------------------------------------------------- state
let cfg;
let status = 'loading';
let message = '';
let record = new Record();
let pin = null;
let built = null; // the worker's 'built' message for the current config, null while (re)building
let worker = null;
let engineReady = false;
let crashes = [];
let restarting = false; // a fresh worker is starting after a crash
let epochWaiters = [];
let readyWaiters = [];
let configureTimer = null;
let buildId = 0; // id of the latest configure sent; older answers are ignored
let lastProgressAt = 0;
let sampleRate = 0;
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
  const canRun = !!built && s !== 'error' && s !== 'loading';
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
  plots.draw(record, pin, { raw: $('opt-raw').checked, logY: $('opt-logy').checked, noise: cfg.noise > 0 });
}
function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(draw);
}
$('opt-raw').addEventListener('change', draw);
$('opt-logy').addEventListener('change', draw);
$('btn-pin').addEventListener('click', () => {
  pin = record.frozen(toQuery(cfg).slice(1).replace(/&/g, ', ') || 'baseline');
  $('btn-unpin').disabled = false;
  draw();
});
$('btn-unpin').addEventListener('click', () => {
  pin = null;
  $('btn-unpin').disabled = true;
  draw();
});

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
  $('data-missing').hidden = true;
  dataBadge();
  arch.pending('Building the network…');
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
      setStatus('idle', `ready — ${m.synthetic ? 'synthetic digits' : 'MNIST'} loaded; press Start to train`);
      for (const w of readyWaiters) w.resolve();
      readyWaiters = [];
      queueDraw();
      break;
    }
    case 'progress': {
      if (!built) return;
      record.addSteps(m);
      const now = performance.now();
      const k = m.loss.length;
      if (lastProgressAt && now - lastProgressAt < 2000) {
        const rate = (k * m.batch * 1000) / Math.max(1, now - lastProgressAt);
        sampleRate = sampleRate ? 0.9 * sampleRate + 0.1 * rate : rate;
      }
      lastProgressAt = status === 'running' ? now : 0;
      const done = m.epochDone ? m.stepsPerEpoch : m.stepInEpoch;
      const epochNo = m.epochDone ? m.epoch : m.epoch + 1;
      $('epoch-progress').value = done / (m.stepsPerEpoch || 1);
      $('epoch-label').textContent = `Epoch ${epochNo}: ${Math.round((100 * done) / (m.stepsPerEpoch || 1))}%`;
      if (sampleRate > 0) {
        const left = ((m.stepsPerEpoch - done) * m.batch) / sampleRate;
        $('speed').textContent = `${Math.round(sampleRate).toLocaleString('en-US')} samples/s · ${left < 1 ? '<1' : Math.round(left)} s left in this epoch`;
      }
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
      rejectWaiters(`diverged at step ${m.step}`);
      break;
    }
    case 'error':
      onWorkerError(m);
      break;
    default:
      break;
  }
}

function onWorkerError(m) {
  if ((m.scope === 'config' || m.scope === 'data') && (m.id !== buildId || configureTimer)) return; // stale
  if (m.fatal) {
    // a Rust panic leaves the wasm instance unusable: start a fresh worker (and module instance)
    const now = performance.now();
    crashes = crashes.filter((t) => now - t < 60000);
    crashes.push(now);
    worker.terminate();
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
  if (!built || status === 'running' || status === 'diverged' || status === 'error') return;
  lastProgressAt = 0;
  setStatus('running', `training epoch ${record.epochs.length + 1}`);
  worker.postMessage({ type: 'run' });
}
function pause() {
  if (status !== 'running') return;
  worker.postMessage({ type: 'pause' });
  setStatus('paused', `paused after step ${record.steps} — press Resume to continue`);
}
function step() {
  if (!built || status === 'running' || status === 'diverged' || status === 'error') return;
  worker.postMessage({ type: 'step' });
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
  }),
  apply: (partial) => change(partial && typeof partial === 'object' ? partial : {}, true),
  preset: (id) => {
    const p = PRESET_BY_ID.get(id);
    if (!p) throw new Error(`no preset "${id}"`);
    return applyPreset(p);
  },
  start, pause, step, reset,
  ready: () => (built && !configureTimer ? Promise.resolve()
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
