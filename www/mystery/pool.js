// The mystery drill's pool: which faults it may hide, at which magnitudes and seeds. Only magnitudes the lab has
// shown to produce their fault's signature are here, and each says where that was shown:
//   - a lesson's `set` (www/presets.json): its claims are checked on real MNIST by tests/lessons.rs on seeds 1
//     and 2, and their bounds on seeds 3–6 as well (docs/ARCHITECTURE.md, "Lessons and their claims"), so a
//     lesson magnitude is drawn with a seed from 1 to 6;
//   - a broken condition of the detection test (tests/lessons.rs, other_conditions()): the card must name its
//     cause on at least 60% of seeds 3–7 within two epochs, so these magnitudes are drawn with a seed from 3 to 7
//     and train two epochs. They are milder than the lessons' (lr 0.5 beside the lesson's 5, 25% noise beside
//     40%), which is what the subtler levels draw. tests/mystery.test.mjs checks every entry against that file.
// The known misses of the detection test (180° rotations alone) and lessons whose run is long are left out.
// A healthy decoy is a lesson with no cause (its claims say it trains well) or a healthy condition of the
// detection test (which must leave the card quiet on its seeds).

/** The lesson groups a mystery may come from (the `pool=` names). */
export const POOL_GROUPS = ['optimizer', 'architecture', 'data', 'pipeline'];

/**
 * A lesson joins the pool when one mystery of it trains at most this many images: two epochs of the default
 * 10,000. Longer lessons (the 30-epoch memorising run, the 4-epoch plateau) would keep a class waiting.
 */
export const WORK_CAP = 20_000;
const TRAIN_N_DEFAULT = 10_000;

/** Validation on 2,000 held-out digits, as the shorter lessons do (it changes what is measured on, not the fault). */
const QUICK_VAL = { val_n: 2000 };

/**
 * The detection test's broken conditions (tests/lessons.rs other_conditions(), `broken(name, set, cause)`), each
 * with its group and the lesson whose claims describe the same fault at the lesson's magnitude (the reveal quotes
 * them, and says so). "zeros" is the init-zeros lesson's own magnitude; "rot180 0.5" is a known miss.
 */
export const DETECTION_FAULTS = [
  { name: 'lr 0.5', cause: 'lr_too_high', group: 'optimizer', set: { lr: 0.5 }, lesson: 'lr-high' },
  { name: 'lr 3e-5', cause: 'lr_too_low', group: 'optimizer', set: { lr: 3e-5 }, lesson: 'lr-low' },
  { name: 'mom 0.99', cause: 'momentum_too_high', group: 'optimizer', set: { mom: 0.99, lr: 0.005 }, lesson: 'mom-high' },
  { name: 'adam b2 0.6', cause: 'adam_betas', group: 'optimizer', set: { opt: 'adam', lr: 0.002, b1: 0.95, b2: 0.6 }, lesson: 'adam-beta' },
  { name: 'tiny normal', cause: 'bad_init', group: 'architecture', set: { init: 'normal', gain: 0.001 }, lesson: 'init-tiny' },
  {
    name: 'deep sigmoid 4', cause: 'vanishing_gradients', group: 'architecture', lesson: 'deep-sigmoid',
    set: { depth: 4, act: 'sigmoid', ch: '8', k: '3', pad: '1', pool: 'last', pool_size: '2' },
  },
  { name: 'stride 3', cause: 'bad_layer_design', group: 'architecture', set: { stride: '3,1' }, lesson: 'stride-big' },
  { name: 'noise 25', cause: 'label_noise', group: 'data', set: { noise: 25 }, lesson: 'noise-uniform' },
  { name: 'pairs 30', cause: 'label_noise', group: 'data', set: { noise: 30, noise_kind: 'pairs' }, lesson: 'noise-pairs' },
  { name: 'long tail 100', cause: 'class_imbalance', group: 'data', set: { imb: 'longtail', imb_ratio: 100 }, lesson: 'imbalance' },
  { name: 'val unscaled', cause: 'pipeline_bug', group: 'pipeline', set: { val_pre: 'unscaled' }, lesson: 'val-raw' },
  { name: 'label shift 3', cause: 'pipeline_bug', group: 'pipeline', set: { label_offset: 3 }, lesson: 'label-shift' },
  { name: 'leak 20', cause: 'pipeline_bug', group: 'pipeline', set: { leak: 20 }, lesson: 'leak' },
  { name: 'mse', cause: 'pipeline_bug', group: 'pipeline', set: { loss_wiring: 'mse' }, lesson: 'softmax-twice' },
  { name: 'unshuffled, batch 64', cause: 'pipeline_bug', group: 'pipeline', set: { shuffle: 'off', batch: 64, lr: 0.02 }, lesson: 'no-shuffle' },
];

