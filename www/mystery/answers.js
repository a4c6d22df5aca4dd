// What a student may answer in the mystery drill, in a fixed order that the result codes (www/mystery/code.js)
// index: "healthy" first, then the diagnosis's causes as the engine's catalogue names them
// (www/generated/catalogue.js, written by the build from crates/losslab-diagnose/src/catalogue.rs: the page
// keeps no copy of a cause's words), and the optional fixes. Shared by the page and docs/class.html.
import { CAUSES } from '../generated/catalogue.js';

/** The answer for a run with nothing wrong (a decoy). */
export const HEALTHY = 'healthy';

/** Every answer: {id, name}; HEALTHY first, then the catalogue's causes in its order. */
export const ANSWERS = [{ id: HEALTHY, name: 'nothing is wrong: a healthy run' }, ...CAUSES.map(({ id, name }) => ({ id, name }))];
export const ANSWER_BY_ID = new Map(ANSWERS.map((a) => [a.id, a]));

/**
 * The fixes a student may add to a diagnosis: each puts one family of settings back to the lab's defaults (the
 * settings sections of www/state.js, named in `groups`, or single `keys`). `none` is "no fix given".
 */
export const FIXES = [
  { id: 'none', label: 'no fix given' },
  { id: 'optimizer', label: 'the optimizer and its settings back to the standard', groups: ['optimizer'] },
  { id: 'init', label: 'the standard start (initializer, gain, initial bias)', keys: ['init', 'gain', 'bias'] },
  { id: 'net', label: 'the standard network (blocks, kernels, strides, pooling, activation)', groups: ['arch', 'arch-table'] },
  { id: 'labels', label: 'clean training labels (no label noise)', keys: ['noise', 'noise_kind'] },
  { id: 'balance', label: 'every digit kept in full (no class imbalance)', keys: ['imb', 'imb_classes', 'imb_keep', 'imb_ratio'] },
  { id: 'aug', label: 'no augmentation', groups: ['aug'] },
  { id: 'pixels', label: 'scaled pixels', keys: ['pixels'] },
  { id: 'pipeline', label: 'the pipeline as it should be (validation preprocessing, loss, shuffling, labels, no leak, BatchNorm)', groups: ['pipeline'] },
  { id: 'data', label: 'the standard number of training images', keys: ['train_n'] },
];
export const FIX_BY_ID = new Map(FIXES.map((f) => [f.id, f]));

/**
 * The fix that removes each cause's setting, by the family the lab keeps that setting in (www/state.js sections):
 * a cause of the optimizer's settings is undone by the standard optimizer, and so on. `exploding_gradients`,
 * `natural_lookalikes` and `no_regularisation` are never drawn (no lesson of the drill's groups has them as
 * its cause), so they have no fix here; every drawn cause has one (tests/mystery.test.mjs).
 */
export const FIX_FOR_CAUSE = {
  lr_too_high: 'optimizer', lr_too_low: 'optimizer', momentum_too_high: 'optimizer', adam_betas: 'optimizer', adam_eps: 'optimizer',
  bad_init: 'init', vanishing_gradients: 'net', bad_layer_design: 'net',
  label_noise: 'labels', class_imbalance: 'balance', harmful_augmentation: 'aug', input_scale: 'pixels',
  too_little_data: 'data', pipeline_bug: 'pipeline',
};

/** The words of an answer id ('' for an unknown one). */
export const answerName = (id) => ANSWER_BY_ID.get(id)?.name ?? '';
/** The words of a fix id ('' for an unknown one). */
export const fixLabel = (id) => FIX_BY_ID.get(id)?.label ?? '';
