// How the page writes numbers (www/ui/format.js): counts grouped as the browser's en-US number format groups them,
// and the validation estimate's line.
import test from 'node:test';
import assert from 'node:assert/strict';
import { count, estimateText } from '../www/ui/format.js';

test('count groups thousands as Intl.NumberFormat en-US does, after rounding', () => {
  const ref = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const values = [0, 1, 9, 10, 999, 1000, 1001, 9999, 10000, 60000, 123456, 999999, 1000000, 1234567, 2 ** 31, 2 ** 53 - 1, -1, -999, -1000, -1234567, 0.4, 0.5, 1.5, 999.5, 1234.4, -1234.6];
  for (const v of values) assert.equal(count(v), ref.format(Math.round(v)), `count(${v})`);
  assert.equal(count(NaN), 'NaN');
  assert.equal(count(Infinity), 'Infinity');
});

test('the estimate line says the loss and accuracy so far, their 95% intervals and how many images they rest on', () => {
  const m = { loss: 0.1216, lossHalf: 0.0221, acc: 0.9629, accHalf: 0.0073, count: 2048, total: 10000 };
  assert.equal(estimateText(m), 'loss 0.12 ± 0.022, accuracy 96.3% ± 0.7% from 2,048 of 10,000 images (95% intervals)');
});
