/**
 * Automation and classroom scripting: `window.lossLab` (README.md, "Scripting the page").
 *
 *   lossLab.config()            -> the current full configuration {key: value} (keys of docs/ARCHITECTURE.md)
 *   lossLab.engineConfig()      -> Promise of the trainer's own configuration {key: "engine text"} as the worker's
 *                                  trainer reports it (null while nothing is built): what the network really trains with
 *   lossLab.history()           -> { epochs: [{epoch, trainLoss, trainAcc, valLoss, valAcc, cleanLoss, cleanAcc,
 *                                   noisyLoss, noisyAcc, clipFrac (share of the epoch's steps clipped by `clip`),
 *                                   bestEpoch (epoch of the lowest validation loss so far),
 *                                   recall: [10], confusion: [100] (row = true digit),
 *                                   gradNorms, weightNorms, updateRatios, deadFracs, satFracs, actMeans, actStds:
 *                                   {layer: value} (the epoch's last training step)}],
 *                                   steps, status: 'idle'|'running'|'paused'|'diverged'|'stopped' (early stopping,
 *                                   a normal end)|'error'|'loading',
 *                                   divergedAt, message,
 *                                   start: null (nothing built) or the untrained net's reading, taken before the first
 *                                     step: { loss (nats, on the first validation images), spread (σ of each image's
 *                                     ten logits), labelBlind (logsumexp − mean logit), predicted (ln 10 + σ²/2),
 *                                     count (images) },
 *                                   pinned: null (nothing pinned) or the pinned run, live while it races:
 *                                     { epochs: [rows as above], steps, raced: bool, config: {key: value} at pin time,
 *                                       status: 'pinned' (a frozen copy) | 'loading'|'idle'|'running'|'paused'|'diverged'|'error',
 *                                       divergedAt, message } }
 *                                  (losses in nats; accuracies and recall as fractions 0…1)
 *   lossLab.apply(partial)      -> validates {key: value} exactly like the URL does, applies it and returns the
 *                                  list of notices (strings) about values that were refused (the value in force
 *                                  stays) or ignored. Changing a reset setting rebuilds the network from the seed;
 *                                  live settings (kind 'live' in src/config.rs SETTINGS, www/state.js LIVE_KEYS)
 *                                  apply at the next step, also during a rebuild.
 *   lossLab.preset(id)          -> loads a lesson (ids in www/presets.json), as the buttons do
 *   lossLab.start(), .pause(), .step(), .reset()   (act on the raced pinned run too; start() and step() return a
 *                                  Promise and first wait for a rebuild in progress, like ready())
 *                                  pause() returns a Promise resolved once the worker(s) confirmed: no further
 *                                  steps will arrive (a validation pass under way may still post its epoch)
 *   lossLab.pin(), .unpin()     -> as the "Pin this run" and "Clear pin" buttons
 *   lossLab.race(on = true)     -> as the "Race the pinned run" box: trains the pinned configuration again in a second
 *                                  worker, side by side with the current run, both from epoch 0 (needs a pin);
 *                                  race(false) also drops a race on several seeds
 *   lossLab.race(true, {seeds: 3, epochs: 2})
 *                               -> as the "Race on 3 seeds" button: the current configuration and the pinned one each
 *                                  trained on 3 seeds (each side its own s, s+1, s+2) for `epochs` (1–10), 6 runs, two
 *                                  at a time, one core each (the page's own run pauses; starting it, a rebuild or a
 *                                  new pin drops the race); the loss and accuracy charts draw each side as its mean
 *                                  over the seeds with a lowest–highest band. Promise of seedRace()'s result once
 *                                  every run is final; rejects, in words, without a pin or with other seeds/epochs
 *   lossLab.seedRace()          -> the race on several seeds the charts show, or null: { state: 'running'|'paused'|
 *                                  'done'|'cancelled', epochs, runs (6), sides: [{ side: 'current'|'pinned', config,
 *                                  seeds: [3], runs: [{seed, status, epochs: [history rows], divergedAt, message}],
 *                                  valLoss, valAcc: {mean, lo, hi, n} over the seeds that finished every epoch (the
 *                                  last epoch's figure; null for none) }], verdict: 'inside' (the two sides' ranges of
 *                                  validation loss overlap: seed noise, not a winner) | 'apart' | 'unmeasured' (a side
 *                                  has under two finished seeds), gap (|difference of the means|), width (the wider
 *                                  range) }
 *   lossLab.ready()             -> Promise resolved once the network for the current configuration is built
 *                                  (and, while racing, the pinned run's network too, or it failed);
 *                                  rejects with the message if it cannot be built, the data are missing or the
 *                                  browser cannot run the engine
 *   lossLab.whenEpoch(n)        -> Promise resolved with the history row of epoch n once its point is drawn;
 *                                  rejects if the run diverges, fails or is reset before getting there
 *   lossLab.whenEpochPoint(n)   -> Promise resolved once epoch n has a validation point on the charts: the estimate of
 *                                  its pass under way ({epoch, count, total, loss, lossHalf, acc, accHalf}, drawn as a
 *                                  hollow point with its 95% interval from 2,048 images on), or its history row if
 *                                  the complete pass came first; rejects as whenEpoch does
 *   lossLab.diagnosis()         -> the engine's latest diagnosis of the current run as a plain copy, or null before
 *                                  the first one (it reads the run after 20 steps, every 200 steps, after each
 *                                  validation pass and when training diverges; every rebuild clears it):
 *                                  { healthy: bool (nothing at warn or alarm), step, epoch, serial,
 *                                    findings: [{ symptom, severity: 'alarm'|'warn'|'info', title,
 *                                                 evidence: [{metric, words, layer, value, threshold}] (a threshold
 *                                                   of null: the figure is context, not a test),
 *                                                 causes: [cause ids, most likely first], names: [one per cause],
 *                                                 why: [one per cause],
 *                                                 experiment }] (most severe first),
 *                                    noiseCheck: null | { top, corruptedInTop, corruptedOverall } }
 *   lossLab.reportCard()        -> opens "How reliable is this card?" and resolves to its figures (null when
 *                                  www/report-card.json could not be read): { runs, named, lower (Wilson
 *                                  95% lower bound), seeds, rank, healthy: {conditions, runs, falseAlarms},
 *                                  byCause: [{ causes, title, conditions, runs, named, knownMiss: [text],
 *                                              said: [{cause, name, count}] (its first cause when not the true one) }] }
 *   lossLab.batchView(n = 16)   -> Promise of the first n images of the last training batch as the network received
 *                                  them (after augmentation and noise): { count (0 before the first step), step,
 *                                  images: [count×784 grey levels 0–255, row-major], labels: [trained on],
 *                                  trueLabels: [before label noise], corrupted, flipped, rotated (180°),
 *                                  transformed (warp, intensity jitter or pixel noise): [0/1 each] }
 *   lossLab.highestLoss(k = 16) -> Promise of the k training images with the highest loss under the current weights
 *                                  (clean images, the labels they are trained on; the worker scans the whole
 *                                  training set in chunks and training waits for it): { items: [{ index, label,
 *                                  trueLabel, predicted, prob, loss, corrupted: bool }] (highest loss first),
 *                                  images: [k×784 raw grey levels], corruptedShareTop, corruptedShareAll (0…1),
 *                                  trainCount, step }
 *   lossLab.classify(pixels)    -> Promise of the current network's answer for one 28×28 image (784 grey levels 0…1,
 *                                  0 = background, row-major as MNIST; the "Draw a digit" pad sends its drawing), in
 *                                  evaluation mode with the input scaling of training: { probs: [10] (sum 1; NaN
 *                                  when the weights are not finite), digit (the most likely, null when NaN), step
 *                                  (steps trained; 0 = an untrained net) }; training is not disturbed
 *   lossLab.activations(index)  -> Promise of what every layer makes of validation image `index` (an integer from 0 to
 *                                  the validation count − 1), under the current weights in evaluation mode, as the
 *                                  "What every layer sees" panel shows it: { index, label, layers: [{ name, kind
 *                                  ('conv', 'batchnorm', 'relu', 'pool', 'dense', …), shape: [c, h, w], values:
 *                                  Float32Array (c×h×w), dead (channels 0 at every position), flat (sigmoid/tanh
 *                                  channels spread under 1% of the range), channels: [0 live | 1 dead | 2 flat] }] (plan
 *                                  order without the flatten; the last layer's values are the logits), logits: [10],
 *                                  probs: [10] (softmax, sum 1; NaN when the logits are not finite), predicted (null
 *                                  when NaN), step }; training is not disturbed; rejects, in words, for an index that
 *                                  is not an integer in range or while nothing is built; while a mystery hides its
 *                                  settings an activation layer is named by its place ('act2') with kind 'activation'
 *                                  and the BatchNorm layers are left out
 *   lossLab.activationHistory() -> Promise of every activation layer's histograms over training, as the "Activations over
 *                                  training" maps show them (src/train/acthist.rs): { steps: [the first step of each
 *                                  column; a column every 10 steps, merged in pairs past 400 columns], every (the cadence
 *                                  now), layers: [{ name, after (the layer it follows), activation, scale ('log2': a ≈ 0
 *                                  row and one row per power of two; 'linear': sigmoid's and tanh's range), edges:
 *                                  [rows + 1] (bottom first; ±Infinity at a log scale's ends), columns: [[counts per
 *                                  row, bottom first]], saturated: [per column, values within 0.01 of a sigmoid's or
 *                                  tanh's ends], reading (the last column in the caption's words) }] }; reading it
 *                                  computes nothing (www/views/acthist.js installs it); while a mystery hides its
 *                                  settings: name by place ('act2'), activation null
 *   lossLab.sandbox(valley)     -> Promise of the 2-D sandbox ("The same law in two dimensions"): the lab's optimizer with
 *                                  the page's current opt, lr, mom, b1, b2 and eps, run by the engine (src/sandbox.rs) for
 *                                  200 steps on f(x, y) = ½(a·x² + b·y²); valley {a, b} (optional) sets the curvatures as
 *                                  the panel's inputs do (0.01 … 100000). Resolves to { opt, lr, mom, b1, b2, eps, a, b,
 *                                  start: [x, y], steps, lambdaMax (max(a, b)), ratio (η·λ_max; Adam: η·λ/P at the last
 *                                  step, P = √v̂ + ε), threshold (2, 2(1 + μ), Nesterov's 2(1 + μ)/(1 + 2μ), Adam's
 *                                  2(1 + β1)/(1 − β1)), onset (η·λ where swings begin; null for Adam), verdict
 *                                  ('converges' | 'oscillates' | 'edge' | 'diverges'; Adam, observed: 'converges' |
 *                                  'unsettled' | 'diverges'), axis ('x' | 'y': the one that decides), axes: [{ lambda,
 *                                  ratio, verdict, rate (|error| factor per step; null for Adam) }] (x, y), path: [[x, y]
 *                                  …] (start first; shorter when it left for good), adamRatios ([[x, y]] per step, or
 *                                  null), reading (the panel's sentence), shown (steps the panel draws) }
 *   lossLab.sharpness()         -> Promise of the stability meter's estimates so far (src/train/sharpness.rs), oldest
 *                                  first: [{ step (steps trained when taken; 0 = before the first), lambdaMax (top
 *                                  Hessian eigenvalue of the loss on a fixed batch of 32 training images; Adam: of
 *                                  P⁻¹H, the preconditioned sharpness), lr (the next step's rate), threshold (2 SGD,
 *                                  2(1 + μ) momentum, (2 + 2μ)/(1 + 2μ) Nesterov, (2 + 2β1)/(1 − β1) Adam), ratio
 *                                  (lr·lambdaMax/threshold: above 1 unstable), preconditioned }]; one before the first
 *                                  step (Adam: after it), then every 250 steps; reading it computes nothing
 *   lossLab.stepLine()          -> Promise of the loss along the last step: { step, t: [−1 … 3, 41 points] (−1: the
 *                                  weights before the last update, 0: now, 1: one more equal step), loss: [41] (the
 *                                  last batch's loss there, training mode), tMin (lowest point), overshoot (1/(tMin +
 *                                  1): how far the step went relative to the lowest point along it), reading (the
 *                                  sentence the panel shows) }, or null before the first step; training is not disturbed
 *                                  (www/views/stability.js installs both)
 *   lossLab.test()              -> Promise of the final check, as the "Test the final network" button: the current
 *                                  weights measured once on the 10,000 MNIST test images (nothing else reads them:
 *                                  every curve, sweep, race and early stop uses the validation split, MNIST training
 *                                  images 50,000–59,999); resolves to { loss, acc, perClassRecall: [10], count, step,
 *                                  weightsEpoch (as in history(); null: mid-epoch) }; rejects, in words, before
 *                                  anything is trained, while nothing is built, or when the test files are missing
 *   lossLab.probe(name)         -> Promise of one of the recipe's probes, as the "Check the pipeline" panel runs it, on
 *                                  a fresh copy of the network (the run is not touched): 'overfit' (32 training images
 *                                  for 300 steps) -> { name, expected (the sentence said before it runs), measured:
 *                                  { lastLoss, acc, steps, images, diverged }, verdict ('fitted' or 'not fitted'),
 *                                  evidence (the sentence shown) }; 'zero-inputs' (32 images, every pixel 0, 400
 *                                  steps) -> { ..., measured: { level, labelEntropy, runLoss (the run's last epoch
 *                                  training loss, null before one), steps, images, diverged }, verdict ('settled' or
 *                                  'not settled') }; 'init-loss' (no training: the untrained net's first loss, read
 *                                  when the network was built on the first 256 validation digits) -> { ..., measured:
 *                                  { loss, spread (σ of the ten outputs), labelBlind, predicted (ln 10 + σ²/2), lnK,
 *                                  count, level, steps: 0 }, verdict ('at chance', 'above chance' (both pass), 'far
 *                                  above chance' (over 3 × ln 10) or 'not finite') }; 'predictions' (no training: 16
 *                                  fixed validation digits' probabilities, untrained and after every epoch) -> { ...,
 *                                  measured: { epochs: [0, 1, …], images: [{ index, label, probs: [[10] per epoch] }],
 *                                  meanOnLabels: [per epoch], learningRise }, verdict ('learning' when the mean
 *                                  probability on the labels rose by learningRise (0.1) since epoch 0 and at least half
 *                                  are right, 'not learning',
 *                                  or 'not trained yet' before the first epoch) }; rejects, in words, for an unknown
 *                                  name or while nothing is built
 *   lossLab.cores()             -> {n: cores the current run trains on now (1 or 2), chosen: the Cores menu's choice,
 *                                  note: why it trains on fewer than chosen ('' when it does not)}; a raced pinned
 *                                  run and the current run train on one core each
 *   lossLab.setCores(n)         -> as the Cores menu: 2 splits every batch between two workers, 1 trains in one
 *   lossLab.findLr(options)     -> Promise of a learning-rate range test on the current run (the "Find a learning
 *                                  rate" panel, which opens and shows it): options {fresh: false (current weights) |
 *                                  true (a fresh net, same seed), start: 1e-6, end: 10, steps: 100}; resolves to
 *                                  { lrs, losses (smoothed, β 0.98, debiased), raw (each mini-batch's loss),
 *                                    suggestions: {valley, steep, minimum (÷ 10 already)}, suggestion (valley, else
 *                                    steep, else minimum), blewUpAt (lr where the smoothed loss passed 4× its best or
 *                                    became NaN/∞; null if it never did), fresh, start, end, steps };
 *                                  training waits for it, and the weights and optimizer state are restored afterwards
 *   lossLab.sweep({key, values, epochs = 2, seeds = 1})
 *                               -> Promise of [{ value, seed, status: 'done'|'diverged'|'error'|'cancelled', epochs: [history
 *                                  rows as above], steps, divergedAt, message }], one per run — each value in the order
 *                                  given on the first seed, then each on the next seed — once every run is final (also
 *                                  after sweepCancel()). key: a numeric setting (int, float or log in www/state.js);
 *                                  values: 3–8 of them (an array, or text "0.001, 0.01, 0.1"), each checked like the
 *                                  URL checks that setting; epochs: 1–20; seeds: 1–3 (1 for a sweep of seed itself).
 *                                  Each value trains as its own run from the current configuration with only `key`
 *                                  replaced, once per seed s, s+1, … (s the page's seed), two at a time (one per
 *                                  core); the page's own run pauses meanwhile. The panel names the value with the
 *                                  lowest mean over seeds of each run's lowest validation loss during training.
 *                                  Rejects, in words, a refused value, a sweep already running or a browser that
 *                                  cannot train.
 *   lossLab.sweepPause(on = true) -> pauses the sweep's runs (Promise resolved once their workers confirmed);
 *                                  sweepPause(false) resumes it (and pauses the page's own run again)
 *   lossLab.sweepCancel()       -> stops the runs under way and those not started (status 'cancelled'); the finished
 *                                  results stay; returns the results
 *   lossLab.sweepResults()      -> the results so far, as sweep() gives them, with 'queued', 'running' or 'paused'
 *                                  for the runs not final yet ([] before the first sweep)
 *   lossLab.exportCsv()         -> the "Download CSV" file as a string (RFC 4180): a header, then a row per training
 *                                  step (kind=step: batch loss and accuracy, clean/corrupted-label loss with label
 *                                  noise, each layer's gradient norm grad_<layer>) and after each epoch's last step a
 *                                  row for that epoch (kind=epoch: the history row's figures, per-layer columns named
 *                                  <statistic>_<layer>, recall_<digit>, confusion_<true>_<predicted>); empty cells
 *                                  where a value does not apply (columns: the header of www/export.js)
 *   lossLab.exportConfig()      -> the "Download settings (JSON)" object: { config: {key: value} (every setting), seed,
 *                                  url (a link that reproduces the run: this page with the configuration's query),
 *                                  lesson (id of the loaded lesson or null), engine: {name, version},
 *                                  trained: {steps, epochs, divergedAt}, pinned: null | {config, url}, exportedAt }
 *   lossLab.exportPng(chartId)  -> Promise of a PNG data: URL of one chart at twice its on-screen size, on white, with
 *                                  its title, the run's settings and its legend drawn in; chartId: loss, acc, grad,
 *                                  recall, ratio, share or the canvas id (chart-loss, …)
 *   lossLab.prediction()        -> the loaded lesson's question ("Predict, then run"; www/views/predict.js), or null
 *                                  when none is asked (no lesson, or predict=0): { lesson, question, options: [text],
 *                                  picked (index or null), revealed: bool, answer (index, null until revealed),
 *                                  right (bool, null until revealed) }
 *   lossLab.predict(i)          -> picks option i, as clicking its radio button does; the state, or throws if there
 *                                  is no open question or i is not one of its options
 *   lossLab.offlineReady()      -> Promise resolved with {version} once this browser has stored the page, the engine
 *                                  and the MNIST files for offline use (a copy built by `npm run dist`, through its
 *                                  service worker, www/offline.js); rejects, with the reason, where nothing will be
 *                                  stored (the dev server, a browser without service workers, a failed install)
 *   lossLab.mystery()           -> the mystery drill (mystery=1 or mystery=CLASSCODE, www/views/mystery.js), or null when none
 *                                  runs: { code, index (0-based), of, budgetLeft (experiments left), answered: bool }.
 *                                  While a mystery is open and unanswered, config(), engineConfig(), exportCsv(),
 *                                  exportConfig(), exportPng() and probe() refuse with the reason, diagnosis() is null,
 *                                  history().pinned.config is null, and apply(), preset(), pin(), unpin(), race(),
 *                                  sweep() and findLr() refuse for the whole drill
 *   lossLab.answerMystery({cause, fix})
 *                               -> commits an answer to the open mystery: cause one of the ids of the diagnosis's taxonomy
 *                                  (www/generated/catalogue.js) or 'healthy'; fix (optional) one of www/mystery/answers.js
 *                                  FIXES; returns { correct, fixRight (null without a fix), truth: { causes, settings
 *                                  (the hidden settings over the defaults, seed included) }, score: { points, total, max } };
 *                                  throws, in words, for an unknown id or when no mystery is open
 *   lossLab.spendMystery(id)    -> Promise: spends one experiment (ids: www/mystery/drill.js EXPERIMENTS) as the drill's
 *                                  panel does; resolves with the sentence logged, rejects (nothing spent) with the reason
 *   lossLab.nextMystery()       -> after an answer, the next mystery (or the summary after the last); returns mystery()
 *   lossLab.mysteryResult()     -> the result code of the answers so far (www/mystery/code.js), or null without a drill
 *   lossLab.engineBuild()       -> which build of the engine this browser runs: 'relaxed' (WebAssembly relaxed SIMD:
 *                                  fused multiply-add) or 'simd128' (www/engine/engine-build.js)
 *
 * Example: await lossLab.ready(); lossLab.apply({lr: 0.1}); lossLab.start(); await lossLab.whenEpoch(2); lossLab.pause();
 */

