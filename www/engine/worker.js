// The training worker: the only importer of the wasm package; holds one LabTrainer.
// Protocol (docs/ARCHITECTURE.md, "Worker protocol"); www/lab/run.js is its only other end (www/boot.js starts the
// page's first worker and sends its 'init', then hands it to run.js).
//   main -> worker: {type:'init', prefetch}, {type:'prefetch', key} (prefetch/key: 'mnist10k' | 'mnist50k' | null, the MNIST
//                   set to read ahead, see mnistLoad), {type:'configure', config, id}, {type:'set', key, value, id}, {type:'run', id},
//                   {type:'pause'}, {type:'step', id}, {type:'engineConfig', req}, {type:'freshSeed', req},
//                   {type:'weights', i, req}, {type:'batchView', n, req}, {type:'lossScan', k, req},
//                   {type:'lrFind', fresh, start, end, steps, req}, {type:'classify', pixels, req},
//                   {type:'activations', index, req} (every layer's output for one validation image: reply {index,
//                   label, layers: [{name, kind, shape, values, dead, flat, channels}], logits, probs, predicted, flatShare, step}),
//                   {type:'overfit', images, steps, blank, req} ("overfit one batch", or with blank "zero the
//                   inputs": reply {blank, images, steps, losses, lastLoss, level, labelEntropy, acc, diverged,
//                   fitted, fittedLoss, settled}),
//                   {type:'sharpness', req} (the stability meter's estimates, src/train/sharpness.rs: reply {step,
//                   lambdaMax, lr, threshold, ratio, preconditioned, every, images}), {type:'stepLine', req} (the
//                   loss along the last step: reply {line: {step, t, loss, tMin, overshoot} or null}),
//                   {type:'actHistory', req} (every activation's histogram over training, src/train/acthist.rs: reply
//                   {history: {steps, every, layers: [{name, after, activation, scale, edges, counts, saturated}]}, lastStep}),
//                   {type:'test', req} (the final check on the test set: reply {loss, acc, perClassRecall, count,
//                   step, weightsEpoch, synthetic}),
//                   {type:'sandbox', config, a, b, x0, y0, steps, req} (the 2-D sandbox, src/sandbox.rs: the optimizer
//                   settings of config on the valley ½(a·x² + b·y²); no trainer needed, answered between two chunks:
//                   reply {path, threshold, onset, verdict, axis, axes, adamRatios}),
//                   {type:'peer', port} (train on two cores with the helper worker at the other end of
//                   port, www/engine/helper.js), {type:'peer', port: null} (back to one core)
//   worker -> main: ready, built {layers, params, layerNames, trainCount, valCount, synthetic,
//                   classCounts, corruptedCount, start (the untrained net's first loss and logit spread,
//                   src/train/start.rs), watch {index, labels, images, learningRise} and predictions {epoch: 0,
//                   probs} (the 16 watched validation digits and the untrained net's answers,
//                   src/train/predictions.rs)}, progress {per-step arrays}, epoch {summary, report, stats,
//                   predictions {epoch, probs} (taken after the validation pass)}, estimate {epoch, summary, count,
//                   total, loss, lossHalf, acc, accHalf} (the validation pass under way so far, after each of its chunks
//                   from 2,048 samples on, until its 'epoch'),
//                   diverged {step, message}, stopped {epoch, bestEpoch, weightsEpoch, message} (early stopping:
//                   a normal end; the net holds the best epoch's weights again),
//                   error {message, scope, fatal}, status {phase, text} (a step of a build:
//                   phase 'data' | 'synthetic', text the same in words, for people),
//                   paused (answers every pause: no step is trained after it), reply {req, …},
//                   cores {n, message} (the second worker failed: training goes on on one core)
// Every message that belongs to a build (status, built, progress, epoch, diverged, error) carries that build's
// `id`, the id of the configure it serves, so the page drops what a replaced configuration still sends.
// A `set` that arrives while a configure is loading data updates the configuration that build will use: a
// live change made during a (slow) build is never lost.
// Errors carry `scope`: 'config' (the configuration was refused), 'data' (MNIST files missing or damaged), 'set'
// (a live value refused), 'engine' (anything else); a 'config' error also says which `part` was refused:
// 'setting' (a value checkSettings() refuses, named by its key; or a combination the trainer refuses) or
// 'design' (a layer design describe() rejects), so the page never reads that from the message's words.
// `fatal: true` means the wasm instance is unusable (a Rust panic traps as RuntimeError 'unreachable'): the
// page terminates this worker and starts a fresh one.
// Training: the engine owns the epoch loop's order (`trainer.advance(budget)`, src/train/advance.rs: the first
// step alone, steps in chunks, an epoch's validation pass in the calls after its last step, then the end). The
// worker calls it and posts its events (steps -> progress; epochEnded + validated -> epoch; diverged; stopped;
// a new diagnosis after any of them); it only sizes the chunks to ~CHUNK_TARGET_MS, yields between them and
// queues the jobs. On two cores it follows the same order itself, awaiting the helper (splitAdvance).
import init, { LabData, LabTestSet, LabTrainer, LabHelper, checkSettings, describe, fresh_seed as freshSeed, sandbox } from './engine.js';
import { Peer, CHUNK_TARGET_MS } from './peer.js';

