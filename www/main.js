// Loss Lab page start-up and wiring: URL -> state -> controls; controls -> Run (www/run.js, which owns the
// worker protocol); Run events -> record -> charts and status lines. window.lossLab lives in www/api.js.
import { LIVE_KEYS, defaults, merge, fromQuery, toQuery, fmtNum } from './state.js';
import { Controls } from './controls.js';
import * as lessons from './presets.js';
import { Run } from './run.js';
import { installApi, rowCopy, installExportApi, installPredictApi, installOfflineApi, installEngineApi } from './api.js';
import { engineBuild } from './engine-build.js';
import { Record } from './views/record.js';
import { Plots } from './views/plots.js';
import { ArchView } from './views/arch.js';
import { renderPresets, showPresetNote, onPresetNote, currentLesson, refuseLessons, QUERY_PARAMS as LESSON_PARAMS, readQuery as readLessonQuery } from './views/lessons.js';
import { DiagnosisView } from './views/diagnosis.js';
import { LayerHealthView } from './views/layers.js';
import { FiltersView } from './views/filters.js';
import { ConfusionView, ClassCountsView } from './views/confusion.js';
import { referenceLines } from './views/refs.js';
import { BatchView } from './views/batch.js';
import { HighLossView } from './views/highloss.js';
import { LrFindView, QUERY_PARAMS as LRFIND_PARAMS, readQuery as readLrFindQuery } from './views/lrfind.js';
import { SweepView } from './views/sweep.js';
import * as sweepUrl from './sweep.js';
import { installExport } from './export.js';
import { Embed, QUERY_PARAMS as EMBED_PARAMS, readQuery as readEmbedQuery } from './embed.js';
import { PredictView, QUERY_PARAMS as PREDICT_PARAMS, readQuery as readPredictQuery } from './views/predict.js';
import { DrawView } from './views/draw.js';
import { Projector, QUERY_PARAMS as PROJECTOR_PARAMS, readQuery as readProjectorQuery } from './projector.js';
import { QUERY_PARAMS as CORES_PARAMS, readQuery as readCoresQuery, query as coresQuery, coresText } from './cores.js';
import { installOffline, offlineReady } from './offline.js';
import { PageUrl } from './url.js';

const $ = (id) => document.getElementById(id);

const RESET_DEBOUNCE_MS = 200;

/**
 * The smallest module using a simd128 instruction (v128 result, i8x16.splat, i8x16.popcnt): a browser that
 * validates it can compile the engine. Checked before the engine loads, so a browser without WebAssembly SIMD
 * gets a sentence about browsers instead of a CompileError.
 */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
function hasSimd() {
  try { return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE); } catch { return false; }
}

// ---------------------------------------------------------------- state
let cfg;
let run = null; // the current run (a Run)
let race = null; // the pinned configuration trained again beside it (a Run), or null
let pin = null; // frozen Record of the pinned run
let pinCfg = null; // the exact configuration at pin time (seed included): what a race trains again
let coresChosen = 1; // the Cores menu (www/cores.js): what the current run trains on unless it races
let unsupported = null; // the message when this browser cannot run the engine
let drawQueued = false;
let readyWaiters = []; // lossLab.ready() callers waiting for both runs

const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'not available');
const lossText = (v) => (!Number.isFinite(v) ? 'not a number' : v < 0.1 ? Number(v.toPrecision(2)).toString() : v.toFixed(2));

