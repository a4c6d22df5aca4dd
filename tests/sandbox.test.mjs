// The sandbox's words (www/views/sandbox.js, reading()): each engine verdict gets its sentence, naming the axis that
// decides and the numbers that decide it; the bound is written out per method. Engine answers are made by hand here;
// tests/sandbox.rs checks the engine's own figures and tests/e2e/sandbox.spec.mjs the page.
import test from 'node:test';
import assert from 'node:assert/strict';
import { reading, num } from '../www/views/sandbox.js';

const axis = (lambda, ratio, verdict, rate) => ({ lambda, ratio, verdict, rate });
/** An engine answer as the view holds it; its verdict is the deciding axis's unless given. */
const answer = (over) => {
  const a = {
    opt: 'momentum', lr: 0.01, mom: 0.9, steps: 200, lambdaMax: 200, threshold: 3.8, onset: 0.00263,
    axisIndex: 0, axes: [axis(200, 2, 'oscillates', 0.949), axis(10, 0.1, 'oscillates', 0.949)], ...over,
  };
  return { verdict: a.axes[a.axisIndex].verdict, ...a };
};

test('every verdict has its sentence, with the deciding axis and figures', () => {
  assert.match(reading(answer({})), /^Oscillates and converges: along both axes .*η·λ = 2 along x .*below 2\(1 \+ μ\) = 3\.8.*×0\.949 a step along x and ×0\.949 along y\.$/);
  const sgd = answer({ opt: 'sgd', threshold: 2, onset: 1, axes: [axis(200, 1.8, 'oscillates', 0.8), axis(10, 0.09, 'converges', 0.91)] });
  assert.match(reading(sgd), /along x each step crosses the valley floor.*below 2,.*along y the path creeps down without crossing, by ×0\.91 a step\.$/);
  assert.doesNotMatch(reading(sgd), /2 = 2/, 'a bound that is a plain number is not written twice');
  const diverges = answer({ axes: [axis(200, 6, 'diverges', 1.5), axis(10, 0.3, 'oscillates', 0.95)] });
  assert.match(reading(diverges), /^Diverges along x: η·λ = 6 is above 2\(1 \+ μ\) = 3\.8.*learning rate below 0\.019/);
  const high = answer({ axes: [axis(200, 1000, 'diverges', 999), axis(10, 50, 'diverges', 49)] });
  assert.match(reading(high), /^Diverges along both axes: η·λ = 1000 along x and 50 along y are above 2\(1 \+ μ\) = 3\.8/);
  const edge = answer({ opt: 'sgd', threshold: 2, onset: 1, axes: [axis(200, 2, 'edge', 1), axis(10, 0.1, 'converges', 0.9)] });
  assert.match(reading(edge), /^On the edge along x/);
  const calm = answer({ opt: 'sgd', threshold: 2, onset: 1, axes: [axis(200, 0.8, 'converges', 0.2), axis(10, 0.04, 'converges', 0.96)] });
  assert.match(reading(calm), /^Converges without overshooting: η·λ = 0\.8 along x is below 1.*×0\.96/);
  const nesterov = answer({ opt: 'nesterov', threshold: 1.34, axisIndex: 1, axes: [axis(200, 0.2, 'converges', 0.9), axis(1000, 1.4, 'diverges', 1.1)] });
  assert.match(reading(nesterov), /^Diverges along y: .*2\(1 \+ μ\)\/\(1 \+ 2μ\) = 1\.34/);
});

test('Adam is read by what its path did, against its own edge', () => {
  const adam = (verdict, other = verdict) => answer({ opt: 'adam', threshold: 38, onset: null, axes: [axis(200, 25.8, verdict, null), axis(10, 4.5, other, null)] });
  assert.match(reading(adam('converges')), /^Settles on the floor within 200 steps \(η·λ\/P up to 25\.8 .*edge 38\)/);
  assert.match(reading(adam('unsettled')), /^Has not settled after 200 steps \(/);
  assert.match(reading({ ...adam('converges', 'unsettled'), axisIndex: 1, verdict: 'unsettled' }), /still moving along y/);
  assert.match(reading(adam('diverges', 'unsettled')), /^Diverges along x/);
});

test('numbers read as people write them', () => {
  assert.equal(num(3.799999952316284), '3.8');
  assert.equal(num(1.9999999552965164), '2');
  assert.equal(num(0.0026334), '0.00263');
  assert.equal(num(2.3e6), '2.3e6');
  assert.equal(num(null), '—');
});