const MAX_STEPS_PER_CHUNK = 1024;
const VAL_CHUNK = 256; // validation samples per chunk on one core: about as long as a training chunk
const SCAN_CHUNK = 256; // training samples per loss-scan chunk: about as long as a validation chunk
const LR_FIND_CHUNK = 4; // mini-batches per range-test chunk: about as long as a training chunk
const OVERFIT_CHUNK = 4; // steps per "overfit one batch" chunk: one batch each, as the range test's
const TEST_CHUNK = 256; // test samples per chunk of the final check: as a validation chunk

let trainer = null;
let config = null;
let buildId = 0; // id of the configure being served
let running = false;
let loopNo = 0; // the training loop that may go on: a loop started by an earlier 'run' stops at its next job
let generation = 0; // bumped by configure: a loop from an older trainer stops at its next yield
let engine = null; // Promise of the wasm module's initialisation
let scanning = null; // Promise of the loss scan queued or under way: requests arriving meanwhile share it
let lastStep = 0; // steps trained by this build when its last batch was drawn (batchView says which)
let stepsPerChunk = 1;
let diagnosisSerial = 0; // serial of the last diagnosis posted for this build
let dataCache = new Map(); // 'mnist10k' | 'mnist50k' (once read, see mnistLoad) | 'synthetic:n:m:seed' -> LabData
let testCache = new Map(); // 'test:mnist' | 'test:synthetic:seed' -> LabTestSet (the final check's)
let mnistMissing = null; // message, once the MNIST files were found missing

// ------------------------------------------------------------ two cores (www/engine/peer.js)
// With a helper worker attached, steps and validation chunks are split with it; if it fails, the page hears a
// `cores` message and training goes on on one core.
const peer = new Peer({
  makeHelper: (cfg) => new LabHelper(cfg),
  onFallback: (why) => post({ type: 'cores', n: 1, message: why }),
});

const post = (msg, transfer) => self.postMessage(msg, transfer || []);
/** Posts a message that belongs to the build being served. */
const postBuild = (msg, transfer) => post({ ...msg, id: buildId }, transfer);
const status = (phase, text) => postBuild({ type: 'status', phase, text });

// A MessageChannel yields to the event loop without setTimeout's 4 ms clamp for nested timers.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const yieldNow = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });

// One job at a time on one weight state. A chunk of training steps (with the validation pass it ends in), a One
// step, a loss scan, a range test and a classification each run as one job, in the order they were asked for;
// a job may yield inside (the two-core step waits on the helper, the long jobs run in chunks) without another
// job touching the trainer meanwhile. A configure does not queue: it replaces the trainer at once, and every job
// checks after each await that its trainer is still the current one.
let lock = Promise.resolve();
function exclusive(job) {
  const done = lock.then(job);
  lock = done.catch(() => {});
  return done;
}

/**
 * Calls `work` (sync or async; true once finished) until it is finished, yielding to the event loop between
 * calls so that pause and setting changes get in. False if `gone()` says the trainer was replaced meanwhile.
 */
async function inChunks(work, gone) {
  for (;;) {
    const done = await work();
    if (gone()) return false;
    if (done) return true;
    await yieldNow();
    if (gone()) return false;
  }
}

function isPanic(err) {
  return err instanceof WebAssembly.RuntimeError;
}

function report(err, scope = 'engine', id = buildId, part = null) {
  const fatal = isPanic(err);
  const text = err && err.message ? err.message : String(err);
  running = false;
  post({
    type: 'error', scope, fatal, id, ...(part && !fatal ? { part } : {}),
    message: fatal ? `the engine crashed (${text}) — it will be restarted; see the browser console for details` : text,
  });
}

/** A data file that arrived but cannot be read: named, so the learner knows which one to fetch again. */
function damaged(name, why) {
  const e = new Error(`${name} is damaged or incomplete (${why}) — run \`npm run prepare-data\` again to rebuild www/data/, or continue with synthetic digits.`);
  e.scope = 'data';
  return e;
}

