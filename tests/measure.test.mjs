// Lesson claims measured on the page's own run (www/lab/measure.js) and worded for the reveal
// (www/views/measured.js): each measure on a hand-made record, the same stats and upswings as tests/lessons.rs,
// and every lesson's prediction claim readable from a record that has the steps and epochs it asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readClaim, measure, stat, upswings } from '../www/lab/measure.js';
import { measuredText } from '../www/views/measured.js';

const col = (xs) => ({ a: Float32Array.from(xs), n: xs.length });
const row = (epoch, o = {}) => ({ epoch, trainLoss: 0.5, trainAcc: 0.9, valLoss: 0.4, valAcc: 0.9, clipFrac: 0, recall: Array(10).fill(0.9), deadFracs: {}, satFracs: {}, ...o });

/** A record of `steps` steps (batch loss from `loss(i)`, 0-based) and the given epoch rows. */
function record({ steps = 40, loss = (i) => 3 - i * 0.05, epochs = [], divergedAt = null, layers = ['conv1', 'dense'] } = {}) {
  const l = Array.from({ length: steps }, (_, i) => loss(i));
  return {
    loss: col(l), acc: col(l.map(() => 0.5)), layerNames: layers,
    grad: layers.map((_, j) => col(l.map(() => (j + 1) * 0.01))), epochs, divergedAt,
  };
}

test('stat and upswings follow tests/common/lessons.rs', () => {
  assert.equal(stat([1, NaN, 3]), 2);
  assert.equal(stat([4, 1, 3, 2], 'median'), 2.5);
  assert.equal(stat([4, 1, 3], 'max'), 4);
  assert.ok(Number.isNaN(stat([NaN])));
  // a saw-tooth climbing 1 nat five times, window 1: five climbs; jitter under the rise never counts
  assert.equal(upswings([0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 1, 0.5), 5);
  assert.equal(upswings([1, 1.1, 1, 1.1, 1], 1, 0.3), 0);
});

test('measures on a hand-made record', () => {
  const rec = record({ epochs: [row(1, { valAcc: 0.8 }), row(2, { valAcc: 0.95, recall: [0.1, 0.3, ...Array(8).fill(1)] })] });
  assert.equal(measure({ measure: 'batch_loss', step: 1 }, rec), 3);
  assert.ok(Math.abs(measure({ measure: 'batch_loss', steps: [1, 3] }, rec) - 2.95) < 1e-6);
  assert.equal(measure({ measure: 'first_step_below', value: 2.3026 }, rec), 15, '3 − 0.05·14 = 2.30 is the first below 2.3026');
  assert.equal(measure({ measure: 'val_acc', epochs: [1, 2], stat: 'max' }, rec), 0.95);
  assert.ok(Math.abs(measure({ measure: 'recall', epoch: 2, digits: [0, 1] }, rec) - 0.2) < 1e-12);
  assert.equal(measure({ measure: 'diverged_at' }, rec), Infinity);
  assert.ok(Math.abs(measure({ measure: 'grad_norm', layer: 'dense', steps: [1, 40] }, rec) - 0.02) < 1e-9);
});

test('readClaim: measured and held, missed, a same-run difference, another run, not reached', () => {
  const rec = record({ steps: 8, divergedAt: 7, loss: (i) => 2 + i });
  const lrHigh = { say: 'the loss explodes within a few steps', measure: 'diverged_at', max: 10 };
  assert.deepEqual(readClaim(lrHigh, rec), { status: 'measured', value: 7, parts: [{ measure: lrHigh, value: 7 }], holds: true });
  assert.match(measuredText(lrHigh, readClaim(lrHigh, rec)), /the step it diverged at: step 7\. The claim: at most step 10 — ✓ it holds on this run\./);
  const missed = readClaim({ measure: 'diverged_at', max: 5 }, rec);
  assert.equal(missed.holds, false);

  const two = record({ epochs: [row(1, { valLoss: 1.3, trainLoss: 0.2 })] });
  const gap = { measure: 'val_loss', epoch: 1, minus: { measure: 'train_loss', epoch: 1 }, min: 0.5 };
  const g = readClaim(gap, two);
  assert.ok(g.status === 'measured' && Math.abs(g.value - 1.1) < 1e-12 && g.holds === true, JSON.stringify(g));
  assert.match(measuredText(gap, g), /the difference \+1\.100 nats\. The claim: at least \+0\.500 nats/);

  const vsBaseline = { measure: 'val_acc', epoch: 1, minus: { preset: 'baseline', measure: 'val_acc', epoch: 1 }, max: -0.05 };
  const p = readClaim(vsBaseline, two);
  assert.deepEqual([p.status, p.value, p.holds], ['partial', 0.9, null], 'this run\u2019s own side only');
  assert.match(measuredText(vsBaseline, p, () => 'Healthy baseline'), /validation accuracy after epoch 1: 90\.0%\. The claim compares it with the “Healthy baseline” lesson’s run/);

  assert.equal(readClaim({ measure: 'val_acc', epoch: 2, min: 0.9 }, two).status, 'not-yet');
  assert.equal(readClaim({ measure: 'batch_loss', steps: [214, 313], min: 2 }, two).status, 'not-yet');
});

test('every lesson\u2019s prediction claim can be measured (or half-measured) on a run that has its steps and epochs', () => {
  const { presets } = JSON.parse(readFileSync(new URL('../www/presets.json', import.meta.url)));
  const rows = Array.from({ length: Math.max(...presets.map((p) => p.epochs)) }, (_, i) => row(i + 1));
  const rec = record({ steps: 1300, epochs: rows, layers: ['conv1', 'conv2', 'dense'] });
  for (const p of presets) {
    const claim = p.claims[p.predict.claim];
    const r = readClaim(claim, rec);
    assert.ok(r.status === 'measured' || r.status === 'partial', `${p.id}: ${r.status} for ${JSON.stringify(claim)}`);
    const words = measuredText(claim, r, (id) => id);
    assert.ok(typeof words === 'string' && words.startsWith('This run measured '), `${p.id}: ${words}`);
  }
});
