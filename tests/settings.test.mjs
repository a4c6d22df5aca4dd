// One settings table, three copies that must agree: the engine's (src/config.rs, the authority,
// read here through the wasm export `settings()`), the page's (www/state.js) and the documented one
// (docs/ARCHITECTURE.md, "Configuration"). Every key, kind, type, range, default and enum option is
// compared, and every disagreement is listed in one failure.
// Also: the page's validation of hostile URLs and odd numbers (pure www/state.js, no engine needed),
// and the engine exports the page relies on (settings, fresh_seed, LabTrainer.config).
//
// Run: bash scripts/build.sh && node --test tests/settings.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS, BY_KEY, defaults, merge, fromQuery, toQuery, toEngine, validate } from '../www/state.js';

const path = (p) => fileURLToPath(new URL(p, import.meta.url));

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

// ---- the documented table ----

/** A number as the docs write it: `2^53`, `1e-5`, `−1` (unicode minus), `60000`. */
function docNumber(text) {
  const t = text.replace(/[`\s]/g, '').replace(/\u2212/g, '-');
  const pow = /^(-?\d+)\^(\d+)$/.exec(t);
  if (pow) return Number(pow[1]) ** Number(pow[2]);
  assert.match(t, /^-?(\d+(\.\d*)?|\.\d+)(e-?\d+)?$/i, `"${text}" in the docs is not a number`);
  return Number(t);
}

const DOC_TYPES = [
  [/^integer\b/, 'int'],
  [/^float \(log\)/, 'log'],
  [/^float\b/, 'float'],
  [/^enum\b/, 'enum'],
  [/^list of int\b/, 'ilist'],
  [/^list of digits\b/, 'digits'],
];

/** The rows of the "Configuration" table in docs/ARCHITECTURE.md as {key, type, min, max, options, def, kind}. */
function documentedSettings(md = readFileSync(path('../docs/ARCHITECTURE.md'), 'utf8')) {
  const section = md.split('\n## ').find((s) => s.startsWith('Configuration'));
  assert.ok(section, 'docs/ARCHITECTURE.md has no "## Configuration" section');
  const rows = [];
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 5, `not a five-column row: ${line}`);
    const [keyCell, typeCell, rangeCell, defCell, kindCell] = cells;
    const type = DOC_TYPES.find(([re]) => re.test(typeCell))?.[1];
    assert.ok(type, `unknown type "${typeCell}" in: ${line}`);
    const row = { key: keyCell.replace(/`/g, ''), type, def: defCell.replace(/`/g, ''), kind: /^\w+/.exec(kindCell)?.[0] };
    if (type === 'enum') {
      row.options = [...rangeCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    } else {
      const ends = rangeCell.split('\u2026');
      assert.equal(ends.length, 2, `range "${rangeCell}" is not "min … max" in: ${line}`);
      [row.min, row.max] = ends.map(docNumber);
    }
    rows.push(row);
  }
  return rows;
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

test('www/state.js agrees with the engine on every key, kind, type, range, default and option', async () => {
  const { settings } = await loadEngine();
  const found = disagreements('www/state.js', settings(), pageRows());
  assert.deepEqual(found, [], `www/state.js disagrees with src/config.rs:\n  ${found.join('\n  ')}`);
});

test('docs/ARCHITECTURE.md agrees with the engine on every key, kind, type, range, default and option', async () => {
  const { settings } = await loadEngine();
  const found = disagreements('docs/ARCHITECTURE.md', settings(), documentedSettings());
  assert.deepEqual(found, [], `docs/ARCHITECTURE.md disagrees with src/config.rs:\n  ${found.join('\n  ')}`);
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
  // The doc parser reads what the docs write: a unicode minus, 2^53, a changed default.
  const md = readFileSync(path('../docs/ARCHITECTURE.md'), 'utf8');
  const doc = documentedSettings(md);
  assert.equal(doc.find((r) => r.key === 'bias').min, -1);
  assert.equal(doc.find((r) => r.key === 'seed').max, 2 ** 53);
  const edited = md.replace('| `batch` | integer | 1 … 512 | 32 |', '| `batch` | integer | 1 … 512 | 64 |');
  assert.notEqual(edited, md, 'the batch row of the docs changed shape: update this test');
  assert.match(disagreements('docs', rows, documentedSettings(edited)).join('\n'), /batch: default/);
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
    }
  }
});

test('a non-whole seed: the page rounds it with a notice, the engine refuses it', async () => {
  const { describe } = await loadEngine();
  const seed = BY_KEY.get('seed');
  assert.deepEqual(validate(seed, '1.5'), { value: 2, notice: 'seed=1.5 is not a whole number — using 2' });
  assert.throws(() => describe({ seed: '1.5' }), /seed = 1\.5 must be a whole number/);
  assert.throws(() => describe({ seed: 1.5 }), /seed = 1\.5 must be a whole number/);
  describe({ seed: String(2 ** 53) });
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
  const t = new LabTrainer(data, { data: 'synthetic', train_n: '60000', val_n: '100' });
  try {
    assert.equal(t.trainCount, 300);
    assert.deepEqual(warnings, ['Loss Lab: train_n = 60000, but only 300 images are loaded: using 300']);
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

test('out-of-range and unknown values keep their own notices', () => {
  const r = fromQuery('?lr=100&batch=2.4&act=gelu&nope=1&ch=8,99');
  assert.deepEqual(r.notices, [
    'lr=100 is above the maximum 10 — using 10',
    'batch=2.4 is not a whole number — using 2',
    'act=gelu is not one of relu, leaky_relu, tanh, sigmoid, identity — using relu',
    'nope is not a Loss Lab setting — ignored',
    'ch=8,99 has entries outside 1 … 64 — using 8,64',
  ]);
  assert.equal(toQuery(r.config), '?lr=10&batch=2&ch=8,64');
});