async function fetchBytes(url) {
  const name = url.split('/').pop();
  const res = await fetch(url);
  if (!res.ok) {
    const e = new Error(`${name}: HTTP ${res.status}`);
    e.missing = res.status === 404;
    throw e;
  }
  const raw = new Uint8Array(await res.arrayBuffer());
  // gzip magic 1f 8b; some hosts (Content-Encoding: gzip on .gz) hand over the inflated bytes already
  if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    // a truncated or corrupted gzip stream: the file was found, so "not found" would send the learner astray
    console.warn(`Loss Lab: unpacking ${name} failed:`, err);
    throw damaged(name, "its gzip data ends early or is corrupt");
  }
}

/** The gzip'd IDX files `names` from www/data/, unpacked; a missing file throws the 'data' error a student can act on. */
async function fetchData(names) {
  const base = new URL('../data/', import.meta.url).href;
  try {
    return await Promise.all(names.map((n) => fetchBytes(base + n)));
  } catch (e) {
    if (e.scope) throw e;
    if (e.missing || e instanceof TypeError) {
      // Offline, the files are missing from this browser's store, not from the site: say what a student can do.
      mnistMissing = self.navigator.onLine === false
        ? `MNIST files not found: this browser is offline and has not stored them yet (${e.message}) — connect to the internet once and reload the page, or continue with synthetic digits.`
        : `MNIST files not found at www/data/ (${e.message}) — run \`npm start\` (or \`npm run prepare-data\`) to download them, or continue with synthetic digits.`;
      const err = new Error(mnistMissing);
      err.scope = 'data';
      throw err;
    }
    throw e;
  }
}

// The training images (train10k: MNIST training images 0–9,999; train50k: 0–49,999) and the validation split
// held out from them (val10k: training images 50,000–59,999), which every curve, sweep, race and early stop reads.
// The MNIST test set is not among them: it is fetched only for the final check (testSetFor).
const mnistNames = (big) => [`${big ? 'train50k' : 'train10k'}-images.idx.gz`, `${big ? 'train50k' : 'train10k'}-labels.idx.gz`, 'val10k-images.idx.gz', 'val10k-labels.idx.gz'];

/**
 * The MNIST set of `big` (train50k or train10k, with val10k), read once into a LabData: fetched, unpacked and
 * parsed as soon as it is asked for, which is at 'init' (or 'prefetch') for the set the page will build first, while
 * the engine compiles and the page's own modules still load, so the first build finds it ready. A read that fails
 * is forgotten, so that the next build tries again; the build that awaits it reports the failure.
 */
const mnistLoads = new Map(); // 'mnist10k' | 'mnist50k' -> Promise<LabData>
function mnistLoad(big) {
  const key = big ? 'mnist50k' : 'mnist10k';
  if (!mnistLoads.has(key)) {
    const names = mnistNames(big);
    const load = (async () => {
      const parts = await fetchData(names);
      await engine;
      let data;
      try {
        data = LabData.fromIdx(parts[0], parts[1], parts[2], parts[3]);
      } catch (e) {
        if (isPanic(e)) throw e;
        // the engine's error names the damaged set (e.set) and, in its message, what is wrong with it
        const set = e && e.set === 'validation' ? names.slice(2) : names.slice(0, 2);
        throw damaged(set.join(' or '), e.message);
      }
      dataCache.set(key, data);
      return data;
    })();
    load.catch(() => { if (mnistLoads.get(key) === load) mnistLoads.delete(key); });
    mnistLoads.set(key, load);
  }
  return mnistLoads.get(key);
}

/** Starts reading the set `key` names ('mnist10k' | 'mnist50k'; anything else: nothing to read ahead). */
function prefetch(key) {
  if (key === 'mnist10k' || key === 'mnist50k') mnistLoad(key === 'mnist50k');
}

async function mnist(big) {
  const key = big ? 'mnist50k' : 'mnist10k';
  if (dataCache.has(key)) return dataCache.get(key);
  status('data', `loading MNIST digits (${big ? '50 000' : '10 000'} training images, 10 000 held out for validation)`);
  return mnistLoad(big);
}

/** The test set of the final check: the 10,000 MNIST test images (test10k), or for synthetic digits a third
 * generated set, drawn from its own seed. Loaded on the first check and kept. */
