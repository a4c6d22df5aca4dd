// One settings table: the engine's (src/config.rs SETTINGS, the only list of them), which scripts/build.sh writes
// into the page as www/generated/settings.js, and the page's presentation of it (www/state.js), joined there.
// Checked here: the generated file is the built engine's table, every engine key and enum option has its
// presentation and no presentation names one the engine does not have, and the joined table says what the
// engine says. Also: the page reads URL values by the engine's rules (it refuses what the engine refuses, with a
// notice), its validation of hostile URLs and odd numbers, and the engine exports the page relies on (settings,
// fresh_seed, LabTrainer.config).
//
// Run: bash scripts/build.sh && node --test tests/settings.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

// www/state.js imports the generated table: without a build there is nothing to test.
if (!existsSync(path('../www/generated/settings.js'))) {
  throw new Error('www/generated/settings.js is missing: run bash scripts/build.sh first');
}
const { SETTINGS, BY_KEY, PRESENTATION, MAX_DEPTH, defaults, merge, fromQuery, toQuery, toEngine, validate } = await import('../www/state.js');
const { ENGINE_SETTINGS } = await import('../www/generated/settings.js');

// ---- the engine ----

let engine = null;
/** The wasm package, initialised once; fails with the command that builds it when it is missing. */
async function loadEngine() {
  if (engine) return engine;
  const wasm = path('../www/pkg/losslab_bg.wasm');
  assert.ok(existsSync(wasm), `${wasm} is missing: run bash scripts/build.sh first`);
  const pkg = await import('../www/pkg/losslab.js');
  pkg.initSync({ module: readFileSync(wasm) });
  engine = pkg;
  return engine;
}

// ---- comparing one table with the engine's ----

const NUMERIC = new Set(['int', 'float', 'log']);
const sorted = (a) => [...a].sort().join(' ');

/**
 * Every way `other` ({key, kind, type, min, max, def, options: [names]}) differs from the engine's
 * table, as sentences naming the key and both values.
 */
function disagreements(where, engineRows, otherRows) {
  const out = [];
  const other = new Map();
  for (const r of otherRows) {
    if (other.has(r.key)) out.push(`${where} lists ${r.key} twice`);
    other.set(r.key, r);
  }
  for (const e of engineRows) {
    const o = other.get(e.key);
    if (!o) {
      out.push(`${where} has no ${e.key}`);
      continue;
    }
    const differ = (what, mine, theirs) => out.push(`${e.key}: ${what} is ${JSON.stringify(theirs)} in ${where}, ${JSON.stringify(mine)} in the engine`);
    if (o.kind !== e.kind) differ('kind', e.kind, o.kind);
    if (o.type !== e.type) differ('type', e.type, o.type);
    if (e.type === 'enum') {
      if (sorted(o.options ?? []) !== sorted(e.options)) differ('options', e.options, o.options);
    } else {
      if (o.min !== e.min) differ('min', e.min, o.min);
      if (o.max !== e.max) differ('max', e.max, o.max);
    }
    const sameDef = NUMERIC.has(e.type) ? Number(o.def) === Number(e.def) : String(o.def) === e.def;
    if (!sameDef) differ('default', e.def, o.def);
  }
  for (const key of other.keys()) {
    if (!engineRows.some((e) => e.key === key)) out.push(`${where} has ${key}, which the engine does not know`);
  }
  return out;
}

/** The page's rows in the same shape (enum options as names). */
const pageRows = () => SETTINGS.map((s) => ({ ...s, options: s.options?.map(([name]) => name) }));

test('www/generated/settings.js is the table of the engine that was built', async () => {
  const { settings } = await loadEngine();
  // the generator's rows: the engine's, with min/max left out for an enum, options and maxLen only where they apply
  const want = settings().map(({ key, kind, type, def, min, max, options, maxLen }) => ({
    key, kind, type, def,
    ...(type === 'enum' ? { options } : { min, max }),
    ...(maxLen === null ? {} : { maxLen }),
  }));
  assert.deepEqual(ENGINE_SETTINGS, want, 'www/generated/settings.js is stale: run bash scripts/build.sh');
});

