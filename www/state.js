// The one table of every Loss Lab setting: URL key, label, type, range, default, live|reset, help.
// Keys, kinds, types, ranges, defaults and enum options mirror the engine's table (src/config.rs,
// exported as settings()) and docs/ARCHITECTURE.md; tests/settings.test.mjs fails when they differ.
// The Rust Config is the final authority; this table lets the page validate a URL before the engine
// has loaded, build every control, and write only non-default values back into the URL.

const FAN_BASED = new Set(['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_normal']);
const MOMENTUM_OPTS = new Set(['momentum', 'nesterov']);

/**
 * type: 'enum' | 'int' | 'float' | 'log' (float on a log slider) | 'ilist' (per-block list of ints)
 *       | 'digits' (set of digits 0..9)
 * kind: 'live' (applies at the next step) | 'reset' (rebuilds the trainer from the seed)
 * group: which control section shows it; 'arch-table' lists live in the per-block architecture table.
 * relevant(cfg): false hides the control because it has no effect with the current choices.
 * on: the strength a switched-on augmentation starts at.
 */
export const SETTINGS = [
  // ---- optimizer (live) ----
  { key: 'opt', label: 'Optimizer', group: 'optimizer', type: 'enum', kind: 'live', def: 'momentum',
    options: [['sgd', 'SGD'], ['momentum', 'Momentum'], ['nesterov', 'Nesterov'], ['adam', 'Adam']],
    help: 'How each step turns the gradient into a weight change.' },
  { key: 'lr', label: 'Learning rate', group: 'optimizer', type: 'log', kind: 'live', min: 1e-5, max: 10, def: 0.01,
    help: 'Step size. Too high and the loss jumps or becomes NaN; too low and it barely moves.' },
  { key: 'mom', label: 'Momentum', group: 'optimizer', type: 'float', kind: 'live', min: 0, max: 0.999, step: 0.001, def: 0.9,
    relevant: (c) => MOMENTUM_OPTS.has(c.opt),
    help: 'Fraction of the previous step carried into the next; the step settles at lr / (1 − momentum). Near 1 the weights move like a heavy ball with little friction: they overshoot and the loss swings up and down instead of settling.' },
  { key: 'b1', label: 'Adam β1', group: 'optimizer', type: 'float', kind: 'live', min: 0, max: 0.9999, step: 0.0001, def: 0.9,
    relevant: (c) => c.opt === 'adam', help: 'Decay of Adam\u2019s running mean of gradients.' },
  { key: 'b2', label: 'Adam β2', group: 'optimizer', type: 'float', kind: 'live', min: 0, max: 0.99999, step: 0.00001, def: 0.999,
    relevant: (c) => c.opt === 'adam', help: 'Decay of Adam\u2019s running mean of squared gradients. Adam\u2019s step stays bounded only when β1 < √β2; with β2 far below β1 one step can blow the run up.' },
  { key: 'eps', label: 'Adam ε', group: 'optimizer', type: 'log', kind: 'live', min: 1e-10, max: 10, def: 1e-8,
    relevant: (c) => c.opt === 'adam', help: 'Added to the denominator. A large ε turns Adam into slow plain SGD.' },
  { key: 'wd', label: 'Weight decay', group: 'optimizer', type: 'float', kind: 'live', min: 0, max: 0.1, step: 0.0005, def: 0,
    help: 'Pulls every weight towards zero at each step (L2 penalty).' },
  { key: 'batch', label: 'Batch size', group: 'optimizer', type: 'int', kind: 'reset', min: 1, max: 512, step: 1, def: 32,
    help: 'Samples per step. Small batches give noisy loss curves.' },

  // ---- initialisation and seed ----
  { key: 'init', label: 'Initializer', group: 'init', type: 'enum', kind: 'reset', def: 'he_uniform',
    options: [['zeros', 'Zeros'], ['constant', 'Constant'], ['uniform', 'Uniform ±a'], ['normal', 'Normal σ'],
      ['glorot_uniform', 'Glorot uniform'], ['glorot_normal', 'Glorot normal'], ['he_uniform', 'He uniform'],
      ['he_normal', 'He normal'], ['lecun_normal', 'LeCun normal']],
    help: 'How the weights are drawn before training starts.' },
  { key: 'gain', label: 'Gain ×', group: 'init', type: 'log', kind: 'reset', min: 1e-4, max: 1000, def: 1,
    relevant: (c) => c.init !== 'zeros',
    labelFor: (c) => (FAN_BASED.has(c.init) ? 'Gain ×' : c.init === 'constant' ? 'Value' : c.init === 'uniform' ? 'a (range ±a)' : 'σ'),
    help: 'For fan-based initializers a multiplier on the usual scale; for constant, uniform and normal it is the value, ±a or σ.',
    helpFor: (c) => (FAN_BASED.has(c.init) ? 'Multiplier on the initializer\u2019s usual scale: 1 is the textbook choice.'
      : c.init === 'constant' ? 'Every weight starts at this value.'
        : c.init === 'uniform' ? 'Weights are drawn uniformly from −a … a.'
          : 'Standard deviation σ of the normally distributed weights.') },
  { key: 'bias', label: 'Initial bias', group: 'init', type: 'float', kind: 'reset', min: -1, max: 1, step: 0.05, def: 0,
    help: 'Starting value of the biases of the convolutions and the hidden layer (the output layer always starts at 0: softmax ignores a shift shared by all ten logits). A negative bias switches off every ReLU whose input is weaker than it: with small weights (gain 0.3), bias −1 turns off nearly every unit and no gradient flows (the lesson \u201cNegative initial bias\u201d).' },
  { key: 'seed', label: 'Seed', group: 'init', type: 'int', kind: 'reset', min: 0, max: 2 ** 53, step: 1, def: 1,
    help: 'One number drives the weights, the data order, the noise and the augmentation: same seed, same curve.' },

  // ---- data ----
  { key: 'data', label: 'Digits', group: 'data', type: 'enum', kind: 'reset', def: 'mnist',
    options: [['mnist', 'Real MNIST'], ['synthetic', 'Synthetic digits']],
    help: 'Real handwritten MNIST digits, or generated ones (no download needed).' },
  { key: 'train_n', label: 'Training samples', group: 'data', type: 'int', kind: 'reset', min: 100, max: 60000, step: 100, def: 10000,
    help: 'How many training images. Few images: the net memorises them (overfitting).' },
  { key: 'val_n', label: 'Validation samples', group: 'data', type: 'int', kind: 'reset', min: 100, max: 10000, step: 100, def: 10000,
    help: 'Held-out test images used for the validation curves.' },
  { key: 'noise', label: 'Label noise %', group: 'data', type: 'float', kind: 'reset', min: 0, max: 100, step: 1, def: 0,
    help: 'Share of training labels replaced by wrong ones.' },
  { key: 'noise_kind', label: 'Noise kind', group: 'data', type: 'enum', kind: 'reset', def: 'uniform',
    options: [['uniform', 'Uniform (any wrong class)'], ['pairs', 'Pair flips (each digit → one fixed other)']],
    relevant: (c) => c.noise > 0, help: 'Uniform noise scatters labels; pair flips teach a consistent wrong rule.' },
  { key: 'imb', label: 'Class imbalance', group: 'data', type: 'enum', kind: 'reset', def: 'none',
    options: [['none', 'None'], ['classes', 'Chosen classes kept at a fraction'], ['longtail', 'Long tail']],
    help: 'Remove training samples of some classes.' },
  { key: 'imb_classes', label: 'Rare classes', group: 'data', type: 'digits', kind: 'reset', min: 0, max: 9, def: '0,1,2,3,4',
    relevant: (c) => c.imb === 'classes', help: 'These digits keep only a fraction of their samples.' },
  { key: 'imb_keep', label: 'Fraction kept', group: 'data', type: 'log', kind: 'reset', min: 0.001, max: 1, def: 0.1,
    relevant: (c) => c.imb === 'classes', help: 'Fraction of each rare class that stays in the training set.' },
  { key: 'imb_ratio', label: 'Tail ratio', group: 'data', type: 'log', kind: 'reset', min: 1, max: 1000, def: 100,
    relevant: (c) => c.imb === 'longtail', help: 'Digit c keeps ratio^(−c/9) of its samples: 0 keeps all, 9 keeps 1/ratio.' },
  { key: 'pixels', label: 'Pixel scale', group: 'data', type: 'enum', kind: 'reset', def: 'unit',
    options: [['unit', 'Scaled (standardised)'], ['raw', 'Raw 0–255 (forgot to scale)']],
    help: 'Networks are initialised for inputs of about ±1. Raw grey levels 0–255 make every first-layer output about 255 times too large: the first loss is enormous and the first steps wreck the net.' },

  // ---- augmentation (0 = off) ----
  { key: 'aug_shift', label: 'Shift (px)', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 14, step: 0.5, def: 0, on: 2,
    help: 'Random translation up to this many pixels.' },
  { key: 'aug_rot', label: 'Rotation (°)', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 180, step: 1, def: 0, on: 15,
    help: 'Random rotation up to ± this angle.' },
  { key: 'aug_scale', label: 'Scale ±', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 0.5, step: 0.01, def: 0, on: 0.1,
    help: 'Random zoom factor drawn from 1 ± s.' },
  { key: 'aug_shear', label: 'Shear', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 1, step: 0.01, def: 0, on: 0.2,
    help: 'Random slant.' },
  { key: 'aug_hflip', label: 'Mirror (prob.)', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 1, step: 0.05, def: 0, on: 0.5,
    help: 'Probability of a left–right mirror. Digits are not symmetric: this hurts.' },
  { key: 'aug_rot180', label: 'Upside down (prob.)', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 1, step: 0.05, def: 0, on: 0.5,
    help: 'Probability of a 180° turn: a 6 becomes a 9.' },
  { key: 'aug_jitter', label: 'Intensity jitter', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 1, step: 0.05, def: 0, on: 0.3,
    help: 'Random brightness and contrast change.' },
  { key: 'aug_noise', label: 'Pixel noise σ', group: 'aug', type: 'float', kind: 'reset', min: 0, max: 1, step: 0.05, def: 0, on: 0.1,
    help: 'Gaussian noise added to every pixel (pixels on 0…1).' },

  // ---- remedies (all off by default) ----
  { key: 'clip', label: 'Gradient clipping', group: 'remedies', type: 'float', kind: 'live', min: 0, max: 10, step: 0.05, def: 0,
    help: 'Largest allowed gradient size (its length over all weights); a longer gradient is shrunk to this length before the step. 0 = off. If more than about half the steps get clipped, the threshold is too low or the learning rate too high.' },
  { key: 'warmup', label: 'Warm-up steps', group: 'remedies', type: 'int', kind: 'live', min: 0, max: 5000, step: 10, def: 0,
    help: 'The learning rate rises in a straight line from almost 0 to its set value over this many steps, so the untrained net is not hit by full-size steps at once. 0 = off.' },
  { key: 'class_weight', label: 'Class weights', group: 'remedies', type: 'enum', kind: 'live', def: 'none',
    options: [['none', 'None'], ['balanced', 'Balanced (rare digits count more)']],
    help: 'Balanced: each digit\u2019s samples count in the loss in inverse proportion to how common the digit is in the training set, so a rare digit\u2019s mistakes weigh as much in total as a common one\u2019s.' },
  { key: 'calibrated', label: 'Start calibrated', group: 'remedies', type: 'enum', kind: 'reset', def: 'off',
    options: [['off', 'Off'], ['on', 'On (output layer starts at zero)']],
    help: 'The output layer starts with all weights and biases at zero, so the untrained net gives every digit probability 1/10 and its first loss is exactly ln 10 ≈ 2.30 instead of several nats.' },
  { key: 'early_stop', label: 'Early stopping (patience)', group: 'remedies', type: 'int', kind: 'live', min: 0, max: 50, step: 1, def: 0,
    help: 'Stop training when the validation loss has not improved for this many epochs since its best (the loss chart marks that epoch). 0 = off.' },

  // ---- architecture ----
  { key: 'depth', label: 'Conv blocks', group: 'arch', type: 'int', kind: 'reset', min: 1, max: 8, step: 1, def: 2,
    help: 'Number of convolution blocks.' },
  { key: 'ch', label: 'Channels', short: 'ch', group: 'arch-table', type: 'ilist', kind: 'reset', min: 1, max: 64, def: '8,16',
    help: 'Output channels (filters) of each block.' },
  { key: 'k', label: 'Kernel', short: 'kernel', group: 'arch-table', type: 'ilist', kind: 'reset', min: 1, max: 15, def: '5,5',
    help: 'Kernel size k×k of each convolution.' },
  { key: 'stride', label: 'Stride', short: 'stride', group: 'arch-table', type: 'ilist', kind: 'reset', min: 1, max: 4, def: '1,1',
    help: 'Step of each convolution; 2 halves the image.' },
  { key: 'pad', label: 'Padding', short: 'pad', group: 'arch-table', type: 'ilist', kind: 'reset', min: 0, max: 7, def: '2,2',
    help: 'Zero pixels added around the input of each convolution.' },
  { key: 'pool_size', label: 'Pool size', short: 'pool', group: 'arch-table', type: 'ilist', kind: 'reset', min: 1, max: 4, def: '2,3',
    relevant: (c) => c.pool !== 'none', help: 'Window (and step) of each pooling layer.' },
  { key: 'act', label: 'Activation', group: 'arch', type: 'enum', kind: 'reset', def: 'relu',
    options: [['relu', 'ReLU'], ['leaky_relu', 'Leaky ReLU'], ['tanh', 'tanh'], ['sigmoid', 'Sigmoid'], ['identity', 'None (identity)']],
    help: 'Non-linearity after each convolution (and the hidden layer). Without one (None) the convolutions and dense layers are linear maps, but max pooling still keeps the net non-linear: picking the largest value of a window is a switch, like ReLU (max(a, b) = b + ReLU(a − b)). Only with average pooling does the whole net collapse into one linear classifier. Sigmoid in a deep net makes gradients vanish.' },
  { key: 'pool', label: 'Pooling', group: 'arch', type: 'enum', kind: 'reset', def: 'every',
    options: [['every', 'After every block'], ['last', 'After the last block'], ['first', 'Before the first conv'], ['none', 'None']],
    help: 'Where pooling layers shrink the image.' },
  { key: 'pool_type', label: 'Pool type', group: 'arch', type: 'enum', kind: 'reset', def: 'max',
    options: [['max', 'Max'], ['avg', 'Average']], relevant: (c) => c.pool !== 'none', help: 'Keep the largest (max) or the mean (average) value of each window. Max pooling is itself non-linear (which pixel wins changes from image to image), so a net with no activation still learns non-linear features through it; average pooling is linear.' },
  { key: 'hidden', label: 'Hidden dense units', group: 'arch', type: 'int', kind: 'reset', min: 0, max: 512, step: 1, def: 0,
    help: 'Units of an optional dense layer before the output (0 = none).' },
];