async function testSetFor(cfg) {
  if (cfg.data === 'synthetic') {
    const key = `test:synthetic:${cfg.seed}`;
    if (!testCache.has(key)) testCache.set(key, LabTestSet.synthetic(10000, Number(cfg.seed)));
    return testCache.get(key);
  }
  if (!testCache.has('test:mnist')) {
    const names = ['test10k-images.idx.gz', 'test10k-labels.idx.gz'];
    const [img, lab] = await fetchData(names);
    try {
      testCache.set('test:mnist', LabTestSet.fromIdx(img, lab));
    } catch (e) {
      if (isPanic(e)) throw e;
      throw damaged(names.join(' or '), e.message);
    }
  }
  return testCache.get('test:mnist');
}

async function dataFor(cfg) {
  if (cfg.data === 'synthetic') {
    const nTrain = Number(cfg.train_n), nTest = Number(cfg.val_n);
    const key = `synthetic:${nTrain}:${nTest}:${cfg.seed}`;
    if (!dataCache.has(key)) {
      status('synthetic', 'generating synthetic digits');
      for (const k of [...dataCache.keys()]) if (k.startsWith('synthetic:')) { dataCache.get(k).free?.(); dataCache.delete(k); }
      dataCache.set(key, LabData.synthetic(nTrain, nTest, Number(cfg.seed)));
    }
    return dataCache.get(key);
  }
  return mnist(Number(cfg.train_n) > 10000);
}

async function configure(cfg, id) {
  running = false;
  buildId = id;
  generation++;
  const myGen = generation;
  config = { ...cfg };
  if (trainer) { trainer.free?.(); trainer = null; }
  peer.forget();
  let layout;
  try {
    checkSettings(config);
  } catch (e) {
    report(e, isPanic(e) ? 'engine' : 'config', id, 'setting');
    return;
  }
  try {
    layout = describe(config);
  } catch (e) {
    report(e, isPanic(e) ? 'engine' : 'config', id, 'design');
    return;
  }
  let data;
  try {
    data = await dataFor(config);
  } catch (e) {
    if (myGen !== generation) return;
    report(e, isPanic(e) ? 'engine' : e.scope || 'engine', id);
    return;
  }
  if (myGen !== generation) return; // a newer configure arrived while the data loaded
  try {
    // `config`, not `cfg`: live settings changed while the data loaded are in it
    trainer = new LabTrainer(data, config);
  } catch (e) {
    report(e, isPanic(e) ? 'engine' : 'config', id, 'setting');
    return;
  }
  stepsPerChunk = 1;
  diagnosisSerial = 0;
  lastStep = 0;
  peer.build(config);
  postBuild({
    type: 'built',
    layers: layout.layers, params: layout.params,
    layerNames: Array.from(trainer.layerNames),
    trainCount: trainer.trainCount, valCount: trainer.valCount,
    synthetic: !!trainer.synthetic,
    classCounts: Array.from(trainer.classCounts), corruptedCount: trainer.corruptedCount,
    start: trainer.startReading(), // before the first step: the untrained net's loss and logit spread
    watch: trainer.predictionImages(), // the digits whose answers the page follows epoch by epoch
    predictions: trainer.predictions(), // the untrained net's answers for them (epoch 0)
  });
  // The stability meter's first estimate (as long as some twenty training steps), made now, while the learner looks
  // at the new network, instead of inside the first step after Start: the same numbers (src/train/sharpness.rs,
  // measure_before_start). A job like the others: a Start that comes sooner waits for it, as it waited for the step.
  const built = trainer;
  exclusive(() => { if (trainer === built) built.measureBeforeStart(); }).catch((e) => report(e));
}

// ------------------------------------------------------------ the epoch loop (src/train/advance.rs)
// The engine owns the loop's order: `trainer.advance(budget)` trains up to `budget` steps (the run's first step
// alone), stops at an epoch's last step, validates in the calls after it, and says what happened as events
// (`steps`, `epochEnded`, `validated`, `diverged`, `stopped`); the worker posts them and decides only when to call
// again (chunk sizes, yields, the job queue). On two cores the worker follows the same order itself
// (splitAdvance), because there each step waits for the helper's answer.

/**
 * The next events of the two-core run, in the shapes `LabTrainer.advance` returns; null if the trainer was
 * replaced meanwhile. The order is `Trainer::advance_on`'s (src/train/advance.rs), written again here because
 * the helper worker answers over a MessagePort: a wasm call cannot wait for a message, so the worker awaits each
 * share between `splitStep`/`joinStep` (and `splitEval`/`joinEval`) itself. It differs in two ways: the job says
 * whether a validation pass is under way (`validating`; one core's is kept in the engine), and a validation
 * chunk is always peer.evalChunk's 512 samples, 256 on each worker, whatever the budget.
 */
