// The words for a lesson claim as this run measured it (www/lab/measure.js readClaim): the figure, where it was read
// (step, epoch, layer), the claim's bounds in the same units, and whether it holds on this run. The reveal of
// "Predict, then run" (www/views/predict.js) shows it beside the claim. Pure: tests/measure.test.mjs checks it.

const LOSS = new Set(['batch_loss', 'train_loss', 'val_loss', 'clean_loss', 'noisy_loss']);
const SHARE = new Set(['batch_acc', 'train_acc', 'val_acc', 'clean_acc', 'noisy_acc', 'recall', 'clip_frac', 'dead_frac', 'sat_frac']);
const STAT = { mean: 'mean', median: 'median', min: 'lowest', max: 'highest' };
const NAME = {
  batch_loss: 'batch loss', batch_acc: 'batch accuracy', train_loss: 'training loss', train_acc: 'training accuracy',
  val_loss: 'validation loss', val_acc: 'validation accuracy', clean_loss: 'loss on the intact labels',
  clean_acc: 'accuracy on the intact labels', noisy_loss: 'loss on the corrupted labels',
  noisy_acc: 'accuracy on the corrupted labels', clip_frac: 'share of steps clipped',
};

const range = ([a, b]) => (a === b ? `${a}` : `${a}–${b}`);

/** "the highest validation accuracy over epochs 1–30", "conv1's weight gradient over steps 1–313" … */
export function describe(m) {
  const ranged = m.steps || m.epochs || (m.measure === 'recall' && m.digits.length > 1);
  const how = ranged && (m.stat || 'mean') !== 'mean' ? `${STAT[m.stat]} ` : ranged ? 'mean ' : '';
  const where = m.steps ? ` over steps ${range(m.steps)}` : m.step ? ` at step ${m.step}` : m.epochs ? ` over epochs ${range(m.epochs)}`
    : m.epoch !== undefined ? ` after epoch ${m.epoch}` : '';
  switch (m.measure) {
    case 'first_step_below': return `the first step with a batch loss below ${m.value}`;
    case 'upswings': return `climbs of ${m.rise} nats or more of the ${m.window}-step average${where}`;
    case 'grad_norm': return `${how}${m.layer}\u2019s weight gradient${where}`;
    case 'recall': return `${how}recall of digit${m.digits.length > 1 ? 's' : ''} ${m.digits.join(', ')}${where}`;
    case 'dead_frac': return `share of ${m.layer}\u2019s channels dead${where}`;
    case 'sat_frac': return `share of ${m.layer}\u2019s channels saturated${where}`;
    case 'diverged_at': return 'the step it diverged at';
    default: return `${how}${NAME[m.measure] ?? m.measure}${where}`;
  }
}

/** A value of measure m in its units; `diff`: a difference of two such values (points, nats). */
export function valueText(m, v, diff = false) {
  if (Number.isNaN(v)) return 'not a number';
  const sign = diff && v > 0 ? '+' : '';
  if (m.measure === 'diverged_at') return v === Infinity ? 'never' : `step ${v}`;
  if (m.measure === 'first_step_below') return v === Infinity ? 'none' : `step ${v}`;
  if (m.measure === 'upswings') return `${v}`;
  if (SHARE.has(m.measure)) return diff ? `${sign}${(v * 100).toFixed(1)} points` : `${(v * 100).toFixed(1)}%`;
  if (LOSS.has(m.measure)) return `${sign}${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3)} nats`;
  return `${sign}${Number(v.toPrecision(3))}`;
}

/** The claim's bounds in words ("at least 93.0%", "between 2.28 and 2.33 nats", "at most step 20"). */
function bounds(claim, fmt) {
  const { min, max } = claim;
  if (min !== undefined && max !== undefined) return `between ${fmt(min)} and ${fmt(max)}`;
  if (min !== undefined) return min >= 1e9 ? 'never' : `at least ${fmt(min)}`;
  return `at most ${fmt(max)}`;
}

/**
 * The sentence for the reveal, or null when there is nothing this run can say. `reading`: readClaim()'s result;
 * `title(id)`: a lesson's title, for a claim that compares with another lesson's run.
 */
export function measuredText(claim, reading, title = (id) => id) {
  const { status, value, parts, holds } = reading;
  if (status === 'unsupported' || (status === 'partial' && !parts.length)) return null;
  if (status === 'not-yet') return 'The claim reads steps or epochs this run did not reach, so it measured nothing to set beside it.';
  const own = parts[0];
  const ownText = `${describe(own.measure)}: ${valueText(own.measure, own.value)}`;
  if (status === 'partial') {
    const other = claim.minus || claim.over;
    const with_ = other.with ? `the same run with ${Object.entries(other.with).map(([k, v]) => `${k} = ${v}`).join(', ')}` : '';
    const whose = other.preset ? `the \u201c${title(other.preset)}\u201d lesson\u2019s run${other.with ? ` with ${Object.entries(other.with).map(([k, v]) => `${k} = ${v}`).join(', ')}` : ''}` : with_;
    return `This run measured ${ownText}. The claim compares it with ${whose}, which this page has not trained: pin this run, load that one and race them to see both.`;
  }
  const diff = !!claim.minus;
  const fmt = (v) => (claim.over ? `×${Number(v.toPrecision(3))}` : valueText(claim, v, diff));
  let figure;
  if (parts.length === 2) {
    const other = parts[1];
    figure = `${ownText}, ${describe(other.measure)}: ${valueText(other.measure, other.value)}; ${claim.over ? 'their ratio' : 'the difference'} ${fmt(value)}`;
  } else figure = ownText;
  const verdict = holds ? '✓ it holds on this run.' : '✗ not on this run (the claims are checked on the lesson\u2019s own settings on seeds 1 and 2; another seed or setting can land elsewhere).';
  return `This run measured ${figure}. The claim: ${bounds(claim, fmt)} — ${verdict}`;
}
