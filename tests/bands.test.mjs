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

// ---- a race on 3 seeds (www/lab/seedrace.js), its queue driven by stand-in runs that finish at once ----

const { SeedRace, checkRaceSpec } = await import('../www/lab/seedrace.js');
const { Emitter } = await import('../www/lab/run.js');
const { Record } = await import('../www/lab/record.js');

/** A stand-in for Run: built at once; run() trains `epochs` epochs of 4 steps whose losses come from `lossOf(cfg)`. */
function fakeRun(epochs, lossOf) {
  return (cfg) => {
    const r = new Emitter();
    r.cfg = cfg;
    r.record = new Record([]);
    r.built = true;
    r.terminate = () => { r.ended = true; };
    r.pause = () => Promise.resolve();
    r.run = () => {
      for (let e = 1; e <= epochs; e++) {
        const v = lossOf(cfg, e);
        r.record.addSteps({ loss: Float32Array.of(v, v, v, v), acc: new Float32Array(4), cleanLoss: new Float32Array(4), noisyLoss: new Float32Array(4), gradNorms: new Float32Array(0), step: 4 * e, epoch: e, stepInEpoch: 0, stepsPerEpoch: 4 });
        r.emit('progress', { epochDone: true, epoch: e, stepInEpoch: 4, stepsPerEpoch: 4 });
        const row = r.record.addEpoch({ summary: { epoch: e, trainLoss: v, trainAcc: 0.5 }, report: { valLoss: v + 0.1, valAcc: 0.8, recall: new Float32Array(10), confusion: new Uint32Array(100) } });
        r.emit('epoch', row);
      }
    };
    queueMicrotask(() => r.emit('built', {}));
    return r;
  };
}

test('checkRaceSpec: 3 seeds (or 1) and 1–10 epochs', () => {
  assert.deepEqual(checkRaceSpec({ seeds: 3, epochs: 2 }).spec, { seeds: 3, epochs: 2 });
  assert.match(checkRaceSpec({ seeds: 2 }).errors[0], /1 seed .* or 3/);
  assert.match(checkRaceSpec({ epochs: 11 }).errors[0], /epochs = 11/);
});

test('a race on 3 seeds: each side on its own seeds, bands over them, the verdict of the last epoch', async () => {
  // the loss depends on the side (lr) and the seed: lr 0.05 lands 1.0 + seed/10, lr 0.01 lands 0.5 + seed/100
  const lossOf = (cfg, e) => (cfg.lr === 0.05 ? 1 + cfg.seed / 10 : 0.5 + cfg.seed / 100) / e;
  const race = new SeedRace({ lr: 0.05, seed: 4 }, { lr: 0.01, seed: 1 }, { epochs: 2 }, { parallel: 2, makeRun: fakeRun(2, lossOf) });
  const r = await race.start();
  assert.equal(r.state, 'done');
  assert.deepEqual(r.sides.map((s) => [s.side, s.seeds, s.runs.map((x) => [x.seed, x.status, x.epochs.length])]), [
    ['current', [4, 5, 6], [[4, 'done', 2], [5, 'done', 2], [6, 'done', 2]]],
    ['pinned', [1, 2, 3], [[1, 'done', 2], [2, 'done', 2], [3, 'done', 2]]],
  ]);
  // validation loss at epoch 2 = loss / 2 + 0.1
  const cur = [4, 5, 6].map((s) => (1 + s / 10) / 2 + 0.1), pin = [1, 2, 3].map((s) => (0.5 + s / 100) / 2 + 0.1);
  assert.ok(Math.abs(r.sides[0].valLoss.lo - Math.min(...cur)) < 1e-6 && Math.abs(r.sides[0].valLoss.hi - Math.max(...cur)) < 1e-6, JSON.stringify(r.sides[0].valLoss));
  assert.ok(Math.abs(r.sides[1].valLoss.mean - pin.reduce((a, b) => a + b) / 3) < 1e-6);
  assert.equal(r.verdict, 'apart', 'every seed of lr 0.01 below every seed of lr 0.05');
  const b = race.bands(0);
  assert.deepEqual([b.seeds, b.done, b.loss.n, Array.from(b.val.xs), Array.from(b.val.count)], [3, 3, 8, [1, 2], [3, 3]]);
});

test('a race on 3 seeds whose sides overlap is inside the seed-to-seed spread', async () => {
  const lossOf = (cfg) => (cfg.lr === 0.05 ? 0.3 : 0.32) + (cfg.seed % 3) * 0.05;
  const race = new SeedRace({ lr: 0.05, seed: 1 }, { lr: 0.01, seed: 1 }, { epochs: 1 }, { parallel: 2, makeRun: fakeRun(1, lossOf) });
  const r = await race.start();
  assert.equal(r.verdict, 'inside');
  assert.ok(r.gap > 0 && r.gap < r.width, JSON.stringify(r));
});