export const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));
/** Keys of the settings that apply at the next step without a rebuild. */
export const LIVE_KEYS = new Set(SETTINGS.filter((s) => s.kind === 'live').map((s) => s.key));

export function defaults() {
  const c = {};
  for (const s of SETTINGS) c[s.key] = s.def;
  return c;
}

export function isRelevant(s, cfg) {
  return !s.relevant || s.relevant(cfg);
}

export function labelFor(s, cfg) {
  return s.labelFor ? s.labelFor(cfg) : s.label;
}

/** Shortest decimal that round-trips the number, without float noise like 0.30000000000000004. */
export function fmtNum(v) {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return Number(v.toPrecision(4)).toExponential().replace('e+', 'e');
  return String(Number(v.toPrecision(6)));
}

/** Per-block list expanded to `depth` entries: a short list repeats its last element. */
export function expandList(str, depth) {
  const parts = String(str).split(',').map(Number);
  const out = [];
  for (let i = 0; i < depth; i++) out.push(parts[Math.min(i, parts.length - 1)]);
  return out;
}

function describeRange(s) {
  return `${fmtNum(s.min)} … ${fmtNum(s.max)}`;
}

/** Shows raw (untrusted) text in a notice: shortened, never interpreted as HTML (callers use textContent). */
export function shown(raw) {
  const t = String(raw);
  return t.length > 40 ? t.slice(0, 40) + '…' : t;
}

