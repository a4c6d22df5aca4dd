// One-click lessons. A preset is the healthy baseline (every default, seed 1) plus a few overrides,
// applied as a reset. Keep the numbers here: they are tuned in the browser so that, on the default seed,
// each preset shows what its text promises.

export const GROUPS = [
  ['start', 'Start here'],
  ['optimizer', 'Optimizer'],
  ['architecture', 'Architecture and initialisation'],
  ['data', 'Data'],
];

export const PRESETS = [
  { id: 'baseline', group: 'start', title: 'Healthy baseline', set: {},
    text: 'A small CNN with momentum SGD at learning rate 0.01. The untrained net starts at a loss of about 4 nats, '
      + 'above the chance line (ln 10 ≈ 2.30): its random weights already make it fairly sure of random answers. '
      + 'The loss drops below chance within the first ten steps and keeps falling; validation accuracy passes 95% '
      + 'within an epoch or two. Pin this run to compare the others with it.' },

  // ---- optimizer ----
  { id: 'lr-high', group: 'optimizer', title: 'Learning rate too high', set: { lr: 3 },
    text: 'The very first steps overshoot so far that the loss explodes to thousands of nats: the run stops at once '
      + 'and the page marks where it diverged. Now try learning rate 1: the net survives the blow-up, but the huge '
      + 'updates push every ReLU into its flat zero region — the net "dies", answers one digit for everything, and the '
      + 'loss never gets back below chance.' },
  { id: 'lr-low', group: 'optimizer', title: 'Learning rate too low', set: { lr: 1e-5 },
    text: 'Every step is tiny. The loss creeps down from its starting value at a snail\u2019s pace: after two epochs '
      + 'accuracy is around 20% where the baseline is above 95%. Nothing is broken — it would get there eventually, '
      + 'but the lesson would be over first.' },
  { id: 'mom-high', group: 'optimizer', title: 'Momentum too high', set: { mom: 0.999, lr: 0.05 },
    text: 'With momentum 0.999 a step keeps 99.9% of the previous velocity, so the weights coast far past the '
      + 'minimum and keep speeding up. Within a few hundred steps they are thrown so far that the ReLUs die: the loss '
      + 'sits at chance and the net answers one digit for everything (see the recall bars).' },
  { id: 'adam-beta', group: 'optimizer', title: 'Adam: β2 smaller than β1', set: { opt: 'adam', lr: 0.001, b1: 0.99, b2: 0.9 },
    text: 'Adam divides a slowly averaged gradient (β1 = 0.99) by a quickly averaged size (β2 = 0.9). When the '
      + 'size estimate dips, a step gets huge: the batch loss is spiky (single batches jump to tens of nats), and the '
      + 'validation loss can leap up between epochs while accuracy stays high — a few wild steps made the net '
      + 'confidently wrong about some digits.' },
  { id: 'adam-eps', group: 'optimizer', title: 'Adam: ε = 1', set: { opt: 'adam', lr: 0.001, eps: 1 },
    text: 'ε is meant to be a tiny safety term. At 1 it dominates the denominator, so Adam becomes plain SGD '
      + 'with a very small step: the loss falls far more slowly than with the usual ε = 1e-8.' },

  // ---- architecture and initialisation ----
  { id: 'init-zeros', group: 'architecture', title: 'All weights zero', set: { init: 'zeros' },
    text: 'Every filter starts identical, so they all get identical gradients and stay identical (no symmetry '
      + 'breaking). With ReLU and zero weights almost no gradient flows at all: the loss stays at chance, 2.30.' },
  { id: 'init-huge', group: 'architecture', title: 'Huge initial weights', set: { init: 'he_normal', gain: 10 },
    text: 'He initialisation ×10 makes every layer amplify its input tenfold. The first losses are enormous '
      + '(tick log loss axis), the gradients are huge, and the first large updates kill the ReLUs: the net ends at chance, '
      + 'answering one digit for everything.' },
  { id: 'init-tiny', group: 'architecture', title: 'Tiny initial weights', set: { init: 'normal', gain: 1e-4 },
    text: 'Weights drawn with σ = 0.0001 shrink the signal at every layer, and the gradients with it: the conv '
      + 'layers get practically no gradient (bottom of the gradient chart) and the loss sits on the chance line, just '
      + 'like all-zero weights.' },
  { id: 'deep-sigmoid', group: 'architecture', title: 'Deep sigmoid net',
    set: { depth: 6, act: 'sigmoid', ch: '8', k: '3', pad: '1', pool: 'last', pool_size: '2' },
    text: 'Six sigmoid layers: each sigmoid passes back at most a quarter of the gradient, so the first layers '
      + 'receive almost nothing (vanishing gradients — compare the lines in the gradient-norm chart). The loss stalls near chance.' },
  { id: 'huge-kernel', group: 'architecture', title: 'Huge first kernel (15×15)', set: { k: '15,5', pad: '0,2' },
    text: 'A 15×15 first kernel sees half a digit at once and shrinks the 28×28 image to 14×14 straight away. '
      + 'It has many more weights per filter and learns more slowly and less accurately than the 5×5 baseline.' },
  { id: 'pool-first', group: 'architecture', title: 'Pooling before the first conv', set: { pool: 'first' },
    text: 'Pooling the raw pixels throws information away before any filter has looked at it. MNIST strokes are '
      + 'thick enough that the net still learns, but it ends a little below the baseline — pin the baseline first to see the gap.' },
  { id: 'stride-big', group: 'architecture', title: 'Stride too large', set: { stride: '4,1' },
    text: 'A first convolution with stride 4 looks at only one position in sixteen, so the 28×28 digit becomes 7×7 '
      + 'at once and ends as a single pixel per channel (see the output shapes). With so little left to work with, '
      + 'the net learns more slowly and less accurately than the baseline.' },

  // ---- data ----
  { id: 'noise-uniform', group: 'data', title: '40% label noise (uniform)', set: { noise: 40, noise_kind: 'uniform' },
    text: 'Four in ten training labels are random wrong digits. The training loss cannot fall below a high floor: '
      + 'the corrupted samples keep a loss near 3 nats and the net scores almost 0% on their wrong labels (it refuses '
      + 'to learn them), while validation accuracy on clean test digits stays surprisingly good, around 90%.' },
  { id: 'noise-pairs', group: 'data', title: '40% pair flips', set: { noise: 40, noise_kind: 'pairs' },
    text: 'Four in ten labels of each digit are replaced by one fixed other digit, mostly a look-alike: '
      + '0→6, 1→7, 2→7, 3→8, 4→9, 5→6, 6→5, 7→1, 8→3, 9→4. Unlike random noise this is a consistent wrong '
      + 'rule, so the net partly learns it: validation accuracy falls far lower than with uniform noise, and the recall '
      + 'chart shows some digits almost never recognised.' },
  { id: 'imbalance', group: 'data', title: 'Class imbalance', set: { imb: 'classes', imb_classes: '0,1,2,3,4', imb_keep: 0.02 },
    text: 'Digits 0–4 keep only 2% of their training samples. The overall training loss looks fine because the '
      + 'common digits dominate it; the per-class recall chart shows the rare digits being missed, and validation '
      + 'accuracy stays well below the baseline.' },
  { id: 'aug-flip', group: 'data', title: 'Harmful augmentation (mirror + 180°)', set: { aug_hflip: 0.5, aug_rot180: 0.5 },
    text: 'Mirrored and upside-down digits are still labelled with the original class, so a 6 turned upside '
      + 'down is called "6" though it looks like a 9. Training loss stays high and validation accuracy drops.' },
  { id: 'aug-jitter', group: 'data', title: 'Excessive intensity jitter', set: { aug_jitter: 1, aug_noise: 0.5 },
    text: 'Brightness, contrast and pixel noise are pushed so far that many training digits are barely '
      + 'visible. The training loss stays well above the validation loss: the clean test digits are easier than the training ones.' },
  { id: 'little-data', group: 'data', title: 'Too little data (200 samples)', set: { train_n: 200 },
    text: 'With only 200 training images the net memorises them: within about ten epochs the training loss heads '
      + 'to zero and training accuracy to 99%, while the validation loss stalls around 0.7 and validation accuracy near 80%. '
      + 'The widening gap between the curves is overfitting.' },
];

export const BY_ID = new Map(PRESETS.map((p) => [p.id, p]));