async function splitAdvance(budget, validating, gone) {
  if (validating) {
    const done = await peer.evalChunk(trainer, gone);
    if (gone()) return null;
    // step(0) trains nothing: its report gives the status the pass left (an early stop)
    return done ? [{ kind: 'validated', report: trainer.evalReport() }, ...endOf(trainer.step(0))] : [];
  }
  if (!(await peer.trainSteps(trainer, lastStep === 0 ? 1 : budget, gone))) return null;
  const r = trainer.takeSteps();
  const events = r.loss.length ? [{ kind: 'steps', report: r }] : [];
  if (r.epochDone) events.push({ kind: 'epochEnded', summary: trainer.epochSummary() });
  return events.concat(endOf(r));
}

/** The ending event of a step report's status, as `advance` reports it; none while the run goes on. */
function endOf(r) {
  if (r.status === 'diverged') return [{ kind: 'diverged', step: r.divergedAt ?? r.step, message: r.message }];
  if (r.status === 'stopped') return [{ kind: 'stopped', epoch: r.stoppedAt, bestEpoch: r.bestEpoch, message: r.message }];
  return [];
}

/**
 * One training job: a call of `advance(budget)` and, when its steps end an epoch, that epoch's validation pass in
 * further calls of about VAL_CHUNK samples each, yielding between them (pause and live settings get in; no other
 * job does, so every pass evaluates one set of weights). `timed(n, ms)` hears how long the n steps took, posting
 * included. The job keeps the cores it started on: a pass ends on the path that began it. False once training
 * may not go on (the run ended, or the trainer was replaced).
 */
async function trainJob(budget, myGen, timed) {
  const gone = () => myGen !== generation || !trainer;
  if (gone()) return false;
  const split = peer.attached;
  const next = (b, validating) => (split ? splitAdvance(b, validating, gone) : trainer.advance(b));
  let summary = null;
  let validating = false;
  let goOn = true;
  const react = (events) => {
    for (const e of events) {
      switch (e.kind) {
        case 'steps':
          postSteps(e.report);
          break;
        case 'epochEnded':
          summary = e.summary;
          validating = true;
          break;
        case 'validated':
          validating = false;
          postEpoch(summary ?? trainer.epochSummary(), e.report);
          break;
        case 'diverged':
        case 'stopped':
          postEnd(e);
          goOn = false;
          return;
        default:
          break;
      }
    }
  };
  const t0 = performance.now();
  const first = await next(budget, false);
  if (!first) return false;
  react(first);
  const steps = first.find((e) => e.kind === 'steps');
  timed?.(steps ? steps.report.loss.length : 0, performance.now() - t0);
  if (!goOn || !validating) return goOn;
  // `advance` validates budget × batch samples a call (rounded up to whole batches of 64)
  const valBudget = Math.ceil(VAL_CHUNK / Number(config.batch));
  const validate = async () => {
    const events = await next(valBudget, true);
    if (events) react(events);
    if (events && validating && goOn) postEstimate(summary);
    return !events || !goOn || !validating;
  };
  return (await inChunks(validate, gone)) && goOn;
}

function postSteps(r) {
  lastStep = r.step;
  const msg = {
    type: 'progress',
    loss: r.loss, acc: r.acc, cleanLoss: r.cleanLoss, noisyLoss: r.noisyLoss, gradNorms: r.gradNorms,
    step: r.step, epoch: r.epoch, stepInEpoch: r.stepInEpoch, stepsPerEpoch: r.stepsPerEpoch,
    epochDone: r.epochDone, status: r.status, batch: Number(config.batch),
  };
  postBuild(msg, [r.loss.buffer, r.acc.buffer, r.cleanLoss.buffer, r.noisyLoss.buffer, r.gradNorms.buffer]);
  postDiagnosis();
}

/** Posts the trainer's diagnosis when it made a new one (after the first steps, every few hundred
 * steps, at each validation pass and when training stops). */
function postDiagnosis() {
  const serial = trainer.diagnosisSerial;
  if (serial === diagnosisSerial) return;
  diagnosisSerial = serial;
  postBuild({ type: 'diagnosis', diagnosis: trainer.diagnosis() });
}

/** What the validation pass under way after epoch `summary.epoch` has counted so far, once it has enough
 * samples for an estimate (src/train/evaluate.rs): the loss and accuracy so far and the half-widths of their
 * 95% intervals for the complete pass, with the epoch's training figures (`summary`, final already). The page
 * shows it until the 'epoch' message brings the pass's figures. */
