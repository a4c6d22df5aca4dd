// Every Loss Lab setting, as the page uses it. What a setting is (URL key, live or reset, value type, range,
// default, enum option names, list length) comes from the engine's table, src/config.rs SETTINGS, which
// scripts/build.sh writes into www/generated/settings.js; this file adds only how the page shows it (label,
// section, help, slider step, when it matters) and joins the two into SETTINGS, in display order.
// tests/settings.test.mjs checks that every engine key has its presentation here and nothing more.
// With the table the page checks a URL before the engine has loaded, by the engine's rules, builds every
// control, and writes only non-default values back into the URL.
import { ENGINE_SETTINGS } from './generated/settings.js';

const FAN_BASED = new Set(['glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_normal']);
const MOMENTUM_OPTS = new Set(['momentum', 'nesterov']);

/**
 * How the page shows each setting, keyed by URL key, in display order.
 * label: the control's label; short: its column heading in the per-block table.
 * group: which control section shows it; 'arch-table' lists live in the per-block architecture table.
 * options: {name: text} for an enum, in the order the menu lists them.
 * step: a linear slider's step (log sliders move in tenths of a decade, www/controls.js).
 * relevant(cfg): false hides the control because it has no effect with the current choices.
 * labelFor(cfg), helpFor(cfg): a label or help that depends on other settings.
 * on: the strength a switched-on augmentation starts at.
 */