export { rowCopy } from './lab/record.js';

/** A copy with typed arrays as plain arrays (JSON-friendly for scripts). */
function plain(o) {
  return Object.fromEntries(Object.entries(o).map(([key, v]) => [key, ArrayBuffer.isView(v) ? Array.from(v) : v]));
}

/** lossLab.classify: checks the image in words before the engine sees it, and answers in plain arrays. */
function classify(lab, pixels) {
  if (!pixels || typeof pixels.length !== 'number' || typeof pixels === 'string') {
    return Promise.reject(new Error('classify(pixels): pixels must be an array of 784 grey levels from 0 to 1'));
  }
  if (pixels.length !== 784) return Promise.reject(new Error(`classify(pixels): an image has 784 pixels (28 × 28), not ${pixels.length}`));
  const bad = Array.prototype.findIndex.call(pixels, (v) => typeof v !== 'number' || !(v >= 0 && v <= 1));
  if (bad >= 0) return Promise.reject(new Error(`classify(pixels): pixel ${bad} is ${pixels[bad]}; grey levels are numbers from 0 to 1 (divide 0–255 values by 255)`));
  return lab.classify(pixels).then(({ probs, step }) => {
    const p = Array.from(probs);
    const finite = p.every(Number.isFinite);
    return { probs: p, digit: finite ? p.indexOf(Math.max(...p)) : null, step };
  });
}

