// Seed bands: the same settings trained on several seeds, summarised as a mean line and a min–max band, and the
// question a comparison of two settings has to ask first — is the difference bigger than the seeds' own spread?
// The Tuning Playbook asks for exactly this before a difference is believed (Godbole et al., Google Research,
// "Deep Learning Tuning Playbook", 2023: trial-to-trial variance). Pure functions of numbers: tested in node by
// tests/bands.test.mjs; www/lab/seedrace.js, www/views/bands.js and www/views/sweep.js use them.

/** {mean, lo, hi, n} of the finite numbers of `xs`, or null when there is none. */
export function spread(xs) {
  let sum = 0, lo = Infinity, hi = -Infinity, n = 0;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    sum += x; n++;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return n ? { mean: sum / n, lo, hi, n } : null;
}

/**
 * The band of several runs' series of one figure, point by point: `series` is a list of {xs, ys, n} (one per seed;
 * the same settings give every seed the same x at the same index: steps per epoch, epoch numbers). Returns
 * {xs, mean, lo, hi, count, n}: at index i the mean, lowest and highest of the seeds with a finite value there and
 * how many they are; the band stops where no seed has reached. A seed that diverged has non-finite values (or none)
 * from there on and simply leaves the band; `count` says so.
 */
export function band(series) {
  const n = Math.max(0, ...series.map((s) => s.n));
  const xs = new Float64Array(n), mean = new Float64Array(n), lo = new Float64Array(n), hi = new Float64Array(n);
  const count = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const at = series.filter((s) => i < s.n);
    xs[i] = at.length ? at[0].xs[i] : NaN;
    const st = spread(at.map((s) => s.ys[i]));
    count[i] = st ? st.n : 0;
    mean[i] = st ? st.mean : NaN;
    lo[i] = st ? st.lo : NaN;
    hi[i] = st ? st.hi : NaN;
  }
  return { xs, mean, lo, hi, count, n };
}

/**
 * Compares two settings' figures over seeds (`a`, `b`: spread() results, lower is better or not — only the
 * overlap matters). The verdict is an id, the words are the views':
 *   'unmeasured'  either side has fewer than two seeds: the seed-to-seed spread is unknown
 *   'inside'      the ranges overlap (a's highest seed at or above b's lowest, or the other way): the difference
 *                 between the means is within what a change of seed does — seed noise, not a winner
 *   'apart'       the ranges do not overlap: every seed of one lies beyond every seed of the other
 * Returns {verdict, gap: |mean a − mean b|, width: the wider of the two ranges}.
 */
export function compare(a, b) {
  if (!a || !b) return { verdict: 'unmeasured', gap: NaN, width: NaN };
  const gap = Math.abs(a.mean - b.mean);
  const width = Math.max(a.hi - a.lo, b.hi - b.lo);
  if (a.n < 2 || b.n < 2) return { verdict: 'unmeasured', gap, width };
  const overlap = a.hi >= b.lo && b.hi >= a.lo;
  return { verdict: overlap ? 'inside' : 'apart', gap, width };
}