export const PRESENTATION = {
  // ---- optimizer ----
  opt: { label: 'Optimizer', group: 'optimizer',
    options: { sgd: 'SGD', momentum: 'Momentum', nesterov: 'Nesterov', adam: 'Adam' },
    help: 'How each step turns the gradient into a weight change.' },
  lr: { label: 'Learning rate', group: 'optimizer',
    help: 'Step size. Too high and the loss jumps or becomes NaN; too low and it barely moves.' },
  mom: { label: 'Momentum', group: 'optimizer', step: 0.001,
    relevant: (c) => MOMENTUM_OPTS.has(c.opt),
    help: 'Fraction of the previous step carried into the next; for a steady gradient g the step grows to lr·g / (1 − momentum). Near 1 the weights move like a heavy ball with little friction: they overshoot and the loss swings up and down instead of settling.' },
  b1: { label: 'Adam β1', group: 'optimizer', step: 0.0001,
    relevant: (c) => c.opt === 'adam', help: 'Decay of Adam\u2019s running mean of gradients.' },
  b2: { label: 'Adam β2', group: 'optimizer', step: 0.00001,
    relevant: (c) => c.opt === 'adam', help: 'Decay of Adam\u2019s running mean of squared gradients. Adam\u2019s step stays bounded whatever the gradients only when β1 < √β2, that is β2 > β1² (Reddi, Kale & Kumar 2018); with β2 below β1² one step can blow the run up.' },
  eps: { label: 'Adam ε', group: 'optimizer',
    relevant: (c) => c.opt === 'adam', help: 'Added to the denominator, √v + ε, to avoid dividing by zero. An ε much larger than the gradients\u2019 typical size √v stops Adam scaling each weight\u2019s step: it becomes momentum SGD with steps of lr·g/ε, slow unless lr is raised to match (TensorFlow\u2019s Adam documentation uses ε = 1 or 0.1 for Inception).' },
  wd: { label: 'Weight decay', group: 'optimizer', step: 0.0005,
    help: 'Pulls every weight towards zero at every step, in proportion to its size: a brake on memorising. How it is applied is the next setting; biases are left out unless “Decay biases” is on.' },
  wd_kind: { label: 'Weight decay kind', group: 'optimizer', relevant: (c) => c.wd > 0,
    options: { l2: 'L2 (added to the gradient)', decoupled: 'Decoupled (AdamW)' },
    help: 'L2 adds wd·w to the gradient (the penalty wd/2·‖w‖²): plain and momentum SGD then shrink each weight a little at every step. With Adam that penalty is divided by √v like the rest of the gradient, so it is not the same as weight decay: a weight whose gradients are small is pulled in far harder than one whose gradients are large. Decoupled decay shrinks every weight by the factor 1 − lr·wd apart from the gradient step, as AdamW does (Loshchilov & Hutter 2019). For plain SGD the two are the same.' },
  wd_bias: { label: 'Decay biases', group: 'optimizer', relevant: (c) => c.wd > 0,
    options: { off: 'Off (weights only)', on: 'On' },
    help: 'Biases are usually left out of weight decay: each is one number per channel and does not let the net memorise (Goyal et al. 2017, §5.1).' },
  lr_schedule: { label: 'Learning-rate schedule', group: 'optimizer',
    options: { constant: 'Constant', step: 'Step: ÷10 after some epochs', cosine: 'Cosine down to 0' },
    help: 'Constant keeps the set rate. Step divides it by 10 once the chosen number of epochs is done: a loss that has levelled off at the noise of its steps drops again (the staircase of He et al. 2016). Cosine lowers it along half a cosine to 0 over the chosen epochs (Loshchilov & Hutter 2017). The rate is also live: dividing it by 10 by hand does the same as a step.' },
  lr_epochs: { label: 'Schedule epochs', group: 'optimizer', step: 1, relevant: (c) => c.lr_schedule !== 'constant',
    help: 'Step: epochs at the set rate before it is divided by 10. Cosine: epochs over which the rate falls to 0.',
    helpFor: (c) => (c.lr_schedule === 'cosine' ? 'Epochs over which the rate falls to 0 (it stays at 0 after).' : 'Epochs at the set rate before it is divided by 10.') },
  batch: { label: 'Batch size', group: 'optimizer', step: 1,
    help: 'Samples per step. Small batches give noisy loss curves. The batch size also sets how many steps an epoch takes, and it interacts with the learning rate: a larger batch usually wants a larger rate (the linear scaling rule of Goyal et al. 2017).' },

  // ---- initialisation and seed ----
  init: { label: 'Initializer', group: 'init',
    options: { zeros: 'Zeros', constant: 'Constant', uniform: 'Uniform ±a', normal: 'Normal σ', glorot_uniform: 'Glorot uniform', glorot_normal: 'Glorot normal', he_uniform: 'He uniform', he_normal: 'He normal', lecun_normal: 'LeCun normal' },
    help: 'How the weights are drawn before training starts.' },
  gain: { label: 'Gain ×', group: 'init',
    relevant: (c) => c.init !== 'zeros',
    labelFor: (c) => (FAN_BASED.has(c.init) ? 'Gain ×' : c.init === 'constant' ? 'Value' : c.init === 'uniform' ? 'a (range ±a)' : 'σ'),
    help: 'For fan-based initializers a multiplier on the usual scale; for constant, uniform and normal it is the value, ±a or σ.',
    helpFor: (c) => (FAN_BASED.has(c.init) ? 'Multiplier on the initializer\u2019s usual scale: 1 is the textbook choice.'
      : c.init === 'constant' ? 'Every weight starts at this value.'
        : c.init === 'uniform' ? 'Weights are drawn uniformly from −a … a.'
          : 'Standard deviation σ of the normally distributed weights.') },
  bias: { label: 'Initial bias', group: 'init', step: 0.05,
    help: 'Starting value of the biases of the convolutions and the hidden layer (the output layer always starts at 0: softmax ignores a shift shared by all ten logits). A negative bias switches off every ReLU whose input is weaker than it: with small weights (gain 0.3), bias −1 turns off nearly every unit and no gradient flows (the lesson \u201cNegative initial bias\u201d).' },
  seed: { label: 'Seed', group: 'init', step: 1,
    help: 'One number drives the weights, the data order, the noise and the augmentation: same seed, same curve.' },

  // ---- data ----
  data: { label: 'Digits', group: 'data',
    options: { mnist: 'Real MNIST', synthetic: 'Synthetic digits' },
    help: 'Real handwritten MNIST digits, or generated ones (no download needed).' },
  train_n: { label: 'Training samples', group: 'data', step: 100,
    help: 'How many training images. Few images: the net memorises them (overfitting).' },
  val_n: { label: 'Validation samples', group: 'data', step: 100,
    help: 'How many of the 10,000 held-out validation images (MNIST training images 50,000–59,999, never trained on) the validation curves are measured on. Sweeps, races, early stopping and the diagnosis all choose by them; the 10,000 MNIST test images stay apart for one final check (“Test the final network”), so no setting is tuned on the test set.' },
  noise: { label: 'Label noise %', group: 'data', step: 1,
    help: 'Share of training labels replaced: by wrong ones (uniform, pair flips) or by a random digit (random).' },
  noise_kind: { label: 'Noise kind', group: 'data',
    options: { uniform: 'Uniform (any wrong class)', pairs: 'Pair flips (each digit → one fixed other)', random: 'Random (any class: labels unrelated to images)' },
    relevant: (c) => c.noise > 0,
    help: 'Uniform noise scatters labels; pair flips teach a consistent wrong rule. Random redraws each chosen label from all ten digits (about one in ten stays right): at 100% the labels say nothing about the images, the “random labels” of Zhang et al. 2017. Uniform at 100% is different: every label is wrong, and that is information, so validation accuracy falls below chance (the net learns which digit an image is not).' },
  imb: { label: 'Class imbalance', group: 'data',
    options: { none: 'None', classes: 'Chosen classes kept at a fraction', longtail: 'Long tail' },
    help: 'Remove training samples of some classes.' },
  imb_classes: { label: 'Rare classes', group: 'data',
    relevant: (c) => c.imb === 'classes', help: 'These digits keep only a fraction of their samples.' },
  imb_keep: { label: 'Fraction kept', group: 'data',
    relevant: (c) => c.imb === 'classes', help: 'Fraction of each rare class that stays in the training set.' },
  imb_ratio: { label: 'Tail ratio', group: 'data',
    relevant: (c) => c.imb === 'longtail', help: 'Digit c keeps ratio^(−c/9) of its samples: 0 keeps all, 9 keeps 1/ratio.' },
  pixels: { label: 'Pixel scale', group: 'data',
    options: { unit: 'Scaled (standardised)', raw: 'Raw 0–255 (forgot to scale)' },
    help: 'Networks are initialised for inputs of unit size (He et al. 2015). Raw grey levels 0–255 make the inputs about 85 times too large in root mean square (not 255: the scaled pixels are standardised to mean 0 and standard deviation 1, not squeezed into 0…1): the first loss is enormous and the first steps wreck the net.' },

  // ---- augmentation (0 = off) ----
  aug_shift: { label: 'Shift (px)', group: 'aug', step: 0.5, on: 2,
    help: 'Random translation up to this many pixels.' },
  aug_rot: { label: 'Rotation (°)', group: 'aug', step: 1, on: 15,
    help: 'Random rotation up to ± this angle.' },
  aug_scale: { label: 'Scale ±', group: 'aug', step: 0.01, on: 0.1,
    help: 'Random zoom factor drawn from 1 ± s.' },
  aug_shear: { label: 'Shear', group: 'aug', step: 0.01, on: 0.2,
    help: 'Random slant.' },
  aug_hflip: { label: 'Mirror (prob.)', group: 'aug', step: 0.05, on: 0.5,
    help: 'Probability of a left–right mirror. Digits are not symmetric: this hurts.' },
  aug_rot180: { label: 'Upside down (prob.)', group: 'aug', step: 0.05, on: 0.5,
    help: 'Probability of a 180° turn: a 6 becomes a 9.' },
  aug_jitter: { label: 'Intensity jitter', group: 'aug', step: 0.05, on: 0.3,
    help: 'Random brightness and contrast change.' },
  aug_noise: { label: 'Pixel noise σ', group: 'aug', step: 0.05, on: 0.1,
    help: 'Gaussian noise added to every pixel (pixels on 0…1).' },

  // ---- remedies (all off by default) ----
  clip: { label: 'Gradient clipping', group: 'remedies', step: 0.05,
    help: 'Largest allowed gradient size (its length over all weights); a longer gradient is shrunk to this length before the step. 0 = off. If more than about half the steps get clipped, the threshold is too low or the learning rate too high; Google\u2019s Deep Learning Tuning Playbook puts it near the 90th percentile of the usual gradient norms, so that only outliers are cut.' },
  warmup: { label: 'Warm-up steps', group: 'remedies', step: 10,
    help: 'The learning rate rises in a straight line from almost 0 to its set value over this many steps, so the untrained net is not hit by full-size steps at once. 0 = off.' },
  class_weight: { label: 'Class weights', group: 'remedies',
    options: { none: 'None', balanced: 'Balanced (rare digits count more)' },
    help: 'Balanced: each digit\u2019s samples count in the loss in inverse proportion to how common the digit is in the training set, so a rare digit\u2019s mistakes weigh as much in total as a common one\u2019s.' },
  calibrated: { label: 'Start calibrated', group: 'remedies',
    options: { off: 'Off', on: 'On (output layer starts at zero)' },
    help: 'The output layer starts with all weights and biases at zero, so the untrained net gives every digit probability 1/10 and its first loss is exactly ln 10 ≈ 2.30 instead of the 3 to 6 nats of the default start.' },
  early_stop: { label: 'Early stopping (patience)', group: 'remedies', step: 1,
    help: 'Stop training when the validation loss has not improved for this many epochs since its best (the loss chart marks that epoch). When it stops, the network gets back the weights of that best epoch, as standard early stopping does (Goodfellow et al. 2016, Algorithm 7.1); the status line names the epoch it holds. A lower validation loss is not always a better accuracy: check that too (Guo et al. 2017). 0 = off.' },

  // ---- pipeline bugs (all off by default) ----
  val_pre: { label: 'Validation preprocessing', group: 'pipeline',
    options: { same: 'Same as training', raw: 'Raw 0–255 (scaling forgotten)', inverted: 'Inverted (white background)', unscaled: 'Divided by 255, not standardised' },
    help: 'The validation images go through a different preprocessing from the training images, as when the evaluation script is written apart. Training looks healthy; validation is bad from the first epoch. The final test uses the training preprocessing.' },
  loss_wiring: { label: 'Loss', group: 'pipeline',
    options: { ce: 'Cross-entropy on the logits', softmax_twice: 'Cross-entropy on probabilities (softmax twice)', mse: 'Squared error on one-hot targets' },
    help: 'Softmax twice: the loss applies its own softmax to outputs that are already probabilities, so its inputs lie in 0…1 and it cannot go below ln(1 + 9/e) ≈ 1.46 nats, even when every answer is right. Squared error on the softmax is the other common wiring.' },
  shuffle: { label: 'Shuffle training data', group: 'pipeline',
    options: { on: 'On (every epoch)', off: 'Off (sorted by digit, as stored)' },
    help: 'Off: the training images come sorted by digit and are never shuffled, so each batch holds one digit and the net chases the digit of the moment.' },
  label_offset: { label: 'Validation label shift', group: 'pipeline', step: 1,
    help: 'Every validation label y becomes y + shift (mod 10), as when two label maps disagree by one. 0 = off.' },
  leak: { label: 'Leaked validation %', group: 'pipeline', step: 1,
    help: 'Share of validation images replaced by copies of training images (with their labels): the validation figures partly measure memory. 0 = off.' },
  bn_eval: { label: 'BatchNorm in evaluation', group: 'pipeline', relevant: (c) => c.bn === '1',
    options: { running: 'Running statistics (correct)', batch: 'Batch statistics (left in training mode)', stale: 'Running statistics never updated' },
    help: 'What BatchNorm normalises with when the net is evaluated. Correct: the running averages gathered in training. Left in training mode: each evaluation batch\u2019s own statistics, so a prediction depends on the other images in its batch (one drawn digit alone is normalised against itself). Never updated: mean 0 and variance 1 in place of what each layer really produces, so evaluation computes another function than training; how much worse validation gets depends on how far those statistics are from 0 and 1 and on how many layers compound the error (in the six-layer lesson it falls to chance).' },

  // ---- architecture ----
  depth: { label: 'Conv blocks', group: 'arch', step: 1,
    help: 'Number of convolution blocks.' },
  ch: { label: 'Channels', short: 'ch', group: 'arch-table',
    help: 'Output channels (filters) of each block.' },
  k: { label: 'Kernel', short: 'kernel', group: 'arch-table',
    help: 'Kernel size k×k of each convolution.' },
  stride: { label: 'Stride', short: 'stride', group: 'arch-table',
    help: 'Step of each convolution; 2 halves the image.' },
  pad: { label: 'Padding', short: 'pad', group: 'arch-table',
    help: 'Zero pixels added around the input of each convolution.' },
  pool_size: { label: 'Pool size', short: 'pool', group: 'arch-table',
    relevant: (c) => c.pool !== 'none', help: 'Window (and step) of each pooling layer.' },
  act: { label: 'Activation', group: 'arch',
    options: { relu: 'ReLU', leaky_relu: 'Leaky ReLU', tanh: 'tanh', sigmoid: 'Sigmoid', identity: 'None (identity)' },
    help: 'Non-linearity after each convolution (and the hidden layer). Without one (None) the convolutions and dense layers are linear maps, but max pooling still keeps the net non-linear: picking the largest value of a window is a switch, like ReLU (max(a, b) = b + ReLU(a − b)). Only with average pooling does the whole net collapse into one linear classifier. Sigmoid in a deep net makes gradients vanish.' },
  pool: { label: 'Pooling', group: 'arch',
    options: { every: 'After every block', last: 'After the last block', first: 'Before the first conv', none: 'None' },
    help: 'Where pooling layers shrink the image.' },
  pool_type: { label: 'Pool type', group: 'arch',
    options: { max: 'Max', avg: 'Average' }, relevant: (c) => c.pool !== 'none', help: 'Keep the largest (max) or the mean (average) value of each window. Max pooling is itself non-linear (which pixel wins changes from image to image), so a net with no activation still learns non-linear features through it; average pooling is linear.' },
  hidden: { label: 'Hidden dense units', group: 'arch', step: 1,
    help: 'Units of an optional dense layer before the output (0 = none).' },
  bn: { label: 'BatchNorm', group: 'arch',
    options: { 0: 'Off', 1: 'On (after every convolution)' },
    help: 'Normalise each channel of every convolution\u2019s output over the batch to mean 0 and variance 1, then let the net rescale it (γ) and shift it (β) (Ioffe & Szegedy 2015). Every layer then receives inputs on the same scale whatever the scale of the weights before it (§3.3 of that paper), so a deep sigmoid net and a tiny starting scale train (the Remedies lessons show both). Evaluation uses running averages of the batch statistics. It costs time: on the default net, about a tenth of the training speed (README).' },
};

