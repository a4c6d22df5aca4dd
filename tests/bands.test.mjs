// Seed bands (www/lab/bands.js): the mean, lowest and highest over seeds, point by point, and the verdict of two
// settings' spreads, on both sides of the overlap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spread, band, compare } from '../www/lab/bands.js';

const s = (ys, xs = ys.map((_, i) => i + 1)) => ({ xs, ys, n: ys.length });

test('spread: mean, lowest and highest of the finite values', () => {
  assert.deepEqual(spread([0.3, 0.1, 0.2]), { mean: (0.3 + 0.1 + 0.2) / 3, lo: 0.1, hi: 0.3, n: 3 });
  assert.deepEqual(spread([2, NaN, Infinity, 4]), { mean: 3, lo: 2, hi: 4, n: 2 });
  assert.equal(spread([]), null);
  assert.equal(spread([NaN]), null);
});

test('band: point by point over the seeds that reached each point', () => {
  const b = band([s([3, 2, 1]), s([5, 4, 3]), s([4, 3])]);
  assert.equal(b.n, 3);
  assert.deepEqual(Array.from(b.xs), [1, 2, 3]);
  assert.deepEqual(Array.from(b.mean), [4, 3, 2]);
  assert.deepEqual(Array.from(b.lo), [3, 2, 1]);
  assert.deepEqual(Array.from(b.hi), [5, 4, 3]);
  assert.deepEqual(Array.from(b.count), [3, 3, 2], 'the third seed has not reached point 3');
});

test('band: a diverged seed (NaN from some point) leaves the band there; none left is a gap', () => {
  const b = band([s([2, NaN, NaN]), s([1, 1, 0.5])]);
  assert.deepEqual(Array.from(b.count), [2, 1, 1]);
  assert.deepEqual(Array.from(b.mean), [1.5, 1, 0.5]);
  const gap = band([s([NaN]), s([NaN])]);
  assert.ok(Number.isNaN(gap.mean[0]) && Number.isNaN(gap.lo[0]) && gap.count[0] === 0);
  assert.equal(band([]).n, 0);
});

test('compare: inside the spread when the ranges overlap, apart when they do not, unmeasured under two seeds', () => {
  const a = { mean: 0.30, lo: 0.28, hi: 0.33, n: 3 };
  assert.equal(compare(a, { mean: 0.34, lo: 0.33, hi: 0.36, n: 3 }).verdict, 'inside', 'touching at 0.33 is overlap');
  assert.equal(compare(a, { mean: 0.34, lo: 0.3301, hi: 0.36, n: 3 }).verdict, 'apart', 'just above the highest seed');
  assert.equal(compare({ mean: 0.34, lo: 0.3301, hi: 0.36, n: 3 }, a).verdict, 'apart', 'either order');
  assert.equal(compare(a, { mean: 0.25, lo: 0.2, hi: 0.29, n: 3 }).verdict, 'inside', 'the better side second');
  assert.equal(compare(a, { mean: 0.5, lo: 0.5, hi: 0.5, n: 1 }).verdict, 'unmeasured', 'one seed has no spread');
  assert.equal(compare(a, null).verdict, 'unmeasured');
  const c = compare(a, { mean: 0.40, lo: 0.35, hi: 0.47, n: 2 });
  assert.ok(Math.abs(c.gap - 0.10) < 1e-12 && Math.abs(c.width - 0.12) < 1e-12, JSON.stringify(c));
});
