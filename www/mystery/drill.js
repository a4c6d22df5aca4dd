// The mystery drill's rules, with no page in them (tests/mystery.test.mjs runs them in node): the URL keys
// `mystery`, `pool` and `level`; the sequence a class code draws from the pool (www/mystery/pool.js); the
// experiments a student may spend; and the score of an answer. www/views/mystery.js shows it all.
import { SETTINGS, defaults, lastParam, shown } from '../state.js';
import { POOL_GROUPS, LEVELS, candidates } from './pool.js';
import { HEALTHY, FIXES, FIX_BY_ID, FIX_FOR_CAUSE, ANSWER_BY_ID } from './answers.js';
import { mulberry32 } from '../ui/random.js';

/** Every key the drill reads. `pool` is also a setting (where the pooling layers go): the drill owns it only in a
 * link with `mystery`, whose settings keys are ignored anyway (queryParams). */
export const QUERY_PARAMS = new Set(['mystery', 'pool', 'level']);

/** The keys the drill owns in the URL `search`: all three with `mystery`, else `mystery` and `level` (`pool` then
 * stays the pooling setting's). */
export function queryParams(search) {
  return new URLSearchParams(search).has('mystery') ? new Set(QUERY_PARAMS) : new Set(['mystery', 'level']);
}

/** Mysteries in one sequence. */
export const SEQUENCE_LENGTH = 3;
/** Points for one mystery: the cause, and a fix given with the right cause. */
export const MAX_POINTS = 2;
/** A class code: what a teacher can dictate or put in a link. */
const CODE = /^[A-Za-z0-9_-]{1,24}$/;
export const DEFAULT_LEVEL = 1;

/** A random class code for `mystery=1` (the URL then carries it, so a reload replays the same sequence). */
export function randomCode() {
  const a = new Uint32Array(2);
  crypto.getRandomValues(a);
  return (a[0].toString(36) + a[1].toString(36)).slice(0, 8);
}

/**
 * Reads `mystery`, `pool` and `level`: {on, code, pools, level, notices}. `mystery=1` (or an empty value) draws a
 * fresh code (`fresh()`); a code outside CODE, an unknown group or a level outside 1–3 is said in a notice and
 * replaced (a fresh code, the groups that are known or all of them, level 1). `pool` and `level` without `mystery`
 * are ignored with a notice.
 */
export function readQuery(search, fresh = randomCode) {
  const params = new URLSearchParams(search);
  const m = lastParam(params, 'mystery');
  const p = lastParam(params, 'pool');
  const l = lastParam(params, 'level');
  const notices = [...m.notices, ...p.notices, ...l.notices];
  if (m.last === null) {
    // without a drill, pool= is the pooling setting's and not the drill's
    if (params.has('level')) notices.push('level only applies to a mystery drill (add mystery=1 or mystery=CLASSCODE) — ignored');
    return { on: false, code: null, pools: [...POOL_GROUPS], level: DEFAULT_LEVEL, notices };
  }
  let code = m.last.trim();
  if (code === '' || code === '1') code = fresh();
  else if (!CODE.test(code)) {
    const given = code;
    code = fresh();
    notices.push(`mystery = "${shown(given)}" is not a class code (1 to 24 letters, digits, - or _) — drawing a random sequence instead (code ${code})`);
  }
  let pools = [...POOL_GROUPS];
  if (p.last !== null) {
    const asked = p.last.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
    const known = asked.filter((g) => POOL_GROUPS.includes(g));
    const unknown = asked.filter((g) => !POOL_GROUPS.includes(g));
    if (unknown.length) notices.push(`pool: ${unknown.map((g) => `"${shown(g)}"`).join(', ')} ${unknown.length > 1 ? 'are not groups' : 'is not a group'} (groups: ${POOL_GROUPS.join(', ')}) — ${known.length ? 'left out' : 'using every group'}`);
    if (known.length) pools = POOL_GROUPS.filter((g) => known.includes(g));
  }
  let level = DEFAULT_LEVEL;
  if (l.last !== null) {
    const n = Number(l.last);
    if (/^[123]$/.test(l.last.trim()) && LEVELS[n]) level = n;
    else notices.push(`level = "${shown(l.last)}" is not a level (1 plain, 2 subtle, 3 hard) — using ${DEFAULT_LEVEL}`);
  }
  return { on: true, code, pools, level, notices };
}

/** The query part of a drill: the code, and the pool and level when they are not the defaults. */
export function query({ code, pools, level }) {
  const parts = [`mystery=${encodeURIComponent(code)}`];
  if (pools.length !== POOL_GROUPS.length) parts.push(`pool=${pools.join(',')}`);
  if (level !== DEFAULT_LEVEL) parts.push(`level=${level}`);
  return parts.join('&');
}

/** FNV-1a of a string (32 bits): the seed of a sequence. */
export function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The drill's generator: Mulberry32 (www/ui/random.js). */
export const generator = mulberry32;

