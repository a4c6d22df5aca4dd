// The diagnosis card's momentum race (www/views/diagnosis.js `momentumFix`) changes only the damping: it keeps
// the effective step lr/(1 − momentum) of the run it races (Goh 2017, "Why Momentum Really Works"), and its
// label claims so only when the learning rate's range let it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { balancedSmall, fixFor, momentumFix } from '../www/views/diagnosis.js';
import { defaults } from '../www/state.js';

const step = (lr, mom) => lr / (1 - mom);

test('the momentum race keeps lr/(1 − momentum) and says so', () => {
  for (const [mom, lr] of [[0.99, 0.01], [0.95, 0.03], [0.995, 0.002]]) {
    const cfg = { ...defaults(), opt: 'momentum', mom, lr };
    const fix = momentumFix(cfg, 0.9);
    assert.equal(fix.set.mom, 0.9);
    const raced = fix.set.lr ?? lr;
    assert.ok(Math.abs(step(raced, 0.9) / step(lr, mom) - 1) < 1e-5, `μ ${mom}, lr ${lr}: raced at lr ${raced}`);
    assert.match(fix.label, /the same lr\/\(1 − momentum\): only the damping changes/);
  }
});

test('where the learning rate range clips the matched rate, the label does not claim the same step', () => {
  const cfg = { ...defaults(), opt: 'momentum', mom: 0.999, lr: 0.5 };
  const fix = momentumFix(cfg, 0.9);
  assert.ok(step(fix.set.lr, 0.9) < step(0.5, 0.999));
  assert.doesNotMatch(fix.label, /the same/);
});

test('under imbalance the too-little-data race is balanced but small: every digit as scarce as the rarest', () => {
  const cfg = { ...defaults(), imb: 'classes', imb_keep: 0.05, train_n: 10000 };
  assert.deepEqual(fixFor('too_little_data', cfg).set, { imb: 'none', train_n: 500 });
  assert.match(fixFor('too_little_data', cfg).label, /balanced but small: 500 training images/);
  // against it, the imbalance race keeps the images and balances the prior
  assert.deepEqual(fixFor('class_imbalance', cfg).set, { class_weight: 'balanced' });
  // a long tail of ratio 100: the rarest digit keeps 1/100; the engine's lower bound of 100 images holds
  assert.deepEqual(balancedSmall({ ...cfg, imb: 'longtail', imb_ratio: 100 }).set, { imb: 'none', train_n: 100 });
  assert.deepEqual(balancedSmall({ ...cfg, imb: 'longtail', imb_ratio: 10, train_n: 50000 }).set, { imb: 'none', train_n: 5000 });
  // without imbalance it is the plain more-data race
  assert.deepEqual(fixFor('too_little_data', { ...defaults(), train_n: 2000 }).set, { train_n: 10000 });
});
