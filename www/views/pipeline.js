// "Check the pipeline": the recipe's probes, one click each, each with its expected result said before it runs
// (Karpathy 2019, "A Recipe for Training Neural Networks"). Two train a fresh copy of the network
// (src/train/overfit.rs); the run itself is not touched. Two read what the run measured anyway: "Loss at init" the
// untrained net's first loss and logit spread, taken at every build (src/train/start.rs; its words are
// www/views/start.js's), and "Prediction dynamics" sixteen fixed validation digits' answers after every epoch
// (src/train/predictions.rs, drawn by www/views/predictions.js). "Overfit one batch" splits a bug from a data problem: a
// network that can learn memorises 32 images, wrong labels included (Zhang et al. 2017), so a run that fails here has
// its bug in the model, the initialisation, the loss or the step size. "Zero the inputs" is the input-independent
// baseline: blind to the image, a cross-entropy settles at the entropy of the labels, and a run no better than that
// is not using the image. The panel's data-state says where it is: 'idle', 'running', 'done' or 'error' — the page
// signal scripts and tests wait on; data-verdict is 'pass' or 'fail' for the last probe.
import { count, lossText, pct } from '../ui/format.js';
import { INIT_EXPECTED, startText, startVerdict } from './start.js';
import { PREDICTIONS_EXPECTED, PredictionsView, predictionsVerdict, probsOf } from './predictions.js';

/** The probes, by the name lossLab.probe(name) takes: what each runs and what to expect, said before it runs. */
export const PROBES = {
  overfit: {
    images: 32, steps: 300, blank: false, button: 'btn-overfit', result: 'overfit-result',
    expected:
      'A network that can learn memorises 32 images: within 300 steps its loss falls below 0.05 and every image is ' +
      'answered right, even when their labels are wrong or the training set is tiny.',
  },
  'zero-inputs': {
    images: 32, steps: 400, blank: true, button: 'btn-blind', result: 'blind-result',
    expected:
      'With every pixel set to 0 the network can only learn how common each digit is: its loss settles within a tenth of ' +
      'a nat of the entropy of the labels (ln 10 ≈ 2.30 for balanced digits). A run whose training loss is no lower is not using the image.',
  },
  // reads the run's own measurements instead of training (`reads`)
  'init-loss': { reads: 'start', button: 'btn-init-loss', result: 'init-result', expected: INIT_EXPECTED },
  predictions: { reads: 'predictions', button: 'btn-predictions', result: 'pred-result', expected: PREDICTIONS_EXPECTED },
};

/** The "Loss at init" answer from the build's start reading (the 'built' message's `start`). */
export function initLossProbe(s) {
  const v = startVerdict(s);
  const read = `The untrained net, read when this network was built, before any step (first ${s.count} validation digits).`;
  return {
    name: 'init-loss', expected: INIT_EXPECTED,
    measured: {
      loss: s.loss, spread: s.spread, labelBlind: s.labelBlind, predicted: s.predicted, lnK: Math.LN10,
      count: s.count, level: s.level, steps: 0,
    },
    verdict: v.verdict, pass: v.pass,
    evidence: `${read} ${startText(s)} ${v.text}`,
  };
}

/** The "Prediction dynamics" answer from a run's record (its watched digits and their answers so far). */
export function predictionsProbe(record) {
  const { watch, predictions } = record;
  const v = predictionsVerdict(watch, predictions);
  return {
    name: 'predictions', expected: PREDICTIONS_EXPECTED,
    measured: {
      epochs: predictions.map((e) => e.epoch),
      images: Array.from(watch.labels, (label, i) => ({ index: watch.index[i], label, probs: predictions.map((e) => probsOf(e, i)) })),
      meanOnLabels: v.means,
      learningRise: watch.learningRise,
    },
    verdict: v.verdict, pass: v.pass,
    evidence: v.text,
  };
}

/** The verdict sentence of a "zero the inputs" report, against the run's own latest training loss (NaN: none yet). */
export function blindVerdict(r, runLoss) {
  if (r.diverged) return `The blind run stopped being finite at step ${count(r.steps)}: even without an image the steps blow up, so lower the learning rate.`;
  const where = r.settled
    ? `settled at ${lossText(r.level)} nats, next to the entropy of its labels (${lossText(r.labelEntropy)}), as a blind network must`
    : `ended at ${lossText(r.level)} nats, not at the entropy of its labels (${lossText(r.labelEntropy)}): ${r.level > r.labelEntropy ? 'it has not even learned how common each digit is, so the step size or the start holds it back' : 'below what any blind cross-entropy can reach, so the loss is not a cross-entropy of the outputs'}`;
  if (!Number.isFinite(runLoss)) return `Blind to the image, the network ${where}. Train the run, then compare its loss with this level.`;
  const uses = runLoss < r.level - 0.1;
  return `Blind to the image, the network ${where}. This run's training loss is ${lossText(runLoss)}: ${uses ? 'well below it, so the run uses the image' : 'no better, so the run is not using the image: look at how the inputs reach the network'}.`;
}

/** The verdict sentence of an overfit report. */
export function overfitVerdict(r) {
  const right = Math.round(r.acc * r.images);
  if (r.diverged) {
    return `Not fitted: the loss stopped being a finite number at step ${count(r.steps)}. Even on ${r.images} images the steps blow up: lower the learning rate.`;
  }
  if (r.fitted) {
    return `Fitted: loss ${lossText(r.lastLoss)} after ${count(r.steps)} steps, all ${r.images} images right. The network, its start, the loss and the step size can learn, so if this run still does badly, look at the data (its labels, order, amount and augmentation) and at how validation is measured.`;
  }
  return `Not fitted: loss ${lossText(r.lastLoss)} after ${count(r.steps)} steps, ${right} of ${r.images} images right (${pct(r.acc)}). A network that can learn would have memorised them, so the bug is in the model, its start, the loss or the step size — not in the data.`;
}