/**
 * The sequence a class code draws: the same code, pool and level give every student the same mysteries. Each is
 * {index, id (the candidate), kind: 'fault'|'double'|'decoy', causes (ids; [] for a decoy), set (the settings
 * over the defaults, seed included), epochs, lessons, source, group}. Candidates do not repeat within a sequence
 * while the pool has fresh ones. `card`: the detection test's report card (www/report-card.json), or null.
 */
export function drawSequence({ code, pools, level, presets, card, n = SEQUENCE_LENGTH }) {
  const L = LEVELS[level];
  const c = candidates(presets, card, { pools, level });
  const next = generator(hash(`${code}|${pools.join(',')}|${level}`));
  const used = new Set();
  const pick = (list) => {
    const fresh = list.filter((x) => !used.has(x.id));
    const from = fresh.length ? fresh : list;
    const x = from[Math.floor(next() * from.length)];
    used.add(x.id);
    return x;
  };
  const out = [];
  for (let index = 0; index < n; index++) {
    const u = next();
    const kind = c.decoys.length && u < L.decoy ? 'decoy'
      : c.doubles.length && u < L.decoy + L.double ? 'double' : 'fault';
    const cand = pick(kind === 'decoy' ? c.decoys : kind === 'double' ? c.doubles : c.faults);
    const [lo, hi] = cand.seeds;
    const seed = lo + Math.floor(next() * (hi - lo + 1));
    out.push({
      index, id: cand.id, kind, causes: [...cand.causes], set: { ...cand.set, seed }, epochs: cand.epochs,
      lessons: [...cand.lessons], source: cand.source, group: cand.group,
    });
  }
  return out;
}

/**
 * The score of an answer {cause, fix} to a mystery: {correct, fixRight (null when no fix was given), points}.
 * The cause is right when it is one of the hidden causes (any of two), or HEALTHY for a decoy; a fix counts only
 * with the right cause, and is right when it puts back the family of settings of one of the hidden causes.
 * Throws, in words, for an answer that is not one of ANSWERS or FIXES.
 */
export function score(mystery, { cause, fix = 'none' } = {}) {
  if (!ANSWER_BY_ID.has(cause)) throw new Error(`"${shown(cause)}" is not a cause (causes: ${[...ANSWER_BY_ID.keys()].join(', ')})`);
  if (fix === undefined || fix === null || fix === '') fix = 'none';
  if (!FIX_BY_ID.has(fix)) throw new Error(`"${shown(fix)}" is not a fix (fixes: ${FIXES.map((f) => f.id).join(', ')})`);
  const correct = mystery.causes.length ? mystery.causes.includes(cause) : cause === HEALTHY;
  const fixRight = fix === 'none' ? null : mystery.causes.some((c) => FIX_FOR_CAUSE[c] === fix);
  return { correct, fixRight, points: (correct ? 1 : 0) + (correct && fixRight ? 1 : 0) };
}

/** The settings keys of a fix: its sections of www/state.js and its single keys. */
export function fixKeys(fix) {
  const f = FIX_BY_ID.get(fix);
  if (!f) return [];
  return [...SETTINGS.filter((s) => f.groups?.includes(s.group)).map((s) => s.key), ...(f.keys ?? [])];
}

/** A fix as a change: its keys back at the lab's defaults. */
export function fixPartial(fix) {
  const d = defaults();
  return Object.fromEntries(fixKeys(fix).map((k) => [k, d[k]]));
}

/**
 * The experiments a student may spend, each said before it is spent. A race pins the mystery run and trains it
 * again beside a copy with one change, both from epoch 0 on the same seed (the values stay hidden); a probe is one
 * of the "Check the pipeline" panel's (www/views/pipeline.js) on the mystery run. {id, kind: 'race'|'probe', label,
 * change(cfg) -> partial (races), probe (name)}.
 */
export const EXPERIMENTS = [
  { id: 'lr-down', kind: 'race', label: 'Race at learning rate ÷ 10', change: (cfg) => ({ lr: Math.max(1e-5, cfg.lr / 10) }) },
  { id: 'lr-up', kind: 'race', label: 'Race at learning rate × 10', change: (cfg) => ({ lr: Math.min(10, cfg.lr * 10) }) },
  ...FIXES.filter((f) => f.id !== 'none').map((f) => ({ id: `fix-${f.id}`, kind: 'race', label: `Race with ${f.label}`, change: () => fixPartial(f.id) })),
  { id: 'probe-overfit', kind: 'probe', probe: 'overfit', label: 'Probe: overfit one batch' },
  { id: 'probe-zero-inputs', kind: 'probe', probe: 'zero-inputs', label: 'Probe: zero the inputs' },
  { id: 'probe-init-loss', kind: 'probe', probe: 'init-loss', label: 'Probe: loss at init' },
  { id: 'probe-predictions', kind: 'probe', probe: 'predictions', label: 'Probe: prediction dynamics' },
];
export const EXPERIMENT_BY_ID = new Map(EXPERIMENTS.map((e) => [e.id, e]));
