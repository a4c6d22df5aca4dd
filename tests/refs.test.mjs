// Reference lines of the loss and accuracy charts (www/views/refs.js) against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priorEntropy, noiseBounds, referenceLines } from '../www/views/refs.js';

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

test('prior entropy: ln 10 when balanced, ln 2 for two equal classes, 0 for one', () => {
  close(priorEntropy(Array(10).fill(600)), Math.log(10));
  close(priorEntropy([5, 5, 0, 0, 0, 0, 0, 0, 0, 0]), Math.log(2));
  close(priorEntropy([7, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
  assert.ok(Number.isNaN(priorEntropy(Array(10).fill(0))));
  // five digits keep 2%: p = 1/51 for each rare one, 10/51 for each common one
  const h = priorEntropy([20, 20, 20, 20, 20, 1000, 1000, 1000, 1000, 1000]);
  close(h, -5 * (20 / 5100) * Math.log(20 / 5100) - 5 * (1000 / 5100) * Math.log(1000 / 5100));
  assert.ok(h < Math.log(10) && h > Math.log(5));
});

test('uniform noise 40%: floor 0.6·ln(1/0.6) + 0.4·ln(9/0.4) ≈ 1.552 nats, ceiling 60%', () => {
  const b = noiseBounds(0.4, 'uniform');
  close(b.floor, -0.6 * Math.log(0.6) - 0.4 * Math.log(0.4 / 9));
  close(b.floor, 1.5520, 1e-4);
  close(b.ceiling, 0.6);
});

test('uniform noise 40%: a corrupted label costs the true-rule net −ln(0.4/9) ≈ 3.114 nats, not the 1.55 floor', () => {
  const b = noiseBounds(0.4, 'uniform');
  close(b.noisyFloor, -Math.log(0.4 / 9));
  close(b.noisyFloor, 3.1135, 1e-4);
  // the overall floor is the mix of what it pays on clean (−ln 0.6) and corrupted samples
  close(b.floor, 0.6 * -Math.log(0.6) + 0.4 * b.noisyFloor);
});

test('pair flips 40%: the two-class entropy ≈ 0.673 nats, ceiling 60%', () => {
  const b = noiseBounds(0.4, 'pairs');
  close(b.floor, -0.6 * Math.log(0.6) - 0.4 * Math.log(0.4));
  close(b.floor, 0.6730, 1e-4);
  close(b.ceiling, 0.6);
  close(b.noisyFloor, -Math.log(0.4)); // ≈ 0.916: the partner gets 40%
  close(b.noisyFloor, 0.9163, 1e-4);
});

test('uniform noise 90% is pure chance: floor ln 10, ceiling 10%', () => {
  const b = noiseBounds(0.9, 'uniform');
  close(b.floor, Math.log(10), 1e-12);
  close(b.ceiling, 0.1, 1e-12);
  close(b.noisyFloor, Math.log(10), 1e-12);
});

test('random labels 50%: the true digit keeps 55%, each other 5%: floor ≈ 1.677 nats', () => {
  const b = noiseBounds(0.5, 'random');
  close(b.floor, -0.55 * Math.log(0.55) - 0.45 * Math.log(0.05));
  close(b.floor, 1.6769, 1e-4);
  close(b.noisyFloor, 2.9957, 1e-4);
  close(b.ceiling, 0.55);
});

test('no noise, no noise lines; 100% noise has no rule to learn', () => {
  assert.equal(noiseBounds(0), null);
  assert.equal(noiseBounds(1), null);
  const r = referenceLines({ noise: 0, noise_kind: 'uniform', imb: 'none' }, Array(10).fill(100));
  assert.deepEqual(r, { loss: [], acc: [] });
});

test('referenceLines: prior entropy only under imbalance, floor and ceiling only under noise', () => {
  const counts = [20, 20, 20, 20, 20, 1000, 1000, 1000, 1000, 1000];
  const r = referenceLines({ noise: 40, noise_kind: 'uniform', imb: 'classes' }, counts);
  assert.deepEqual(r.loss.map((l) => l.kind), ['prior', 'floor', 'noisy-floor']);
  assert.match(r.loss[0].label, /^chance for these labels: H = 1\.\d\d$/);
  assert.match(r.loss[1].label, /1\.55/);
  assert.equal(r.loss[1].short, 'noise floor 1.55');
  assert.equal(r.loss[2].short, 'corrupted-label reference 3.11');
  assert.match(r.loss[2].label, /^corrupted-label reference 3\.11: .*wrong label \(it gives that label 4\.4%\)/);
  close(r.loss[2].y, -Math.log(0.4 / 9));
  assert.equal(r.acc[0].short, 'noise ceiling 60%');
  assert.equal(r.acc[0].y, 60);
});