export class PipelineCheckView {
  /**
   * @param {HTMLElement} root the panel (#pipeline-check) with #btn-overfit, #overfit-expected and #overfit-result
   * @param {{run: () => import('../lab/run.js').Run}} o the current run
   */
  constructor(root, { run }) {
    this.root = root;
    this.run = run;
    this.serial = 0;
    this.predictions = new PredictionsView(root.querySelector('#pred-view'));
    root.addEventListener('toggle', () => this.predictions.show(this.run()?.record ?? null));
    for (const [name, p] of Object.entries(PROBES)) {
      root.querySelector(`#${p.result.replace('-result', '-expected')}`).textContent = `Expected: ${p.expected}`;
      root.querySelector(`#${p.button}`).addEventListener('click', () => this.probe(name).catch(() => {}));
    }
    this.reset();
  }

  /** A new build: nothing probed for it yet. */
  reset() {
    this.serial++;
    for (const p of Object.values(PROBES)) {
      const out = this.root.querySelector(`#${p.result}`);
      out.textContent = '';
      delete out.dataset.verdict;
    }
    this.#state('idle');
    this.epoch();
  }

  /** A new epoch's answers (or a new build's first): the prediction view shows the latest. */
  epoch() {
    this.predictions.show(this.run()?.record ?? null);
  }

  refresh() {
    const r = this.run();
    for (const p of Object.values(PROBES)) {
      this.root.querySelector(`#${p.button}`).disabled = !r || !r.engineReady || this.root.dataset.state === 'running';
    }
  }

  /**
   * Runs probe `name` on the current build and shows the result; resolves with {name, expected, measured, verdict,
   * evidence} or rejects with a message a person can act on (shown too).
   */
  async probe(name) {
    const mine = this.serial;
    if (!Object.hasOwn(PROBES, name)) {
      return Promise.reject(new Error(`unknown probe "${name}": the probes are ${Object.keys(PROBES).join(', ')}`));
    }
    const p = PROBES[name];
    this.result = this.root.querySelector(`#${p.result}`);
    const r = this.run();
    if (!r || r.status === 'loading' || !r.built) return this.#fail(mine, 'the network is not built yet: wait until the page says it is ready, then probe again');
    if (r.status === 'error') return this.#fail(mine, `there is no network to probe: ${r.note}`);
    this.root.open = true;
    if (p.reads) return this.#read(mine, name, p, r);
    this.#state('running');
    this.result.textContent = `training a fresh copy of the network on ${p.images} images${p.blank ? ' with every pixel set to 0' : ''} for ${p.steps} steps…`;
    let o;
    try {
      o = await r.overfit({ images: p.images, steps: p.steps, blank: p.blank });
    } catch (e) {
      return this.#fail(mine, e && e.message ? e.message : String(e));
    }
    const epochs = r.record.epochs;
    const runLoss = epochs.length ? epochs[epochs.length - 1].trainLoss : NaN;
    const pass = p.blank ? o.settled && !o.diverged : o.fitted;
    const out = p.blank
      ? {
        name, expected: p.expected,
        measured: { level: o.level, labelEntropy: o.labelEntropy, runLoss: Number.isFinite(runLoss) ? runLoss : null, steps: o.steps, images: o.images, diverged: o.diverged },
        verdict: pass ? 'settled' : 'not settled',
        evidence: blindVerdict(o, runLoss),
      }
      : {
        name, expected: p.expected,
        measured: { lastLoss: o.lastLoss, acc: o.acc, steps: o.steps, images: o.images, diverged: o.diverged },
        verdict: pass ? 'fitted' : 'not fitted',
        evidence: overfitVerdict(o),
      };
    if (mine !== this.serial) return out;
    this.result.textContent = out.evidence;
    this.#state('done');
    this.root.dataset.verdict = pass ? 'pass' : 'fail';
    this.result.dataset.verdict = this.root.dataset.verdict;
    return out;
  }

  /** A probe that reads what the run measured: answered at once. */
  #read(mine, name, p, r) {
    this.#state('running');
    let out;
    if (p.reads === 'start') {
      if (!r.built.start) return this.#fail(mine, 'this build has no start reading');
      out = initLossProbe(r.built.start);
    } else {
      if (!r.record?.watch || !r.record.predictions.length) return this.#fail(mine, 'this build has no watched digits');
      this.predictions.show(r.record);
      out = predictionsProbe(r.record);
    }
    this.result.textContent = out.evidence;
    this.#state('done');
    if (out.pass !== null) {
      this.root.dataset.verdict = out.pass ? 'pass' : 'fail';
      this.result.dataset.verdict = this.root.dataset.verdict;
    }
    const { pass, ...answer } = out;
    return Promise.resolve(answer);
  }

  #fail(mine, message) {
    if (mine === this.serial && this.result) {
      this.result.textContent = `Cannot probe: ${message}.`;
      this.#state('error');
    }
    return Promise.reject(new Error(message));
  }

  #state(s) {
    this.root.dataset.state = s;
    if (s !== 'done') delete this.root.dataset.verdict;
    this.refresh();
  }
}
