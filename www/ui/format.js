// How the page writes numbers for people: one place for each format.

/** A share 0…1 as a percentage with `digits` decimals ("12.5%"); `missing` for a value that is not a number. */
export const pct = (v, missing = '—', digits = 1) => (Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : missing);

/** A loss in nats: two significant digits below 0.1, else two decimals. */
export const lossText = (v) => (!Number.isFinite(v) ? 'not a number' : v < 0.1 ? Number(v.toPrecision(2)).toString() : v.toFixed(2));

/** A whole count with thousands separators ("60,000"). */
export const count = (v) => Math.round(v).toLocaleString('en-US');