/**
 * The last value of a page key given once or more (`params`: URLSearchParams): {last (null when absent), notices},
 * with a notice when the key appeared twice. The page's own keys (projector, predict, lesson, lrfind, embed,
 * origin) read their value this way and check it themselves.
 */
export function lastParam(params, key) {
  const v = params.getAll(key);
  if (!v.length) return { last: null, notices: [] };
  return { last: v[v.length - 1], notices: v.length > 1 ? [`${key} appeared twice — using the last value`] : [] };
}

/**
 * A plain decimal number: optional sign, digits, optional fraction, optional exponent. `Number()`
 * alone would also read 0x10, 0b11, Infinity and ' ' (as 0), which the engine refuses.
 */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Validates one raw value (from the URL, a preset, apply() or a control) for setting `s`.
 * Returns {value, notice}: value is the clamped or default value, notice is null when the raw value was fine.
 */
export function validate(s, raw) {
  const using = (v) => `— using ${s.type === 'enum' || s.type === 'ilist' || s.type === 'digits' ? v : fmtNum(v)}`;
  const tag = `${s.key}=${shown(raw)}`;
  if (s.type === 'enum') {
    const v = String(raw).trim();
    if (s.options.some(([o]) => o === v)) return { value: v, notice: null };
    return { value: s.def, notice: `${tag} is not one of ${s.options.map((o) => o[0]).join(', ')} ${using(s.def)}` };
  }
  if (s.type === 'ilist') {
    const parts = String(raw).split(',').map((p) => p.trim());
    if (parts.length === 0 || parts.length > 8 || parts.some((p) => !/^[+-]?\d+(\.\d+)?$/.test(p))) {
      return { value: s.def, notice: `${tag} is not a comma-separated list of whole numbers ${using(s.def)}` };
    }
    const nums = parts.map((p) => Math.round(Number(p)));
    const clamped = nums.map((n) => Math.min(s.max, Math.max(s.min, n)));
    const value = clamped.join(',');
    if (clamped.some((n, i) => n !== Number(parts[i]))) {
      return { value, notice: `${tag} has entries outside ${describeRange(s)} ${using(value)}` };
    }
    return { value, notice: null };
  }
  if (s.type === 'digits') {
    const parts = String(raw).split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < s.min || Number(p) > s.max)) {
      return { value: s.def, notice: `${tag} is not a list of digits ${describeRange(s)} ${using(s.def)}` };
    }
    if (parts.length === 0) return { value: s.def, notice: `${s.key} needs at least one digit ${using(s.def)}` };
    return { value: [...new Set(parts.map(Number))].sort((a, b) => a - b).join(','), notice: null };
  }
  // numbers
  const str = typeof raw === 'number' ? null : String(raw).trim();
  const n = typeof raw === 'number' ? raw : PLAIN_NUMBER.test(str) ? Number(str) : NaN;
  // 1e400 is plain text but no finite number; the engine refuses it too.
  if (!Number.isFinite(n)) return { value: s.def, notice: `${tag} was not a number ${using(s.def)}` };
  let v = n;
  if (s.type === 'int' && !Number.isInteger(v)) {
    v = Math.round(v);
    if (v < s.min || v > s.max) v = Math.min(s.max, Math.max(s.min, v));
    return { value: v, notice: `${tag} is not a whole number ${using(v)}` };
  }
  if (v < s.min) return { value: s.min, notice: `${tag} is below the minimum ${fmtNum(s.min)} ${using(s.min)}` };
  if (v > s.max) return { value: s.max, notice: `${tag} is above the maximum ${fmtNum(s.max)} ${using(s.max)}` };
  return { value: v, notice: null };
}

