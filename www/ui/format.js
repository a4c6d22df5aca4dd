// How the page writes numbers for people: one place for each format.

/** A share 0…1 as a percentage with `digits` decimals ("12.5%"); `missing` for a value that is not a number. */
export const pct = (v, missing = '—', digits = 1) => (Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : missing);

/** A loss in nats: two significant digits below 0.1, else two decimals. */
export const lossText = (v) => (!Number.isFinite(v) ? 'not a number' : v < 0.1 ? Number(v.toPrecision(2)).toString() : v.toFixed(2));

/** A whole count with thousands separators ("60,000"), grouped here: toLocaleString's first call sets up the browser's
 * number formatting, 38 ms of the page's start-up in a profile in headless Chromium. */
export const count = (v) => {
  const n = Math.round(v);
  if (!Number.isFinite(n)) return String(n);
  return `${n < 0 ? '-' : ''}${String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',')}`;
};

/** A validation pass under way, so far (the worker's 'estimate'): "loss 0.21 ± 0.02, accuracy 94.1% ± 0.9% from
 * 2,048 of 10,000 images (95% intervals)". */
export const estimateText = (m) => `loss ${lossText(m.loss)} ± ${lossText(m.lossHalf)}, accuracy ${pct(m.acc)} ± ${pct(m.accHalf)} `
  + `from ${count(m.count)} of ${count(m.total)} images (95% intervals)`;
