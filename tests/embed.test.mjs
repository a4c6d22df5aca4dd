// The embedding keys of the page (www/embed.js): embed, lock, hide and origin as the URL gives them — valid
// values kept, garbled ones reported in a notice, a garbled origin sending no events rather than sending them
// anywhere. The page itself (layout, locked controls, events) is tested in tests/e2e/embed.spec.mjs.
//
// Run: node --test tests/embed.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readQuery as readEmbedQuery, HIDEABLE, Embed } from '../www/embed.js';
import { BY_KEY, defaults } from '../www/state.js';

test('no keys: not embedded, nothing locked or hidden, events to any parent', () => {
  assert.deepEqual(readEmbedQuery(''), { embed: false, lock: [], hide: [], origin: '*', originText: '', notices: [] });
});

test('valid keys are read as given', () => {
  const r = readEmbedQuery('?embed=1&lock=lr,mom,init&hide=sweep,lrfind&origin=https://learn.example.org');
  assert.deepEqual(r, { embed: true, lock: ['lr', 'mom', 'init'], hide: ['sweep', 'lrfind'], origin: 'https://learn.example.org', originText: 'https://learn.example.org', notices: [] });
  assert.equal(readEmbedQuery('?origin=http://127.0.0.1:8000/').origin, 'http://127.0.0.1:8000');
  assert.deepEqual(readEmbedQuery('?lock=lr&lock=mom,lr').lock, ['lr', 'mom'], 'repeated keys add up, duplicates once');
  assert.equal(readEmbedQuery('?embed=0').embed, false);
});

test('garbled keys give a notice each', () => {
  const r = readEmbedQuery('?embed=yes&lock=lr,bogus&hide=sweep,nowhere&origin=javascript:alert(1)');
  assert.equal(r.embed, true, 'embed=yes still embeds');
  assert.deepEqual(r.lock, ['lr']);
  assert.deepEqual(r.hide, ['sweep']);
  assert.equal(r.origin, null, 'a garbled origin sends nothing');
  assert.equal(r.notices.length, 4, r.notices.join('\n'));
  assert.match(r.notices.join('\n'), /embed = "yes"/);
  assert.match(r.notices.join('\n'), /"bogus" is not a Loss Lab setting/);
  assert.match(r.notices.join('\n'), /"nowhere" is not a section/);
  assert.match(r.notices.join('\n'), /origin = "javascript:alert\(1\)" is not an origin/);
  for (const bad of ['https://a.example/path', 'https://a.example?x=1', 'ftp://a.example', 'https://user@a.example', '*', '']) {
    assert.equal(readEmbedQuery(`?origin=${encodeURIComponent(bad)}`).origin, null, bad);
  }
  assert.match(readEmbedQuery('?lock=').notices[0], /lock is empty/);
  // the page's URL keeps a garbled origin: dropping it would send the events to any page after a reload
  assert.equal(new Embed(readEmbedQuery('?origin=nope'), true).query(), 'origin=nope');
  assert.equal(new Embed(readEmbedQuery('?origin=https://a.example/'), true).query(), 'origin=https%3A%2F%2Fa.example');
});

test('hideable sections have distinct names and selectors', () => {
  const names = HIDEABLE.map(([n]) => n);
  assert.equal(new Set(names).size, names.length);
  for (const n of ['lessons', 'settings', 'diagnosis', 'layers', 'filters', 'batch', 'highloss', 'lrfind', 'sweep', 'explain']) {
    assert.ok(names.includes(n), n);
  }
});

test('locked keys are refused by change(), and lessons that need another value of them are refused', () => {
  const e = new Embed(readEmbedQuery('?lock=lr,init'), true);
  const cfg = defaults();
  const r = e.refuseLocked({ lr: 0.5, mom: 0.8 }, cfg);
  assert.deepEqual({ ...r.partial }, { mom: 0.8 });
  assert.equal(r.notices.length, 1);
  assert.match(r.notices[0], /^lr is fixed by the page this lab is embedded in — it stays at 0\.01$/);
  assert.match(e.lessonRefusal({ title: 'Learning rate too high', set: { lr: 3 } }, cfg), /needs lr = 3, but lr is fixed/);
  assert.equal(e.lessonRefusal({ title: 'Healthy baseline', set: {} }, cfg), '', 'the locked values are the defaults');
  assert.equal(e.lessonRefusal({ title: 'Big noise', set: { noise: 40 } }, cfg), '');
  assert.match(e.lessonRefusal({ title: 'Healthy baseline', set: {} }, { ...cfg, lr: 0.05 }), /needs lr = 0\.01/);
  assert.ok(BY_KEY.has('init'));
  assert.equal(e.query(), 'lock=lr,init');
});
