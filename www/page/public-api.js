// window.lossLab's calls (www/api.js installs and documents them) bound to this page: the Lab, the views and the
// actions of www/main.js. During a mystery drill the calls that would show or change its hidden settings refuse.
import * as lessons from '../presets.js';
import { installApi, rowCopy, installExportApi, installPredictApi, installOfflineApi, installEngineApi } from '../api.js';
import { engineBuild } from '../engine/engine-build.js';
import { installStabilityApi } from '../views/stability.js';
import { installActHistApi } from '../views/acthist.js';
import { maskActivations } from '../views/layernames.js';
import { installExport } from '../export.js';
import { installOffline, offlineReady } from '../offline.js';

const $ = (id) => document.getElementById(id);
const HIDDEN = 'the settings of a mystery stay hidden until you answer it (lossLab.answerMystery)';

/** How long a built network must sit untrained before a first visit's offline install starts (quietAfterFirstBuild). */
const QUIET_MS = 1000;

/**
 * Resolves when a first visit's offline install (www/offline.js) no longer competes with what the learner waits for:
 * once the first network is built (or could not be), at its first epoch drawn, or as soon as the learner has let it
 * sit QUIET_MS without training. Started at once, that install slowed the first epoch point by 0.2 s on a two-core
 * machine (its files are fetched, hashed and stored on the cores the training uses).
 */
function quietAfterFirstBuild(lab, run) {
  return lab.ready().catch(() => {}).then(() => new Promise((resolve) => {
    lab.on('epoch', () => resolve());
    const idle = () => (run().status === 'running' ? setTimeout(idle, QUIET_MS) : resolve());
    setTimeout(idle, QUIET_MS);
  }));
}

/** `page`: www/main.js's (cfg, lab, run, the views `v`, the drill and the actions). */
export function installPageApi(page) {
  const { lab, run, v, drill } = page;
  const mystery = drill.view;
  /** Throws the drill's refusal of `what` during a drill; otherwise runs f. */
  const unlessDrill = (what, f) => (...a) => { const e = drill.refusal(what); if (e) throw e; return f(...a); };
  /** The same for calls that answer with a Promise. */
  const unlessDrillAsync = (what, f) => (...a) => { const e = drill.refusal(what); return e ? Promise.reject(e) : f(...a); };

  installApi({
    config: () => {
      if (drill.hidden()) throw new Error(`lossLab.config(): ${HIDDEN}`);
      return { ...page.cfg };
    },
    engineConfig: () => (drill.hidden() ? Promise.reject(new Error(`lossLab.engineConfig(): ${HIDDEN}`)) : run().engineConfig()),
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
        if (p && drill.hidden()) p.config = null; // the pinned run is the mystery's: its settings stay hidden
        return p;
      })(),
    }),
    apply: unlessDrill('lossLab.apply()', (partial) => page.change(partial, true)),
    preset: unlessDrill('lossLab.preset()', (id) => {
      const p = lessons.BY_ID.get(id);
      if (!p) throw new Error(`no preset "${id}"`);
      return page.applyPreset(p);
    }),
    start: () => lab.start(),
    pause: () => lab.pause(),
    step: () => lab.step(),
    reset: page.reset,
    ready: () => lab.ready(),
    pin: unlessDrill('lossLab.pin()', page.pinRun),
    unpin: unlessDrill('lossLab.unpin()', () => lab.unpin()),
    race: unlessDrill('lossLab.race()', (on, options) => {
      if (on && options && options.seeds !== undefined && options.seeds !== 1) return v.seedRaceView.start(options);
      if (on && !lab.pin) throw new Error('pin a run first: the race trains the pinned configuration again');
      if (on) page.startRace(); else { page.stopRace(); lab.endSeedRace(); }
    }),
    seedRace: () => v.seedRaceView.results(),
    whenEpoch: (n) => run().whenEpoch(n),
    whenEpochPoint: (n) => run().whenEpochPoint(n),
    diagnosis: () => (drill.hidden() ? null : run().diagnosis ?? null), // the card stays hidden too
    reportCard: () => { v.reliability.details.open = true; return v.reliability.load(); },
    batchView: (n) => run().batchView(n),
    highestLoss: (k) => run().lossScan(k),
    classify: (pixels) => run().classify(pixels),
    activations: (i) => run().activations(i).then((a) => (drill.hidden() ? maskActivations(a) : a)),
    sandbox: (valley) => v.sandbox().then((s) => s.state(valley)),
    valCount: () => run().built?.valCount ?? null,
    test: () => v.finalTest.test(),
    probe: (name) => (drill.hidden() ? Promise.reject(new Error('lossLab.probe() is off while a mystery is open: a probe is an experiment, spent with lossLab.spendMystery(\'probe-…\')')) : v.pipelineCheck.probe(name)),
    cores: () => ({ n: run().cores ?? 1, chosen: lab.coresChosen, note: run().coresNote || '' }),
    setCores: (n) => {
      if (n !== 1 && n !== 2) throw new Error('cores must be 1 or 2');
      $('cores').value = String(n);
      $('cores').dispatchEvent(new Event('change'));
    },
    findLr: unlessDrillAsync('lossLab.findLr()', (options) => { $('lrfind').open = true; return v.lrFind.run(options); }),
    sweep: unlessDrillAsync('lossLab.sweep()', (spec) => v.sweepView.start(spec)),
    sweepPause: (on) => v.sweepView.pause(on),
    sweepCancel: () => v.sweepView.cancel(),
    sweepResults: () => v.sweepView.resultsSoFar(),
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

  // export (www/export.js)
  installExportApi(installExport({
    config: () => ({ ...page.cfg }),
    record: () => run().record,
    pinned: () => (lab.pinCfg ? { ...lab.pinCfg } : null),
    charts: { loss: v.plots.loss, acc: v.plots.acc, grad: v.plots.grad, recall: v.plots.recall, ratio: v.layerHealth.ratio, share: v.layerHealth.share },
  }), () => drill.hidden());
  // predict, then run (www/views/predict.js)
  installPredictApi({
    state: () => v.predictView.state(),
    answer: (i) => v.predictView.answer(i),
  });
  // offline use (www/offline.js), registered once the first visit's own work is done
  installOffline(quietAfterFirstBuild(lab, run));
  installOfflineApi(offlineReady);
  // which build of the engine the worker loads here (www/engine/engine-build.js asks the browser the same question)
  installEngineApi(engineBuild());
  installStabilityApi(run);
  installActHistApi(run, () => drill.hidden());
}
