// The result code a student hands in after a mystery sequence, and its decoding (the page writes it; the teacher's
// page docs/class.html reads it). No server: the code itself carries what was hidden and what was answered.
//
//   LL1.<class code>.<level><pool mask, hex>.<one item per mystery>.<check>
//
// An item is four base-36 characters: the hidden cause (an index into ANSWERS, www/mystery/answers.js; 0 =
// healthy), the second hidden cause or z, the answer or z (not answered) and the fix (an index into FIXES).
// The check is two base-36 characters of a hash of the rest: it catches a mistyped code, not a forged one.
// ANSWERS follows the diagnosis catalogue's order, so a change of that order needs a new version (LL2).
import { ANSWERS, FIXES, HEALTHY } from './answers.js';
import { POOL_GROUPS } from './pool.js';

const VERSION = 'LL1';
const NONE = 'z';
const b36 = (i) => i.toString(36);

function check(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return (h % 1296).toString(36).padStart(2, '0');
}

const answerIndex = (id) => {
  const i = ANSWERS.findIndex((a) => a.id === id);
  if (i < 0) throw new Error(`no answer "${id}"`);
  return i;
};
const fixIndex = (id) => {
  const i = FIXES.findIndex((f) => f.id === (id || 'none'));
  if (i < 0) throw new Error(`no fix "${id}"`);
  return i;
};

/**
 * The code of a sequence: {code, level, pools, items: [{causes (hidden; [] = healthy), cause (answered, or null),
 * fix}]}.
 */
export function encodeResult({ code, level, pools, items }) {
  const mask = POOL_GROUPS.reduce((m, g, i) => (pools.includes(g) ? m | (1 << i) : m), 0);
  const item = ({ causes, cause, fix }) => {
    const truth = causes.length ? causes : [HEALTHY];
    return b36(answerIndex(truth[0])) + (truth[1] ? b36(answerIndex(truth[1])) : NONE)
      + (cause ? b36(answerIndex(cause)) : NONE) + b36(fixIndex(fix));
  };
  const body = [VERSION, code, `${level}${mask.toString(16)}`, ...items.map(item)].join('.');
  return `${body}.${check(body)}`;
}

/**
 * Reads a result code: {code, level, pools, items: [{causes, cause (null: not answered), fix}]}; throws, in
 * words, for a code that is garbled, mistyped or of another version.
 */
export function decodeResult(text) {
  const t = String(text).trim();
  const parts = t.split('.');
  if (parts[0] !== VERSION) throw new Error(`a result code starts with ${VERSION}. — this one starts with "${parts[0].slice(0, 8)}"`);
  if (parts.length < 5) throw new Error('this result code is cut short: it has too few parts');
  const body = parts.slice(0, -1).join('.');
  if (check(body) !== parts[parts.length - 1]) throw new Error('this result code does not add up (a character mistyped or missing?)');
  const [, code, lp, ...rest] = parts.slice(0, -1);
  const level = Number(lp[0]);
  const mask = parseInt(lp.slice(1), 16);
  if (!(level >= 1 && level <= 3) || !Number.isInteger(mask)) throw new Error('this result code names no level or pool');
  const pools = POOL_GROUPS.filter((_, i) => mask & (1 << i));
  const answer = (ch) => {
    const a = ANSWERS[parseInt(ch, 36)];
    if (!a) throw new Error(`this result code names an unknown cause (${ch})`);
    return a.id;
  };
  const items = rest.map((s) => {
    if (!/^[0-9a-z]{4}$/.test(s)) throw new Error(`"${s}" is not one answer of a result code`);
    const [t1, t2, a, f] = s;
    const first = answer(t1);
    const fix = FIXES[parseInt(f, 36)];
    if (!fix) throw new Error(`this result code names an unknown fix (${f})`);
    return {
      causes: first === HEALTHY ? [] : [first, ...(t2 === NONE ? [] : [answer(t2)])],
      cause: a === NONE ? null : answer(a),
      fix: fix.id,
    };
  });
  return { code, level, pools, items };
}
