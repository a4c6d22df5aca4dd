// The lessons' "predict, then run" questions (www/presets.json, each lesson's `predict` block; the page's
// www/views/predict.js asks them): every lesson has one, with a question, 3–4 distinct options, the index of the
// right one, and the index of the lesson claim that backs it — the claim tests/lessons.rs checks on real MNIST,
// so the answer says nothing the lesson's runs do not show. Also the page's reading of the `predict` URL key.
//
// Run: node --test tests/presets.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { questionOf, readQuery as readPredictQuery } from '../www/views/predict.js';

const lessons = JSON.parse(readFileSync(new URL('../www/presets.json', import.meta.url), 'utf8'));

test('presets.json has lessons to check', () => {
  assert.ok(Array.isArray(lessons.presets) && lessons.presets.length >= 20, 'the lesson list');
});

test('every lesson asks one well-formed question', () => {
  const problems = [];
  for (const p of lessons.presets) {
    const q = p.predict;
    const say = (what) => problems.push(`${p.id}: ${what}`);
    if (!q || typeof q !== 'object') { say('no `predict` block'); continue; }
    const extra = Object.keys(q).filter((k) => !['ask', 'options', 'answer', 'claim'].includes(k));
    if (extra.length) say(`unknown keys ${extra.join(', ')}`);
    if (typeof q.ask !== 'string' || q.ask.trim().length < 15) say('`ask` is not a question of some words');
    else if (!q.ask.trim().endsWith('?')) say(`\`ask\` does not end with a question mark: "${q.ask}"`);
    if (!Array.isArray(q.options) || q.options.length < 3 || q.options.length > 4) {
      say(`needs 3–4 options, has ${Array.isArray(q.options) ? q.options.length : 'none'}`);
      continue;
    }
    if (q.options.some((o) => typeof o !== 'string' || o.trim() === '')) say('an option is empty or not text');
    const norm = q.options.map((o) => String(o).trim().toLowerCase());
    if (new Set(norm).size !== norm.length) say('two options are the same');
    if (!Number.isInteger(q.answer) || q.answer < 0 || q.answer >= q.options.length) say(`answer ${q.answer} is not an option index 0…${q.options.length - 1}`);
    const claims = Array.isArray(p.claims) ? p.claims : [];
    if (!Number.isInteger(q.claim) || q.claim < 0 || q.claim >= claims.length) say(`claim ${q.claim} is not a claim index 0…${claims.length - 1}`);
    if (questionOf(p) === null) say('the page would not ask it (www/views/predict.js questionOf)');
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
});

test('the right answers are not all in the same place', () => {
  // a learner who spots that the answer is always the second option learns nothing from the question
  const at = new Map();
  for (const p of lessons.presets) at.set(p.predict.answer, (at.get(p.predict.answer) ?? 0) + 1);
  const most = Math.max(...at.values());
  assert.ok(at.size >= 3, `answers only at positions ${[...at.keys()].join(', ')}`);
  assert.ok(most <= 0.6 * lessons.presets.length, `${most} of ${lessons.presets.length} answers at one position`);
});

test('questionOf refuses a malformed block: the lesson then shows its text at once', () => {
  const base = { ask: 'What will the loss do?', options: ['a', 'b', 'c'], answer: 1, claim: 0 };
  assert.ok(questionOf({ predict: base }));
  assert.equal(questionOf({}), null);
  assert.equal(questionOf(null), null);
  assert.equal(questionOf({ predict: { ...base, answer: 3 } }), null);
  assert.equal(questionOf({ predict: { ...base, answer: '1' } }), null);
  assert.equal(questionOf({ predict: { ...base, options: 'abc' } }), null);
  assert.equal(questionOf({ predict: { ...base, ask: 7 } }), null);
});

test('predict URL key: on by default, predict=0 turns it off, garbled values keep it on with a notice', () => {
  assert.deepEqual(readPredictQuery(''), { on: true, notices: [] });
  assert.deepEqual(readPredictQuery('?predict=0'), { on: false, notices: [] });
  assert.deepEqual(readPredictQuery('?predict=1'), { on: true, notices: [] });
  const garbled = readPredictQuery('?predict=nope');
  assert.equal(garbled.on, true);
  assert.match(garbled.notices[0], /predict = "nope" is not 0 or 1/);
  const twice = readPredictQuery('?predict=1&predict=0');
  assert.equal(twice.on, false);
  assert.match(twice.notices[0], /appeared twice/);
});