/** The engine's text for a default, as the page holds the value: numbers for numeric settings. */
const NUMERIC = new Set(['int', 'float', 'log']);
const pageValue = (e, text) => (NUMERIC.has(e.type) ? Number(text) : text);

/** One setting: the engine's row and its presentation (a key without presentation still reads and writes). */
function joined(e, p = { label: e.key, help: '' }) {
  const s = { key: e.key, ...p, type: e.type, kind: e.kind, def: pageValue(e, e.def) };
  if (e.type === 'enum') {
    // the presentation's order and texts; a name without a text shows as itself
    const text = p.options ?? {};
    s.options = [...Object.keys(text).filter((o) => e.options.includes(o)), ...e.options.filter((o) => !Object.hasOwn(text, o))]
      .map((o) => [o, text[o] ?? o]);
  } else {
    s.min = e.min;
    s.max = e.max;
  }
  if (e.maxLen !== undefined) s.maxLen = e.maxLen;
  return s;
}

const ENGINE = new Map(ENGINE_SETTINGS.map((e) => [e.key, e]));

/**
 * type: 'enum' | 'int' | 'float' | 'log' (float on a log slider) | 'ilist' (per-block list of ints)
 *       | 'digits' (set of digits 0..9)
 * kind: 'live' (applies at the next step) | 'reset' (rebuilds the trainer from the seed)
 * def: the default; min, max: the inclusive range (of each entry, for lists); options: [[name, text]];
 * maxLen: the most entries of a list. Plus the presentation above.
 */