/** lossLab.activations: checks the index in words before the engine sees it. */
function activations(lab, index) {
  const n = lab.valCount();
  if (n === null) return Promise.reject(new Error('activations(index): the network is not built yet — wait for lossLab.ready()'));
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= n) {
    return Promise.reject(new Error(`activations(index): index must be an integer from 0 to ${n - 1} (a validation image), not ${String(index)}`));
  }
  return lab.activations(index).then(({ layers, logits, probs, channels, ...rest }) => ({
    ...rest,
    layers: layers.map((l) => ({ ...l, channels: Array.from(l.channels) })),
    logits: Array.from(logits),
    probs: Array.from(probs),
  }));
}

/** Installs window.lossLab over the page's `lab` (bound to the page in www/page/public-api.js). */
export function installApi(lab) {
  const api = {
    config: lab.config,
    engineConfig: lab.engineConfig,
    history: lab.history,
    apply: (partial) => lab.apply(partial && typeof partial === 'object' ? partial : {}),
    preset: (id) => lab.preset(id),
    // A script may call start() or step() right after a change that rebuilds the network (apply, preset,
    // race): they wait for the rebuild instead of being ignored as a disabled button would be.
    start: () => lab.ready().then(lab.start),
    step: () => lab.ready().then(lab.step),
    pause: lab.pause,
    reset: lab.reset,
    pin: lab.pin,
    unpin: lab.unpin,
    race: (on = true, options) => lab.race(on, options && typeof options === 'object' ? options : undefined),
    seedRace: () => lab.seedRace(),
    ready: lab.ready,
    whenEpoch: lab.whenEpoch,
    whenEpochPoint: lab.whenEpochPoint,
    diagnosis: () => {
      const d = lab.diagnosis();
      return d ? structuredClone(d) : null;
    },
    reportCard: () => lab.reportCard().then((s) => (s ? structuredClone(s) : null)),
    batchView: (n = 16) => lab.batchView(n).then(plain),
    highestLoss: (k = 16) => lab.highestLoss(k).then(plain),
    classify: (pixels) => classify(lab, pixels),
    activations: (index) => activations(lab, index),
    sandbox: (valley) => lab.sandbox(valley && typeof valley === 'object' ? valley : {}),
    test: () => lab.test(),
    probe: (name) => lab.probe(String(name)),
    cores: () => lab.cores(),
    setCores: (n) => lab.setCores(Number(n)),
    findLr: (options = {}) => lab.findLr(options && typeof options === 'object' ? options : {}).then(plain),
    sweep: (spec) => lab.sweep(spec && typeof spec === 'object' ? spec : {}),
    sweepPause: (on = true) => lab.sweepPause(on !== false),
    sweepCancel: () => lab.sweepCancel(),
    sweepResults: () => lab.sweepResults(),
    mystery: () => lab.mystery(),
    answerMystery: (answer) => lab.answerMystery(answer && typeof answer === 'object' ? answer : {}),
    spendMystery: (id) => lab.spendMystery(String(id)),
    nextMystery: () => lab.nextMystery(),
    mysteryResult: () => lab.mysteryResult(),
  };
  window.lossLab = api;
  return api;
}

