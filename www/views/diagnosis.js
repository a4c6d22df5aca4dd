// The Diagnosis card: the engine's latest reading of the current run (crates/losslab-diagnose; docs/ARCHITECTURE.md,
// "Diagnosis"), rendered and nothing more. Findings come most severe first, each with its title in words, its
// likely causes (most likely first, among the faults the lab can switch on) and why, the experiment that tells them apart, and, folded away for a
// teacher, the measured evidence. Every word about a cause or a figure comes with the diagnosis, from the
// engine's catalogue (crates/losslab-diagnose/src/catalogue.rs): each finding carries `names` (one per cause)
// and each evidence item its `words`. Each cause that a setting can test gets a button that races the run
// against the same configuration with that one setting moved toward the fix (`fixFor`; its cause ids are
// checked against the engine's list by tests/diagnosis_page.rs).
import { BY_KEY, defaults, fmtNum, sameValue } from '../state.js';
import { count } from '../ui/format.js';

const SEVERITY = {
  alarm: { icon: '!!', word: 'Alarm' },
  warn: { icon: '!', word: 'Warning' },
  info: { icon: 'i', word: 'Note' },
  healthy: { icon: '✓', word: 'Healthy' },
};

/** Evidence figures: three significant digits are plenty for a comparison with a threshold. */
export function fmtFigure(v) {
  if (v === null || v === undefined) return 'not measured';
  return Number.isInteger(v) ? count(v) : fmtNum(Number(v.toPrecision(3)));
}

/** The settings that switch on pipeline bugs (the controls' "Pipeline bugs" section). */
const PIPELINE_KEYS = [...BY_KEY.values()].filter((s) => s.group === 'pipeline').map((s) => s.key);
const differs = (cfg, key, value) => !sameValue(BY_KEY.get(key), cfg[key], value, cfg.depth);

/** `lr` scaled by `factor`, kept in the setting's range and free of float noise (0.1 × 3 = 0.30000000000000004). */
function scaledLr(cfg, factor) {
  const s = BY_KEY.get('lr');
  return Math.min(s.max, Math.max(s.min, Number((cfg.lr * factor).toPrecision(6))));
}

function lrFix(cfg, factor, sign) {
  const lr = scaledLr(cfg, factor);
  if (!differs(cfg, 'lr', lr)) return null;
  const exact = lr === Number((cfg.lr * factor).toPrecision(6));
  const step = factor > 1 ? factor : 1 / factor;
  return { set: { lr }, label: exact ? `Race with learning rate ${sign} ${step} (${fmtNum(lr)})` : `Race with learning rate ${fmtNum(lr)}` };
}

/**
 * Momentum `mom` at the same effective step: for a steady gradient heavy-ball SGD (and Nesterov's) steps
 * lr/(1 − μ) (Goh 2017, "Why Momentum Really Works", Distill), so racing μ = 0.9 at lr·(1 − 0.9)/(1 − μ_now)
 * changes only the damping; at the same lr it would also shrink the step by (1 − μ_now)/(1 − 0.9) and test two
 * things at once. When the learning rate's range cannot hold that lr, the label says the lr without the claim.
 */
export function momentumFix(cfg, mom) {
  const factor = (1 - mom) / (1 - cfg.mom);
  const lr = scaledLr(cfg, factor);
  const set = { mom };
  if (differs(cfg, 'lr', lr)) set.lr = lr;
  const same = lr === Number((cfg.lr * factor).toPrecision(6));
  return {
    set,
    label: same
      ? `Race with momentum ${fmtNum(mom)} at learning rate ${fmtNum(lr)} (the same lr/(1 − momentum): only the damping changes)`
      : `Race with momentum ${fmtNum(mom)} at learning rate ${fmtNum(lr)}`,
  };
}

/**
 * Balanced but small: every digit cut to the rarest digit's count, without the imbalance. Against the class-weight
 * race (the same images, the prior balanced) it separates the two causes of a rare digit's low recall: if the rare
 * digits do as badly with every digit that scarce, there are too few of them to learn from; if they do much better
 * once the classes are even, the imbalance itself was the cause (Buda, Maki & Mazurowski 2018 compare undersampling,
 * oversampling and prior correction for imbalance on MNIST and CIFAR-10). The rarest digit keeps `imb_keep` of its images (`classes`) or 1/`imb_ratio`
 * (`longtail`), as the engine's `data::faults` draws them.
 */
