// The words of the two probes that read the run instead of training (www/views/pipeline.js): "Loss at init" on the
// start reading of the build (its levels from src/train/start.rs, the wording shared with the line under the loss
// chart, www/views/start.js) and "Prediction dynamics" on a record's watched digits (www/views/predictions.js), on
// hand-made readings on both sides of every bar. The figures on real MNIST are checked by tests/overfit.rs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { PROBES, initLossProbe, predictionsProbe } from '../www/views/pipeline.js';
import { meanOnLabels, predictionsReading, predictionsVerdict, tally, top } from '../www/views/predictions.js';
import { startText } from '../www/views/start.js';

const reading = (loss, spread, level) => ({
  loss, spread, labelBlind: loss, predicted: Math.LN10 + (spread ?? 0) ** 2 / 2, count: 256, level, atChance: 0.1, farAbove: 3,
});

test('loss at init: its expected sentence is said first, and each level words the measured start, ln 10, σ and σ²/2', () => {
  assert.match(PROBES['init-loss'].expected, /ln 10 ≈ 2\.30 .* ln 10 \+ σ²\/2 .*Karpathy 2019/);
  const cal = initLossProbe(reading(Math.LN10, 0, 'at_chance'));
  assert.equal(cal.verdict, 'at chance');
  assert.equal(cal.pass, true);
  assert.match(cal.evidence, /^The untrained net, read when this network was built, before any step \(first 256 validation digits\)/);
  assert.match(cal.evidence, /Passes: the start is ln 10 to within 0\.1 nats/);
  // the default draw: above chance, passes; the sentence names the loss, ln 10, σ and σ²/2
  const def = initLossProbe(reading(3.75, 1.92, 'above_chance'));
  assert.equal(def.verdict, 'above chance');
  assert.equal(def.pass, true);
  for (const part of ['3.75 nats', 'ln 10 ≈ 2.30', 'σ = 1.92', 'σ²/2 = 1.84', 'under 3 × ln 10 ≈ 6.91 nats']) assert.ok(def.evidence.includes(part), part);
  assert.ok(def.evidence.includes(startText(reading(3.75, 1.92))), 'the same sentence as under the loss chart');
  // a small spread: about σ²/2
  assert.match(initLossProbe(reading(2.45, 0.5, 'above_chance')).evidence, /about σ²\/2 = 0\.13 nats/);
  const huge = initLossProbe(reading(5649.6, 2168.2, 'far_above_chance'));
  assert.equal(huge.verdict, 'far above chance');
  assert.equal(huge.pass, false);
  assert.match(huge.evidence, /5649\.60 nats.*σ = 2168\.20.*σ²\/2 = .* Fails: past 3 × ln 10 ≈ 6\.91 nats/);
  // overflow: the worker sends null for a loss that is not a number
  const nan = initLossProbe(reading(null, null, 'not_finite'));
  assert.equal(nan.verdict, 'not finite');
  assert.equal(nan.pass, false);
  assert.match(nan.evidence, /not a number: its outputs overflow .* Fails: the outputs overflow before any step/);
  assert.equal(nan.measured.steps, 0);
});

/** A record of `n` watched digits whose answers put `onLabel[e]` on each label at answer e (the rest spread evenly). */
function record(labels, onLabel, { wrongTo = null } = {}) {
  const predictions = onLabel.map((q, e) => {
    const probs = new Float32Array(labels.length * 10);
    labels.forEach((y, i) => {
      for (let c = 0; c < 10; c++) probs[i * 10 + c] = (1 - q) / 9;
      probs[i * 10 + y] = q;
      if (wrongTo !== null && q < 0.1) { probs[i * 10 + y] = 0.01; probs[i * 10 + wrongTo(y)] = q + 0.09; }
    });
    return { epoch: e, probs };
  });
  return { watch: { labels: Uint8Array.from(labels), index: Uint32Array.from(labels, (_, i) => 100 + i), images: new Uint8Array(labels.length * 784), learningRise: 0.1 }, predictions };
}

const LABELS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 7, 3, 2, 0, 4];