function postEstimate(summary) {
  const p = trainer.partialEval();
  if (p && summary) postBuild({ type: 'estimate', epoch: summary.epoch, summary, ...p });
}

/** A finished epoch: its training figures (`summary`), the validation pass that followed it (`rep`), the layer
 * statistics and the best epoch so far. */
function postEpoch(summary, rep) {
  postBuild({
    type: 'epoch',
    summary,
    report: { valLoss: rep.valLoss, valAcc: rep.valAcc, recall: Array.from(rep.recall), confusion: Array.from(rep.confusion) },
    stats: trainer.layerStats(),
    bestEpoch: trainer.bestEpoch ?? null,
    weightsEpoch: trainer.weightsEpoch ?? null,
    predictions: trainer.predictions(), // the watched digits' answers, taken after this validation pass
  });
  postDiagnosis();
}

/** The run ended: diverged, or early stopping (the `early_stop` setting) after a validation pass, a normal
 * stop. Nothing more is trained. */
function postEnd(e) {
  running = false;
  postDiagnosis();
  if (e.kind === 'diverged') {
    postBuild({ type: 'diverged', step: e.step, message: e.message || 'the loss became NaN or infinite' });
  } else {
    // early stopping restored the best epoch's weights (src/train/early_stop.rs)
    postBuild({ type: 'stopped', epoch: e.epoch, bestEpoch: e.bestEpoch, weightsEpoch: trainer.weightsEpoch ?? null, message: e.message });
  }
}

/**
 * Trains while `running`, one job per chunk: `advance` sized to last ~CHUNK_TARGET_MS and, when it ends an epoch,
 * the validation pass. Jobs asked for meanwhile (a scan, a range test, a classification) run between two chunks.
 * Stops when paused, rebuilt, when the run ended, or when a 'run' started a newer loop.
 */
async function loop(no) {
  const myGen = generation;
  const mine = () => running && no === loopNo && myGen === generation && !!trainer;
  while (mine()) {
    let goOn;
    try {
      goOn = await exclusive(() => {
        if (!mine()) return false; // paused or rebuilt while the job waited its turn
        return trainJob(stepsPerChunk, myGen, (n, ms) => adaptChunk(n || 1, ms));
      });
    } catch (e) {
      report(e);
      return;
    }
    if (!goOn) return;
    await yieldNow();
  }
}

/** Sizes the next chunk so it lasts ~CHUNK_TARGET_MS; moves gently so one slow chunk does not swing it. */
function adaptChunk(n, dt) {
  const perStep = Math.max(dt / n, 0.01);
  const want = Math.max(1, Math.min(MAX_STEPS_PER_CHUNK, Math.round(CHUNK_TARGET_MS / perStep)));
  stepsPerChunk = Math.max(1, Math.round(Math.min(want, stepsPerChunk * 2, Math.max(want, stepsPerChunk / 2))));
}

/** Scans the whole training set for per-sample losses in chunks, yielding between them, as one job (a run that
 * is training pauses for the scan, ~0.5 s for 10 000 images, then goes on). Requests that arrive while a scan
 * is queued or under way share it. Resolves with the k highest-loss samples. */
async function lossScan(k) {
  if (!trainer) throw new Error('nothing is built yet');
  if (!scanning) {
    const myGen = generation;
    const gone = () => myGen !== generation || !trainer;
    scanning = exclusive(async () => {
      if (gone() || !(await inChunks(() => trainer.lossScanChunk(SCAN_CHUNK), gone))) {
        throw new Error('the network was rebuilt before the scan finished');
      }
      return lastStep; // the weights scanned: those after this step
    }).finally(() => { scanning = null; });
  }
  const step = await scanning;
  const r = trainer.lossScanReport(Number(k));
  if (!r) throw new Error('the loss scan left no report');
  return {
    items: Array.from(r.items), images: r.images,
    corruptedShareTop: r.corruptedShareTop, corruptedShareAll: r.corruptedShareAll,
    trainCount: trainer.trainCount, step,
  };
}

/** The learning-rate range test (src/train/lrfind.rs) in chunks, yielding between them, as one job;
 * afterwards the weights and the optimizer state are exactly as before. Resolves with the engine's report. */
