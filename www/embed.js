// Embedding Loss Lab in another page (a course, a learning platform): an <iframe> of index.html with
//
//   embed=1            a compact layout: a small header, no tagline, a one-line footer (the MNIST credit stays)
//   lock=lr,mom,init   settings the embedding page fixes: their controls are disabled and show a lock, and every
//                      other way of changing them (lossLab.apply, a lesson, a diagnosis race, a sweep's "Use …")
//                      is refused with a notice. Keys are those of www/state.js; the URL sets their values.
//   hide=sweep,lrfind  page sections to leave out (names: HIDEABLE below)
//   origin=https://…   the only origin the events below may go to (default: any, '*')
//
// Inside a frame (window.parent !== window) the page posts events to its parent, each
// {source: 'losslab', version: 1, type, …}: 'ready' (the first network is built), 'epoch' (a row per epoch),
// 'diverged', 'finding' (a diagnosis finding not reported before for this build) and 'answer' (a lesson's
// prediction was revealed). docs/embed.html is a working example; README.md, "Embedding", lists the fields.
// lock and hide work without embed=1 too (a teacher's link can fix a setting); only the layout needs it.
import { BY_KEY, defaults, merge, sameValue, fmtNum, toQuery, lastParam, shown } from './state.js';

/** The URL keys read here (main.js keeps them away from the settings reader). */
export const QUERY_PARAMS = new Set(['embed', 'lock', 'hide', 'origin']);

/** The sections `hide=` can leave out: name, the elements (CSS selector), what it is. */
export const HIDEABLE = [
  ['lessons', '.presets', 'the lesson buttons (a lesson already loaded keeps its note)'],
  ['settings', '#settings, .settings-note', 'every settings control and the layer table'],
  ['diagnosis', '#diagnosis', 'the Diagnosis card'],
  ['pin', '.pin-tools', 'Pin this run, Clear pin and Race the pinned run'],
  ['export', '.export-tools', 'Copy link and Export'],
  ['confusion', '#confusion-fig', 'the confusion matrix'],
  ['layers', '#layer-health', 'Layer health'],
  ['filters', '#filters', 'What the weights look like'],
  ['acts', '#acts', 'What every layer sees'],
  ['acthist', '#acthist', 'Activations over training (one heat map per layer)'],
  ['stability', '#stability', 'Step size against curvature (the stability meter)'],
  ['batch', '#batch-view', 'What the net sees (the current batch)'],
  ['highloss', '#highloss', 'Highest-loss training images'],
  ['lrfind', '#lrfind', 'Find a learning rate'],
  ['sandbox', '#sandbox', 'The same law in two dimensions (the 2-D sandbox)'],
  ['sweep', '#sweep', 'Sweep'],
  ['explain', '#explain', 'What am I looking at?'],
];
const HIDE_BY_NAME = new Map(HIDEABLE.map(([name, sel]) => [name, sel]));


/** The comma-separated names of every occurrence of `key`, trimmed, empty ones dropped. */
function listOf(params, key) {
  return params.getAll(key).flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
}

/**
 * Reads the embedding keys: {embed, lock: [setting keys], hide: [section names], origin, notices}. origin is '*'
 * without the key, the normalised origin when it is one, and null (no events at all) when it is garbled: a
 * mistyped restriction must not quietly widen to every page.
 */
export function readQuery(search) {
  const params = new URLSearchParams(search);
  const notices = [];
  let embed = false;
  const e = lastParam(params, 'embed');
  notices.push(...e.notices);
  if (e.last !== null) {
    const { last } = e;
    if (last === '1' || last === '0') embed = last === '1';
    else {
      embed = true;
      notices.push(`embed = "${shown(last)}" is not 1 or 0 — showing the compact embedded layout`);
    }
  }
  const lock = [];
  for (const key of listOf(params, 'lock')) {
    if (!BY_KEY.has(key)) notices.push(`lock: "${shown(key)}" is not a Loss Lab setting — not locked (the keys are the URL's: lr, mom, init, …)`);
    else if (!lock.includes(key)) lock.push(key);
  }
  if (params.has('lock') && !listOf(params, 'lock').length) notices.push('lock is empty — nothing is locked (name settings: lock=lr,mom)');
  const hide = [];
  for (const name of listOf(params, 'hide')) {
    if (!HIDE_BY_NAME.has(name)) notices.push(`hide: "${shown(name)}" is not a section of the page — not hidden (one of ${[...HIDE_BY_NAME.keys()].join(', ')})`);
    else if (!hide.includes(name)) hide.push(name);
  }
  let origin = '*';
  let originText = '';
  const o = lastParam(params, 'origin');
  if (o.last !== null) {
    const raw = o.last.trim();
    originText = raw;
    notices.push(...o.notices);
    origin = originOf(raw);
    if (origin === null) notices.push(`origin = "${shown(raw)}" is not an origin such as https://learn.example.org — no events are sent to the embedding page`);
  }
  return { embed, lock, hide, origin, originText, notices };
}

