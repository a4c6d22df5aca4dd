// Loss Lab page start-up and wiring: URL (www/url.js, its sections www/page/url-sections.js) -> state -> controls;
// controls -> the Lab (www/lab/lab.js: the current run, the pin, the race, the cores; each Run, www/lab/run.js, owns
// its worker protocol); Lab events -> the views (www/page/events.js; the views themselves, www/page/views.js). The
// mystery drill's side of the page is www/page/drill.js; window.lossLab's calls, www/page/public-api.js (documented in
// www/api.js). This file holds the configuration `cfg` and the actions every part shares: change, configure, reset,
// apply a lesson, pin and race, draw.
import { LIVE_KEYS, defaults, merge, toQuery } from './state.js';
import { Lab } from './lab/lab.js';
import { engineBuild, hasSimd } from './engine/engine-build.js';
import { showPresetNote, refuseLessons } from './views/lessons.js';
import { referenceLines } from './views/refs.js';
import { PageUrl } from './url.js';
import { createViews } from './page/views.js';
import { DrillControl } from './page/drill.js';
import { wireRunEvents } from './page/events.js';
import { urlSections } from './page/url-sections.js';
import { installPageApi } from './page/public-api.js';

const $ = (id) => document.getElementById(id);

const RESET_DEBOUNCE_MS = 200;

// ---------------------------------------------------------------- state
let cfg;
const lab = new Lab(); // the current run, the pin, the race and the cores (www/lab/lab.js)
const run = () => lab.run;
/** What the parts of the page share (www/page/*.js): the configuration, the Lab, the views, the drill, the actions. */
const page = {
  get cfg() { return cfg; },
  set cfg(c) { cfg = c; },
  lab,
  run,
};

// ---------------------------------------------------------------- views (www/page/views.js)
const v = createViews(page);
page.v = v;
const drill = new DrillControl(page);
page.drill = drill;
const mysteryHidden = () => drill.hidden();

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

/** The address bar follows the page's state (www/url.js; the sections, www/page/url-sections.js). */
let pageUrl = null;
function writeUrl() {
  pageUrl?.write();
}

function dataBadge() {
  if (mysteryHidden()) $('data-badge').textContent = 'real MNIST digits · how many, and what was done to them, stays hidden until you answer';
  else v.status.dataBadge();
}

// ---------------------------------------------------------------- drawing
function draw() {
  drawQueued = false;
  lastDraw = performance.now();
  const r = run();
  v.layerHealth.draw(r.record, lab.shownPin(), { act: r.cfg?.act, pinAct: lab.pinCfg?.act });
  v.plots.draw(r.record, lab.shownPin(), {
    // a mystery's hidden settings must not show through the curves the settings switch on (the label-noise floor,
    // the clean and corrupted-label curves)
    raw: $('opt-raw').checked, logY: $('opt-logy').checked, noise: cfg.noise > 0 && !mysteryHidden(), pinNote: v.status.raceNote(),
    refs: r.built && !mysteryHidden() ? referenceLines(r.cfg, r.built.classCounts) : null,
    drop: r.cfg?.lr_schedule === 'step' ? r.cfg.lr_epochs : null,
    seedRace: lab.seedRace,
  });
  v.confusion.update(r.record, lab.shownPin());
  v.status.clipping();
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
  v.status.progress();
});

function clearRunViews() {
  v.status.clearProgress();
  $('data-missing').hidden = true;
  v.arch.pending('Building the network…');
  v.filters.show(null);
  v.acts.show(null);
  v.actHist.show(null);
  v.stability.show(null);
  v.batchView.reset();
  v.highLoss.reset();
  v.classCounts.show(null);
  v.drawPad.reset();
  v.projector.reset();
}

/** Rebuilds the current run (and a race, so both start from epoch 0) from `cfg`. */
function configure(delayMs = 0) {
  if (!lab.configurable) return;
  clearRunViews();
  v.diagnosis.reset();
  lab.configure(cfg, delayMs);
  dataBadge();
  queueDraw();
}

$('btn-synthetic').addEventListener('click', () => {
  $('data-missing').hidden = true;
  change({ data: 'synthetic' }, true);
});

// ---------------------------------------------------------------- pin and race (www/lab/lab.js)
function pinRun() {
  lab.pinRun(cfg, drill.active ? 'the mystery run' : toQuery(cfg).slice(1).replace(/&/g, ', ') || 'baseline');
}
function startRace() {
  if (!lab.startRace()) { $('opt-race').checked = !!lab.race; return; }
  // both runs start from epoch 0: restart this one too (the race builds as soon as its engine is up)
  v.status.summary('');
  configure();
}
function stopRace() {
  $('opt-race').checked = false;
  lab.stopRace();
}
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
  const held = v.embed.refuseLocked(partial, cfg); // a locked setting cannot be the change: the race would show nothing
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
  const held = v.embed.refuseLocked(partial, cfg); // settings the embedding page fixed (lock=): dropped, with a notice
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
    v.diagnosis.refresh(); // its race buttons are worded from the configuration (learning rate ÷ 10 of which value)
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
  v.status.summary('');
  configure();
}

/** A new configuration `cfg` reaches what shows it: the controls, the URL, the sweep's base and the sandbox. */
function configShown() {
  showControls();
  writeUrl();
  v.sweepView.configChanged();
  v.sandboxLoaded()?.then((s) => s.refresh());
}

/** The controls show the configuration, or the defaults while a mystery's settings are hidden. */
function showControls() {
  v.controls.update(mysteryHidden() ? defaults() : cfg);
}

function applyPreset(p) {
  const refused = v.embed.lessonRefusal(p, cfg); // it needs a setting the embedding page fixed at another value
  if (refused) { showNotices([refused]); return [refused]; }
  const r = merge(defaults(), p.set);
  cfg = r.config;
  configShown();
  showPresetNote(p);
  writeUrl(); // again, now with lesson=ID
  v.status.summary('');
  configure();
  return r.notices;
}

$('btn-start').addEventListener('click', () => (run().status === 'running' ? lab.pause() : lab.start()));
$('btn-step').addEventListener('click', () => lab.step());
$('btn-reset').addEventListener('click', reset);

Object.assign(page, {
  change, configure, reset, newSeed, applyPreset, pinRun, startRace, stopRace, raceWith,
  showNotices, writeUrl, showControls, showCores, dataBadge, draw, queueDraw,
});
wireRunEvents(page);

// ---------------------------------------------------------------- start-up
{
  pageUrl = new PageUrl(urlSections(page));
  showNotices(pageUrl.read(location.search));
  showControls();
  v.embed.install({ config: () => ({ ...cfg }) });
  refuseLessons((p) => v.embed.lessonRefusal(p, cfg));
  writeUrl();
  if (hasSimd()) {
    lab.open(cfg);
    clearRunViews();
  } else {
    $('unsupported').hidden = false;
    v.arch.pending('');
    console.warn('Loss Lab: WebAssembly.validate rejected a simd128 module; the engine is not loaded.');
    lab.open(cfg, 'this browser cannot run the training engine (it lacks WebAssembly SIMD) — see the box below for the browsers that can');
  }
  dataBadge();
  v.status.render();
  draw();
}

installPageApi(page);
if (hasSimd()) {
  $('engine-build').textContent = engineBuild() === 'relaxed'
    ? 'Engine: WebAssembly SIMD with fused multiply-add (relaxed SIMD).'
    : 'Engine: WebAssembly SIMD (simd128).';
  $('engine-build').hidden = false;
}