export const SETTINGS = [
  ...Object.keys(PRESENTATION).filter((key) => ENGINE.has(key)).map((key) => joined(ENGINE.get(key), PRESENTATION[key])),
  ...ENGINE_SETTINGS.filter((e) => !Object.hasOwn(PRESENTATION, e.key)).map((e) => joined(e)),
];

export const BY_KEY = new Map(SETTINGS.map((s) => [s.key, s]));
/** Keys of the settings that apply at the next step without a rebuild. */
export const LIVE_KEYS = new Set(SETTINGS.filter((s) => s.kind === 'live').map((s) => s.key));
/** The most conv blocks, and so the longest per-block list (the engine's MAX_DEPTH). */
export const MAX_DEPTH = BY_KEY.get('depth').max;

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
 * Checks one raw value (from the URL, a preset, apply() or a control) for setting `s` by the engine's rules
 * (src/config.rs, Setting::set): a plain decimal number in min … max, whole where the setting is whole; one of
 * the option names; 1 to maxLen comma-separated whole numbers in min … max. Returns {value, notice}; notice is
 * null when the engine would accept the raw value, and a sentence naming the key, the value and the rule when
 * it would refuse it. A refused value is replaced by `keep` when it is given: merge() passes the value in
 * force, so a URL's refused value leaves the default and a control's leaves the value it had, as the engine
 * would. Without `keep` a refused number is replaced by the nearest one the engine accepts (clamped into
 * range, rounded to whole; how a sweep's list of values in the URL reads them, www/sweep.js), anything else by
 * the default.
 */
export function validate(s, raw, keep) {
  const kept = keep !== undefined;
  const using = (v) => `— using ${s.type === 'enum' || s.type === 'ilist' || s.type === 'digits' ? v : fmtNum(v)}`;
  const refuse = (why, nearest = s.def) => {
    const value = kept ? keep : nearest;
    return { value, notice: `${why} ${using(value)}` };
  };
  const tag = `${s.key}=${shown(raw)}`;
  if (s.type === 'enum') {
    const v = String(raw).trim();
    if (s.options.some(([o]) => o === v)) return { value: v, notice: null };
    return refuse(`${tag} is not one of ${s.options.map((o) => o[0]).join(', ')}`);
  }
  if (s.type === 'ilist') {
    const parts = String(raw).split(',').map((p) => p.trim());
    if (parts.length > s.maxLen || parts.some((p) => !PLAIN_NUMBER.test(p) || !Number.isFinite(Number(p)))) {
      return refuse(`${tag} is not 1 to ${s.maxLen} comma-separated whole numbers`);
    }
    const nums = parts.map(Number);
    const nearest = nums.map((n) => Math.min(s.max, Math.max(s.min, Math.round(n)))).join(',');
    if (!nums.every(Number.isInteger)) return refuse(`${tag} has entries that are not whole numbers`, nearest);
    if (nums.some((n) => n < s.min || n > s.max)) return refuse(`${tag} has entries outside ${describeRange(s)}`, nearest);
    return { value: nums.join(','), notice: null };
  }
  if (s.type === 'digits') {
    const parts = String(raw).split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < s.min || Number(p) > s.max)) {
      return refuse(`${tag} is not a list of digits ${describeRange(s)}`);
    }
    if (parts.length === 0) return refuse(`${s.key} needs at least one digit`);
    return { value: [...new Set(parts.map(Number))].sort((a, b) => a - b).join(','), notice: null };
  }
  // numbers
  const str = typeof raw === 'number' ? null : String(raw).trim();
  const n = typeof raw === 'number' ? raw : PLAIN_NUMBER.test(str) ? Number(str) : NaN;
  // 1e400 is plain text but no finite number; the engine refuses it too.
  if (!Number.isFinite(n)) return refuse(`${tag} was not a number`);
  const clamp = (v) => Math.min(s.max, Math.max(s.min, v));
  if (s.type === 'int' && !Number.isInteger(n)) return refuse(`${tag} is not a whole number`, clamp(Math.round(n)));
  if (n < s.min) return refuse(`${tag} is below the minimum ${fmtNum(s.min)}`, s.min);
  if (n > s.max) return refuse(`${tag} is above the maximum ${fmtNum(s.max)}`, s.max);
  return { value: n, notice: null };
}

/** Whether two values of setting s mean the same configuration (lists compared after expansion to depth). */
export function sameValue(s, a, b, depth) {
  if (s.type === 'ilist') return expandList(a, depth).join(',') === expandList(b, depth).join(',');
  if (s.type === 'enum' || s.type === 'digits') return String(a) === String(b);
  return Number(a) === Number(b);
}

/**
 * Merges `partial` ({key: raw}) into a copy of `base`, validating each value like the URL does: a value the
 * engine would refuse leaves base's value (the default, for a URL) and gives a notice.
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
    const { value, notice } = validate(s, raw, Object.hasOwn(config, key) ? config[key] : s.def);
    if (notice) notices.push(notice);
    if (!sameValue(s, value, config[key], MAX_DEPTH) || String(value) !== String(config[key])) {
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
