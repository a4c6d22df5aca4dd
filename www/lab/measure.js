// A lesson claim read off this page's own run: the same measures tests/lessons.rs (tests/common/lessons.rs) reads
// on its recorded runs, computed here from the run's Record (www/lab/record.js) — the per-step batch losses,
// accuracies and gradient norms and the epoch rows — so that the reveal of "Predict, then run" can put the number
// this run measured beside the claim the answer rests on. Nothing is copied from the test harness: a run on another
// seed, or stopped early, measures what it measured, and may miss the claim's bounds.
//
// readClaim(claim, rec) -> {status, value, side, parts, holds}:
//   status 'measured'  value is the claim's figure on this run (a difference or ratio when it has minus / over)
//          'partial'   the claim compares with another lesson's run or a variant (`preset`, `with`) this page did not
//                      train: value is this run's own side only (parts[0])
//          'not-yet'   the run has not reached the steps or epochs the claim reads
//          'unsupported' a measure the page does not keep (the untrained net's dead share, the noise floors)
//   parts: [{measure: the claim's object, value}] of the sides read; holds: within min/max (null unless measured).

const EPOCH_FIELDS = {
  train_loss: 'trainLoss', train_acc: 'trainAcc', clean_loss: 'cleanLoss', clean_acc: 'cleanAcc',
  noisy_loss: 'noisyLoss', noisy_acc: 'noisyAcc', val_loss: 'valLoss', val_acc: 'valAcc', clip_frac: 'clipFrac',
};

/** mean | median | min | max of the non-NaN values (NaN for none), as tests/common/lessons.rs's Stat::of. */
export function stat(values, how = 'mean') {
  const v = values.filter((x) => !Number.isNaN(x));
  if (!v.length) return NaN;
  switch (how) {
    case 'min': return Math.min(...v);
    case 'max': return Math.max(...v);
    case 'median': {
      const s = [...v].sort((a, b) => a - b), m = s.length >> 1;
      return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }
    default: return v.reduce((a, b) => a + b, 0) / v.length;
  }
}

/** Climbs of at least `rise` of the `w`-step trailing average, with hysteresis (lessons.rs `upswings`). */
export function upswings(v, w, rise) {
  let sum = 0, lo = Infinity, hi = -Infinity, up = false, n = 0;
  for (let i = 0; i < v.length; i++) {
    sum += v[i];
    if (i >= w) sum -= v[i - w];
    const x = sum / Math.min(i + 1, w);
    if (up) {
      hi = Math.max(hi, x);
      if (x <= hi - rise) { up = false; lo = x; }
    } else {
      lo = Math.min(lo, x);
      if (x >= lo + rise) { up = true; hi = x; n++; }
    }
  }
  return n;
}

const NOT_YET = Symbol('not-yet');
const UNSUPPORTED = Symbol('unsupported');

/** Steps a…b (1-based, inclusive) of a per-step column {a, n}; NOT_YET when the run has not got there. */
function window(col, m) {
  const [a, b] = m.steps || [m.step, m.step];
  if (b > col.n) return NOT_YET;
  return Array.from(col.a.subarray(a - 1, b));
}

/** Epoch rows a…b; NOT_YET when the run has not finished them. */
function epochs(rec, m) {
  const [a, b] = m.epochs || [m.epoch, m.epoch];
  const rows = [];
  for (let e = a; e <= b; e++) {
    const r = rec.epochs.find((x) => x.epoch === e);
    if (!r) return NOT_YET;
    rows.push(r);
  }
  return rows;
}

/** One measure on this run: a number, NOT_YET or UNSUPPORTED. */
export function measure(m, rec) {
  const how = m.stat || 'mean';
  switch (m.measure) {
    case 'batch_loss': case 'batch_acc': {
      const v = window(m.measure === 'batch_loss' ? rec.loss : rec.acc, m);
      return v === NOT_YET ? v : stat(v, how);
    }
    case 'first_step_below': {
      for (let i = 0; i < rec.loss.n; i++) if (rec.loss.a[i] < m.value) return i + 1;
      return Infinity;
    }
    case 'upswings': {
      const v = window(rec.loss, m);
      return v === NOT_YET ? v : upswings(v, m.window, m.rise);
    }
    case 'grad_norm': {
      const j = rec.layerNames.indexOf(m.layer);
      if (j < 0) return UNSUPPORTED;
      const v = window(rec.grad[j], m);
      return v === NOT_YET ? v : stat(v, how);
    }
    case 'recall': {
      const rows = epochs(rec, m);
      return rows === NOT_YET ? rows : stat(m.digits.map((d) => rows[0].recall[d]), how);
    }
    case 'dead_frac': case 'sat_frac': {
      if (!m.epoch) return UNSUPPORTED; // the untrained net's reading is not kept by the page
      const rows = epochs(rec, m);
      if (rows === NOT_YET) return rows;
      const v = rows[0][m.measure === 'dead_frac' ? 'deadFracs' : 'satFracs']?.[m.layer];
      return v == null ? NaN : v;
    }
    case 'diverged_at': return rec.divergedAt == null ? Infinity : rec.divergedAt;
    default: {
      const field = EPOCH_FIELDS[m.measure];
      if (!field) return UNSUPPORTED;
      const rows = epochs(rec, m);
      return rows === NOT_YET ? rows : stat(rows.map((r) => (r[field] == null ? NaN : r[field])), how);
    }
  }
}

const elsewhere = (m) => !!(m && (m.preset || m.with));

/** The claim read off this run (see the top of the file). */
export function readClaim(claim, rec) {
  if (elsewhere(claim)) return { status: 'partial', value: NaN, parts: [], holds: null };
  const a = measure(claim, rec);
  const other = claim.minus || claim.over;
  const verdict = (status, value, parts) => {
    const holds = status === 'measured' ? !Number.isNaN(value) && (claim.min === undefined || value >= claim.min) && (claim.max === undefined || value <= claim.max) : null;
    return { status, value, parts, holds };
  };
  if (a === UNSUPPORTED) return verdict('unsupported', NaN, []);
  if (a === NOT_YET) return verdict('not-yet', NaN, []);
  const parts = [{ measure: claim, value: a }];
  if (!other) return verdict('measured', a, parts);
  if (elsewhere(other)) return verdict('partial', a, parts);
  const b = measure(other, rec);
  if (b === UNSUPPORTED) return verdict('unsupported', NaN, parts);
  if (b === NOT_YET) return verdict('not-yet', NaN, parts);
  parts.push({ measure: other, value: b });
  return verdict('measured', claim.minus ? a - b : a / b, parts);
}
