// The mystery drill's rules without a page (www/mystery/): the same class code draws the same sequence, every
// candidate of every pool and level can be drawn, every magnitude in the pool is one the lab checks (a lesson's or
// the detection test's, read from the report card it writes, www/report-card.json), answers score as they should, result codes decode to
// what was answered, and garbled URL keys are said and replaced.
//
// Run: node --test tests/mystery.test.mjs   (after a build: it reads www/generated/)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { drawSequence, readQuery, queryParams, query, score, fixPartial, EXPERIMENTS, MAX_POINTS } from '../www/mystery/drill.js';
import { candidates, detectionConditions, POOL_GROUPS, LEVELS } from '../www/mystery/pool.js';
import { ANSWERS, FIXES, FIX_FOR_CAUSE, HEALTHY } from '../www/mystery/answers.js';
import { encodeResult, decodeResult } from '../www/mystery/code.js';
import { CAUSES } from '../www/generated/catalogue.js';
import { defaults, merge } from '../www/state.js';

const presets = JSON.parse(readFileSync(new URL('../www/presets.json', import.meta.url), 'utf8')).presets;
const card = JSON.parse(readFileSync(new URL('../www/report-card.json', import.meta.url), 'utf8'));
const POOLS = [...POOL_GROUPS.map((g) => [g]), [...POOL_GROUPS]];
const LEVEL_IDS = Object.keys(LEVELS).map(Number);
const fixed = () => 'FRESH';

test('the same class code, pool and level draw the same sequence; other codes draw others', () => {
  for (const level of LEVEL_IDS) {
    const a = drawSequence({ code: 'physics-3b', pools: [...POOL_GROUPS], level, presets, card });
    const b = drawSequence({ code: 'physics-3b', pools: [...POOL_GROUPS], level, presets, card });
    assert.deepEqual(a, b);
    assert.equal(a.length, 3);
    const others = ['physics-3a', 'x', 'class7', 'Q'].map((code) => JSON.stringify(drawSequence({ code, pools: [...POOL_GROUPS], level, presets, card })));
    assert.ok(others.some((o) => o !== JSON.stringify(a)), `level ${level}: every code drew the same sequence`);
  }
});

test('every candidate of every pool and level can be drawn', () => {
  for (const pools of POOLS) {
    for (const level of LEVEL_IDS) {
      const c = candidates(presets, card, { pools, level });
      assert.ok(c.faults.length > 0, `${pools} level ${level}: no faults`);
      const want = new Set([...c.faults, ...c.doubles, ...c.decoys].map((x) => x.id));
      const seen = new Set();
      for (let i = 0; i < 3000 && seen.size < want.size; i++) {
        for (const m of drawSequence({ code: `c${i}`, pools, level, presets, card })) {
          seen.add(m.id);
          assert.ok(want.has(m.id), `${m.id} is not a candidate of ${pools} level ${level}`);
          const cand = [...c.faults, ...c.doubles, ...c.decoys].find((x) => x.id === m.id);
          assert.ok(m.set.seed >= cand.seeds[0] && m.set.seed <= cand.seeds[1], `${m.id}: seed ${m.set.seed}`);
        }
      }
      assert.deepEqual([...want].filter((id) => !seen.has(id)), [], `${pools} level ${level}: never drawn`);
      // the harder levels draw decoys and two faults; the plain level neither
      if (level === 1) assert.equal(c.decoys.length + c.doubles.length, 0);
    }
  }
  // two faults at once come only with the data group, at level 3
  assert.ok(candidates(presets, card, { pools: ['data'], level: 3 }).doubles.length > 0);
});

