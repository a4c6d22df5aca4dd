// What one run produced: per-step arrays (grown in place, no per-step objects) and per-epoch rows.
// The charts draw from a Record; "Pin this run" keeps a frozen copy of one.

const EMA_BETA = 0.98;

/** A growable Float32Array. */
class Column {
  constructor() { this.a = new Float32Array(1024); this.n = 0; }
  push(v) {
    if (this.n === this.a.length) { const b = new Float32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
  frozen() { const c = new Column(); c.a = this.a.slice(0, this.n); c.n = this.n; return c; }
}

/**
 * Debiased exponential moving average: s_t = β s_{t-1} + (1-β) x_t, shown as s_t / (1 - β^t) — the bias
 * correction of Adam (Kingma & Ba 2015, Algorithm 1), so the first points are not pulled towards 0.
 * Non-finite inputs (NaN where a batch had no clean/corrupted samples) are skipped; they stay gaps.
 */
class Ema {
  constructor(beta = EMA_BETA) { this.beta = beta; this.s = 0; this.t = 0; }
  next(x) {
    if (!Number.isFinite(x)) return NaN;
    this.t++;
    this.s = this.beta * this.s + (1 - this.beta) * x;
    return this.s / (1 - this.beta ** this.t);
  }
}

/**
 * The per-layer figures of an epoch row ({layer name: value} each) after its gradient norms (`gradNorms`): the row
 * key and the CSV column stem (www/export.js).
 */
export const PER_LAYER = [
  ['weightNorms', 'weight_norm'], ['updateRatios', 'update_ratio'], ['deadFracs', 'dead_frac'],
  ['satFracs', 'sat_frac'], ['actMeans', 'act_mean'], ['actStds', 'act_std'],
];

/** A history row as a plain deep copy, safe to hand to a script or to keep in a pinned run. */
export function rowCopy(e) {
  const c = { ...e, recall: [...e.recall], confusion: [...(e.confusion || [])] };
  for (const k of ['gradNorms', ...PER_LAYER.map(([key]) => key)]) c[k] = { ...(e[k] || {}) };
  return c;
}

export class Record {
  constructor(layerNames = []) {
    this.layerNames = layerNames;
    this.x = new Column(); // position of each step in epochs (step / stepsPerEpoch)
    this.loss = new Column();
    this.lossEma = new Column();
    this.acc = new Column();
    this.clean = new Column();
    this.cleanEma = new Column();
    this.noisy = new Column();
    this.noisyEma = new Column();
    this.grad = layerNames.map(() => new Column());
    this.gradEma = layerNames.map(() => new Column());
    this.ema = { loss: new Ema(), clean: new Ema(), noisy: new Ema(), grad: layerNames.map(() => new Ema()) };
    this.epochs = [];
    this.steps = 0;
    this.stepsPerEpoch = 0;
    this.divergedAt = null;
    this.stoppedAt = null; // epoch after which early stopping ended training
    this.weightsEpoch = 0; // the epoch whose weights the net holds (0: untrained; null: mid-epoch; the best one after early stopping)
    this.label = '';
    this.withNoise = false; // trained with label noise: has clean/corrupted figures worth drawing
    // prediction dynamics (src/train/predictions.rs): the watched validation digits {index, labels, images,
    // learningRise} and their answers [{epoch, probs: Float32Array(n × 10)}], epoch 0 (untrained) first
    this.watch = null;
    this.predictions = [];
    // the validation pass under way, so far: the worker's 'estimate' message (setEstimate), until the epoch's row
    // arrives (addEpoch clears it)
    this.estimate = null;
  }

  /** The watched digits and the untrained net's answers, from the worker's 'built' message. */
  watchDigits(watch, start) {
    this.watch = watch || null;
    this.predictions = start ? [start] : [];
  }

  /** Appends one progress message from the worker (k steps). */
  addSteps(m) {
    const k = m.loss.length;
    const L = this.layerNames.length;
    this.stepsPerEpoch = m.stepsPerEpoch || this.stepsPerEpoch;
    const first = m.step - k; // m.step counts the steps done so far
    for (let i = 0; i < k; i++) {
      this.x.push((first + i + 1) / (this.stepsPerEpoch || 1));
      this.loss.push(m.loss[i]);
      this.lossEma.push(this.ema.loss.next(m.loss[i]));
      this.acc.push(m.acc[i]);
      this.clean.push(m.cleanLoss[i]);
      this.cleanEma.push(this.ema.clean.next(m.cleanLoss[i]));
      this.noisy.push(m.noisyLoss[i]);
      this.noisyEma.push(this.ema.noisy.next(m.noisyLoss[i]));
      for (let j = 0; j < L; j++) {
        // gradient norms span decades: smooth their logarithm (a geometric moving average)
        const g = m.gradNorms[i * L + j];
        this.grad[j].push(g);
        this.gradEma[j].push(g > 0 ? Math.exp(this.ema.grad[j].next(Math.log(g))) : g);
      }
    }
    this.steps = m.step;
    this.weightsEpoch = m.stepInEpoch === 0 ? m.epoch : null;
  }

  /** Keeps the worker's 'estimate' of the validation pass under way; false (and nothing kept) for the pass of an
   * epoch whose row is here already. */
  setEstimate(m) {
    if (m.epoch <= this.epochs.length) return false;
    this.estimate = m;
    return true;
  }

  /** Appends one finished epoch (worker 'epoch' message); returns the history row. */
  addEpoch(m) {
    const s = m.summary, r = m.report;
    // per-layer statistics of the epoch's last training step, keyed by layer name (null where not finite)
    const per = (field) => Object.fromEntries((m.stats || []).map((st) => [st.name, st[field] ?? null]));
    const row = {
      epoch: s.epoch, trainLoss: s.trainLoss, trainAcc: s.trainAcc,
      valLoss: r.valLoss, valAcc: r.valAcc,
      cleanLoss: s.cleanLoss, cleanAcc: s.cleanAcc, noisyLoss: s.noisyLoss, noisyAcc: s.noisyAcc,
      clipFrac: s.clipFrac ?? 0, // share of the epoch's steps whose gradient was clipped (`clip`)
      bestEpoch: m.bestEpoch ?? null, // epoch of the lowest validation loss so far
      recall: Array.from(r.recall),
      gradNorms: per('kernelGradNorm'), // the weights' gradient (biases left out), as the per-step chart
      weightNorms: per('weightNorm'),
      updateRatios: per('updateRatio'),
      deadFracs: per('deadFrac'),
      satFracs: per('satFrac'),
      actMeans: per('actMean'),
      actStds: per('actStd'),
      confusion: Array.from(r.confusion || []), // 10×10 row-major, row = true digit, column = predicted
    };
    this.epochs.push(row);
    this.estimate = null;
    if (m.predictions && m.predictions.epoch === row.epoch) this.predictions.push(m.predictions);
    return row;
  }

  /** Epoch rows as chart columns: xs = epoch numbers, ys = field. */
  epochSeries(field, scale = 1) {
    // the epoch whose validation pass is under way has its training figures already (not its validation ones)
    const rows = this.estimate ? [...this.epochs, this.estimate.summary] : this.epochs;
    const xs = rows.map((e) => e.epoch);
    const ys = rows.map((e) => (e[field] == null ? NaN : e[field] * scale));
    return { xs, ys, n: xs.length };
  }

  frozen(label) {
    const f = new Record(this.layerNames);
    for (const key of ['x', 'loss', 'lossEma', 'acc', 'clean', 'cleanEma', 'noisy', 'noisyEma']) f[key] = this[key].frozen();
    f.grad = this.grad.map((c) => c.frozen());
    f.gradEma = this.gradEma.map((c) => c.frozen());
    f.epochs = this.epochs.map(rowCopy);
    f.steps = this.steps;
    f.stepsPerEpoch = this.stepsPerEpoch;
    f.divergedAt = this.divergedAt;
    f.stoppedAt = this.stoppedAt;
    f.weightsEpoch = this.weightsEpoch;
    f.label = label;
    f.withNoise = this.withNoise;
    f.watch = this.watch;
    f.predictions = this.predictions.map((p) => ({ epoch: p.epoch, probs: p.probs.slice() }));
    return f;
  }
}
