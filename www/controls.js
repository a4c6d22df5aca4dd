// Every setting's control, generated from the state table (www/state.js). Controls never hold their own
// truth: they report edits through onChange(key, rawValue) and are redrawn from the config by update(cfg).
import { SETTINGS, BY_KEY, isRelevant, labelFor, fmtNum, expandList } from './state.js';

// Order of the sections; collapsed ones open by themselves when one of their settings is not the default.
const SECTIONS = [
  ['optimizer', 'Optimizer', true],
  ['arch', 'Architecture', true],
  ['init', 'Initialisation and seed', true],
  ['data', 'Data', true],
  ['aug', 'Augmentation', false],
  ['remedies', 'Remedies', false],
  ['pipeline', 'Pipeline bugs', false],
];

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = v;
    else if (k === 'class') e.className = v;
    else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

/**
 * The settings a first-time visitor meets beside the charts (#headline): the learning rate, momentum, the
 * initializer and label noise are what the lessons break first. Each is a second control of the same table entry,
 * built by the same code as the sidebar's, and redrawn from the same config by update().
 */
export const HEADLINE_KEYS = ['lr', 'mom', 'init', 'noise'];

const LOG_STEPS_PER_DECADE = 20;
const toLog = (v) => Math.log10(v);
const fromLog = (x) => Number((10 ** x).toPrecision(3));

export class Controls {
  /**
   * root: element to fill; archOut: element for the per-layer table; onChange(key, raw, {final}) reports
   * an edit (final=false while a slider is being dragged); actions: {newSeed(), sameSeed()}; headline: element
   * for the copies of HEADLINE_KEYS (ids `hl-KEY` instead of `ctl-KEY`).
   */
  constructor(root, { onChange, actions, archOut, headline }) {
    this.onChange = onChange;
    this.actions = actions;
    this.items = new Map(); // key -> {wrap, label, sync(cfg)}
    this.copies = []; // the headline's controls: same shape as items' values, synced by update() too
    this.root = root;
    this.sections = [];
    for (const [group, title, open] of SECTIONS) {
      const body = el('div', { class: 'section-body' });
      const sec = el('details', { class: 'section', open, id: `sec-${group}` }, el('summary', { text: title }), body);
      root.append(sec);
      const keys = [];
      for (const s of SETTINGS.filter((x) => x.group === group || (group === 'arch' && x.group === 'arch-table'))) {
        keys.push(s.key);
        if (s.group === group) body.append(this.build(s));
      }
      if (group === 'arch') {
        body.append(this.buildArchTable());
        if (archOut) body.append(archOut); // the per-layer read-out sits right under the design it describes
      }
      this.sections.push({ sec, keys });
    }
    if (headline) {
      for (const key of HEADLINE_KEYS) headline.append(this.build(BY_KEY.get(key), 'hl'));
    }
  }

  /**
   * The control of setting s: its wrapper (.ctl, data-key) with label, input(s) and help. prefix 'ctl' is the
   * sidebar's control (registered in items by key); any other prefix builds a copy (ids `PREFIX-KEY`) kept in copies.
   */
  build(s, prefix = 'ctl') {
    const id = `${prefix}-${s.key}`;
    const own = (name) => (prefix === 'ctl' ? name : `${prefix}-${name}`);
    const wrap = el('div', { class: `ctl ctl-${s.type}`, 'data-key': s.key });
    const label = el('label', { for: id, text: s.label });
    const help = el('p', { class: 'help', id: `${id}-help`, text: s.help });
    const head = el('div', { class: 'ctl-head' }, label);
    if (s.kind === 'live') head.append(el('span', { class: 'badge', title: 'Applies at the next training step, without a restart', text: 'live' }));
    wrap.append(head);
    let sync;
    if (s.type === 'enum') {
      const sel = el('select', { id, 'aria-describedby': help.id });
      for (const [v, text] of s.options) sel.append(el('option', { value: v, text }));
      sel.addEventListener('change', () => this.onChange(s.key, sel.value, { final: true }));
      wrap.append(sel);
      sync = (cfg) => { sel.value = cfg[s.key]; };
    } else if (s.type === 'digits') {
      label.removeAttribute('for');
      label.id = `${id}-label`;
      const box = el('div', { class: 'digits', role: 'group', 'aria-labelledby': label.id, id });
      const checks = [];
      for (let d = 0; d < 10; d++) {
        const cb = el('input', { type: 'checkbox', id: `${id}-${d}`, value: String(d) });
        cb.addEventListener('change', () => {
          this.onChange(s.key, checks.filter((c) => c.checked).map((c) => c.value).join(','), { final: true });
        });
        checks.push(cb);
        box.append(el('label', { class: 'digit', for: cb.id }, cb, el('span', { text: String(d) })));
      }
      wrap.append(box);
      sync = (cfg) => {
        const set = new Set(String(cfg[s.key]).split(','));
        checks.forEach((c) => { c.checked = set.has(c.value); });
      };
    } else if (s.key === 'seed') {
      const num = el('input', { id, type: 'number', min: s.min, max: s.max, step: 1, inputmode: 'numeric', 'aria-describedby': help.id });
      num.addEventListener('change', () => this.onChange(s.key, num.value, { final: true }));
      const again = el('button', { type: 'button', id: own('btn-same-seed'), text: 'Same seed again' });
      const fresh = el('button', { type: 'button', id: own('btn-new-seed'), text: 'New seed' });
      again.addEventListener('click', () => this.actions.sameSeed());
      fresh.addEventListener('click', () => this.actions.newSeed());
      wrap.append(el('div', { class: 'row' }, num, fresh, again));
      sync = (cfg) => { if (document.activeElement !== num) num.value = String(cfg.seed); };
    } else {
      // numeric: a slider and a number box showing the exact value
      const log = s.type === 'log';
      const range = el('input', {
        type: 'range', id, 'aria-describedby': help.id,
        min: log ? toLog(s.min) : s.min, max: log ? toLog(s.max) : s.max,
        step: log ? 1 / LOG_STEPS_PER_DECADE : s.step,
      });
      const num = el('input', {
        type: 'number', id: `${id}-num`, class: 'num', 'aria-label': `${s.label} value`,
        min: s.min, max: s.max, step: log ? 'any' : s.step,
      });
      const valueOf = () => (log ? fromLog(Number(range.value)) : Number(range.value));
      range.addEventListener('input', () => {
        num.value = fmtNum(valueOf());
        this.onChange(s.key, valueOf(), { final: false });
      });
      range.addEventListener('change', () => this.onChange(s.key, valueOf(), { final: true }));
      num.addEventListener('change', () => {
        // an empty box (cleared, or not a number at all) keeps the current value
        if (num.value.trim() === '') this.update(this.cfg);
        else this.onChange(s.key, num.value, { final: true });
      });
      let toggle = null;
      if (s.group === 'aug') {
        // augmentation: a switch plus its strength; off is strength 0
        toggle = el('input', { type: 'checkbox', id: `${id}-on`, 'aria-label': `${s.label} on` });
        toggle.addEventListener('change', () => this.onChange(s.key, toggle.checked ? s.on : 0, { final: true }));
        head.prepend(toggle);
      }
      wrap.append(el('div', { class: 'row' }, range, num));
      sync = (cfg) => {
        const v = Number(cfg[s.key]);
        if (document.activeElement !== range) range.value = String(log ? toLog(v) : v);
        if (document.activeElement !== num) num.value = fmtNum(v);
        if (toggle) {
          toggle.checked = v > 0;
          wrap.classList.toggle('off', !(v > 0));
        }
      };
    }
    wrap.append(help);
    const item = { wrap, label, help, sync, s };
    if (prefix === 'ctl') this.items.set(s.key, item);
    else this.copies.push(item);
    return wrap;
  }

