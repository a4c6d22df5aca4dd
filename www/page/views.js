// The page's views, built once over the DOM of index.html (www/main.js composes them with the Lab). Each view owns its
// section; what it asks of the rest of the page goes through `page` (www/main.js), whose actions (change, raceWith,
// applyPreset, writeUrl …) are looked up when a view calls them, not when it is built.
import { Controls } from '../controls.js';
import * as lessons from '../presets.js';
import { StatusView } from '../views/status.js';
import { Plots } from '../views/plots.js';
import { ArchView } from '../views/arch.js';
import { renderPresets, onPresetNote } from '../views/lessons.js';
import { DiagnosisView } from '../views/diagnosis.js';
import { ReliabilityView } from '../views/reliability.js';
import { StartView } from '../views/start.js';
import { LayerHealthView } from '../views/layers.js';
import { FiltersView } from '../views/filters.js';
import { ActivationsView } from '../views/activations.js';
import { StabilityView } from '../views/stability.js';
import { ActHistView } from '../views/acthist.js';
import { ConfusionView, ClassCountsView } from '../views/confusion.js';
import { BatchView } from '../views/batch.js';
import { HighLossView } from '../views/highloss.js';
import { LrFindView } from '../views/lrfind.js';
import { SweepView } from '../views/sweep.js';
import { SeedRaceView } from '../views/seedrace.js';
import { Embed, readQuery as readEmbedQuery } from '../embed.js';
import { PredictView } from '../views/predict.js';
import { DrawView } from '../views/draw.js';
import { FinalTestView } from '../views/finaltest.js';
import { PipelineCheckView } from '../views/pipeline.js';
import { Projector } from '../projector.js';
import { defaults } from '../state.js';

const $ = (id) => document.getElementById(id);

/** Every view of the page, by name; `page` is www/main.js's (cfg, lab, run and the actions). */
export function createViews(page) {
  const { lab, run } = page;
  const config = () => page.cfg;
  const v = {};
  v.plots = new Plots();
  v.arch = new ArchView();
  v.startView = new StartView($('loss-start'));
  v.status = new StatusView(lab, { config });
  v.controls = new Controls($('settings'), {
    archOut: $('arch-out'),
    headline: $('headline-controls'), // the main settings again, beside the charts
    onChange: (key, raw, { final }) => page.change({ [key]: raw }, final),
    actions: {
      newSeed: () => page.newSeed(),
      sameSeed: () => page.reset(),
    },
  });
  v.confusion = new ConfusionView($('confusion'));
  v.classCounts = new ClassCountsView(document.querySelector('#sec-data .section-body') || $('settings'));
  v.layerHealth = new LayerHealthView($('layer-health'));
  v.filters = new FiltersView($('filters'));
  // while a mystery hides the settings, the layer views do not name a layer's activation function
  const masked = () => !!page.drill?.hidden();
  v.acts = new ActivationsView($('acts'), { masked });
  // The lab's optimizer on a 2-D valley (www/views/sandbox.js): loaded when its panel first opens or lossLab.sandbox()
  // is called, so the first download does not carry it.
  let sandboxView = null;
  v.sandbox = () => (sandboxView ??= import('../views/sandbox.js').then((m) => new m.SandboxView($('sandbox'), { run, config })));
  v.sandboxLoaded = () => sandboxView;
  $('sandbox').addEventListener('toggle', () => { if ($('sandbox').open) v.sandbox().then((s) => s.refresh()); }, { once: true });
  v.stability = new StabilityView($('stability'), { run, config });
  v.actHist = new ActHistView($('acthist'), { run, masked });
  v.diagnosis = new DiagnosisView($('diagnosis'), { config, onRace: (set) => page.raceWith(set) });
  v.reliability = new ReliabilityView($('diagnosis-reliability'));
  v.batchView = new BatchView($('batch-view'), { run });
  v.highLoss = new HighLossView($('highloss'), { run });
  v.drawPad = new DrawView($('draw'), { run });
  v.finalTest = new FinalTestView($('final-test'), { run });
  v.pipelineCheck = new PipelineCheckView($('pipeline-check'), { run });
  $('diagnosis').addEventListener('show-highloss', () => v.highLoss.reveal()); // the noisy-labels finding's link
  $('diagnosis').addEventListener('run-probe', (e) => { v.pipelineCheck.probe(e.detail).catch(() => {}); v.pipelineCheck.root.scrollIntoView({ block: 'nearest' }); });
  v.lrFind = new LrFindView($('lrfind'), {
    find: (opts) => run().lrFind(opts),
    apply: (lr) => page.change({ lr }, true),
    canRun: (opts) => {
      const r = run();
      if (!lab.configurable) return r.note;
      if (!r.built) return 'the network is not built yet: wait until the page says it is ready, then test again';
      if (r.status === 'diverged' && !opts.fresh) return 'this run diverged, so its weights are not finite numbers: choose “from a fresh net”, or Reset first';
      return '';
    },
    lr: () => page.cfg.lr,
    changed: () => page.writeUrl(),
  });
  v.projector = new Projector({ button: $('btn-projector'), readout: $('readout'), changed: () => page.writeUrl() });
  renderPresets($('preset-groups'), (p) => {
    page.applyPreset(p);
    // On a phone the lessons sit below the charts: bring the lesson's note (its question) into view.
    const note = $('preset-note');
    const top = note.getBoundingClientRect().top;
    if (!note.hidden && (top < 0 || top > innerHeight - 80)) note.scrollIntoView({ block: 'start' });
  });
  if (lessons.PRESETS_ERROR) $('preset-groups').textContent = lessons.PRESETS_ERROR;

  // Embedding (www/embed.js: embed=1, lock=, hide=, origin=, events to the parent page) and "predict, then run"
  // (www/views/predict.js: a lesson's question before Start, its answer once the run has shown it).
  v.embedParsed = readEmbedQuery(location.search);
  v.embed = new Embed(v.embedParsed);
  v.predictView = new PredictView($('predict'), { text: $('preset-note-text'), toggle: $('opt-predict') }, {
    changed: () => page.writeUrl(),
    revealed: (s) => v.embed.post('answer', { lesson: s.lesson, question: s.question, picked: s.picked, answer: s.answer, right: s.right }),
    record: () => run().record,
    title: (id) => lessons.BY_ID.get(id)?.title ?? id,
  });
  onPresetNote((p) => v.predictView.show(p));
  // "Race on 3 seeds" (www/views/seedrace.js): both settings on three seeds, drawn as mean lines with min–max bands
  v.seedRaceView = new SeedRaceView(lab, { tools: document.querySelector('.pin-tools'), line: $('race-status') }, {
    config: () => ({ ...page.cfg }),
    redraw: () => page.queueDraw(),
  });
  // the sweep (www/lab/sweep.js, www/views/sweep.js)
  v.sweepView = new SweepView($('sweep'), lab, {
    config: () => ({ ...(page.cfg || defaults()) }),
    apply: (partial) => page.change(partial, true),
    urlChanged: () => page.writeUrl(),
  });
  return v;
}
