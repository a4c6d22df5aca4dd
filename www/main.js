// Loss Lab page start-up and wiring: URL (www/url.js) -> state -> controls; controls -> the Lab (www/lab/lab.js: the
// current run, the pin, the race, the cores; each Run, www/lab/run.js, owns its worker protocol); Lab events -> the
// views (charts, www/views/status.js for the status lines). window.lossLab lives in www/api.js.
import { LIVE_KEYS, defaults, merge, fromQuery, toQuery } from './state.js';
import { Controls } from './controls.js';
import * as lessons from './presets.js';
import { Lab } from './lab/lab.js';
import { installApi, rowCopy, installExportApi, installPredictApi, installOfflineApi, installEngineApi } from './api.js';
import { engineBuild, hasSimd } from './engine/engine-build.js';
import { StatusView } from './views/status.js';
import { Plots } from './views/plots.js';
import { ArchView } from './views/arch.js';
import {
  renderPresets, showPresetNote, onPresetNote, currentLesson, refuseLessons, lessonQuery, lessonFromLink,
  QUERY_PARAMS as LESSON_PARAMS, readQuery as readLessonQuery,
} from './views/lessons.js';
import { DiagnosisView } from './views/diagnosis.js';
import { ReliabilityView } from './views/reliability.js';
import { StartView } from './views/start.js';
import { LayerHealthView } from './views/layers.js';
import { FiltersView } from './views/filters.js';
import { ActivationsView } from './views/activations.js';
import { StabilityView, installStabilityApi } from './views/stability.js';
import { ActHistView, installActHistApi } from './views/acthist.js';
import { ConfusionView, ClassCountsView } from './views/confusion.js';
import { referenceLines } from './views/refs.js';
import { BatchView } from './views/batch.js';
import { HighLossView } from './views/highloss.js';
import { LrFindView, QUERY_PARAMS as LRFIND_PARAMS, readQuery as readLrFindQuery } from './views/lrfind.js';
import { SweepView } from './views/sweep.js';
import { SeedRaceView } from './views/seedrace.js';
import * as sweepUrl from './lab/sweep.js';
import { installExport } from './export.js';
import { Embed, QUERY_PARAMS as EMBED_PARAMS, readQuery as readEmbedQuery } from './embed.js';
import { PredictView, QUERY_PARAMS as PREDICT_PARAMS, readQuery as readPredictQuery } from './views/predict.js';
import { DrawView } from './views/draw.js';
import { FinalTestView } from './views/finaltest.js';
import { PipelineCheckView } from './views/pipeline.js';
import { Projector, QUERY_PARAMS as PROJECTOR_PARAMS, readQuery as readProjectorQuery } from './projector.js';
import { QUERY_PARAMS as CORES_PARAMS, readQuery as readCoresQuery, query as coresQuery } from './lab/cores.js';
import { installOffline, offlineReady } from './offline.js';
import { PageUrl } from './url.js';
import { MysteryView } from './views/mystery.js';
import { queryParams as mysteryParams, readQuery as readMysteryQuery } from './mystery/drill.js';

const $ = (id) => document.getElementById(id);

const RESET_DEBOUNCE_MS = 200;

// ---------------------------------------------------------------- state
let cfg;
const lab = new Lab(); // the current run, the pin, the race and the cores (www/lab/lab.js)
const run = () => lab.run;

