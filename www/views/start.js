// The first-loss line under the loss chart: the untrained net's loss on the first validation digits and the
// logit spread behind it, from the worker's 'built' message (`start`: src/train/start.rs, taken before the
// first step). An untrained net knows nothing of the labels, so its loss averaged over the ten labels is
// logsumexp(z) − mean(z): exactly ln 10 for ten equal outputs, about ln 10 + σ²/2 for a small spread σ of
// them (the second-order term of log-sum-exp), and less than σ²/2 — still growing with σ — for a large one.
// Karpathy 2019, "A Recipe for Training Neural Networks": verify the loss at init. The same reading is the
// "Loss at init" check of the pipeline panel (www/views/pipeline.js), worded here too so the two never disagree.
import { lossText } from '../ui/format.js';

/** What the "Loss at init" check expects, said before it is read. */
export const INIT_EXPECTED =
  'An untrained net knows nothing of the labels: its loss is ln 10 ≈ 2.30 when its ten outputs are equal, and about ' +
  'ln 10 + σ²/2 for a small spread σ of them. A start far above that — past 3 × ln 10 ≈ 6.91 nats, where the right ' +
  'digit gets less than 1/1000 — means the output layer, or the input it is fed, is drawn too large (Karpathy 2019, ' +
  '“A Recipe for Training Neural Networks”: verify the loss at init).';

/**
 * The verdict of the "Loss at init" check on a start reading (its `level`, src/train/start.rs StartLevel):
 * {verdict: 'at chance' | 'above chance' | 'far above chance' | 'not finite', pass, text}.
 */
export function startVerdict(s) {
  const far = `3 × ln 10 ≈ ${lossText(s.farAbove * Math.LN10)} nats`;
  switch (s.level) {
    case 'at_chance':
      return {
        verdict: 'at chance', pass: true,
        text: `Passes: the start is ln 10 to within ${s.atChance} nats, as the recipe asks. This check reads only the start: a net that starts at ln 10 can still fail to learn (all-zero weights do), which “Overfit one batch” tests.`,
      };
    case 'above_chance':
      return {
        verdict: 'above chance', pass: true,
        text: `Passes, above chance: more than ln 10 + ${s.atChance} but under ${far}, so the right digit still gets more than 1/1000 on (geometric) average. “Start calibrated” (the output layer at zero) starts at exactly ln 10 (Karpathy 2019: init well).`,
      };
    case 'far_above_chance':
      return {
        verdict: 'far above chance', pass: false,
        text: `Fails: past ${far}, where the right digit gets less than 1/1000 on (geometric) average. Its output layer, or the input it is fed, is far too large: check the initialiser's scale and how the pixels are scaled.`,
      };
    default:
      return {
        verdict: 'not finite', pass: false,
        text: 'Fails: the outputs overflow before any step, so no loss can be read. The weights or the inputs are far too large: check the initialiser\'s scale and how the pixels are scaled.',
      };
  }
}

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