/** `https://host[:port]` (a trailing slash allowed) normalised as the browser spells origins, or null. */
function originOf(raw) {
  let u;
  try { u = new URL(raw); } catch { return null; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username || u.password || u.search || u.hash || (u.pathname !== '/' && u.pathname !== '')) return null;
  if (!/^https?:\/\/[^/?#]+\/?$/i.test(raw)) return null; // no path at all, not even an encoded one
  return u.origin;
}

const LOCK_SVG = '<svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false"><rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor"/><path d="M5 7V5a3 3 0 0 1 6 0v2" fill="none" stroke="currentColor" stroke-width="2"/></svg>';

export class Embed {
  /** parsed: readQuery's result. framed: the page runs inside another page's frame. */
  constructor(parsed, framed = window.parent !== window) {
    this.embed = parsed.embed;
    this.lock = new Set(parsed.lock);
    this.hide = parsed.hide;
    this.origin = parsed.origin;
    this.originText = parsed.originText;
    this.framed = framed;
    this.why = framed ? 'fixed by the page this lab is embedded in' : 'fixed by the link that opened this lab';
    this.sentReady = false;
    this.findings = new Set(); // `${symptom}:${severity}` already posted for the current build
  }

  /** Applies the layout, the hidden sections and the locks. config() -> the page's configuration. */
  install({ config }) {
    this.config = config;
    const root = document.documentElement;
    root.classList.toggle('embedded', this.embed);
    const rules = this.hide.map((name) => `${HIDE_BY_NAME.get(name)} { display: none !important; }`);
    // without lessons and settings the sidebar is empty: the charts take the whole width
    if (this.hide.includes('lessons') && this.hide.includes('settings')) {
      rules.push('.layout > .controls { display: none !important; }', '.layout { grid-template-columns: minmax(0, 1fr) !important; }');
    }
    if (rules.length) {
      // A constructed sheet rather than classes on the elements: it also covers elements built later (the
      // export tools) and survives code that toggles `hidden`. (CSSOM, so a style-src policy allows it.)
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(rules.join('\n'));
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    }
    const open = document.getElementById('embed-open');
    if (open && this.embed) {
      open.hidden = false;
      // the full lab with this run's settings, without the embedding keys; refreshed when it is about to be used
      const refresh = () => { open.href = `${location.pathname}${toQuery(this.config())}`; };
      refresh();
      for (const type of ['pointerdown', 'focus', 'keydown']) open.addEventListener(type, refresh);
    }
    if (this.lock.size) {
      this.relock();
      // Controls re-sync (Controls.update rebuilds the block table, another copy of a control may be built later,
      // code may re-enable an input): every such change re-applies the locks before the next paint.
      new MutationObserver(() => this.relock()).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
    }
  }

  /** Disables every control of a locked key — each `[data-key]` wrapper's inputs and the block table's cells. */
  relock() {
    for (const key of this.lock) {
      const title = `${BY_KEY.get(key).label}: ${this.why}`;
      for (const wrap of document.querySelectorAll(`[data-key="${key}"]`)) {
        if (!wrap.classList.contains('locked')) {
          wrap.classList.add('locked');
          wrap.title = title;
          const badge = document.createElement('span');
          badge.className = 'lock-badge';
          badge.innerHTML = `${LOCK_SVG}<span>fixed</span>`;
          (wrap.querySelector('.ctl-head') || wrap).append(badge);
        }
        for (const input of wrap.querySelectorAll('input, select, button')) this.#disable(input, title);
      }
      for (const input of document.querySelectorAll(`#arch-blocks input[id^="arch-${key}-"]`)) this.#disable(input, title);
    }
  }

  #disable(input, title) {
    if (!input.disabled) input.disabled = true; // only on a change: the observer sees its own writes
    if (input.title !== title) input.title = title;
  }

  isLocked(key) {
    return this.lock.has(key);
  }

  /** change()'s guard: `partial` without the locked keys, and a notice for each one it tried to move. */
  refuseLocked(partial, cfg) {
    if (!this.lock.size) return { partial, notices: [] };
    const kept = Object.create(null); // as fromQuery: a `__proto__` key stays a key, for merge() to report
    const notices = [];
    for (const [key, raw] of Object.entries(partial)) {
      if (!this.lock.has(key)) { kept[key] = raw; continue; }
      const v = cfg[key];
      notices.push(`${key} is ${this.why} — it stays at ${typeof v === 'number' ? fmtNum(v) : v}`);
    }
    return { partial: kept, notices };
  }

  /** Why a lesson cannot be loaded ('' when it can): it needs a locked setting at another value. */
  lessonRefusal(preset, cfg) {
    if (!this.lock.size) return '';
    const want = merge(defaults(), preset.set).config;
    const clash = [...this.lock].filter((key) => !sameValue(BY_KEY.get(key), want[key], cfg[key], 8));
    if (!clash.length) return '';
    const say = (key) => `${key} = ${typeof want[key] === 'number' ? fmtNum(want[key]) : want[key]}`;
    return `The lesson “${preset.title}” needs ${clash.map(say).join(', ')}, but ${clash.length > 1 ? 'these are' : `${clash[0]} is`} ${this.why} — not loaded.`;
  }

  /** The keys to keep in the page's URL (valid values only, so the URL is corrected like the settings; see origin). */
  query() {
    const p = [];
    if (this.embed) p.push('embed=1');
    if (this.lock.size) p.push(`lock=${[...this.lock].join(',')}`);
    if (this.hide.length) p.push(`hide=${this.hide.join(',')}`);
    // a garbled origin stays as it was: dropping it would widen the events to every page on the next load
    if (this.origin !== '*') p.push(`origin=${encodeURIComponent(this.origin ?? this.originText)}`);
    return p.join('&');
  }

  /** Posts {source: 'losslab', version: 1, type, …detail} to the embedding page, if there is one. */
  post(type, detail = {}) {
    if (!this.framed || this.origin === null) return;
    try {
      window.parent.postMessage({ source: 'losslab', version: 1, type, ...detail }, this.origin);
    } catch (e) {
      console.warn(`Loss Lab: the ${type} event could not be posted to the embedding page: ${e.message}`);
    }
  }

  /** A network was built: 'ready' the first time; every build starts with no findings reported. */
  built(cfg, lesson) {
    this.findings.clear();
    if (this.sentReady) return;
    this.sentReady = true;
    // cfg null: a mystery's hidden settings (www/views/mystery.js), which the course page is not told either
    this.post('ready', { config: cfg ? { ...cfg } : null, lesson, locked: [...this.lock], hidden: [...this.hide] });
  }

  epoch(row, steps, lesson) {
    const pick = ['trainLoss', 'trainAcc', 'valLoss', 'valAcc', 'cleanLoss', 'cleanAcc', 'noisyLoss', 'noisyAcc'];
    const out = { epoch: row.epoch, steps, lesson };
    for (const k of pick) if (Number.isFinite(row[k]) || Number.isNaN(row[k])) out[k] = row[k];
    this.post('epoch', out);
  }

  diverged(m, lesson) {
    this.post('diverged', { step: m.step, message: m.message, lesson });
  }

  /** The diagnosis' findings not yet posted for this build (a finding that grows more severe is posted again). */
  diagnosis(d, lesson) {
    if (!d) return;
    for (const f of d.findings) {
      if (f.symptom === 'healthy') continue;
      const key = `${f.symptom}:${f.severity}`;
      if (this.findings.has(key)) continue;
      this.findings.add(key);
      this.post('finding', { id: f.symptom, severity: f.severity, summary: f.title, step: d.step, epoch: d.epoch, lesson });
    }
  }
}