/** Adds the export calls (www/export.js) to window.lossLab: exportCsv(), exportConfig(), exportPng(chartId). */
export function installExportApi(exp, hidden = () => false) {
  const refuse = (what) => new Error(`${what}: the settings of a mystery stay hidden until you answer it (lossLab.answerMystery)`);
  Object.assign(window.lossLab, {
    exportCsv: () => { if (hidden()) throw refuse('exportCsv()'); return exp.csv(); },
    exportConfig: () => { if (hidden()) throw refuse('exportConfig()'); return exp.config(); },
    exportPng: (chartId) => (hidden() ? Promise.reject(refuse('exportPng()')) : exp.png(chartId)),
  });
}

/** Adds the prediction calls (www/views/predict.js) to window.lossLab: prediction(), predict(i). */
export function installPredictApi(p) {
  Object.assign(window.lossLab, {
    prediction: () => p.state(),
    predict: (i) => {
      if (!p.answer(i)) {
        const s = p.state();
        throw new Error(!s ? 'no lesson question is open (load a lesson with predicting on)'
          : s.revealed ? 'the answer has been revealed already' : `${i} is not an option index 0…${s.options.length - 1}`);
      }
      return p.state();
    },
  });
}

/** Adds lossLab.offlineReady() (www/offline.js). */
export function installOfflineApi(offlineReady) {
  window.lossLab.offlineReady = () => offlineReady();
}

/** Adds lossLab.engineBuild() (www/engine/engine-build.js). */
export function installEngineApi(build) {
  window.lossLab.engineBuild = () => build;
}