// ---------------------------------------------------------------- views
const plots = new Plots();
const arch = new ArchView();
const controls = new Controls($('settings'), {
  archOut: $('arch-out'),
  headline: $('headline-controls'), // the main settings again, beside the charts
  onChange: (key, raw, { final }) => change({ [key]: raw }, final),
  actions: {
    newSeed: () => newSeed(),
    sameSeed: () => reset(),
  },
});
const confusion = new ConfusionView($('confusion'));
const classCounts = new ClassCountsView(document.querySelector('#sec-data .section-body') || $('settings'));
const layerHealth = new LayerHealthView($('layer-health'));
const filters = new FiltersView($('filters'));
const diagnosis = new DiagnosisView($('diagnosis'), { config: () => cfg, onRace: (set) => raceWith(set) });
const batchView = new BatchView($('batch-view'), { run: () => run });
const highLoss = new HighLossView($('highloss'), { run: () => run });
$('diagnosis').addEventListener('show-highloss', () => highLoss.reveal()); // the noisy-labels finding's link
const drawPad = new DrawView($('draw'), { run: () => run });
const lrFind = new LrFindView($('lrfind'), {
  find: (opts) => run.lrFind(opts),
  apply: (lr) => change({ lr }, true),
  canRun: (opts) => {
    if (unsupported) return unsupported;
    if (!run.built) return 'the network is not built yet: wait until the page says it is ready, then test again';
    if (run.status === 'diverged' && !opts.fresh) return 'this run diverged, so its weights are not finite numbers: choose “from a fresh net”, or Reset first';
    return '';
  },
  lr: () => cfg.lr,
  changed: () => writeUrl(),
});
const projector = new Projector({ button: $('btn-projector'), readout: $('readout'), changed: () => writeUrl() });
renderPresets($('preset-groups'), (p) => {
  applyPreset(p);
  // On a phone the lessons sit below the charts: bring the lesson's note (its question) into view.
  const note = $('preset-note');
  const top = note.getBoundingClientRect().top;
  if (!note.hidden && (top < 0 || top > innerHeight - 80)) note.scrollIntoView({ block: 'start' });
});
if (lessons.PRESETS_ERROR) $('preset-groups').textContent = lessons.PRESETS_ERROR;

// Embedding (www/embed.js: embed=1, lock=, hide=, origin=, events to the parent page) and "predict, then run"
// (www/views/predict.js: a lesson's question before Start, its answer once the run has shown it).
const embedParsed = readEmbedQuery(location.search);
const embed = new Embed(embedParsed);
const predictView = new PredictView($('predict'), { text: $('preset-note-text'), toggle: $('opt-predict') }, {
  changed: () => writeUrl(),
  revealed: (s) => embed.post('answer', { lesson: s.lesson, question: s.question, picked: s.picked, answer: s.answer, right: s.right }),
});
onPresetNote((p) => predictView.show(p));
/** The embedding page hears the current run's builds, epochs, divergence and findings; the question hears its end. */
function watchRun(r) {
  const mine = (f) => (...a) => { if (r === run) f(...a); };
  r.on('built', mine(() => embed.built(r.cfg, currentLesson())));
  r.on('epoch', mine((row) => { predictView.epoch(row.epoch); embed.epoch(row, r.record.steps, currentLesson()); }));
  r.on('diverged', mine((m) => { embed.diverged(m, currentLesson()); predictView.ended(); }));
  r.on('stopped', mine(() => predictView.ended()));
  r.on('diagnosis', mine((d) => embed.diagnosis(d, currentLesson())));
}

/** The status line and the run buttons, from the current run's state. */
function renderStatus() {
  const line = $('status');
  let state, text;
  if (unsupported) { state = 'error'; text = `error: ${unsupported}`; }
  else {
    state = run.status;
    const n = run.note;
    switch (state) {
      case 'loading': text = run.phase === 'loading' ? 'Loading the training engine…' : `${n}…`; break;
      case 'idle':
        if (race && !raceSettled()) { state = 'loading'; text = 'building the pinned run in a second worker…'; }
        else text = `ready — ${run.built.synthetic ? 'synthetic digits' : 'MNIST'} loaded; press Start to train${race && race.built ? ' both runs side by side' : ''}`;
        break;
      case 'running': text = run.phase === 'validating' ? `${n}…` : n; break;
      case 'paused': text = run.phase === 'paused' ? `${n} — press Resume to continue` : `paused — ${n}`; break;
      case 'diverged': text = `diverged at step ${run.record.divergedAt}: ${n} — lower the learning rate (or change what you broke) and press Reset`; break;
      case 'stopped': text = `${n} — press Reset to train again`; break;
      default: text = errorText(); break;
    }
  }
  line.dataset.state = state;
  line.textContent = text;
  const canRun = !unsupported && runReady() && (state === 'idle' || state === 'paused' || state === 'running');
  $('btn-start').disabled = !canRun;
  $('btn-start').textContent = state === 'running' ? 'Pause' : state === 'paused' ? 'Resume' : 'Start';
  $('btn-start').setAttribute('aria-pressed', state === 'running' ? 'true' : 'false');
  $('btn-step').disabled = !canRun || state === 'running';
  $('btn-reset').disabled = !!unsupported || !run.engineReady;
}

