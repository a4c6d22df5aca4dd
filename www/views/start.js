// The first-loss line under the loss chart: the untrained net's loss on the first validation digits and the
// logit spread behind it, from the worker's 'built' message (`start`: src/train/start.rs, taken before the
// first step). An untrained net knows nothing of the labels, so its loss averaged over the ten labels is
// logsumexp(z) − mean(z): exactly ln 10 for ten equal outputs, about ln 10 + σ²/2 for a small spread σ of
// them (the second-order term of log-sum-exp), and less than σ²/2 — still growing with σ — for a large one.
// Karpathy 2019, "A Recipe for Training Neural Networks": verify the loss at init.
import { lossText } from '../ui/format.js';

/** The sentence for a start reading {loss, spread, labelBlind, predicted, count}; '' when there is none. */
export function startText(s) {
  if (!s || s.count === 0) return '';
  if (!Number.isFinite(s.loss) || !Number.isFinite(s.spread)) {
    return 'Start: the untrained net\'s loss is not a number: its outputs overflow (weights or inputs far too large).';
  }
  const head = `Start: ${lossText(s.loss)} nats (chance: ln 10 ≈ 2.30).`;
  if (s.spread < 0.05) return `${head} The ten outputs are practically equal (σ = ${s.spread.toFixed(3)}): the net guesses evenly.`;
  const half = lossText((s.spread * s.spread) / 2);
  const by = s.spread <= 1 ? `about σ²/2 = ${half} nats` : `${lossText(s.loss - Math.LN10)} nats (less than σ²/2 = ${half}, which holds for small spreads)`;
  return `${head} The ten outputs spread with σ = ${s.spread.toFixed(2)}, so the net ${s.spread <= 1 ? 'leans a little towards' : 'is sure of'} random answers: that lifts the start above chance by ${by}.`;
}

export class StartView {
  constructor(node) { this.node = node; }
  /** start: the 'built' message's reading, or null/undefined to hide the line. */
  show(start) {
    const text = startText(start);
    this.node.textContent = text;
    this.node.title = text ? `Measured on the first ${start.count} validation digits before the first step` : '';
    this.node.hidden = !text;
  }
}