test('every magnitude in the pool is a lesson\'s or a condition of the detection test, with its cause', () => {
  const byId = new Map(presets.map((p) => [p.id, p]));
  // the detection test's conditions come from its report card, which tests/lessons.rs writes from the runs it judged
  const D = detectionConditions(card, presets);
  const byName = new Map(card.conditions.map((c) => [c.name, c]));
  assert.ok(D.faults.length >= 10 && D.doubles.length >= 1 && D.healthy.length >= 1, 'the card gives the drill its milder magnitudes');
  assert.ok(Number.isInteger(card.valN) && card.valN >= 100, 'the card says how many digits its runs validated on');
  for (const d of [...D.faults, ...D.doubles]) {
    const c = byName.get(d.name);
    assert.deepEqual(d.set, { ...c.set, val_n: String(card.valN) }, `"${d.name}": the card's settings, validated as the test did`);
    assert.deepEqual(d.causes ?? [d.cause], c.causes, `"${d.name}": cause`);
    for (const id of d.lessons ?? [d.lesson]) {
      assert.ok(byId.has(id), `"${d.name}": no lesson ${id}`);
      assert.ok((d.causes ?? [d.cause]).includes(byId.get(id).cause), `"${d.name}": lesson ${id} is about ${byId.get(id).cause}`);
    }
    assert.deepEqual(d.seeds, [card.seeds[0], card.seeds[card.seeds.length - 1]]);
  }
  // a known miss of the detection test shows no signature the card reads: it is not in the pool
  const misses = card.conditions.filter((c) => c.knownMiss).map((c) => c.name);
  assert.ok(misses.length > 0, 'the card lists the known misses');
  for (const d of [...D.faults, ...D.doubles]) assert.ok(!misses.includes(d.name), `"${d.name}" is a known miss of the detection test`);
  // a condition at its lesson's own magnitude is the lesson, not a milder form of it
  assert.ok(!D.faults.some((d) => d.name === 'zeros'));
  for (const h of D.healthy) {
    const c = card.healthy.conditions.find((x) => x.name === h.name);
    assert.ok(c && h.seeds[1] - h.seeds[0] + 1 === c.runs, `"${h.name}": the seeds the test kept it quiet on`);
  }
  for (const level of LEVEL_IDS) {
    const c = candidates(presets, card, { pools: [...POOL_GROUPS], level });
    for (const x of [...c.faults, ...c.doubles, ...c.decoys]) {
      if (x.source === 'lesson') {
        const p = byId.get(x.id);
        assert.deepEqual(x.set, p.set, `${x.id}: a lesson's magnitude is its own set`);
        assert.deepEqual(x.causes, p.cause ? [p.cause] : []);
        assert.ok(p.claims.length > 0, `${x.id}: no claims back it`);
      }
      // the settings are ones the page accepts as they are
      const { notices } = merge(defaults(), x.set);
      assert.deepEqual(notices, [], `${x.id}: ${notices}`);
      for (const cause of x.causes) {
        assert.ok(CAUSES.some((k) => k.id === cause), `${x.id}: ${cause} is not a catalogue cause`);
        assert.ok(FIX_FOR_CAUSE[cause], `${x.id}: ${cause} has no fix`);
      }
    }
  }
});

test('a right cause scores, a wrong one does not; a fix counts only with the right cause', () => {
  const one = { causes: ['lr_too_high'] };
  assert.deepEqual(score(one, { cause: 'lr_too_high' }), { correct: true, fixRight: null, points: 1 });
  assert.deepEqual(score(one, { cause: 'lr_too_high', fix: 'optimizer' }), { correct: true, fixRight: true, points: 2 });
  assert.deepEqual(score(one, { cause: 'lr_too_high', fix: 'labels' }), { correct: true, fixRight: false, points: 1 });
  assert.deepEqual(score(one, { cause: 'bad_init', fix: 'optimizer' }), { correct: false, fixRight: true, points: 0 });
  assert.deepEqual(score(one, { cause: HEALTHY }), { correct: false, fixRight: null, points: 0 });
  const decoy = { causes: [] };
  assert.equal(score(decoy, { cause: HEALTHY }).points, 1);
  assert.equal(score(decoy, { cause: 'label_noise' }).points, 0);
  assert.equal(score(decoy, { cause: HEALTHY, fix: 'labels' }).points, 1);
  const two = { causes: ['label_noise', 'class_imbalance'] };
  assert.equal(score(two, { cause: 'class_imbalance', fix: 'balance' }).points, MAX_POINTS);
  assert.equal(score(two, { cause: 'label_noise', fix: 'labels' }).points, MAX_POINTS);
  assert.throws(() => score(one, { cause: 'gremlins' }), /"gremlins" is not a cause/);
  assert.throws(() => score(one, { cause: 'lr_too_high', fix: 'reboot' }), /"reboot" is not a fix/);
  assert.throws(() => score(one, {}), /is not a cause/);
});

test('each fix, and each race, is a change the page accepts; the fix of every drawn cause puts its setting back', () => {
  const d = defaults();
  for (const f of FIXES.filter((x) => x.id !== 'none')) {
    const partial = fixPartial(f.id);
    assert.ok(Object.keys(partial).length > 0, `${f.id}: changes nothing`);
    assert.deepEqual(merge(d, partial).notices, [], f.id);
  }
  for (const e of EXPERIMENTS.filter((x) => x.kind === 'race')) {
    for (const lr of [1e-5, 0.01, 10]) assert.deepEqual(merge(d, e.change({ ...d, lr })).notices, [], `${e.id} at lr ${lr}`);
  }
  // the fault's own keys go back; the rest of a set is its lesson's context (fewer images for speed, the six-layer
  // net the stale-statistics bug lives in, the batch and rate the unshuffled condition trains with)
  const CONTEXT = {
    'bn-stale': ['depth', 'act', 'ch', 'k', 'pad', 'pool', 'pool_size', 'bn'],
    'unshuffled, batch 64': ['batch', 'lr'],
  };
  for (const level of LEVEL_IDS) {
    for (const x of candidates(presets, card, { pools: [...POOL_GROUPS], level }).faults) {
      const fixedCfg = merge(merge(d, x.set).config, fixPartial(FIX_FOR_CAUSE[x.causes[0]])).config;
      const own = Object.keys(x.set).filter((k) => !['val_n', 'seed'].includes(k)
        && !(k === 'train_n' && x.causes[0] !== 'too_little_data') && !(CONTEXT[x.id] ?? []).includes(k));
      const left = own.filter((k) => String(fixedCfg[k]) !== String(d[k]));
      assert.deepEqual(left, [], `${x.id}: the fix for ${x.causes[0]} leaves ${left.map((k) => `${k}=${fixedCfg[k]}`)}`);
    }
  }
});