function errorText() {
  switch (run.scope) {
    case 'config': return `error: this configuration cannot be built: ${run.note}`;
    case 'data': return 'error: the MNIST files could not be loaded — see the box below';
    default: return `error: ${run.note}`;
  }
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

/** The address bar follows the page's state (www/url.js; the registry is below the sweep panel). */
function writeUrl() {
  pageUrl.write();
}

/** The configuration a lesson trains: the healthy baseline plus the lesson's own settings. */
function lessonConfig(p) {
  return merge(defaults(), p.set).config;
}

/**
 * `lesson=ID` while the lesson's note shows and the settings are exactly the lesson's: a reload or a shared link
 * opens the same lesson, question included. Any change of a setting drops it (the lesson's claims are about its
 * own settings), and changing it back brings it back.
 */
function lessonQuery() {
  const p = lessons.BY_ID.get(currentLesson());
  return p && toQuery(lessonConfig(p)) === toQuery(cfg) ? `lesson=${encodeURIComponent(p.id)}` : '';
}

/** At start-up, `lesson=ID` loads that lesson as its button does; the lesson's settings win over the link's.
 * Returns the notices. */
function openLessonFromUrl(p, search) {
  const refused = embed.lessonRefusal(p, cfg); // it needs a setting the embedding page fixed at another value
  if (refused) return [refused];
  const notices = [];
  const mine = lessonConfig(p);
  const given = new URLSearchParams(search); // the settings the link names, not the defaults it implies
  const differ = Object.keys(mine).filter((k) => given.has(k) && String(mine[k]) !== String(cfg[k]));
  if (differ.length) {
    notices.push(`lesson=${p.id} trains its own settings, so the link's ${differ.map((k) => `${k} = ${typeof cfg[k] === 'number' ? fmtNum(cfg[k]) : cfg[k]}`).join(', ')}`
      + ` ${differ.length > 1 ? 'were' : 'was'} not used — change ${differ.length > 1 ? 'them' : 'it'} after the lesson has run`);
  }
  cfg = mine;
  showPresetNote(p);
  return notices;
}

function dataBadge() {
  const b = $('data-badge');
  const built = run && run.built;
  if (!built) {
    b.textContent = run && run.scope === 'data' && run.status === 'error' ? 'real MNIST digits (not loaded)'
      : cfg.data === 'synthetic' ? 'synthetic digits' : 'real MNIST digits';
    return;
  }
  const kind = built.synthetic ? 'synthetic digits' : 'real MNIST';
  const n = (v) => v.toLocaleString('en-US');
  const noise = Number(run.cfg.noise) > 0 ? ` · ${fmtNum(run.cfg.noise)}% labels corrupted (${n(built.corruptedCount)})` : '';
  b.textContent = `${kind} · ${n(built.trainCount)} training · ${n(built.valCount)} validation images${noise}`;
}

// ---------------------------------------------------------------- drawing
function draw() {
  drawQueued = false;
  lastDraw = performance.now();
  layerHealth.draw(run.record, shownPin(), { act: run.cfg?.act, pinAct: pinCfg?.act });
  plots.draw(run.record, shownPin(), {
    raw: $('opt-raw').checked, logY: $('opt-logy').checked, noise: cfg.noise > 0, pinNote: race ? raceNote() : '',
    refs: run.built ? referenceLines(run.cfg, run.built.classCounts) : null,
  });
  confusion.update(run.record, shownPin());
  showClipping();
}

/** With gradient clipping on, the share of the last epoch's steps that were clipped. Clipping more than about
 * half the steps means the threshold is too low or the learning rate too high (Google Research, "Deep Learning
 * Tuning Playbook", 2023). */
function showClipping() {
  const line = $('clip-status');
  const row = run.record.epochs[run.record.epochs.length - 1];
  const on = Number(cfg.clip) > 0 && row && Number.isFinite(row.clipFrac);
  line.hidden = !on;
  if (!on) return;
  const warn = row.clipFrac > 0.5;
  line.dataset.state = warn ? 'warn' : 'ok';
  line.textContent = `clipping: ${pct(row.clipFrac)} of epoch ${row.epoch}'s steps were clipped`
    + (warn ? ' — more than half: the threshold is too low, or the learning rate too high' : '');
}
// Progress arrives every few tens of milliseconds while training; the charts redraw at most every DRAW_EVERY_MS
// then. Drawing runs on the page's thread, which shares the processor with the training workers: with two
// workers on a two-core machine every millisecond spent drawing is taken from training. An epoch's point is
// drawn at once (the 'epoch' event calls draw()).
const DRAW_EVERY_MS = 250;
let lastDraw = -Infinity;
function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  const wait = lastDraw + DRAW_EVERY_MS - performance.now();
  if (wait > 0) setTimeout(() => requestAnimationFrame(draw), wait);
  else requestAnimationFrame(draw);
}
$('opt-raw').addEventListener('change', draw);
$('opt-logy').addEventListener('change', draw);

