// The mystery drill's pool: which faults it may hide, at which magnitudes and seeds. Only magnitudes the lab has
// shown to produce their fault's signature are here, and each says where that was shown:
//   - a lesson's `set` (www/presets.json): its claims are checked on real MNIST by tests/lessons.rs on seeds 1
//     and 2, and were run on seeds 3–6 as well; a lesson magnitude is drawn with a seed from 1 to 6. The lessons
//     whose claims still fail on some of those seeds are
//     listed in docs/ARCHITECTURE.md, "Lessons and their claims": on such a seed a run may not show every
//     figure its lesson's text gives;
//   - a broken condition of the detection test (tests/lessons.rs, other_conditions()): the card must name its
//     cause on at least 60% of seeds 3–7 within two epochs, so these magnitudes are drawn with a seed from 3 to 7
//     and train two epochs. They are milder than the lessons' (lr 0.5 beside the lesson's 5, 25% noise beside
//     40%), which is what the subtler levels draw. They come from the test's report card (www/report-card.json),
//     which it writes from the runs it judged, with the lessons whose claims describe each fault.
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


/** A condition's settings are its lesson's own magnitude (the detection test's "zeros" is init-zeros's): not milder. */
const sameSet = (a, b) => Object.keys(a).length === Object.keys(b).length
  && Object.entries(a).every(([k, v]) => String(v) === String(b[k]));

/**
 * The detection test's conditions as the drill draws them, from its report card (www/report-card.json, written by
 * tests/lessons.rs from the runs it judged; null when it could not be read: then only the lessons' magnitudes).
 * Each condition's settings carry the card's validation size (`valN`), which the test trained them with.
 * faults: [{name, cause, group, set, lesson, seeds}], each broken condition of one cause that is not a known miss and not
 * its lesson's own magnitude, in its lesson's group; doubles: [{name, causes, group, set, lessons, seeds}], the conditions
 * of two faults at once; healthy: [{name, set, seeds: [lo, hi]}], the healthy conditions besides the baseline (a
 * lesson already), each with the seeds the test kept it quiet on.
 */
export function detectionConditions(card, presets) {
  if (!card) return { faults: [], doubles: [], healthy: [] };
  const byId = new Map(presets.map((p) => [p.id, p]));
  const seeds = [card.seeds[0], card.seeds[card.seeds.length - 1]];
  const val = { val_n: String(card.valN) };
  const usable = card.conditions.filter((c) => !c.knownMiss && c.lessons.length > 0 && c.lessons.every((id) => byId.has(id)));
  const faults = usable
    .filter((c) => c.causes.length === 1 && !sameSet(c.set, byId.get(c.lessons[0]).set))
    .map((c) => ({ name: c.name, cause: c.causes[0], group: byId.get(c.lessons[0]).group, set: { ...val, ...c.set }, lesson: c.lessons[0], seeds }));
  const doubles = usable
    .filter((c) => c.causes.length > 1)
    .map((c) => ({ name: c.name, causes: [...c.causes], group: byId.get(c.lessons[0]).group, set: { ...val, ...c.set }, lessons: [...c.lessons], seeds }));
  const first = card.seeds[0];
  const healthy = card.healthy.conditions
    .filter((h) => h.name !== 'baseline')
    .map((h) => ({ name: h.name, set: { ...val, ...h.set }, seeds: [first, card.seeds[h.runs - 1]] }));
  return { faults, doubles, healthy };
}

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
 * list) and the report `card` (www/report-card.json, or null): {faults, doubles, decoys}, each candidate {id, causes, group, set, epochs, seeds: [lo, hi], lessons:
 * [lesson ids whose claims describe it], source: 'lesson'|'detection'}.
 */
export function candidates(presets, card, { pools, level }) {
  const L = LEVELS[level];
  const D = detectionConditions(card, presets);
  const inPool = (g) => pools.includes(g);
  const byId = new Map(presets.map((p) => [p.id, p]));
  const lessonFaults = presets
    .filter((p) => p.cause && inPool(p.group) && trainedImages(p) <= WORK_CAP)
    .map((p) => ({ id: p.id, causes: [p.cause], group: p.group, set: { ...p.set }, epochs: p.epochs, seeds: [1, 6], lessons: [p.id], source: 'lesson' }));
  const detection = D.faults
    .filter((d) => inPool(d.group) && byId.has(d.lesson))
    .map((d) => ({ id: d.name, causes: [d.cause], group: d.group, set: { ...d.set }, epochs: 2, seeds: d.seeds, lessons: [d.lesson], source: 'detection' }));
  const faults = [];
  if (L.lessons === true) faults.push(...lessonFaults);
  else if (L.lessons) { // only causes with no milder magnitude in the pool
    const milder = new Set(detection.map((d) => d.causes[0]));
    faults.push(...lessonFaults.filter((f) => !milder.has(f.causes[0])));
  }
  if (L.detection) faults.push(...detection);
  const doubles = L.double > 0
    ? D.doubles.filter((d) => inPool(d.group) && d.lessons.every((id) => byId.has(id)))
      .map((d) => ({ id: d.name, causes: [...d.causes], group: d.group, set: { ...d.set }, epochs: 2, seeds: d.seeds, lessons: [...d.lessons], source: 'detection' }))
    : [];
  const decoys = L.decoy > 0 ? [
    ...presets.filter((p) => p.cause === null && p.group !== 'remedies' && trainedImages(p) <= WORK_CAP)
      .map((p) => ({ id: p.id, causes: [], group: p.group, set: { ...p.set }, epochs: p.epochs, seeds: [1, 6], lessons: [p.id], source: 'lesson' })),
    ...D.healthy.map((d) => ({ id: d.name, causes: [], group: 'healthy', set: { ...d.set }, epochs: 2, seeds: d.seeds, lessons: [], source: 'detection' })),
  ] : [];
  return { faults, doubles, decoys };
}