test('result codes decode to what was answered, and a mistyped code is refused', () => {
  for (const level of LEVEL_IDS) {
    for (const pools of POOLS) {
      const seq = drawSequence({ code: 'round_trip-1', pools, level, presets, card });
      const items = seq.map((m, i) => ({
        causes: m.causes,
        cause: i === 2 ? null : ANSWERS[(i * 7 + level) % ANSWERS.length].id,
        fix: FIXES[(i + level) % FIXES.length].id,
      }));
      const code = encodeResult({ code: 'round_trip-1', level, pools, items });
      assert.match(code, /^LL1\./);
      assert.ok(code.length < 60, `${code} is not short`);
      assert.deepEqual(decodeResult(code), { code: 'round_trip-1', level, pools, items });
      assert.deepEqual(decodeResult(`  ${code}\n`), decodeResult(code));
    }
  }
  const good = encodeResult({ code: 'k', level: 1, pools: ['data'], items: [{ causes: ['label_noise'], cause: 'label_noise', fix: 'labels' }] });
  const typo = good.replace(/\.([0-9a-z])([0-9a-z]{3})\./, (_, a, b) => `.${a === '9' ? '8' : '9'}${b}.`);
  assert.throws(() => decodeResult(typo), /does not add up/);
  assert.throws(() => decodeResult('hello'), /starts with LL1/);
  assert.throws(() => decodeResult('LL1.k.1'), /cut short/);
  assert.throws(() => decodeResult(good.slice(0, -1)), /does not add up/);
});

test('mystery, pool and level: garbled values are said and replaced', () => {
  const ok = readQuery('?mystery=physics-3b&pool=data,pipeline&level=2', fixed);
  assert.deepEqual(ok, { on: true, code: 'physics-3b', pools: ['data', 'pipeline'], level: 2, notices: [] });
  assert.equal(query(ok), 'mystery=physics-3b&pool=data,pipeline&level=2');
  assert.deepEqual(readQuery('?mystery=1', fixed), { on: true, code: 'FRESH', pools: [...POOL_GROUPS], level: 1, notices: [] });
  assert.equal(readQuery('?mystery=', fixed).code, 'FRESH');
  assert.equal(readQuery('', fixed).on, false);

  const bad = readQuery('?mystery=<b>hi</b>&pool=data,gremlins&level=9', fixed);
  assert.equal(bad.code, 'FRESH');
  assert.deepEqual(bad.pools, ['data']);
  assert.equal(bad.level, 1);
  assert.equal(bad.notices.length, 3);
  assert.match(bad.notices[0], /is not a class code/);
  assert.match(bad.notices[1], /"gremlins" is not a group.*left out/);
  assert.match(bad.notices[2], /level = "9" is not a level/);
  assert.deepEqual(readQuery('?mystery=a&pool=x,y', fixed).pools, [...POOL_GROUPS]);
  assert.match(readQuery('?mystery=a&pool=x,y', fixed).notices[0], /are not groups.*using every group/);
  assert.match(readQuery('?mystery=a&level=1.5', fixed).notices[0], /not a level/);
  assert.match(readQuery('?mystery=a&mystery=b', fixed).notices[0], /appeared twice/);
  assert.equal(readQuery('?mystery=a&mystery=b', fixed).code, 'b');
  // without mystery=, level is said and ignored, and pool= is the pooling setting's (no notice here)
  assert.deepEqual(readQuery('?pool=last&level=2', fixed).notices, ['level only applies to a mystery drill (add mystery=1 or mystery=CLASSCODE) — ignored']);
  assert.deepEqual([...queryParams('?pool=last')], ['mystery', 'level']);
  assert.deepEqual([...queryParams('?mystery=a&pool=data')], ['mystery', 'pool', 'level']);
  assert.equal(readQuery('?mystery=' + 'x'.repeat(25), fixed).code, 'FRESH');
});