/** The progress bar and the speed line: samples per second of this run (and of the raced run), time left. */
function showProgress(m) {
  if (m) {
    const done = m.epochDone ? m.stepsPerEpoch : m.stepInEpoch;
    const epochNo = m.epochDone ? m.epoch : m.epoch + 1;
    $('epoch-progress').value = done / (m.stepsPerEpoch || 1);
    $('epoch-label').textContent = `Epoch ${epochNo}: ${Math.round((100 * done) / (m.stepsPerEpoch || 1))}%`;
  }
  const n = (v) => Math.round(v).toLocaleString('en-US');
  const s = run.secondsLeft;
  const left = s == null ? '' : ` · ${s < 1 ? '<1' : Math.round(s)} s left in this epoch`;
  const mine = run.speed.value, theirs = race ? race.speed.value : 0;
  const on = run.cores ? ` on ${coresText(run.cores)}` : '';
  if (race && (mine > 0 || theirs > 0)) {
    const other = race.status === 'diverged' || race.status === 'error' ? `pinned run ${race.status === 'error' ? 'failed' : 'diverged'}`
      : `pinned run ${theirs > 0 ? n(theirs) : '—'} samples/s`;
    $('speed').textContent = `this run ${mine > 0 ? n(mine) : '—'} samples/s · ${other}${left}`;
  } else if (mine > 0) {
    $('speed').textContent = `${n(mine)} samples/s${on}${left}`;
  }
}

/** The Cores menu shows the current run's choice; while racing each run has one core and the menu waits. */
function showCores() {
  const sel = $('cores');
  sel.value = String(race ? 1 : coresChosen); // while racing each run has one core: the menu says so
  sel.disabled = !!race;
  const label = sel.parentElement;
  label.dataset.title ??= label.title; // index.html's explanation, shown whenever the menu is usable
  label.title = race ? 'While racing, each run trains on one core of its own.' : label.dataset.title;
}
$('cores').addEventListener('change', (e) => {
  coresChosen = Number(e.target.value) === 1 ? 1 : 2;
  if (!race && run.setCores) run.setCores(coresChosen);
  writeUrl();
  showProgress();
});

function clearRunViews() {
  $('epoch-progress').value = 0;
  $('epoch-label').textContent = 'Epoch —';
  $('speed').textContent = '';
  $('data-missing').hidden = true;
  arch.pending('Building the network…');
  filters.show(null);
  batchView.reset();
  highLoss.reset();
  classCounts.show(null);
  drawPad.reset();
  projector.reset();
}

// ---------------------------------------------------------------- the current run
/** Builds the page's current run for `cfg` and wires its events to the views. */
function newRun() {
  const r = new Run(cfg, '', { cores: race ? 1 : coresChosen });
  r.on('cores', (m) => {
    if (r !== run) return;
    if (m.message) showNotices([m.message]);
    showProgress();
  });
  r.on('change', () => { if (r === run) { renderStatus(); settleReady(); } });
  r.on('built', (m) => {
    if (r !== run) return;
    diagnosis.show(r.diagnosis); // null: a run rebuilt after an engine crash starts unread
    lrFind.stale();
    arch.show(m.layers, m.params);
    filters.show(r);
    classCounts.show(m.classCounts);
    drawPad.built();
    dataBadge();
    queueDraw();
  });
  r.on('progress', (m) => {
    if (r !== run) return;
    showProgress(m);
    projector.progress(m, r.record);
    queueDraw();
    if (r.status !== 'running') filters.refresh(); // a single step while paused
    batchView.tick(r.status !== 'running');
    drawPad.tick();
  });
  r.on('diagnosis', (d) => { if (r === run) diagnosis.show(d); });
  r.on('epoch', (row) => {
    if (r !== run) return;
    draw();
    projector.epoch(row);
    filters.refresh();
    batchView.refresh();
    highLoss.epoch();
    drawPad.epoch();
    let text = `Epoch ${row.epoch}: train loss ${lossText(row.trainLoss)}, validation loss ${lossText(row.valLoss)}, validation accuracy ${pct(row.valAcc)}`;
    if (Number(r.cfg.noise) > 0 && Number.isFinite(row.noisyAcc)) {
      text += `; training accuracy on clean labels ${pct(row.cleanAcc)}, on corrupted labels ${pct(row.noisyAcc)}`;
    }
    $('summary').textContent = text + '.';
  });
  r.on('diverged', (m) => {
    if (r !== run) return;
    draw();
    $('summary').textContent = `Training diverged at step ${m.step}: ${m.message}.`;
    // Start/Pause is off after a divergence: the pinned run must not train on out of reach
    race?.pause('this run diverged; Reset restarts both');
  });
  r.on('stopped', (m) => {
    if (r !== run) return;
    draw();
    $('summary').textContent = `Training ${m.message}.`;
    race?.pause('this run stopped early; Reset restarts both');
  });
  r.on('error', (e) => {
    if (r !== run) return;
    onRunError(e);
  });
  watchRun(r);
  return r;
}