function lrFind(msg) {
  return exclusive(async () => {
    if (!trainer) throw new Error('nothing is built yet');
    const myGen = generation;
    const gone = () => myGen !== generation || !trainer;
    trainer.lrFindStart(!!msg.fresh, Number(msg.start ?? 1e-6), Number(msg.end ?? 10), Number(msg.steps ?? 100));
    if (!(await inChunks(() => trainer.lrFindChunk(LR_FIND_CHUNK), gone))) {
      throw new Error('the network was rebuilt before the range test finished');
    }
    const r = trainer.lrFindReport();
    if (!r) throw new Error('the range test left no report');
    return {
      lrs: r.lrs, losses: r.losses, raw: r.raw, suggestions: r.suggestions, suggestion: r.suggestion,
      blewUpAt: r.blewUpAt, fresh: r.fresh, start: r.start, end: r.end, steps: r.steps,
    };
  });
}

/** "Overfit one batch" (src/train/overfit.rs) in chunks, as one job: a fresh copy of the network trains on the first
 * training images (with blank, on all-zero inputs: "zero the inputs"); the run itself is not touched. Resolves with
 * the engine's report. */
function overfit(msg) {
  return exclusive(async () => {
    if (!trainer) throw new Error('nothing is built yet');
    const myGen = generation;
    const gone = () => myGen !== generation || !trainer;
    trainer.overfitStart(Number(msg.images ?? 32), Number(msg.steps ?? 300), !!msg.blank);
    if (!(await inChunks(() => trainer.overfitChunk(OVERFIT_CHUNK), gone))) {
      throw new Error('the network was rebuilt before the probe finished');
    }
    const r = trainer.overfitReport();
    if (!r) throw new Error('the probe left no report');
    return {
      blank: r.blank, images: r.images, steps: r.steps, losses: r.losses, lastLoss: r.lastLoss, level: r.level,
      labelEntropy: r.labelEntropy, acc: r.acc, diverged: r.diverged, fitted: r.fitted, fittedLoss: r.fittedLoss,
      settled: r.settled,
    };
  });
}

/** The ten class probabilities of one 28×28 image (784 grey levels 0…1: the drawing pad's) under the current
 * weights, in evaluation mode: one forward pass, as a job between two chunks of training (a range test moves
 * the weights and puts them back only at its end, so it is never interrupted). */
function classify(pixels) {
  return exclusive(() => {
    if (!trainer) throw new Error('nothing is built yet');
    const probs = trainer.classify(pixels instanceof Float32Array ? pixels : Float32Array.from(pixels));
    return { probs, step: lastStep };
  });
}

/** Every layer's output for validation image `index` ("What every layer sees", src/train/activations.rs) under
 * the current weights, in evaluation mode: one forward pass of one image, as a job between two chunks of training. */
function activations(index) {
  return exclusive(() => {
    if (!trainer) throw new Error('nothing is built yet');
    return { ...trainer.activations(index), step: lastStep };
  });
}

/** The final check (src/train/final_test.rs): the current weights on the test set, in chunks, yielding between
 * them, as one job between two chunks of training. Resolves with the engine's figures and which weights they are
 * (steps trained, the epoch whose weights the net holds: null in the middle of an epoch). */
async function finalTest() {
  if (!trainer) throw new Error('nothing is built yet: wait for the network, train it, then test it');
  const myGen = generation;
  const gone = () => myGen !== generation || !trainer;
  const set = await testSetFor(config);
  return exclusive(async () => {
    if (gone()) throw new Error('the network was rebuilt before the test began');
    if (!(await inChunks(() => trainer.testChunk(set, TEST_CHUNK), gone))) {
      throw new Error('the network was rebuilt before the test finished');
    }
    const r = trainer.testReport();
    if (!r) throw new Error('the test left no report');
    return {
      loss: r.loss, acc: r.acc, perClassRecall: Array.from(r.recall), count: r.count, step: r.step,
      weightsEpoch: r.weightsEpoch ?? null, synthetic: !!set.isSynthetic,
    };
  });
}

