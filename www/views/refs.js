// Reference lines where theory gives one. Pure functions of the training labels and the noise settings:
// the loss and accuracy charts draw them, tests/refs.test.mjs checks them.

const K = 10;

/**
 * Entropy H = −Σ p ln p (nats) of the label frequencies in `counts`: the loss of a model that ignores the
 * image and predicts the label prior, i.e. chance for these labels (ln 10 when balanced). Shannon 1948.
 */
export function priorEntropy(counts) {
  const n = counts.reduce((a, b) => a + b, 0);
  if (!(n > 0)) return NaN;
  let h = 0;
  for (const c of counts) if (c > 0) { const p = c / n; h -= p * Math.log(p); }
  return h;
}

/**
 * Training-loss floors and accuracy ceiling of a model that learned the true rule, under label noise at rate
 * p (0…1). The best such model predicts the distribution of the *given* label: 1 − p on the true digit and
 * the rest where the noise sends it. Its expected cross-entropy over all training samples is the entropy of
 * that distribution, `floor`: uniform noise over the 9 other digits, −(1−p)·ln(1−p) − p·ln(p/9); pair flips
 * (every corrupted label goes to one partner), −(1−p)·ln(1−p) − p·ln p. No model that ignores which
 * images were relabelled goes lower (Gibbs' inequality). On a corrupted sample alone the same model pays
 * `noisyFloor`, −ln(p/9) (uniform) or −ln p (pairs): the probability it gives the wrong label is p/9 or p.
 * That is the line to read the corrupted-label loss against; `floor` is for the overall training loss.
 * Its accuracy against the given labels is 1 − p while p < (K−1)/K (uniform) or p < 1/2 (pairs); past that
 * the wrong label is the likelier one.
 * A training loss below `floor`, a corrupted-label loss far below `noisyFloor` or accuracy above the ceiling
 * means the net fits labels the rule cannot predict: it is memorising wrong labels (Zhang et al. 2017,
 * "Understanding deep learning requires rethinking generalization"; Natarajan et al. 2013 for the noise model).
 */
export function noiseBounds(p, kind = 'uniform') {
  if (!(p > 0) || p >= 1) return null;
  const xlx = (x) => (x > 0 ? -x * Math.log(x) : 0);
  if (kind === 'random') {
    // Redrawn from all K digits: the true digit keeps 1 − p(K−1)/K, each other digit gets p/K.
    const right = 1 - (p * (K - 1)) / K;
    return { floor: xlx(right) - (1 - right) * Math.log(p / K), noisyFloor: -Math.log(p / K), ceiling: Math.max(right, p / K) };
  }
  const floor = kind === 'pairs' ? xlx(1 - p) + xlx(p) : xlx(1 - p) - p * Math.log(p / (K - 1));
  const noisyFloor = kind === 'pairs' ? -Math.log(p) : -Math.log(p / (K - 1));
  const ceiling = kind === 'pairs' ? Math.max(1 - p, p) : Math.max(1 - p, p / (K - 1));
  return { floor, noisyFloor, ceiling };
}

/**
 * The reference lines for one configuration and the training-label counts it was built with:
 * {loss: [{y, short, label, kind}], acc: [...]} with y in nats or percent; `short` fits on a narrow chart, `label` is
 * the legend's sentence. `cfg.noise` is in percent.
 */
export function referenceLines(cfg, classCounts) {
  const loss = [], acc = [];
  if (classCounts && cfg.imb && cfg.imb !== 'none') {
    const h = priorEntropy(Array.from(classCounts));
    if (Number.isFinite(h) && Math.abs(h - Math.log(K)) > 0.005) {
      loss.push({ y: h, kind: 'prior', short: `chance H = ${h.toFixed(2)}`, label: `chance for these labels: H = ${h.toFixed(2)}` });
    }
  }
  const b = noiseBounds(Number(cfg.noise) / 100, cfg.noise_kind);
  if (b) {
    loss.push({ y: b.floor, kind: 'floor', short: `noise floor ${b.floor.toFixed(2)}`, label: `noise floor ${b.floor.toFixed(2)}: the lowest training loss of a net that knew only the true digits; below it the net memorises wrong labels` });
    // The corrupted labels' own line, above the overall one: the purple curve is read against it.
    const given = Math.exp(-b.noisyFloor) * 100;
    loss.push({ y: b.noisyFloor, kind: 'noisy-floor', short: `corrupted-label reference ${b.noisyFloor.toFixed(2)}`, label: `corrupted-label reference ${b.noisyFloor.toFixed(2)}: what a net that knew only the true digits pays on a wrong label (it gives that label ${given.toFixed(given < 10 ? 1 : 0)}%); the purple line far below it means the net memorises wrong labels` });
    acc.push({ y: b.ceiling * 100, kind: 'ceiling', short: `noise ceiling ${(b.ceiling * 100).toFixed(0)}%`, label: `noise ceiling ${(b.ceiling * 100).toFixed(0)}%: above it the net memorises wrong labels` });
  }
  return { loss, acc };
}