function onRunError({ scope, message }) {
  if (scope === 'set') {
    showNotices([`The engine refused the value: ${message}`]);
    return;
  }
  race?.pause('this run stopped with an error');
  if (scope === 'config') {
    // A refused value names its key ("lr = …"); anything else describe() refused is about the design (a layer,
    // or the parameter and buffer caps) and belongs in the Layers box.
    if (/^\w+ = |^unknown setting/.test(message)) arch.pending('');
    else {
      arch.fail(message);
      revealInControls($('arch-error'));
    }
  } else if (scope === 'data') {
    $('data-missing-text').textContent = message;
    $('data-missing').hidden = false;
    arch.pending('');
  }
  dataBadge();
}

/** Scrolls the settings column (not the page) so that `el` is in view. */
function revealInControls(el) {
  const box = document.querySelector('.controls');
  if (box.scrollHeight <= box.clientHeight) return; // the column does not scroll on its own (narrow layout)
  const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
  if (top < 0 || top > box.clientHeight - 80) box.scrollTop += top - 60;
}

/** Rebuilds the current run (and a race, so both start from epoch 0) from `cfg`. */
function configure(delayMs = 0) {
  if (unsupported) return;
  clearRunViews();
  diagnosis.reset();
  // an engine that crashed again and again gets a fresh start when the learner changes something
  if (run.fatal) run = newRun();
  run.configure(cfg, delayMs);
  configureRace();
  dataBadge();
  queueDraw();
}

$('btn-synthetic').addEventListener('click', () => {
  $('data-missing').hidden = true;
  change({ data: 'synthetic' }, true);
});

// ---------------------------------------------------------------- pin and race
// "Race the pinned run" trains the configuration saved at pin time in a second Run (its own worker and wasm
// instance, so the browser can put it on the second core) while this run trains in the first. Both restart
// from epoch 0 together; Start, Pause, One step and Reset drive both. The raced run takes the pin's place on
// the charts, faded. If it diverges or fails, its legend and #race-status say so and this run goes on.

/** The run drawn faded: the raced run while racing, else the frozen pin (or null). */
function shownPin() {
  return race ? race.record : pin;
}

/** A raced run has been built or has failed for good: either way it no longer holds this run back. */
function raceSettled() {
  return !race || !!race.built || race.status === 'error';
}
/** The current run (and, while racing, the pinned run) can be trained. */
function runReady() {
  return !!run && !!run.built && !run.configureTimer && raceSettled();
}