// ---------------------------------------------------------------- views
const plots = new Plots();
const arch = new ArchView();
const startView = new StartView($('loss-start'));
const status = new StatusView(lab, { config: () => cfg });
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
const acts = new ActivationsView($('acts'));
// The lab's optimizer on a 2-D valley (www/views/sandbox.js): loaded when its panel first opens or lossLab.sandbox()
// is called, so the first download does not carry it.
let sandboxView = null;
const sandbox = () => (sandboxView ??= import('./views/sandbox.js').then((m) => new m.SandboxView($('sandbox'), { run, config: () => cfg })));
$('sandbox').addEventListener('toggle', () => { if ($('sandbox').open) sandbox().then((v) => v.refresh()); }, { once: true });
const stability = new StabilityView($('stability'), { run, config: () => cfg });
const actHist = new ActHistView($('acthist'), { run });
const diagnosis = new DiagnosisView($('diagnosis'), { config: () => cfg, onRace: (set) => raceWith(set) });
const reliability = new ReliabilityView($('diagnosis-reliability'));
const batchView = new BatchView($('batch-view'), { run });
const highLoss = new HighLossView($('highloss'), { run });
$('diagnosis').addEventListener('show-highloss', () => highLoss.reveal()); // the noisy-labels finding's link
$('diagnosis').addEventListener('run-probe', (e) => { pipelineCheck.probe(e.detail).catch(() => {}); pipelineCheck.root.scrollIntoView({ block: 'nearest' }); });
const drawPad = new DrawView($('draw'), { run });
const finalTest = new FinalTestView($('final-test'), { run });
const pipelineCheck = new PipelineCheckView($('pipeline-check'), { run });
const lrFind = new LrFindView($('lrfind'), {
  find: (opts) => run().lrFind(opts),
  apply: (lr) => change({ lr }, true),
  canRun: (opts) => {
    const r = run();
    if (!lab.configurable) return r.note;
    if (!r.built) return 'the network is not built yet: wait until the page says it is ready, then test again';
    if (r.status === 'diverged' && !opts.fresh) return 'this run diverged, so its weights are not finite numbers: choose “from a fresh net”, or Reset first';
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
  record: () => run().record,
  title: (id) => lessons.BY_ID.get(id)?.title ?? id,
});
onPresetNote((p) => predictView.show(p));

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

/** At start-up, `lesson=ID` loads that lesson as its button does (www/views/lessons.js); returns the notices. */
function openLessonFromUrl(p, search) {
  const refused = embed.lessonRefusal(p, cfg); // it needs a setting the embedding page fixed at another value
  if (refused) return [refused];
  const { config, notices } = lessonFromLink(p, cfg, search);
  cfg = config;
  showPresetNote(p);
  return notices;
}

const dataBadge = () => {
  if (mystery.hidden()) $('data-badge').textContent = 'real MNIST digits · how many, and what was done to them, stays hidden until you answer';
  else status.dataBadge();
};

// ---------------------------------------------------------------- drawing
function draw() {
  drawQueued = false;
  lastDraw = performance.now();
  const r = run();
  layerHealth.draw(r.record, lab.shownPin(), { act: r.cfg?.act, pinAct: lab.pinCfg?.act });
  plots.draw(r.record, lab.shownPin(), {
    // a mystery's hidden settings must not show through the curves the settings switch on (the label-noise floor,
    // the clean and corrupted-label curves)
    raw: $('opt-raw').checked, logY: $('opt-logy').checked, noise: cfg.noise > 0 && !mystery.hidden(), pinNote: status.raceNote(),
    refs: r.built && !mystery.hidden() ? referenceLines(r.cfg, r.built.classCounts) : null,
    drop: r.cfg?.lr_schedule === 'step' ? r.cfg.lr_epochs : null,
    seedRace: lab.seedRace,
  });
  confusion.update(r.record, lab.shownPin());
  status.clipping();
}
// Progress arrives every few tens of milliseconds while training; the charts redraw at most every DRAW_EVERY_MS
// then. Drawing runs on the page's thread, which shares the processor with the training workers: with two
// workers on a two-core machine every millisecond spent drawing is taken from training. An epoch's point is
// drawn at once (the 'epoch' event calls draw()).
const DRAW_EVERY_MS = 250;
let lastDraw = -Infinity;
let drawQueued = false;
function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  const wait = lastDraw + DRAW_EVERY_MS - performance.now();
  if (wait > 0) setTimeout(() => requestAnimationFrame(draw), wait);
  else requestAnimationFrame(draw);
}
$('opt-raw').addEventListener('change', draw);
$('opt-logy').addEventListener('change', draw);

/** The Cores menu shows the current run's choice; while racing each run has one core and the menu waits. */
function showCores() {
  const sel = $('cores');
  sel.value = String(lab.race ? 1 : lab.coresChosen); // while racing each run has one core: the menu says so
  sel.disabled = !!lab.race;
  const label = sel.parentElement;
  label.dataset.title ??= label.title; // index.html's explanation, shown whenever the menu is usable
  label.title = lab.race ? 'While racing, each run trains on one core of its own.' : label.dataset.title;
}
$('cores').addEventListener('change', (e) => {
  lab.setCores(Number(e.target.value) === 1 ? 1 : 2);
  writeUrl();
  status.progress();
});

