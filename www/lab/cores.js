// How many processor cores the page's run trains on: 2 splits every mini-batch and every validation chunk between
// two workers (src/train/parallel.rs), 1 trains in one worker. Two is the default wherever the browser reports at
// least two logical processors. On a two-core machine two workers and the page share the two cores; since the page
// writes its progress at most four times a second (www/ui/throttle.js) its thread is idle most of the time, and two
// workers trained the default lab's epochs 1.27–1.46× as fast as one in the page (bench/page.mjs and interleaved pairs,
// headless Chromium), with the page's task queue as prompt as on one core (median 4 ms, 95th percentile 7–10 ms,
// over an epoch on either). The header's Cores menu and the URL key `cores=1|2` choose; the URL keeps the value only
// when it is not this machine's default. A raced pinned run and a sweep take the cores for separate runs instead.
import { lastParam, shown } from '../state.js';

/** The URL key of the cores choice; it is not a setting, so the settings parser leaves it alone. */
export const QUERY_PARAMS = new Set(['cores']);

/** The default: two cores where the browser reports at least two, else one. */
export function available() {
  return (navigator.hardwareConcurrency || 1) >= 2 ? 2 : 1;
}

/** Reads the cores choice from a query string: {value: 1|2, notices}. */
export function readQuery(search) {
  const given = lastParam(new URLSearchParams(search), 'cores');
  const def = available();
  if (given.last === null) return { value: def, notices: [] };
  const { notices } = given;
  const last = given.last.trim();
  if (last === '1' || last === '2') return { value: Number(last), notices };
  notices.push(`cores=${shown(last)} is not 1 or 2 — training on ${def} ${def === 1 ? 'core' : 'cores'}; the Cores menu in the header changes it`);
  return { value: def, notices };
}

/** The URL part for a choice: empty for this machine's default. */
export function query(n) {
  return n === available() ? '' : `cores=${n}`;
}

/** How many sweep runs train at once: one per core, two at most (the page's own run waits meanwhile). */
export function concurrency() {
  return (navigator.hardwareConcurrency || 1) >= 2 ? 2 : 1;
}

/** "2 cores" / "1 core". */
export function coresText(n) {
  return n === 1 ? '1 core' : `${n} cores`;
}