  buildArchTable() {
    const cols = SETTINGS.filter((s) => s.group === 'arch-table');
    const table = el('table', { class: 'arch-in', id: 'arch-blocks' });
    const cap = el('caption', { text: 'Per-block settings (one row per conv block)' });
    const headRow = el('tr', {}, el('th', { scope: 'col', title: 'Conv block', text: '#' }));
    for (const s of cols) headRow.append(el('th', { scope: 'col', title: s.help, text: s.short, 'data-key': s.key }));
    table.append(cap, el('thead', {}, headRow));
    const tbody = el('tbody');
    table.append(tbody);
    this.archBody = tbody;
    this.archCols = cols;
    this.archDepth = -1;
    const wrap = el('div', { class: 'ctl arch-table' }, table);
    this.items.set('__arch', {
      wrap, s: null,
      sync: (cfg) => this.syncArch(cfg),
    });
    return wrap;
  }

  syncArch(cfg) {
    const depth = cfg.depth;
    if (depth !== this.archDepth) {
      this.archBody.textContent = '';
      this.archInputs = [];
      for (let b = 0; b < depth; b++) {
        const tr = el('tr', {}, el('th', { scope: 'row', text: String(b + 1) }));
        const row = [];
        for (const s of this.archCols) {
          const inp = el('input', {
            type: 'number', min: s.min, max: s.max, step: 1, id: `arch-${s.key}-${b}`,
            'aria-label': `Block ${b + 1} ${s.label.toLowerCase()}`,
          });
          inp.addEventListener('change', () => {
            const list = expandList(this.cfg[s.key], this.cfg.depth);
            const n = Number(inp.value);
            list[b] = Number.isFinite(n) && inp.value !== '' ? n : list[b];
            this.onChange(s.key, list.join(','), { final: true });
          });
          row.push(inp);
          tr.append(el('td', {}, inp));
        }
        this.archInputs.push(row);
        this.archBody.append(tr);
      }
      this.archDepth = depth;
    }
    // a block's pool size only matters where that block has a pool
    const pooled = (b) => cfg.pool === 'every' || (cfg.pool === 'last' && b === depth - 1) || (cfg.pool === 'first' && b === 0);
    this.archCols.forEach((s, j) => {
      const list = expandList(cfg[s.key], depth);
      const on = isRelevant(s, cfg);
      for (let b = 0; b < depth; b++) {
        const inp = this.archInputs[b][j];
        if (document.activeElement !== inp) inp.value = String(list[b]);
        inp.disabled = !on || (s.key === 'pool_size' && !pooled(b));
      }
    });
  }

  /** Redraws every control from cfg: values, relevance (irrelevant controls are hidden) and labels. */
  update(cfg) {
    this.cfg = cfg;
    for (const { sec, keys } of this.sections) {
      if (!sec.open && keys.some((k) => String(cfg[k]) !== String(BY_KEY.get(k).def))) sec.open = true;
    }
    for (const { wrap, label, help, sync, s } of [...this.items.values(), ...this.copies]) {
      sync(cfg);
      if (s) {
        wrap.hidden = !isRelevant(s, cfg);
        label.textContent = labelFor(s, cfg);
        if (s.helpFor) help.textContent = s.helpFor(cfg);
      }
    }
  }

  /** Disables the controls of reset settings (e.g. never while training: changing them rebuilds). */
  setDisabled(on) {
    for (const { wrap } of [...this.items.values(), ...this.copies]) wrap.querySelectorAll('input,select,button').forEach((e) => { e.disabled = on; });
  }
}

export { el, BY_KEY };