test('prediction dynamics: learning needs the mean on the labels up by 0.1; the reading counts right, changed and unsure', () => {
  assert.match(PROBES.predictions.expected, /16 validation digits .* at least 10 points .*Karpathy 2019/);
  const learnt = record(LABELS, [0.1, 0.6, 0.9]);
  const v = predictionsVerdict(learnt.watch, learnt.predictions);
  assert.equal(v.verdict, 'learning');
  assert.match(v.text, /rose from 10\.0% \(untrained\) to 90\.0% at epoch 2, at least 10 points; 16 of 16 right/);
  // just under and just over the bar
  assert.equal(predictionsVerdict(record(LABELS, [0.1, 0.199]).watch, record(LABELS, [0.1, 0.199]).predictions).verdict, 'not learning');
  assert.equal(predictionsVerdict(record(LABELS, [0.1, 0.201]).watch, record(LABELS, [0.1, 0.201]).predictions).verdict, 'learning');
  // a rise with fewer than half right is not learning yet (the right answers need the top bar on the label)
  const weak = record(LABELS, [0.05, 0.3], { wrongTo: (y) => (y + 1) % 10 });
  const few = weak.predictions[1];
  LABELS.forEach((y, i) => { if (i >= 7) { few.probs.fill(0.7 / 9, i * 10, i * 10 + 10); few.probs[i * 10 + y] = 0.05; few.probs[i * 10 + ((y + 1) % 10)] = 0.25; } });
  assert.equal(tally(LABELS, few).right, 7);
  const w = predictionsVerdict(weak.watch, weak.predictions);
  assert.equal(w.verdict, 'not learning');
  assert.match(w.text, /but only 7 of 16 are right \(fewer than half\)/);
  few.probs.fill(0.7 / 9, 70, 80); few.probs[70 + LABELS[7]] = 0.3;
  assert.equal(tally(LABELS, few).right, 8);
  assert.equal(predictionsVerdict(weak.watch, weak.predictions).verdict, 'learning');
  const flat = record(LABELS, [0.1, 0.1]);
  const f = predictionsVerdict(flat.watch, flat.predictions);
  assert.equal(f.pass, false);
  assert.match(f.text, /Not learning: .* less than 10 points up/);
  // before any epoch: no verdict yet
  const early = record(LABELS, [0.1]);
  const e = predictionsVerdict(early.watch, early.predictions);
  assert.equal(e.verdict, 'not trained yet');
  assert.equal(e.pass, null);
  // outputs that are not numbers
  const nan = record(LABELS, [0.1, 0.5]);
  nan.predictions[1].probs.fill(NaN);
  assert.match(predictionsVerdict(nan.watch, nan.predictions).text, /not numbers/);
  assert.match(predictionsReading(nan.watch, nan.predictions, 1), /not numbers/);

  // the reading: right answers, answers that changed since the epoch before, unsure ones
  const shifted = record(LABELS, [0.05, 0.3, 0.95], { wrongTo: (y) => (y + 1) % 10 });
  assert.equal(top(Array.from(shifted.predictions[0].probs.slice(0, 10))), 1);
  assert.deepEqual(tally(LABELS, shifted.predictions[0]), { right: 0, unsure: 16, finite: true, n: 16 });
  assert.equal(predictionsReading(shifted.watch, shifted.predictions, 0), 'Untrained (epoch 0): 0 of 16 right by chance; 16 unsure (top probability under 50%).');
  assert.equal(
    predictionsReading(shifted.watch, shifted.predictions, 1),
    'Epoch 1: 16 of 16 right; 16 answers changed since untrained: #1 (labelled 0) from 1 to 0, #2 (labelled 1) from 2 to 1, and 14 more; 16 unsure (top probability under 50%).',
  );
  assert.equal(predictionsReading(shifted.watch, shifted.predictions, 2), 'Epoch 2: 16 of 16 right; no answer changed since epoch 1; none unsure.');
  assert.ok(Math.abs(meanOnLabels(LABELS, shifted.predictions[2]) - 0.95) < 1e-6);

  // the probe's answer: every digit's probabilities per epoch
  const answer = predictionsProbe(learnt);
  assert.equal(answer.name, 'predictions');
  assert.deepEqual(answer.measured.epochs, [0, 1, 2]);
  assert.equal(answer.measured.images.length, 16);
  assert.equal(answer.measured.images[3].label, 3);
  assert.equal(answer.measured.images[3].index, 103);
  assert.equal(answer.measured.images[3].probs.length, 3);
  assert.ok(Math.abs(answer.measured.images[3].probs[2][3] - 0.9) < 1e-6);
});