export function balancedSmall(cfg) {
  const share = cfg.imb === 'classes' ? Number(cfg.imb_keep) : cfg.imb === 'longtail' ? 1 / Number(cfg.imb_ratio) : 1;
  if (!(share > 0 && share < 1)) return null;
  const s = BY_KEY.get('train_n');
  const n = Math.min(s.max, Math.max(s.min, Math.round(Number(cfg.train_n) * share)));
  return {
    set: { imb: 'none', train_n: n },
    label: `Race balanced but small: ${count(n)} training images, every digit as scarce as the rarest was`,
  };
}

/** Only the keys of `target` whose value differs from `cfg`, or null when there are none. */
function changed(cfg, target) {
  const set = {};
  for (const [k, v] of Object.entries(target)) if (differs(cfg, k, v)) set[k] = v;
  return Object.keys(set).length ? set : null;
}

/**
 * The one-setting experiment for a cause, relative to the current configuration `cfg`: {set, label}, or null when
 * no setting tests it or the change would leave the configuration as it is or move it away from the
 * fix (momentum already at or below 0.9, Adam's settings while training with another optimizer, …).
 */
export function fixFor(cause, cfg) {
  const def = defaults();
  switch (cause) {
    case 'lr_too_high':
    case 'exploding_gradients':
      return lrFix(cfg, 0.1, '÷');
    case 'lr_too_low':
      return lrFix(cfg, cfg.lr < 1e-4 ? 100 : 10, '×');
    case 'momentum_too_high':
      if ((cfg.opt !== 'momentum' && cfg.opt !== 'nesterov') || !(cfg.mom > 0.9)) return null;
      return momentumFix(cfg, 0.9);
    case 'adam_betas': {
      const set = cfg.opt === 'adam' && changed(cfg, { b1: 0.9, b2: 0.999 });
      return set ? { set, label: `Race with Adam ${Object.entries(set).map(([k, v]) => `${k === 'b1' ? 'β1' : 'β2'} = ${fmtNum(v)}`).join(', ')}` } : null;
    }
    case 'adam_eps':
      if (cfg.opt !== 'adam' || !(cfg.eps > 1e-8)) return null;
      return { set: { eps: 1e-8 }, label: 'Race with Adam ε = 1e-8' };
    case 'bad_init': {
      // He initialisation (uniform or normal) at gain 1 is already the textbook start for these ReLU nets
      const set = changed(cfg, { init: /^he_/.test(cfg.init) ? cfg.init : 'he_normal', gain: 1, bias: 0 });
      if (!set) return null;
      const words = [];
      if (set.init) words.push('He initialisation');
      if ('gain' in set) words.push('gain 1');
      if ('bias' in set) words.push('initial bias 0');
      return { set, label: `Race with ${words.join(', ')}` };
    }
    case 'vanishing_gradients':
      if (cfg.act !== 'relu' && cfg.act !== 'leaky_relu') return { set: { act: 'relu' }, label: 'Race with ReLU activations' };
      if (cfg.depth > 1) return { set: { depth: cfg.depth - 1 }, label: `Race with one conv block fewer (${cfg.depth - 1})` };
      return null;
    case 'bad_layer_design': {
      // Kernel 5 with padding 2 at stride 1 keeps the image size at any depth; the default pooling shrinks it
      // 28 → 14 → 4 and is only offered at the default depth (at depth 6 it would shrink the image to nothing).
      const target = { k: def.k, stride: def.stride, pad: def.pad };
      if (cfg.depth === def.depth) Object.assign(target, { pool: def.pool, pool_size: def.pool_size });
      const set = changed(cfg, target);
      if (!set) return null;
      const words = [];
      if (set.k) words.push('kernel size');
      if (set.stride) words.push('stride');
      if (set.pad) words.push('padding');
      if (set.pool || set.pool_size) words.push('pooling');
      const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}` : words[0];
      return { set, label: `Race with the default ${list}` };
    }
    case 'label_noise':
      return cfg.noise > 0 ? { set: { noise: 0 }, label: 'Race without label noise' } : null;
    case 'class_imbalance':
      // Class weights change only the prior the loss sees, not the number of rare images, so the race separates
      // imbalance from too little data (keeping every digit in full would add rare examples and fix both).
      if (cfg.imb === 'none') return null;
      return cfg.class_weight !== 'balanced'
        ? { set: { class_weight: 'balanced' }, label: 'Race with balanced class weights (the same images, the rare digits weighted up)' }
        : { set: { imb: 'none' }, label: 'Race with every digit kept in full' };
    case 'harmful_augmentation': {
      const set = changed(cfg, Object.fromEntries(Object.keys(def).filter((k) => k.startsWith('aug_')).map((k) => [k, def[k]])));
      return set ? { set, label: 'Race without augmentation' } : null;
    }
    case 'natural_lookalikes':
      // No setting moves towards this "fix": its experiment is the pinned baseline's confusion matrix at the same
      // epoch, and more epochs.
      return null;
    case 'no_regularisation':
      return !(cfg.wd > 0) ? { set: { wd: 5e-4 }, label: 'Race with weight decay 5e-4' } : null;
    case 'too_little_data':
      if (cfg.imb !== 'none') return balancedSmall(cfg);
      return cfg.train_n < 10000 ? { set: { train_n: 10000 }, label: 'Race with 10,000 training images' } : null;
    case 'pipeline_bug': {
      // Every pipeline bug the lab can switch on, set back to the settings table's default.
      const set = changed(cfg, Object.fromEntries(PIPELINE_KEYS.map((k) => [k, def[k]])));
      return set ? { set, label: 'Race with the pipeline fixed (the same preprocessing, loss, shuffling, labels and splits as the baseline)' } : null;
    }
    case 'input_scale':
      return cfg.pixels === 'raw' ? { set: { pixels: 'unit' }, label: 'Race with the pixels scaled' } : null;
    default:
      return null;
  }
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** The severity marker: a shape with a symbol and the word, so colour is never the only cue. */
function marker(kind) {
  const s = SEVERITY[kind];
  const m = el('span', 'diag-sev');
  const icon = el('span', 'diag-icon', s.icon);
  icon.setAttribute('aria-hidden', 'true');
  m.append(icon, ` ${s.word}`);
  return m;
}

const pct = (v) => `${Math.round(v * 100)}%`;
const plural = (n, word) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * The verdict line: what is shown ("2 alarms, 1 warning"), what a screen reader hears besides (the most severe
 * finding's title) and the symptom it is about.
 */
function verdict(d) {
  const n = { alarm: 0, warn: 0, info: 0 };
  for (const f of d.findings) if (f.symptom !== 'healthy' && f.severity in n) n[f.severity]++;
  const notes = n.info ? plural(n.info, 'note') : '';
  if (d.healthy) return { shown: `Healthy: nothing looks wrong${notes ? ` (${notes})` : ''}.`, heard: '', about: 'healthy' };
  const counts = [n.alarm && plural(n.alarm, 'alarm'), n.warn && plural(n.warn, 'warning'), notes].filter(Boolean).join(', ');
  const top = d.findings.find((f) => f.severity !== 'info');
  return { shown: counts, heard: top ? `: ${top.title}` : '', about: top ? top.symptom : '' };
}

export class DiagnosisView {
  /**
   * @param {HTMLElement} root  the card (#diagnosis)
   * @param {object} opts       config(): the current configuration; onRace(set, label): run the experiment
   */
  constructor(root, { config, onRace }) {
    this.root = root;
    this.summary = root.querySelector('#diagnosis-summary');
    this.when = root.querySelector('#diagnosis-when');
    this.list = root.querySelector('#diagnosis-findings');
    this.config = config;
    this.onRace = onRace;
    this.shown = undefined;
    this.unfolded = new Set(); // the folds ("<symptom>:evidence", …) the reader opened: kept open across readings
    this.reset();
  }

  /** Nothing read yet (a new build): the card says when the first reading comes. */
  reset() {
    this.show(null);
  }

  /** Renders the same reading again, for a changed configuration (the race buttons' wording). */
  refresh() {
    const d = this.shown;
    this.shown = undefined;
    this.show(d);
  }

  /** Renders diagnosis `d` (null: none yet). */
  show(d) {
    if (d === this.shown) return;
    this.shown = d;
    // A new reading replaces the list every 200 steps while training: a keyboard user keeps their place
    const active = this.list.contains(document.activeElement) ? document.activeElement.dataset.focusKey ?? '' : null;
    this.root.dataset.state = !d ? 'none' : d.healthy ? 'healthy' : d.findings.some((f) => f.severity === 'alarm') ? 'alarm' : 'warn';
    this.list.textContent = '';
    this.#summarise(d ? verdict(d) : { shown: 'no diagnosis yet — it reads the run after its first 20 steps', heard: '', about: '' });
    this.when.textContent = d ? `read after ${plural(d.step, 'step')}${d.epoch ? ` (${plural(d.epoch, 'epoch')})` : ''}` : '';
    if (!d) {
      if (active !== null) this.#refocus(null); // a race button rebuilt the run: stay on the card
      return;
    }
    // the plain "nothing looks wrong" first, then any notes
    const findings = [...d.findings].sort((a, b) => (b.symptom === 'healthy') - (a.symptom === 'healthy'));
    const cfg = this.config();
    const told = new Set(); // causes (with their reasons) and experiments already shown by a finding above
    const offered = new Set(); // one button per race: a high rate and exploding gradients both race lr ÷ 10
    for (const f of findings) this.list.append(this.#finding(f, d, cfg, told, offered));
    if (active !== null) this.#refocus(active);
  }

  /** Focus back on the control the reader was on, or on the card itself when that control is gone. */
  #refocus(key) {
    const same = key && this.list.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    (same || this.root).focus({ preventScroll: true });
  }

  /**
   * Rewrites the live line only when the verdict changes (the counts or the most severe symptom), not when the top
   * title's figures move with the next reading: a screen reader is not told the same thing every 200 steps.
   */
  #summarise({ shown, heard, about }) {
    if (this.summary.dataset.said === `${shown}|${about}`) return;
    this.summary.dataset.said = `${shown}|${about}`;
    this.summary.textContent = shown;
    if (heard) this.summary.append(el('span', 'sr-only', heard));
  }

  /** A <details> whose open state survives the next reading. */
  #fold(key, title) {
    const det = el('details', 'diag-fold');
    const sum = el('summary', '', title);
    sum.dataset.focusKey = key;
    det.append(sum);
    det.open = this.unfolded.has(key);
    det.addEventListener('toggle', () => { if (det.open) this.unfolded.add(key); else this.unfolded.delete(key); });
    return det;
  }

  #finding(f, d, cfg, told, offered) {
    const kind = f.symptom === 'healthy' ? 'healthy' : f.severity;
    const li = el('li', 'diag-finding');
    li.dataset.severity = kind;
    li.dataset.symptom = f.symptom;
    const head = el('p', 'diag-title');
    head.append(marker(kind), ' ', el('span', '', f.title));
    li.append(head);

    if ((f.symptom === 'noisy_labels' || f.symptom === 'training_floor') && d.noiseCheck) {
      const n = d.noiseCheck;
      li.append(el('p', 'diag-check', `Checked against the injected noise: ${pct(n.corruptedInTop)} of the highest-loss training images are ones whose label was corrupted (${pct(n.corruptedOverall)} of all).`));
    }
    if (f.symptom === 'noisy_labels') {
      // opens the "Highest-loss training images" panel (www/views/highloss.js; www/page/views.js listens)
      const b = el('button', 'diag-link', 'Look at the highest-loss training images');
      b.type = 'button';
      b.dataset.focusKey = `${f.symptom}:highloss`;
      b.addEventListener('click', () => this.root.dispatchEvent(new CustomEvent('show-highloss')));
      li.append(b);
    }

    if (f.symptom === 'dead_relu' && cfg.act === 'relu') {
      // LeakyReLU keeps a small slope α below zero, so a unit cannot die completely (it still passes back α·g):
      // whatever killed them, it tests the cure
      const fix = { set: { act: 'leaky_relu' }, label: 'Race with LeakyReLU' };
      offered.add(fix.label);
      const b = el('button', 'diag-race', fix.label);
      b.type = 'button';
      b.dataset.focusKey = `${f.symptom}:leaky_relu`;
      b.title = 'Pins this run and trains it again beside a copy with LeakyReLU activations, both from the start';
      b.addEventListener('click', () => this.onRace(fix.set, fix.label));
      li.append(b);
    }

    // Two findings of one fault often share their causes, reasons and experiment word for word: a later finding
    // names them and points up instead of repeating them (and their buttons).
    const causeKeys = f.causes.map((id, i) => `${id}\n${f.why[i] ?? ''}`);
    const causesTold = causeKeys.length > 0 && causeKeys.every((k) => told.has(k));
    const experimentTold = told.has(`experiment\n${f.experiment}`);
    // Notes are folded: the student reads the warnings first.
    const body = f.severity === 'info' && kind !== 'healthy' && f.causes.length && !(causesTold && experimentTold)
      ? this.#fold(`${f.symptom}:causes`, 'Likely causes and what to try') : li;
    if (body !== li) li.append(body);

    if (causesTold) {
      const names = f.causes.map((id, i) => f.names?.[i] || id.replace(/_/g, ' '));
      body.append(el('p', 'diag-label', `Likely ${names.length > 1 ? 'causes' : 'cause'}, as above: ${names.join('; ')}${experimentTold ? ' — and the same experiment' : ''}.`));
    } else if (f.causes.length) {
      // The ranking is among the lab's own faults (a closed world): said once, on the first list the card shows.
      const among = told.has('closed world') ? '' : ' among the faults this lab can switch on (a real run can also fail for other reasons, such as a bug in the data or the code)';
      told.add('closed world');
      body.append(el('p', 'diag-label', f.causes.length > 1 ? `Likely causes, most likely first${among}:` : `Likely cause${among}:`));
      const ol = el('ol', 'diag-causes');
      f.causes.forEach((id, i) => {
        const item = el('li');
        item.dataset.cause = id;
        const p = el('p');
        p.append(el('strong', '', f.names?.[i] || id.replace(/_/g, ' ')));
        if (f.why[i]) p.append(` — ${f.why[i]}`);
        item.append(p);
        const fix = fixFor(id, cfg);
        if (fix && offered.has(fix.label)) {
          item.append(el('p', 'diag-same', `${fix.label.replace(/ \(.*\)$/, '').replace(/^Race/, 'The race')} above tests this too.`));
        } else if (fix) {
          offered.add(fix.label);
          const b = el('button', 'diag-race', fix.label);
          b.type = 'button';
          b.dataset.cause = id;
          b.dataset.focusKey = `${f.symptom}:${id}`;
          b.title = 'Pins this run and trains it again beside a copy with this one setting changed, both from the start';
          b.addEventListener('click', () => this.onRace(fix.set, fix.label));
          item.append(b);
        }
        if (id === 'pipeline_bug' && !offered.has('overfit')) {
          // the recipe's check that splits a bug from a data problem (www/views/pipeline.js; www/page/views.js listens)
          offered.add('overfit');
          const b = el('button', 'diag-link', 'Check: overfit one batch');
          b.type = 'button';
          b.dataset.focusKey = `${f.symptom}:overfit`;
          b.title = 'Trains a fresh copy of this network on 32 training images; this run is not touched';
          b.addEventListener('click', () => this.root.dispatchEvent(new CustomEvent('run-probe', { detail: 'overfit' })));
          item.append(b);
        }
        if ((id === 'bad_init' || id === 'input_scale') && !offered.has('init-loss')) {
          // the recipe's first check: the untrained net's loss against ln 10 (www/views/pipeline.js; www/page/views.js listens)
          offered.add('init-loss');
          const b = el('button', 'diag-link', 'Check: loss at init');
          b.type = 'button';
          b.dataset.focusKey = `${f.symptom}:init-loss`;
          b.title = 'Reads the untrained net\'s first loss, measured when this network was built, against ln 10';
          b.addEventListener('click', () => this.root.dispatchEvent(new CustomEvent('run-probe', { detail: 'init-loss' })));
          item.append(b);
        }
        ol.append(item);
      });
      body.append(ol);
    }
    for (const k of causeKeys) told.add(k);

    if (f.experiment && !(causesTold && experimentTold)) {
      const p = el('p', 'diag-experiment');
      p.append(el('strong', '', kind === 'healthy' ? 'Next: ' : 'Experiment: '), experimentTold ? 'the same as above.' : f.experiment);
      body.append(p);
    }
    told.add(`experiment\n${f.experiment}`);

    if (f.evidence.length) {
      const det = this.#fold(`${f.symptom}:evidence`, 'Evidence (what was measured)');
      det.classList.add('diag-evidence');
      const ul = el('ul');
      for (const e of f.evidence) {
        const item = el('li');
        item.append(el('code', '', e.metric), e.layer ? ` (${e.layer})` : '', `: ${fmtFigure(e.value)}`,
          e.threshold === null ? ' (context)' : ` vs ${fmtFigure(e.threshold)}`);
        if (e.words) item.append(el('span', 'diag-metric', ` — ${e.words}`));
        ul.append(item);
      }
      det.append(ul);
      li.append(det);
    }
    return li;
  }
}