/** Whether two values of setting s mean the same configuration (lists compared after expansion to depth). */
export function sameValue(s, a, b, depth) {
  if (s.type === 'ilist') return expandList(a, depth).join(',') === expandList(b, depth).join(',');
  if (s.type === 'enum' || s.type === 'digits') return String(a) === String(b);
  return Number(a) === Number(b);
}

/**
 * Merges `partial` ({key: raw}) into a copy of `base`, validating each value like the URL does.
 * Returns {config, notices, changed: [keys whose value changed]}.
 */
export function merge(base, partial) {
  const config = { ...base };
  const notices = [];
  const changed = [];
  for (const [key, raw] of Object.entries(partial)) {
    const s = BY_KEY.get(key);
    if (!s) {
      notices.push(`${shown(key)} is not a Loss Lab setting — ignored`);
      continue;
    }
    const { value, notice } = validate(s, raw);
    if (notice) notices.push(notice);
    if (!sameValue(s, value, config[key], 8) || String(value) !== String(config[key])) {
      config[key] = value;
      changed.push(key);
    }
  }
  return { config, notices, changed };
}

/**
 * Reads a query string into {config, notices}; only known keys survive. Keys in `others` belong to other page
 * state (a sweep's, www/sweep.js) and are left to its own reader.
 */