/** Engine answers the page asks for outside any build. */
function reply(msg) {
  switch (msg.type) {
    case 'engineConfig':
      return { config: trainer ? trainer.config() : null };
    case 'freshSeed':
      return { seed: freshSeed() };
    case 'sandbox': {
      // a pure function of its arguments: it reads no trainer, so it need not wait for a training chunk's job
      const r = sandbox(msg.config, Number(msg.a), Number(msg.b), Number(msg.x0), Number(msg.y0), Number(msg.steps));
      return {
        path: r.path, threshold: r.threshold, onset: r.onset, verdict: r.verdict, axis: r.axis,
        axes: Array.from(r.axes, (a) => ({ ...a })), adamRatios: r.adamRatios,
      };
    }
    case 'batchView': {
      if (!trainer) return { error: 'nothing is built yet' };
      const v = trainer.batchView(Number(msg.n));
      return {
        count: v.count, images: v.images, labels: v.labels, trueLabels: v.trueLabels,
        corrupted: v.corrupted, flipped: v.flipped, rotated: v.rotated, transformed: v.transformed, step: lastStep,
      };
    }
    case 'weights': {
      if (!trainer) return { error: 'nothing is built yet' };
      const w = trainer.weights(Number(msg.i));
      return { shape: Array.from(w.shape), data: w.data };
    }
    case 'sharpness':
      if (!trainer) return { error: 'nothing is built yet' };
      return { ...trainer.sharpness(), lastStep };
    case 'stepLine':
      // 41 forward passes of the last batch, between two chunks of training (src/train/sharpness.rs)
      if (!trainer) return { error: 'nothing is built yet' };
      return { line: trainer.stepLine() };
    case 'actHistory':
      if (!trainer) return { error: 'nothing is built yet' };
      return { history: trainer.activationHistory(), lastStep };
    default:
      return { error: `unknown request ${msg.type}` };
  }
}

self.onmessage = async (e) => {
  const msg = e.data;
  // a step or a run of a replaced build, or one sent before the engine loaded, has nothing to act on
  const current = msg.id === undefined || msg.id === buildId;
  try {
    switch (msg.type) {
      case 'init': {
        engine = init();
        prefetch(msg.prefetch); // reads the files now, parses them once the engine is ready
        await engine;
        post({ type: 'ready' });
        break;
      }
      case 'prefetch':
        prefetch(msg.key);
        break;
      case 'configure':
        await configure(msg.config, msg.id);
        break;
      case 'set':
        if (!current) return;
        config = { ...config, [msg.key]: msg.value };
        // without a trainer the value waits in `config`, which the build under way reads
        if (trainer) trainer.set(msg.key, String(msg.value));
        break;
      case 'run':
        if (!current || !trainer || running) return;
        running = true;
        // its chunks queue behind a validation pass under way, which finishes on the weights it started with
        loop(++loopNo);
        break;
      case 'peer':
        peer.attach(msg.port || null);
        break;
      case 'pause':
        running = false;
        // Messages arrive in order: every progress of a chunk trained before this pause is already on its way.
        // (A validation pass under way still finishes and posts its epoch; no further steps are trained.)
        post({ type: 'paused' });
        break;
      case 'step': {
        if (!current || !trainer || running) return;
        await exclusive(() => {
          if (msg.id !== buildId || !trainer || running) return;
          return trainJob(1, generation);
        });
        break;
      }
      case 'engineConfig':
      case 'freshSeed':
      case 'sandbox':
      case 'batchView':
      case 'weights':
      case 'sharpness':
      case 'actHistory':
      case 'stepLine': {
        await engine;
        const answer = reply(msg);
        const transfer = Object.values(answer).filter((v) => ArrayBuffer.isView(v)).map((v) => v.buffer);
        post({ type: 'reply', req: msg.req, ...answer }, transfer);
        break;
      }
      case 'lossScan': {
        await engine;
        const answer = await lossScan(msg.k);
        post({ type: 'reply', req: msg.req, ...answer }, [answer.images.buffer]);
        break;
      }
      case 'classify': {
        await engine;
        const answer = await classify(msg.pixels);
        post({ type: 'reply', req: msg.req, ...answer }, [answer.probs.buffer]);
        break;
      }
      case 'activations': {
        await engine;
        const answer = await activations(msg.index);
        const transfer = [answer.logits.buffer, answer.probs.buffer, ...answer.layers.flatMap((l) => [l.values.buffer, l.channels.buffer])];
        post({ type: 'reply', req: msg.req, ...answer }, transfer);
        break;
      }
      case 'test': {
        await engine;
        post({ type: 'reply', req: msg.req, ...(await finalTest()) });
        break;
      }
      case 'overfit': {
        await engine;
        const answer = await overfit(msg);
        post({ type: 'reply', req: msg.req, ...answer }, [answer.losses.buffer]);
        break;
      }
      case 'lrFind': {
        await engine;
        const answer = await lrFind(msg);
        post({ type: 'reply', req: msg.req, ...answer }, [answer.lrs.buffer, answer.losses.buffer, answer.raw.buffer]);
        break;
      }
      default:
        break;
    }
  } catch (err) {
    if (msg.req !== undefined) post({ type: 'reply', req: msg.req, error: err && err.message ? err.message : String(err) });
    else report(err, msg.type === 'set' ? 'set' : 'engine');
  }
};
