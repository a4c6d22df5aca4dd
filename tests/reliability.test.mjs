// The diagnosis's report card (www/report-card.json, written by the detection test in tests/lessons.rs)
// and its summary on the page (www/views/reliability.js): the shipped file is whole and adds up, its pooled
// Wilson bound is recomputed here from the counts, and the page pools conditions of one cause without losing a run.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { summarise } from '../www/views/reliability.js';

const card = JSON.parse(readFileSync(new URL('../www/report-card.json', import.meta.url), 'utf8'));

/** Wilson score interval's lower end (Wilson 1927), written out again here rather than imported. */
function wilsonLower(k, n, z = 1.96) {
  const p = k / n;
  const z2 = z * z;
  return (p + z2 / (2 * n) - z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

test('the shipped report card is whole: every cause has a name, every run an answer, counts within runs', () => {
  assert.ok(card.conditions.length >= 10, 'a card over a handful of conditions tells little');
  for (const c of card.conditions) {
    assert.ok(c.causes.length >= 1, c.name);
    for (const id of c.causes) assert.equal(typeof card.causeNames[id], 'string', `${c.name}: no name for ${id}`);
    assert.equal(c.runs, card.seeds.length, `${c.name}: one run per seed`);
    assert.ok(c.named >= 0 && c.named <= c.runs, c.name);
    const answered = Object.values(c.answers).reduce((a, b) => a + b, 0);
    assert.equal(answered, c.runs, `${c.name}: one answer per run`);
    for (const id of Object.keys(c.answers)) assert.ok(id === 'none' || card.causeNames[id], `${c.name}: answer ${id} has no name`);
  }
  assert.ok(card.healthy.runs >= card.seeds.length && card.healthy.falseAlarms <= card.healthy.runs);
});

test('the pooled rate leaves out exactly the known misses, and its Wilson bound follows from its counts', () => {
  const counted = card.conditions.filter((c) => !c.knownMiss);
  assert.equal(card.pooled.runs, counted.reduce((a, c) => a + c.runs, 0));
  assert.equal(card.pooled.named, counted.reduce((a, c) => a + c.named, 0));
  assert.ok(Math.abs(card.pooled.wilsonLower - wilsonLower(card.pooled.named, card.pooled.runs)) < 6e-4);
  // A check of the formula on a textbook case: 82 of 85 → 0.901 (Wilson 1927; Agresti & Coull 1998).
  assert.ok(Math.abs(wilsonLower(82, 85) - 0.9013) < 1e-3);
});

test('the page pools conditions of the same causes into one row and keeps every run and every miss', () => {
  const s = summarise(card);
  assert.equal(s.byCause.reduce((a, r) => a + r.runs, 0), card.conditions.reduce((a, c) => a + c.runs, 0));
  assert.equal(s.byCause.reduce((a, r) => a + r.named, 0), card.conditions.reduce((a, c) => a + c.named, 0));
  for (const r of s.byCause) {
    assert.equal(new Set(s.byCause.map((x) => x.causes.join('|'))).size, s.byCause.length);
    assert.ok(r.said.every((x) => !r.causes.includes(x.cause)), `${r.title}: the true cause listed as a confusion`);
  }
});

test('summarise on a hand-made card: two conditions of one cause pool, a wrong answer is listed, a right one is not', () => {
  const s = summarise({
    seeds: [3, 4], rank: 2,
    causeNames: { a: 'cause a', b: 'cause b' },
    conditions: [
      { name: 'a1', causes: ['a'], runs: 2, named: 2, answers: { a: 2 }, knownMiss: null },
      { name: 'a2', causes: ['a'], runs: 2, named: 1, answers: { a: 1, b: 1 }, knownMiss: null },
      { name: 'b1', causes: ['b'], runs: 2, named: 0, answers: { none: 2 }, knownMiss: 'why' },
    ],
    healthy: { conditions: ['h'], runs: 2, falseAlarms: 0 },
    pooled: { named: 3, runs: 4, wilsonLower: 0.3 },
  });
  assert.deepEqual(s.byCause.map((r) => [r.title, r.runs, r.named, r.conditions.join()]), [['cause a', 4, 3, 'a1,a2'], ['cause b', 2, 0, 'b1']]);
  assert.deepEqual(s.byCause[0].said, [{ cause: 'b', name: 'cause b', count: 1 }]);
  assert.deepEqual(s.byCause[1].said, [{ cause: 'none', name: 'no warning', count: 2 }]);
  assert.deepEqual(s.byCause[1].knownMiss, ['b1: why']);
});