export function fromQuery(search, others = new Set()) {
  const params = new URLSearchParams(search);
  for (const key of others) params.delete(key);
  // No prototype: `constructor` or `toString` is not already "in" it, and `__proto__` becomes a
  // plain key (which merge() then reports as unknown) instead of replacing the prototype.
  const partial = Object.create(null);
  const notices = [];
  for (const [key, raw] of params) {
    if (Object.hasOwn(partial, key)) notices.push(`${shown(key)} appeared twice — using the last value`);
    partial[key] = raw;
  }
  const r = merge(defaults(), partial);
  return { config: r.config, notices: notices.concat(r.notices) };
}

/** Query string with the non-default values only, in table order (stable, shareable URLs). */
export function toQuery(cfg) {
  const p = new URLSearchParams();
  const depth = cfg.depth;
  for (const s of SETTINGS) {
    const v = cfg[s.key];
    if (sameValue(s, v, s.def, depth)) continue;
    p.set(s.key, typeof v === 'number' ? fmtNum(v) : String(v));
  }
  const q = p.toString().replace(/%2C/g, ',');
  return q ? '?' + q : '';
}

/** The configuration as the engine expects it: every key, every value a string. */
export function toEngine(cfg) {
  const out = {};
  for (const s of SETTINGS) {
    const v = cfg[s.key];
    out[s.key] = s.type === 'ilist' ? expandList(v, cfg.depth).join(',') : typeof v === 'number' ? fmtNum(v) : String(v);
  }
  return out;
}