test('every engine setting has its presentation in www/state.js, and every presentation an engine setting', () => {
  const engine = new Map(ENGINE_SETTINGS.map((e) => [e.key, e]));
  const found = [];
  for (const e of ENGINE_SETTINGS) {
    const p = PRESENTATION[e.key];
    if (!p) { found.push(`${e.key}: the engine has it, www/state.js has no presentation for it`); continue; }
    if (typeof p.label !== 'string' || !p.label || typeof p.help !== 'string' || !p.help) found.push(`${e.key}: no label or help`);
    if (!p.group) found.push(`${e.key}: no section (group)`);
    if (e.type === 'enum') {
      const texts = Object.keys(p.options ?? {});
      for (const o of e.options) if (!texts.includes(o)) found.push(`${e.key}: option ${o} has no text`);
      for (const o of texts) if (!e.options.includes(o)) found.push(`${e.key}: option ${o} has a text, but the engine does not know it`);
    } else if (p.options) found.push(`${e.key}: option texts for a ${e.type} setting`);
    if ((e.type === 'int' || e.type === 'float') && !(p.step > 0)) found.push(`${e.key}: a linear slider without a step`);
  }
  for (const key of Object.keys(PRESENTATION)) {
    if (!engine.has(key)) found.push(`${key}: www/state.js presents it, the engine does not know it`);
  }
  assert.deepEqual(found, [], `www/state.js and the engine's table (src/config.rs SETTINGS):\n  ${found.join('\n  ')}`);
});

test('the joined page table says what the engine says on every key, kind, type, range, default and option', async () => {
  const { settings } = await loadEngine();
  const found = disagreements('www/state.js', settings(), pageRows());
  assert.deepEqual(found, [], `www/state.js disagrees with src/config.rs:\n  ${found.join('\n  ')}`);
  // display order is the presentation's, then any key it lacks
  assert.deepEqual(SETTINGS.map((s) => s.key), Object.keys(PRESENTATION));
  // the longest list is the engine's, and so is the most conv blocks
  assert.equal(MAX_DEPTH, settings().find((s) => s.key === 'depth').max);
  for (const s of settings().filter((r) => r.type === 'ilist')) assert.equal(s.maxLen, MAX_DEPTH, s.key);
});

test('the comparison notices a disagreement of each kind', async () => {
  const { settings } = await loadEngine();
  const rows = settings();
  const changed = (key, patch) => pageRows().map((r) => (r.key === key ? { ...r, ...patch } : r));
  const cases = [
    [changed('lr', { max: 100 }), /lr: max/],
    [changed('eps', { min: 1e-9 }), /eps: min/],
    [changed('batch', { def: 64 }), /batch: default/],
    [changed('mom', { kind: 'reset' }), /mom: kind/],
    [changed('gain', { type: 'float' }), /gain: type/],
    [changed('pool', { options: ['every', 'last', 'none'] }), /pool: options/],
    [pageRows().filter((r) => r.key !== 'aug_noise'), /has no aug_noise/],
    [[...pageRows(), { key: 'momentum' }], /momentum, which the engine does not know/],
  ];
  for (const [page, want] of cases) assert.match(disagreements('page', rows, page).join('\n'), want);
});

test('the engine defaults() are its table defaults', async () => {
  const { settings, defaults: engineDefaults } = await loadEngine();
  const d = engineDefaults();
  for (const s of settings()) {
    const same = NUMERIC.has(s.type) ? Number(d[s.key]) === Number(s.def) : d[s.key] === s.def;
    assert.ok(same, `${s.key}: defaults() says ${d[s.key]}, settings() says ${s.def}`);
  }
  assert.deepEqual(Object.keys(d), settings().map((s) => s.key));
});