function pinRun() {
  stopRace();
  pin = run.record.frozen(toQuery(cfg).slice(1).replace(/&/g, ', ') || 'baseline');
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

function startRace() {
  if (!pin || race || unsupported) { $('opt-race').checked = !!race; return; }
  const r = new Run(pinCfg, pin.label);
  race = r;
  run.setCores(1); // one core for each of the two runs
  showCores();
  const mine = (f) => (...a) => { if (race === r) f(...a); };
  r.on('change', mine(() => { showRace(); renderStatus(); settleReady(); }));
  r.on('built', mine(() => { if (run.status === 'running') r.run(); queueDraw(); })); // this run started already: catch up
  r.on('progress', mine(() => { showRace(); showProgress(); queueDraw(); }));
  r.on('epoch', mine(() => { showRace(); queueDraw(); }));
  r.on('diverged', mine(() => queueDraw()));
  r.on('stopped', mine(() => queueDraw()));
  r.on('error', mine(() => queueDraw()));
  $('opt-race').checked = true;
  showRace();
  // both runs start from epoch 0: restart this one too (the race builds as soon as its engine is up)
  $('summary').textContent = '';
  configure();
}

function stopRace() {
  $('opt-race').checked = false;
  if (!race) return;
  race.terminate();
  race = null;
  run.setCores(coresChosen);
  showCores();
  showRace();
  showProgress();
  queueDraw();
  renderStatus();
  settleReady();
}

/**
 * A Diagnosis action: pins this run and races it against the same configuration with `partial` changed, both from
 * epoch 0 — this run trains the change, the pinned one the original (as "Race the pinned run" does) — and starts
 * them together once both are built, unless something else was changed or rebuilt meanwhile.
 */
function raceWith(partial) {
  if (unsupported || !run.engineReady) return;
  const held = embed.refuseLocked(partial, cfg); // a locked setting cannot be the change: the race would show nothing
  if (held.notices.length) { showNotices(held.notices); return; }
  pinRun();
  change(partial, true, { build: false });
  startRace();
  const mine = run, build = run.buildId, racing = race;
  ready().then(() => { if (run === mine && run.buildId === build && race === racing) start(); }, () => {});
}

function configureRace() {
  if (race && !race.fatal) race.configure(pinCfg);
}

/** What the legend adds to "faded: pinned run (…)" while racing. */
function raceNote() {
  switch (race.status) {
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
  el.dataset.state = race.status;
  const rec = race.record;
  const last = rec.epochs[rec.epochs.length - 1];
  const after = last ? ` After epoch ${last.epoch}: train loss ${lossText(last.trainLoss)}, validation loss ${lossText(last.valLoss)}, validation accuracy ${pct(last.valAcc)}.` : '';
  const head = 'Pinned run, trained again in a second worker:';
  const n = race.note;
  el.textContent = {
    loading: `${head} ${n}…`,
    idle: `${head} ready, starts with this run.`,
    running: `${head} training epoch ${rec.epochs.length + 1}.${after}`,
    paused: `${head} paused after step ${rec.steps}${race.phase === 'held' ? ` (${n})` : ''}.${after}`,
    diverged: `Pinned run diverged at step ${rec.divergedAt}: ${n} — this run keeps training.${after}`,
    error: `Pinned run failed: ${n} — this run keeps training.${after}`,
  }[race.status];
}

// ---------------------------------------------------------------- actions
/**
 * Applies a partial config; returns the notices. `final` false while a slider is still moving; `build` false when
 * the caller rebuilds the run itself (a race it is about to start).
 */
function change(partial, final = true, { build = true } = {}) {
  const held = embed.refuseLocked(partial, cfg); // settings the embedding page fixed (lock=): dropped, with a notice
  const r = merge(cfg, held.partial);
  r.notices.unshift(...held.notices);
  cfg = r.config;
  showNotices(r.notices);
  controls.update(cfg);
  writeUrl();
  sweepView.configChanged();
  let rebuild = false;
  for (const key of r.changed) {
    if (LIVE_KEYS.has(key)) run.setLive(key, cfg[key]);
    else rebuild = true;
  }
  if (rebuild) {
    showPresetNote(null);
    if (build) configure(final ? 0 : RESET_DEBOUNCE_MS);
  } else if (r.changed.length) {
    diagnosis.refresh(); // its race buttons are worded from the configuration (learning rate ÷ 10 of which value)
  }
  if (r.changed.includes('noise')) queueDraw();
  return r.notices;
}

function newSeed() {
  // The engine draws it (getrandom: the platform's cryptographic source), so a new seed is a fresh draw
  // even on two laptops opened at the same moment.
  run.freshSeed().then((seed) => change({ seed }, true), (e) => showNotices([`No new seed: ${e.message}`]));
}

function start() {
  if (!runReady() || !run.trainable || run.status === 'running') return;
  sweepView.pageStarted(); // a running sweep pauses: the cores go back to this run
  run.run();
  race?.run();
}
/** Pauses both runs; the Promise resolves once their workers confirmed that no further steps will arrive. */
function pause() {
  if (unsupported) return Promise.resolve();
  return Promise.all([run.pause(), race && !race.fatal ? race.pause() : null]).then(() => undefined);
}
function step() {
  if (!runReady() || !run.trainable || run.status === 'running') return;
  run.step();
  race?.step();
}
function reset() {
  if (unsupported || !run.engineReady) return;
  $('summary').textContent = '';
  configure();
}

function applyPreset(p) {
  const refused = embed.lessonRefusal(p, cfg); // it needs a setting the embedding page fixed at another value
  if (refused) { showNotices([refused]); return [refused]; }
  const r = merge(defaults(), p.set);
  cfg = r.config;
  controls.update(cfg);
  writeUrl();
  sweepView.configChanged();
  showPresetNote(p);
  writeUrl(); // again, now with lesson=ID
  $('summary').textContent = '';
  configure();
  return r.notices;
}

$('btn-start').addEventListener('click', () => (run.status === 'running' ? pause() : start()));
$('btn-step').addEventListener('click', step);
$('btn-reset').addEventListener('click', reset);

// ---------------------------------------------------------------- lossLab.ready(): both runs
function settleReady() {
  if (unsupported || !readyWaiters.length) return;
  if (runReady()) {
    for (const w of readyWaiters) w.resolve();
    readyWaiters = [];
  } else if (run.status === 'error' && !run.restarting) {
    for (const w of readyWaiters) w.reject(new Error(run.note));
    readyWaiters = [];
  }
}
function ready() {
  if (unsupported) return Promise.reject(new Error(unsupported));
  const p = new Promise((resolve, reject) => readyWaiters.push({ resolve, reject }));
  settleReady();
  return p;
}

function pinHistory() {
  const p = shownPin();
  if (!p) return null;
  return {
    epochs: p.epochs.map(rowCopy),
    steps: p.steps,
    raced: !!race,
    config: { ...pinCfg },
    status: race ? race.status : 'pinned',
    divergedAt: p.divergedAt,
    message: race ? race.note : '',
  };
}

// ---------------------------------------------------------------- sweep (www/sweep.js, www/views/sweep.js)
// Each swept value trains in a Run of its own; while the sweep trains, the page's own runs pause so that the
// sweep has the processor cores, and starting the page's run pauses the sweep (start() above).
// (worded so that it stays true once the sweep has ended: the note lasts until this run is resumed)
const SWEEP_WAIT = 'a sweep took the processor cores (see the Sweep panel) — press Resume to continue this run';
const sweepView = new SweepView($('sweep'), {
  config: () => ({ ...(cfg || defaults()) }),
  apply: (partial) => change(partial, true),
  yieldCores: () => {
    if (unsupported) return;
    if (run.status === 'running') run.pause(SWEEP_WAIT);
    if (race && race.status === 'running') race.pause(SWEEP_WAIT);
  },
  urlChanged: () => writeUrl(),
  unsupported: () => unsupported,
});

// ---------------------------------------------------------------- the URL (www/url.js), in the order it is written
const pageUrl = new PageUrl([
  { // the settings (www/state.js): every key no other section claims
    params: null,
    read: (search, others) => { const r = fromQuery(search, others); cfg = r.config; return r; },
    write: () => toQuery(cfg).replace(/^\?/, ''),
  },
  { // lesson=ID (www/views/lessons.js), opened once the settings, the locks and the question's state are read
    params: LESSON_PARAMS,
    read: (search) => {
      const r = readLessonQuery(search);
      return { notices: [], then: () => [...r.notices, ...(r.preset ? openLessonFromUrl(r.preset, search) : [])] };
    },
    write: () => lessonQuery(),
  },
  { params: sweepUrl.QUERY_PARAMS, read: (search) => { const r = sweepUrl.readQuery(search); sweepView.load(r); return r; }, write: () => sweepView.query() },
  { params: LRFIND_PARAMS, read: (search) => { const r = readLrFindQuery(search); lrFind.load(r); return r; }, write: () => lrFind.query() },
  { params: PREDICT_PARAMS, read: (search) => { const r = readPredictQuery(search); predictView.load(r); return r; }, write: () => predictView.query() },
  { params: EMBED_PARAMS, read: () => embedParsed, write: () => embed.query() }, // read before the page was built (www/embed.js)
  { params: PROJECTOR_PARAMS, read: (search) => { const r = readProjectorQuery(search); projector.set(r.value); return r; }, write: () => projector.query() },
  {
    params: CORES_PARAMS,
    read: (search) => { const r = readCoresQuery(search); coresChosen = r.value; showCores(); return r; },
    write: () => coresQuery(coresChosen),
  },
]);

installApi({
  config: () => ({ ...cfg }),
  engineConfig: () => (unsupported ? Promise.resolve(null) : run.engineConfig()),
  history: () => ({
    epochs: run.record.epochs.map(rowCopy),
    steps: run.record.steps,
    status: $('status').dataset.state,
    divergedAt: run.record.divergedAt,
    message: $('status').textContent,
    pinned: pinHistory(),
  }),
  apply: (partial) => change(partial, true),
  preset: (id) => {
    const p = lessons.BY_ID.get(id);
    if (!p) throw new Error(`no preset "${id}"`);
    return applyPreset(p);
  },
  start, pause, step, reset, ready,
  pin: pinRun,
  unpin,
  race: (on) => {
    if (on && !pin) throw new Error('pin a run first: the race trains the pinned configuration again');
    if (on) startRace(); else stopRace();
  },
  whenEpoch: (n) => (unsupported ? Promise.reject(new Error(unsupported)) : run.whenEpoch(n)),
  diagnosis: () => run.diagnosis ?? null,
  batchView: (n) => (unsupported ? Promise.reject(new Error(unsupported)) : run.batchView(n)),
  highestLoss: (k) => (unsupported ? Promise.reject(new Error(unsupported)) : run.lossScan(k)),
  classify: (pixels) => (unsupported ? Promise.reject(new Error(unsupported)) : run.classify(pixels)),
  cores: () => ({ n: run.cores ?? 1, chosen: coresChosen, note: run.coresNote || '' }),
  setCores: (n) => {
    if (n !== 1 && n !== 2) throw new Error('cores must be 1 or 2');
    $('cores').value = String(n);
    $('cores').dispatchEvent(new Event('change'));
  },
  findLr: (options) => { $('lrfind').open = true; return lrFind.run(options); },
  sweep: (spec) => sweepView.start(spec),
  sweepPause: (on) => sweepView.pause(on),
  sweepCancel: () => sweepView.cancel(),
  sweepResults: () => sweepView.resultsSoFar(),
});

// ---------------------------------------------------------------- start-up
{
  showNotices(pageUrl.read(location.search));
  controls.update(cfg);
  embed.install({ config: () => ({ ...cfg }) });
  refuseLessons((p) => embed.lessonRefusal(p, cfg));
  writeUrl();
  if (!hasSimd()) {
    unsupported = 'this browser cannot run the training engine (it lacks WebAssembly SIMD) — see the box below for the browsers that can';
    $('unsupported').hidden = false;
    arch.pending('');
    console.warn('Loss Lab: WebAssembly.validate rejected a simd128 module; the engine is not loaded.');
    run = { status: 'error', note: unsupported, record: new Record(), engineReady: false };
    dataBadge();
    renderStatus();
    draw();
  } else {
    run = newRun();
    clearRunViews();
    dataBadge();
    renderStatus();
    draw();
  }
}

// ---------------------------------------------------------------- export (www/export.js)
installExportApi(installExport({
  config: () => ({ ...cfg }),
  record: () => run.record,
  pinned: () => (pinCfg ? { ...pinCfg } : null),
  charts: { loss: plots.loss, acc: plots.acc, grad: plots.grad, recall: plots.recall, ratio: layerHealth.ratio, share: layerHealth.share },
}));

// ---------------------------------------------------------------- predict, then run (www/views/predict.js)
installPredictApi({
  state: () => predictView.state(),
  answer: (i) => predictView.answer(i),
});
// ---------------------------------------------------------------- offline use (www/offline.js)
installOffline();
installOfflineApi(offlineReady);

// Which build of the engine the worker loads here (www/engine-build.js asks the browser the same question).
installEngineApi(engineBuild());
if (hasSimd()) {
  $('engine-build').textContent = engineBuild() === 'relaxed'
    ? 'Engine: WebAssembly SIMD with fused multiply-add (relaxed SIMD).'
    : 'Engine: WebAssembly SIMD (simd128).';
  $('engine-build').hidden = false;
}