function clearRunViews() {
  status.clearProgress();
  $('data-missing').hidden = true;
  arch.pending('Building the network…');
  filters.show(null);
  acts.show(null);
  actHist.show(null);
  stability.show(null);
  batchView.reset();
  highLoss.reset();
  classCounts.show(null);
  drawPad.reset();
  projector.reset();
}

// ---------------------------------------------------------------- the current run's events (www/lab/lab.js)
lab.on('cores', (m) => {
  if (m.message) showNotices([m.message]);
  status.progress();
});
lab.on('change', () => { status.render(); finalTest.refresh(); pipelineCheck.refresh(); });
/** What the layer table says while an open mystery hides the network's design. */
const LAYERS_HIDDEN = 'The layers stay hidden until you answer the mystery.';
lab.on('built', (m) => {
  const r = run();
  finalTest.reset();
  pipelineCheck.reset();
  if (!mystery.hidden()) diagnosis.show(r.diagnosis); // null: a run rebuilt after an engine crash starts unread
  lrFind.stale();
  lastBuilt = m;
  if (mystery.hidden()) arch.pending(LAYERS_HIDDEN);
  else arch.show(m.layers, m.params);
  startView.show(m.start);
  filters.show(r);
  acts.show(r);
  actHist.show(r);
  stability.show(r);
  classCounts.show(m.classCounts);
  drawPad.built();
  dataBadge();
  queueDraw();
  embed.built(mystery.hidden() ? null : r.cfg, currentLesson());
});
lab.on('progress', (m) => {
  const r = run();
  status.progress(m);
  projector.progress(m, r.record);
  queueDraw();
  if (r.status !== 'running') { filters.refresh(); acts.refresh(); } // a single step while paused
  stability.tick(r.status !== 'running');
  actHist.tick(r.status !== 'running');
  batchView.tick(r.status !== 'running');
  drawPad.tick();
});
lab.on('diagnosis', (d) => {
  if (mysteryIsCurrent) mysteryCard = d;
  if (mystery.hidden()) return; // the card stays hidden until the student commits
  diagnosis.show(d);
  embed.diagnosis(d, currentLesson());
});
lab.on('epoch', (row) => {
  const r = run();
  draw();
  projector.epoch(row);
  filters.refresh();
  acts.refresh();
  actHist.refresh();
  stability.refresh();
  batchView.refresh();
  highLoss.epoch();
  pipelineCheck.epoch();
  drawPad.epoch();
  status.epochSummary(row, { hidden: mystery.hidden() });
  predictView.epoch(row.epoch);
  // a mystery's run lasts as long as its lesson's story (www/mystery/pool.js), the race beside it too
  const m = mystery.current();
  if (m && row.epoch >= m.epochs && r.status === 'running') {
    lab.pause();
    status.summary(`${$('summary').textContent} The mystery's run ends here, after epoch ${row.epoch}.`);
  }
  // the clean and corrupted-label figures would tell an open mystery's label noise
  const told = mystery.hidden() ? { ...row, cleanLoss: undefined, cleanAcc: undefined, noisyLoss: undefined, noisyAcc: undefined } : row;
  embed.epoch(told, r.record.steps, currentLesson());
});
lab.on('diverged', (m) => {
  draw();
  status.summary(`Training diverged at step ${m.step}: ${m.message}.`);
  embed.diverged(m, currentLesson());
  predictView.ended();
});
lab.on('stopped', (m) => {
  draw();
  status.summary(`Training ${m.message}.`);
  predictView.ended();
});
lab.on('error', ({ scope, message, part }) => {
  if (scope === 'set') {
    showNotices([`The engine refused the value: ${message}`]);
    return;
  }
  if (scope === 'config') {
    // A refused value or combination of settings is said in the status line; a design describe() refused (a layer,
    // or the parameter and buffer caps) belongs in the Layers box.
    if (part !== 'design') arch.pending('');
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
});

/** Scrolls the settings column (not the page) so that `el` is in view. */
function revealInControls(el) {
  const box = document.querySelector('.controls');
  if (box.scrollHeight <= box.clientHeight) return; // the column does not scroll on its own (narrow layout)
  const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
  if (top < 0 || top > box.clientHeight - 80) box.scrollTop += top - 60;
}

/** Rebuilds the current run (and a race, so both start from epoch 0) from `cfg`. */
function configure(delayMs = 0) {
  if (!lab.configurable) return;
  clearRunViews();
  diagnosis.reset();
  lab.configure(cfg, delayMs);
  dataBadge();
  queueDraw();
}

$('btn-synthetic').addEventListener('click', () => {
  $('data-missing').hidden = true;
  change({ data: 'synthetic' }, true);
});

// ---------------------------------------------------------------- pin and race (www/lab/lab.js)
lab.on('race:change', () => { status.race(); status.render(); });
lab.on('race:built', () => queueDraw());
lab.on('race:progress', () => { status.race(); status.progress(); queueDraw(); });
lab.on('race:epoch', () => { status.race(); queueDraw(); });
for (const type of ['race:diverged', 'race:stopped', 'race:error']) lab.on(type, () => queueDraw());
lab.on('racing', () => {
  $('opt-race').checked = !!lab.race;
  showCores();
  status.race();
  status.progress();
  queueDraw();
  status.render();
});
lab.on('pin', () => {
  $('btn-unpin').disabled = !lab.pin;
  $('opt-race').disabled = !lab.pin;
  draw();
});

function pinRun() {
  lab.pinRun(cfg, mystery.active ? 'the mystery run' : toQuery(cfg).slice(1).replace(/&/g, ', ') || 'baseline');
}
function startRace() {
  if (!lab.startRace()) { $('opt-race').checked = !!lab.race; return; }
  // both runs start from epoch 0: restart this one too (the race builds as soon as its engine is up)
  status.summary('');
  configure();
}
function stopRace() {
  $('opt-race').checked = false;
  lab.stopRace();
}
// "Race on 3 seeds" (www/views/seedrace.js): both settings on three seeds, drawn as mean lines with min–max bands
const seedRaceView = new SeedRaceView(lab, { tools: document.querySelector('.pin-tools'), line: $('race-status') }, {
  config: () => ({ ...cfg }),
  redraw: () => queueDraw(),
});
$('btn-pin').addEventListener('click', pinRun);
$('btn-unpin').addEventListener('click', () => lab.unpin());
$('opt-race').addEventListener('change', (e) => (e.target.checked ? startRace() : stopRace()));

/**
 * A Diagnosis action: pins this run and races it against the same configuration with `partial` changed, both from
 * epoch 0 — this run trains the change, the pinned one the original (as "Race the pinned run" does) — and starts
 * them together once both are built, unless something else was changed or rebuilt meanwhile.
 */
function raceWith(partial) {
  if (!run().engineReady) return;
  const held = embed.refuseLocked(partial, cfg); // a locked setting cannot be the change: the race would show nothing
  if (held.notices.length) { showNotices(held.notices); return; }
  pinRun();
  change(partial, true, { build: false });
  startRace();
  const mine = run(), build = mine.buildId, racing = lab.race;
  lab.ready().then(() => { if (run() === mine && mine.buildId === build && lab.race === racing) lab.start(); }, () => {});
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
  configShown();
  let rebuild = false;
  for (const key of r.changed) {
    if (LIVE_KEYS.has(key)) run().setLive(key, cfg[key]);
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
  run().freshSeed().then((seed) => change({ seed }, true), (e) => showNotices([`No new seed: ${e.message}`]));
}

function reset() {
  if (!run().engineReady) return;
  status.summary('');
  configure();
}

/** A new configuration `cfg` reaches what shows it: the controls, the URL, the sweep's base and the sandbox. */
function configShown() {
  showControls();
  writeUrl();
  sweepView.configChanged();
  sandboxView?.then((v) => v.refresh());
}

function applyPreset(p) {
  const refused = embed.lessonRefusal(p, cfg); // it needs a setting the embedding page fixed at another value
  if (refused) { showNotices([refused]); return [refused]; }
  const r = merge(defaults(), p.set);
  cfg = r.config;
  configShown();
  showPresetNote(p);
  writeUrl(); // again, now with lesson=ID
  status.summary('');
  configure();
  return r.notices;
}

$('btn-start').addEventListener('click', () => (run().status === 'running' ? lab.pause() : lab.start()));
$('btn-step').addEventListener('click', () => lab.step());
$('btn-reset').addEventListener('click', reset);

// ---------------------------------------------------------------- sweep (www/lab/sweep.js, www/views/sweep.js)
const sweepView = new SweepView($('sweep'), lab, {
  config: () => ({ ...(cfg || defaults()) }),
  apply: (partial) => change(partial, true),
  urlChanged: () => writeUrl(),
});

// ---------------------------------------------------------------- the mystery drill (www/views/mystery.js)
// While a mystery is open its configuration is `mysteryCfg`; the page hides what would tell it (the settings
// column and the main settings, the lesson note, the diagnosis card, the curves and badges that settings switch on)
// and the controls hold the defaults, so nothing in the page's DOM carries a hidden value. The experiments race it
// against a copy with one change (it is pinned and trained again, faded) or probe it; `mysteryIsCurrent` says
// whether the current run is the mystery's own (its card is the one the reveal quotes) or a race's changed copy.
let mysteryCfg = null;
let mysteryIsCurrent = false;
let mysteryCard = null;
let lastBuilt = null;
const mystery = new MysteryView($('mystery'), {
  presets: lessons.PRESETS,
  config: () => ({ ...mysteryCfg }),
  load: (m) => {
    if (lab.run) { // at start-up the lab is not open yet
      stopRace();
      lab.unpin();
    }
    showPresetNote(null);
    cfg = merge(defaults(), m.set).config;
    mysteryCfg = { ...cfg };
    mysteryIsCurrent = true;
    mysteryCard = null;
    status.summary('');
    if (lab.run) configure(); // at start-up the lab opens with this configuration
  },
  race: async (partial) => {
    if (!run().engineReady) throw new Error('the network is not built yet: wait until the page says it is ready');
    cfg = { ...mysteryCfg };
    mysteryIsCurrent = false;
    if (lab.race) stopRace();
    lab.pinRun(cfg, 'the mystery run');
    cfg = merge(cfg, partial).config;
    startRace();
    await lab.ready();
    await lab.start();
  },
  probe: async (name) => {
    if (!mysteryIsCurrent) { // back to the mystery's own run: the probe reads it, not a changed copy
      stopRace();
      lab.unpin();
      cfg = { ...mysteryCfg };
      mysteryIsCurrent = true;
      configure();
    }
    await lab.ready();
    return pipelineCheck.probe(name);
  },
  card: () => (mysteryIsCurrent ? run().diagnosis : lab.race?.diagnosis) ?? mysteryCard,
  post: (type, detail) => embed.post(type, detail),
  changed: () => {
    mysteryShown();
    writeUrl();
  },
});

/** The page's look for the drill: `mystery` on <html> while a drill runs, `mystery-hidden` while a mystery is
 * unanswered (www/style.css hides the settings column and the rest there), the controls and the card refilled. */
function mysteryShown() {
  const root = document.documentElement;
  root.classList.toggle('mystery', mystery.active);
  root.classList.toggle('mystery-hidden', mystery.hidden());
  for (const id of ['all-settings', 'headline', 'preset-note']) $(id).inert = mystery.hidden();
  showControls();
  dataBadge();
  if (mystery.hidden()) {
    diagnosis.reset();
    if (lastBuilt) arch.pending(LAYERS_HIDDEN);
  } else if (mystery.active) {
    diagnosis.show(mystery.card ?? run().diagnosis ?? null);
    if (lastBuilt && run().built) arch.show(lastBuilt.layers, lastBuilt.params);
  }
  queueDraw();
}

/** The controls show the configuration, or the defaults while a mystery's settings are hidden. */
function showControls() {
  controls.update(mystery.hidden() ? defaults() : cfg);
}

/** What the drill refuses while it runs: the settings, lessons and free experiments of the lab, with the reason. */
function drillRefusal(what) {
  if (!mystery.active) return null;
  return new Error(`${what} is off during a mystery drill: ${mystery.hidden() ? 'the settings stay hidden until you answer (lossLab.answerMystery), and experiments are spent from the drill\u2019s panel' : 'each mystery draws its own settings'}`);
}

// ---------------------------------------------------------------- the URL (www/url.js), in the order it is written
const pageUrl = new PageUrl([
  { // the settings (www/state.js): every key no other section claims; a mystery drill writes none of them
    params: null,
    read: (search, others) => { const r = fromQuery(search, others); cfg = r.config; return r; },
    write: () => (mystery.active ? '' : toQuery(cfg).replace(/^\?/, '')),
  },
  { // mystery=, pool=, level= (www/mystery/drill.js): the drill draws its own settings, so the link's are ignored;
    // without mystery=, pool= is the pooling setting's
    params: mysteryParams(location.search),
    read: (search, others) => {
      const r = readMysteryQuery(search);
      if (!r.on) return r;
      const mine = mysteryParams(search);
      const given = [...new URLSearchParams(search).keys()].filter((k) => !others.has(k) && !mine.has(k));
      if (given.length) r.notices.push(`a mystery draws its own settings: ${[...new Set(given)].join(', ')} from the link ${given.length > 1 ? 'are' : 'is'} ignored`);
      return { notices: r.notices, then: () => { mystery.start(r); return []; } };
    },
    write: () => mystery.query(),
  },
  { // lesson=ID (www/views/lessons.js), opened once the settings, the locks and the question's state are read
    params: LESSON_PARAMS,
    read: (search) => {
      const r = readLessonQuery(search);
      if (r.preset && new URLSearchParams(search).has('mystery')) return { notices: [`lesson = ${r.preset.id} is not opened: a mystery drill hides its lesson until you answer`] };
      return { notices: [], then: () => [...r.notices, ...(r.preset ? openLessonFromUrl(r.preset, search) : [])] };
    },
    write: () => (mystery.active ? '' : lessonQuery(cfg)),
  },
  { params: sweepUrl.QUERY_PARAMS, read: (search) => { const r = sweepUrl.readQuery(search); sweepView.load(r); return r; }, write: () => sweepView.query() },
  { params: LRFIND_PARAMS, read: (search) => { const r = readLrFindQuery(search); lrFind.load(r); return r; }, write: () => lrFind.query() },
  { params: PREDICT_PARAMS, read: (search) => { const r = readPredictQuery(search); predictView.load(r); return r; }, write: () => predictView.query() },
  { params: EMBED_PARAMS, read: () => embedParsed, write: () => embed.query() }, // read before the page was built (www/embed.js)
  { params: PROJECTOR_PARAMS, read: (search) => { const r = readProjectorQuery(search); projector.set(r.value); return r; }, write: () => projector.query() },
  {
    params: CORES_PARAMS,
    read: (search) => { const r = readCoresQuery(search); lab.setCores(r.value); showCores(); return r; },
    write: () => coresQuery(lab.coresChosen),
  },
]);

/** Throws drillRefusal(what) during a drill; otherwise runs f. */
const unlessDrill = (what, f) => (...a) => { const e = drillRefusal(what); if (e) throw e; return f(...a); };
/** The same for calls that answer with a Promise. */
const unlessDrillAsync = (what, f) => (...a) => { const e = drillRefusal(what); return e ? Promise.reject(e) : f(...a); };
const HIDDEN = 'the settings of a mystery stay hidden until you answer it (lossLab.answerMystery)';

installApi({
  config: () => {
    if (mystery.hidden()) throw new Error(`lossLab.config(): ${HIDDEN}`);
    return { ...cfg };
  },
  engineConfig: () => (mystery.hidden() ? Promise.reject(new Error(`lossLab.engineConfig(): ${HIDDEN}`)) : run().engineConfig()),
  history: () => ({
    epochs: run().record.epochs.map(rowCopy),
    steps: run().record.steps,
    status: $('status').dataset.state,
    divergedAt: run().record.divergedAt,
    start: run().built?.start ?? null,
    weightsEpoch: run().record.weightsEpoch,
    message: $('status').textContent,
    pinned: (() => {
      const p = lab.pinHistory();
      if (p && mystery.hidden()) p.config = null; // the pinned run is the mystery's: its settings stay hidden
      return p;
    })(),
  }),
  apply: unlessDrill('lossLab.apply()', (partial) => change(partial, true)),
  preset: unlessDrill('lossLab.preset()', (id) => {
    const p = lessons.BY_ID.get(id);
    if (!p) throw new Error(`no preset "${id}"`);
    return applyPreset(p);
  }),
  start: () => lab.start(),
  pause: () => lab.pause(),
  step: () => lab.step(),
  reset,
  ready: () => lab.ready(),
  pin: unlessDrill('lossLab.pin()', pinRun),
  unpin: unlessDrill('lossLab.unpin()', () => lab.unpin()),
  race: unlessDrill('lossLab.race()', (on, options) => {
    if (on && options && options.seeds !== undefined && options.seeds !== 1) return seedRaceView.start(options);
    if (on && !lab.pin) throw new Error('pin a run first: the race trains the pinned configuration again');
    if (on) startRace(); else { stopRace(); lab.endSeedRace(); }
  }),
  seedRace: () => seedRaceView.results(),
  whenEpoch: (n) => run().whenEpoch(n),
  diagnosis: () => (mystery.hidden() ? null : run().diagnosis ?? null), // the card stays hidden too
  reportCard: () => { reliability.details.open = true; return reliability.load(); },
  batchView: (n) => run().batchView(n),
  highestLoss: (k) => run().lossScan(k),
  classify: (pixels) => run().classify(pixels),
  activations: (i) => run().activations(i),
  sandbox: (valley) => sandbox().then((v) => v.state(valley)),
  valCount: () => run().built?.valCount ?? null,
  test: () => finalTest.test(),
  probe: (name) => (mystery.hidden() ? Promise.reject(new Error('lossLab.probe() is off while a mystery is open: a probe is an experiment, spent with lossLab.spendMystery(\'probe-…\')')) : pipelineCheck.probe(name)),
  cores: () => ({ n: run().cores ?? 1, chosen: lab.coresChosen, note: run().coresNote || '' }),
  setCores: (n) => {
    if (n !== 1 && n !== 2) throw new Error('cores must be 1 or 2');
    $('cores').value = String(n);
    $('cores').dispatchEvent(new Event('change'));
  },
  findLr: unlessDrillAsync('lossLab.findLr()', (options) => { $('lrfind').open = true; return lrFind.run(options); }),
  sweep: unlessDrillAsync('lossLab.sweep()', (spec) => sweepView.start(spec)),
  sweepPause: (on) => sweepView.pause(on),
  sweepCancel: () => sweepView.cancel(),
  sweepResults: () => sweepView.resultsSoFar(),
  mystery: () => mystery.status(),
  answerMystery: (answer) => mystery.answer(answer),
  spendMystery: (id) => (mystery.active ? mystery.spend(id) : Promise.reject(new Error('no mystery drill is running (open the page with mystery=1)'))),
  nextMystery: () => {
    if (!mystery.active || mystery.hidden()) throw new Error(mystery.active ? 'answer this mystery first' : 'no mystery drill is running');
    mystery.next();
    return mystery.status();
  },
  mysteryResult: () => (mystery.active ? mystery.resultCode() : null),
});

// ---------------------------------------------------------------- start-up
{
  showNotices(pageUrl.read(location.search));
  showControls();
  embed.install({ config: () => ({ ...cfg }) });
  refuseLessons((p) => embed.lessonRefusal(p, cfg));
  writeUrl();
  if (hasSimd()) {
    lab.open(cfg);
    clearRunViews();
  } else {
    $('unsupported').hidden = false;
    arch.pending('');
    console.warn('Loss Lab: WebAssembly.validate rejected a simd128 module; the engine is not loaded.');
    lab.open(cfg, 'this browser cannot run the training engine (it lacks WebAssembly SIMD) — see the box below for the browsers that can');
  }
  dataBadge();
  status.render();
  draw();
}

// ---------------------------------------------------------------- export (www/export.js)
installExportApi(installExport({
  config: () => ({ ...cfg }),
  record: () => run().record,
  pinned: () => (lab.pinCfg ? { ...lab.pinCfg } : null),
  charts: { loss: plots.loss, acc: plots.acc, grad: plots.grad, recall: plots.recall, ratio: layerHealth.ratio, share: layerHealth.share },
}), () => mystery.hidden());

// ---------------------------------------------------------------- predict, then run (www/views/predict.js)
installPredictApi({
  state: () => predictView.state(),
  answer: (i) => predictView.answer(i),
});
// ---------------------------------------------------------------- offline use (www/offline.js)
installOffline();
installOfflineApi(offlineReady);

// Which build of the engine the worker loads here (www/engine/engine-build.js asks the browser the same question).
installEngineApi(engineBuild());
installStabilityApi(run);
installActHistApi(run);
if (hasSimd()) {
  $('engine-build').textContent = engineBuild() === 'relaxed'
    ? 'Engine: WebAssembly SIMD with fused multiply-add (relaxed SIMD).'
    : 'Engine: WebAssembly SIMD (simd128).';
  $('engine-build').hidden = false;
}
