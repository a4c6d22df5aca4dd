// The URL registry (www/url.js): every section reads its own keys once, in registry order, the settings reader
// is told every key the other sections own, a section's follow-up (a lesson) runs after every section was read,
// and the query is every section's part in the same order. The page's own sections are tested end to end in
// tests/e2e (settings, lesson-link, sweep, lrfind, predict, embed, cores).
//
// Run: node --test tests/url.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageUrl } from '../www/url.js';

test('read loops the registry once in order; follow-ups run last; the settings hear the others\' keys', () => {
  const log = [];
  let othersSeen = null;
  const url = new PageUrl([
    { params: null, read: (search, others) => { othersSeen = others; log.push('settings'); return { notices: ['s'] }; }, write: () => 'lr=0.1' },
    { params: new Set(['lesson']), read: () => { log.push('lesson'); return { notices: [], then: () => { log.push('lesson opened'); return ['l']; } }; }, write: () => '' },
    { params: new Set(['a', 'b']), read: (search) => { log.push(`a:${new URLSearchParams(search).get('a')}`); return { notices: ['a'] }; }, write: () => 'a=1&b=2' },
  ]);
  const notices = url.read('?a=7&lesson=x&lr=0.1');
  assert.deepEqual(log, ['settings', 'lesson', 'a:7', 'lesson opened']);
  assert.deepEqual(notices, ['s', 'a', 'l']);
  assert.deepEqual([...othersSeen].sort(), ['a', 'b', 'lesson']);
  assert.equal(url.query(), '?lr=0.1&a=1&b=2', 'empty parts are left out, the order is the registry\'s');
  assert.equal(new PageUrl([{ params: null, read: () => ({}), write: () => '' }]).query(), '');
});