test('the page and the engine read the same texts as numbers', async () => {
  const { describe } = await loadEngine();
  // What the engine makes of `raw` for `key`: 'ok', 'number' (no number at all) or 'refused' (a
  // number outside the range, or not whole). The page refuses the same texts, though it may say
  // "not whole" where the engine says "out of range" first.
  const verdict = (key, raw) => {
    try {
      describe({ [key]: raw });
      return 'ok';
    } catch (e) {
      const m = String(e.message);
      if (!m.startsWith(`${key} = `)) return 'ok'; // a structural error: the value itself was read
      return /not a (finite )?number/.test(m) ? 'number' : 'refused';
    }
  };
  const raws = ['1', '+1', '0.5', '.5', '5.', '1e2', '1E-2', '0x10', '0b11', '1e', 'e5', '.', 'Infinity', '-Infinity',
    'inf', 'NaN', '1e400', ' ', '', '1_000', '1,5', '2.5', '−1', '1.0'];
  for (const s of SETTINGS.filter((s) => NUMERIC.has(s.type))) {
    for (const raw of raws) {
      const page = validate(s, raw);
      const mine = verdict(s.key, raw);
      const pageSays = page.notice === null ? 'ok' : /was not a number/.test(page.notice) ? 'number' : 'refused';
      assert.equal(pageSays, mine, `${s.key}=${JSON.stringify(raw)}: page notice ${JSON.stringify(page.notice)}, engine ${mine}`);
      // Whatever the page settles on, the engine accepts.
      assert.equal(verdict(s.key, toEngine({ ...defaults(), [s.key]: page.value })[s.key]), 'ok', `${s.key}=${raw} -> ${page.value}`);
      // A URL keeps exactly what the engine accepts; what it refuses leaves the default, with one notice.
      const url = merge(defaults(), { [s.key]: raw });
      assert.equal(url.notices.length, mine === 'ok' ? 0 : 1, `${s.key}=${JSON.stringify(raw)}: ${url.notices}`);
      if (mine !== 'ok') assert.equal(url.config[s.key], s.def, `${s.key}=${JSON.stringify(raw)} was refused but not dropped`);
    }
  }
});

test('the page and the engine accept the same per-block lists and digit sets', async () => {
  const { describe } = await loadEngine();
  const engineTakes = (key, raw) => {
    try {
      describe({ [key]: raw, depth: '1' });
      return true;
    } catch (e) {
      if (!String(e.message).startsWith(`${key} = `)) return true; // a structural error: the value itself was read
      return false;
    }
  };
  const lists = ['8', '8,16', ' 8 , 16 ', '+8', '8.0', '1e1', '8,16.5', '8,,16', '', ',', '8,99', '0', '-1', '0x10', 'a',
    '1,2,3,4,5,6,7,8', '1,2,3,4,5,6,7,8,9', '8,Infinity'];
  for (const s of SETTINGS.filter((x) => x.type === 'ilist')) {
    for (const raw of lists) {
      const page = validate(s, raw, s.def);
      assert.equal(page.notice === null, engineTakes(s.key, raw), `${s.key}=${JSON.stringify(raw)}: page notice ${JSON.stringify(page.notice)}`);
      if (page.notice !== null) assert.equal(page.value, s.def);
    }
  }
  // Digit sets: the page also drops empty entries and repeats and sorts them (3,,3,1 is 1,3), which the engine
  // would not need; it never accepts a set the engine refuses.
  const imb = BY_KEY.get('imb_classes');
  for (const raw of ['0', '3,5', '9,0', '0,1,2,3,4,5,6,7,8,9', '10', '-1', '1.5', 'a', '', '0x1']) {
    const page = validate(imb, raw, imb.def);
    assert.equal(page.notice === null, engineTakes('imb_classes', raw), `imb_classes=${JSON.stringify(raw)}: ${page.notice}`);
  }
});