/** The detection test's one condition with two faults at once (tests/lessons.rs: "noise+imbalance"). */
export const DETECTION_DOUBLES = [
  { name: 'noise+imbalance', causes: ['label_noise', 'class_imbalance'], group: 'data', set: { noise: 30, imb: 'classes', imb_keep: 0.05 }, lessons: ['noise-uniform', 'imbalance'] },
];

/** The detection test's healthy conditions besides the baseline (tests/lessons.rs: `healthy(name, set)`), seeds 3–4. */
export const DETECTION_HEALTHY = [
  { name: 'adam', set: { opt: 'adam', lr: 0.001 } },
  { name: 'leaky-relu', set: { act: 'leaky_relu' } },
  { name: 'batch-64', set: { batch: 64, lr: 0.02 } },
];

/** The drill's levels: which magnitudes, how often a decoy or two faults, and how many experiments. */
export const LEVELS = {
  1: { name: 'plain', lessons: true, detection: false, decoy: 0, double: 0, budget: 3 },
  2: { name: 'subtle', lessons: true, detection: true, decoy: 0.2, double: 0, budget: 3 },
  // level 3 draws the detection test's milder magnitude wherever a cause has one
  3: { name: 'hard', lessons: 'where no milder magnitude', detection: true, decoy: 0.2, double: 0.25, budget: 2 },
};

const trainedImages = (p) => (p.epochs ?? 1) * (p.set.train_n ?? TRAIN_N_DEFAULT);

/**
 * The candidates for `pools` (group names) at `level` (1–3), from the lessons `presets` (www/presets.json's
 * list): {faults, doubles, decoys}, each candidate {id, causes, group, set, epochs, seeds: [lo, hi], lessons:
 * [lesson ids whose claims describe it], source: 'lesson'|'detection'}.
 */
export function candidates(presets, { pools, level }) {
  const L = LEVELS[level];
  const inPool = (g) => pools.includes(g);
  const byId = new Map(presets.map((p) => [p.id, p]));
  const lessonFaults = presets
    .filter((p) => p.cause && inPool(p.group) && trainedImages(p) <= WORK_CAP)
    .map((p) => ({ id: p.id, causes: [p.cause], group: p.group, set: { ...p.set }, epochs: p.epochs, seeds: [1, 6], lessons: [p.id], source: 'lesson' }));
  const detection = DETECTION_FAULTS
    .filter((d) => inPool(d.group) && byId.has(d.lesson))
    .map((d) => ({ id: d.name, causes: [d.cause], group: d.group, set: { ...QUICK_VAL, ...d.set }, epochs: 2, seeds: [3, 7], lessons: [d.lesson], source: 'detection' }));
  const faults = [];
  if (L.lessons === true) faults.push(...lessonFaults);
  else if (L.lessons) { // only causes with no milder magnitude in the pool
    const milder = new Set(detection.map((d) => d.causes[0]));
    faults.push(...lessonFaults.filter((f) => !milder.has(f.causes[0])));
  }
  if (L.detection) faults.push(...detection);
  const doubles = L.double > 0
    ? DETECTION_DOUBLES.filter((d) => inPool(d.group) && d.lessons.every((id) => byId.has(id)))
      .map((d) => ({ id: d.name, causes: [...d.causes], group: d.group, set: { ...QUICK_VAL, ...d.set }, epochs: 2, seeds: [3, 7], lessons: [...d.lessons], source: 'detection' }))
    : [];
  const decoys = L.decoy > 0 ? [
    ...presets.filter((p) => p.cause === null && p.group !== 'remedies' && trainedImages(p) <= WORK_CAP)
      .map((p) => ({ id: p.id, causes: [], group: p.group, set: { ...p.set }, epochs: p.epochs, seeds: [1, 6], lessons: [p.id], source: 'lesson' })),
    ...DETECTION_HEALTHY.map((d) => ({ id: d.name, causes: [], group: 'healthy', set: { ...QUICK_VAL, ...d.set }, epochs: 2, seeds: [3, 4], lessons: [], source: 'detection' })),
  ] : [];
  return { faults, doubles, decoys };
}