test('a non-whole seed: the page refuses it with a notice, as the engine does', async () => {
  const { describe } = await loadEngine();
  assert.deepEqual(fromQuery('?seed=1.5'), { config: defaults(), notices: ['seed=1.5 is not a whole number — using 1'] });
  assert.deepEqual(merge({ ...defaults(), seed: 7 }, { seed: 7.5 }).config.seed, 7, 'a control keeps its value');
  assert.throws(() => describe({ seed: '1.5' }), /seed = 1\.5 must be a whole number/);
  assert.throws(() => describe({ seed: 1.5 }), /seed = 1\.5 must be a whole number/);
  describe({ seed: String(2 ** 53) });
  // Without a value to keep (a sweep's list of values), validate() offers the nearest value the engine takes.
  assert.deepEqual(validate(BY_KEY.get('seed'), '1.5'), { value: 2, notice: 'seed=1.5 is not a whole number — using 2' });
});

// ---- engine exports the page uses ----

test('fresh_seed() draws whole seeds in 0 … 2^53', async () => {
  const { fresh_seed, describe } = await loadEngine();
  const seeds = Array.from({ length: 20 }, () => fresh_seed());
  for (const s of seeds) {
    assert.ok(Number.isSafeInteger(s) && s >= 0 && s <= 2 ** 53, `${s}`);
    describe({ seed: String(s) });
  }
  assert.ok(new Set(seeds).size > 15, `fresh_seed() repeats itself: ${seeds}`);
});

test('LabTrainer.config() is the configuration it trains with, live changes included', async () => {
  const { LabData, LabTrainer, settings } = await loadEngine();
  const data = LabData.synthetic(300, 100, 7);
  const page = { ...defaults(), data: 'synthetic', train_n: 300, val_n: 100, batch: 16, seed: 42, lr: 0.05 };
  const t = new LabTrainer(data, toEngine(page));
  try {
    const c = t.config();
    assert.deepEqual(Object.keys(c), settings().map((s) => s.key));
    for (const s of SETTINGS) {
      const sent = toEngine(page)[s.key];
      const same = NUMERIC.has(s.type) ? Number(c[s.key]) === Math.fround(Number(sent)) || Number(c[s.key]) === Number(sent) : c[s.key] === sent;
      assert.ok(same, `${s.key}: the page sent ${sent}, the trainer has ${c[s.key]}`);
    }
    t.set('lr', '0.003');
    t.set('opt', 'adam');
    t.set('b2', '0.95');
    t.step(2);
    assert.equal(t.config().lr, '0.003');
    assert.equal(t.config().opt, 'adam');
    assert.equal(t.config().b2, '0.95');
    assert.throws(() => t.set('batch', '8'), /batch/);
    assert.equal(t.config().batch, '16', 'a refused reset setting changed the trainer');
    assert.throws(() => t.set('lr', '100'), /lr/);
    assert.equal(t.config().lr, '0.003', 'a refused value changed the trainer');
  } finally {
    t.free();
    data.free();
  }
});

test('the engine warns when train_n asks for more images than are loaded, and trains on what is there', async (ctx) => {
  const { LabData, LabTrainer } = await loadEngine();
  const warnings = [];
  ctx.mock.method(console, 'warn', (m) => warnings.push(String(m)));
  const data = LabData.synthetic(300, 100, 7);
  const t = new LabTrainer(data, { data: 'synthetic', train_n: '50000', val_n: '100' });
  try {
    assert.equal(t.trainCount, 300);
    assert.deepEqual(warnings, ['Loss Lab: train_n = 50000, but only 300 images are loaded: using 300']);
  } finally {
    t.free();
    data.free();
  }
});

// ---- hostile URLs and odd values (www/state.js only) ----

test('keys from Object.prototype are not Loss Lab settings', () => {
  for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
    const r = fromQuery(`?${key}=1`);
    assert.deepEqual(r.notices, [`${key} is not a Loss Lab setting — ignored`], key);
    assert.deepEqual(r.config, defaults(), key);
    assert.equal(Object.getPrototypeOf(r.config), Object.prototype, key);
  }
  assert.equal({}.polluted, undefined);
  fromQuery('?__proto__[polluted]=1&constructor[prototype][polluted]=1');
  assert.equal({}.polluted, undefined);
  // merge() with a parsed JSON object that carries an own __proto__ key.
  const r = merge(defaults(), JSON.parse('{"__proto__": {"lr": 5}, "lr": "0.1"}'));
  assert.deepEqual(r.notices, ['__proto__ is not a Loss Lab setting — ignored']);
  assert.equal(r.config.lr, 0.1);
  assert.equal(Object.getPrototypeOf(r.config), Object.prototype);
});

test('a key given twice is reported once, and the last value wins', () => {
  const r = fromQuery('?lr=0.1&lr=0.2');
  assert.deepEqual(r.notices, ['lr appeared twice — using the last value']);
  assert.equal(r.config.lr, 0.2);
});

test('only plain decimal numbers are numbers', () => {
  const cases = [['batch', '0x10'], ['lr', '0b11'], ['lr', '0o7'], ['lr', '1e'], ['lr', 'Infinity'], ['lr', '-Infinity'],
    ['lr', ' '], ['lr', ''], ['lr', '1e400'], ['lr', '1_0'], ['lr', '−0.1'], ['seed', '0x1F'], ['lr', '.']];
  for (const [key, raw] of cases) {
    const r = fromQuery(`?${key}=${encodeURIComponent(raw)}`);
    const s = BY_KEY.get(key);
    assert.equal(r.config[key], s.def, `${key}=${raw}`);
    assert.equal(r.notices.length, 1, `${key}=${raw}: ${r.notices}`);
    assert.match(r.notices[0], /was not a number — using/, `${key}=${raw}`);
  }
  const ok = [['lr', '0.5', 0.5], ['lr', '+0.5', 0.5], ['lr', '.5', 0.5], ['lr', '5.', 5], ['lr', '1e-3', 0.001], ['lr', '1E-3', 0.001],
    ['batch', ' 16 ', 16], ['bias', '-0.25', -0.25], ['seed', '1e3', 1000]];
  for (const [key, raw, want] of ok) {
    assert.deepEqual(validate(BY_KEY.get(key), raw), { value: want, notice: null }, `${key}=${raw}`);
  }
  // Numbers that are already numbers (presets, controls) are taken as they are.
  assert.deepEqual(validate(BY_KEY.get('lr'), 0.2), { value: 0.2, notice: null });
  assert.match(validate(BY_KEY.get('lr'), NaN).notice, /was not a number/);
  assert.match(validate(BY_KEY.get('lr'), Infinity).notice, /was not a number/);
});

test('out-of-range and unknown values keep their own notices, and the defaults stay', () => {
  const r = fromQuery('?lr=100&batch=2.4&act=gelu&nope=1&ch=8,99&k=3,5.5&pad=1,1,1,1,1,1,1,1,1&depth=3');
  assert.deepEqual(r.notices, [
    'lr=100 is above the maximum 10 — using 0.01',
    'batch=2.4 is not a whole number — using 32',
    'act=gelu is not one of relu, leaky_relu, tanh, sigmoid, identity — using relu',
    'nope is not a Loss Lab setting — ignored',
    'ch=8,99 has entries outside 1 … 64 — using 8,16',
    'k=3,5.5 has entries that are not whole numbers — using 5,5',
    `pad=1,1,1,1,1,1,1,1,1 is not 1 to ${MAX_DEPTH} comma-separated whole numbers — using 2,2`,
  ]);
  assert.equal(toQuery(r.config), '?depth=3');
  // A control's refused value leaves the value it had, not the default.
  const mine = { ...defaults(), lr: 0.5, ch: '4,4' };
  const edit = merge(mine, { lr: '20', ch: '4,0' });
  assert.deepEqual([edit.config.lr, edit.config.ch, edit.changed], [0.5, '4,4', []]);
  assert.deepEqual(edit.notices, ['lr=20 is above the maximum 10 — using 0.5', 'ch=4,0 has entries outside 1 … 64 — using 4,4']);
});
