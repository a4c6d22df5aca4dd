//! The input contract: what was measured on a run, and nothing else (no setting is reachable from it).

use crate::thresholds::*;
use crate::CauseId;

/// Statistics of one parameterised layer at the last training step.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerStats {
    pub name: String,
    /// ‖∂L/∂θ‖₂ over the layer's weight and bias: whether the layer gets any gradient at all.
    pub grad_norm: f32,
    /// ‖∂L/∂W‖₂ over the layer's weights (kernel) only: the vanishing/exploding reading compares these,
    /// as AUTOTRAINER compares `norm_kernel` (Zhang et al. 2021), so the output bias's gradient p − y,
    /// which never shrinks, does not decide it.
    pub kernel_grad_norm: f32,
    /// ‖θ‖₂.
    pub weight_norm: f32,
    /// ‖Δθ‖₂ / ‖θ‖₂ of the last update (about 1e-3 is healthy; Karpathy, CS231n notes).
    pub update_ratio: f32,
    /// Mean and standard deviation of the activation that follows the layer (NaN for the output layer).
    pub act_mean: f32,
    pub act_std: f32,
    /// Fraction of channels (conv filters; a dense layer's units) that were ≤ 0 at every position for
    /// every sample of the batch: dead ReLUs as CS231n defines them (ReLU only; 0 otherwise).
    pub dead_frac: f32,
    /// Fraction of sigmoid/tanh channels in the flat ends of the curve at every position for every sample
    /// (0 for other activations).
    pub sat_frac: f32,
}

/// The role of a parameterised layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerRole {
    Conv,
    Dense,
    /// The last layer, producing the logits.
    Output,
}

/// The family of the activation after a layer: part of the architecture the practitioner chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActKind {
    /// ReLU and leaky ReLU (only ReLU can die; the trainer reports dead_frac 0 for leaky ReLU).
    ReluLike,
    /// Sigmoid and tanh.
    Saturating,
    Identity,
}

/// The optimizer family the practitioner chose (never its values: the learning rate, momentum, β and ε
/// stay invisible). Like the activation family it is part of what a practitioner always knows about
/// their own run, and it decides which step-size causes can apply at all: Adam's β and ε only under
/// Adam, a heavy ball's momentum only under momentum or Nesterov (AUTOTRAINER and DeepDiagnosis read
/// the training configuration the same way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerFamily {
    Sgd,
    Momentum,
    Nesterov,
    Adam,
}

impl OptimizerFamily {
    /// Whether `cause` can be at work under this optimizer.
    pub fn admits(self, cause: CauseId) -> bool {
        match cause {
            CauseId::AdamBetas | CauseId::AdamEps => self == OptimizerFamily::Adam,
            CauseId::MomentumTooHigh => {
                matches!(self, OptimizerFamily::Momentum | OptimizerFamily::Nesterov)
            }
            _ => true,
        }
    }
}

/// A parameterised layer, in forward order.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservedLayer {
    pub name: String,
    pub role: LayerRole,
    /// The activation that follows it; None for the output layer.
    pub act: Option<ActKind>,
}

/// Per-layer statistics of one training step (`metrics::layer_stats`, in `layers` order).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerSnapshot {
    /// 0-based index of the step whose gradient, update and activations these are.
    pub step: u64,
    /// How many samples the activation statistics (dead and saturated fractions) cover: the batch size.
    pub samples: usize,
    pub stats: Vec<LayerStats>,
}

/// Figures of one finished epoch. Validation figures are NaN when that epoch was not evaluated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochFigures {
    /// Mean over the epoch's training batches (loss before each update; accuracy on the given labels).
    pub train_loss: f32,
    pub train_acc: f32,
    pub val_loss: f32,
    pub val_acc: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    Forward,
    Backward,
}

/// Where the first NaN or infinity appeared.
#[derive(Clone, Debug, PartialEq)]
pub struct NonFinite {
    /// 0-based step index.
    pub step: u64,
    /// The first layer (forward order for the forward pass, backward order for the backward pass) whose
    /// output or gradient was not finite; "loss" for the loss itself; None if unknown.
    pub layer: Option<String>,
    pub pass: Option<Pass>,
}

/// Statistics of one input batch as it enters the network (after normalisation and augmentation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputStats {
    pub min: f32,
    pub max: f32,
    pub mean: f32,
    pub std: f32,
}

impl InputStats {
    /// One pass over a batch (x: N·C·H·W values).
    pub fn of(x: &[f32]) -> InputStats {
        if x.is_empty() {
            return InputStats {
                min: f32::NAN,
                max: f32::NAN,
                mean: f32::NAN,
                std: f32::NAN,
            };
        }
        let (mut lo, mut hi, mut s, mut s2) = (f32::INFINITY, f32::NEG_INFINITY, 0.0f64, 0.0f64);
        for &v in x {
            lo = lo.min(v);
            hi = hi.max(v);
            s += v as f64;
            s2 += (v as f64) * (v as f64);
        }
        let n = x.len() as f64;
        let mean = s / n;
        InputStats {
            min: lo,
            max: hi,
            mean: mean as f32,
            std: (s2 / n - mean * mean).max(0.0).sqrt() as f32,
        }
    }
}

/// How many validation images were compared with the training set, and how many of them are
/// byte-identical to some training image (after decoding, before any preprocessing).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Duplicates {
    pub found: u32,
    pub checked: u32,
}

/// One training sample of the probe: its given (possibly corrupted) label, its loss, and what the net
/// predicts for it with which probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SampleLoss {
    pub label: u8,
    pub loss: f32,
    pub predicted: u8,
    /// Softmax probability of `predicted`.
    pub confidence: f32,
}

impl SampleLoss {
    /// From one row of logits (numerically stable softmax; ties go to the lowest class like argmax_rows).
    pub fn from_logits(logits: &[f32], label: u8) -> SampleLoss {
        let (mut best, mut m) = (0usize, f32::NEG_INFINITY);
        for (i, &z) in logits.iter().enumerate() {
            if z > m {
                m = z;
                best = i;
            }
        }
        let se: f64 = logits.iter().map(|&z| ((z - m) as f64).exp()).sum();
        let lse = m as f64 + se.ln();
        let zl = logits.get(label as usize).copied().unwrap_or(f32::NAN) as f64;
        SampleLoss {
            label,
            loss: (lse - zl) as f32,
            predicted: best as u8,
            confidence: (1.0 / se) as f32,
        }
    }
}

/// Everything `diagnose` may look at. Plain data: no configuration is reachable from it.
///
/// How the trainer fills it (a few floats per step; the rest per epoch):
/// - `new(layers, class_counts, steps_per_epoch, batch_size)` when a trainer is built: the model's
///   parameterised layers with their kind and activation family, the training-label counts after the
///   data faults (what the practitioner's own label histogram shows), ⌈n / batch⌉ and the batch size.
/// - `optimizer = Some(family)` then, and again whenever the optimizer is switched live.
/// - `record_step(loss, acc, classes)` after every step (loss before the update, batch accuracy, the
///   number of distinct labels in the batch), including the step that stopped training with an
///   exploded loss. O(1) amortised; keeps the last `STEPS_KEPT`.
/// - `record_layers(step, batch, metrics::layer_stats(..))` every few dozen steps and at step 0. One
///   pass over the parameters and the cached activations; keeps the first and the last `SNAPSHOTS_KEPT`.
/// - `record_epoch(..)` at each epoch end, `set_confusion(..)` after each validation pass.
/// - `input = Some(InputStats::of(batch))` once in a while (one pass over one batch).
/// - `record_non_finite(..)` where the trainer detects a NaN/∞ (loss, or the first layer's gradient).
/// - `samples`: per-sample losses of a fixed training subset evaluated on clean (un-augmented) images
///   in evaluation mode with their given labels, e.g. 256 samples at each epoch end
///   (`SampleLoss::from_logits`; ~2.5% of an epoch of 10k). Clean images let the rules tell corrupted
///   labels (still contradicted on clean images) from harmful augmentation (clean images are easy).
/// - `val_input = Some(InputStats::of(chunk))` on one validation chunk exactly as the network receives
///   it, and `probe_input = Some(InputStats::of(images))` on the probe's clean training images exactly
///   as the network receives them (the training preprocessing, no augmentation), e.g. at each probe.
///   The two differ only by the images drawn when training and validation are preprocessed alike;
///   `input` (a training batch) also carries the augmentation, so it cannot tell the two apart.
/// - `probe_trained`: with `samples`, each probe sample's loss as the run's loss function gives it
///   (the same logits; e.g. `scaled_loss` of the run's wiring).
/// - `val_duplicates = Some(Duplicates { found, checked })` once the data is loaded: how many of the
///   checked validation images are byte-identical to a training image (e.g. hashes of every image).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observations {
    pub layers: Vec<ObservedLayer>,
    /// The optimizer family of the latest steps (it is a live setting); None when unknown, and then
    /// every step-size cause stays in the ranking.
    pub optimizer: Option<OptimizerFamily>,
    pub steps_per_epoch: usize,
    /// Samples per training batch (0 if unknown: treated as 32).
    pub batch_size: usize,
    /// Loss of step 0, before any update.
    pub initial_loss: Option<f32>,
    /// 0-based index of the step `step_loss[0]` belongs to (older steps were dropped).
    pub first_step: u64,
    pub step_loss: Vec<f32>,
    pub step_acc: Vec<f32>,
    /// Distinct labels in each recorded step's batch, aligned with `step_loss` (0 when unknown).
    pub step_classes: Vec<u8>,
    pub epochs: Vec<EpochFigures>,
    pub layer_history: Vec<LayerSnapshot>,
    pub non_finite: Option<NonFinite>,
    /// Training-label counts per class.
    pub class_counts: Vec<u32>,
    /// Confusion counts of the latest validation pass, row = true class, column = predicted.
    /// Per-class recall is derived from it.
    pub confusion: Vec<Vec<u32>>,
    pub input: Option<InputStats>,
    pub samples: Vec<SampleLoss>,
    /// Each probe sample's loss as the run's own loss function computes it from the same logits,
    /// aligned with `samples` (whose `loss` is the cross-entropy); empty when not measured. Equal to
    /// the cross-entropy up to rounding unless the loss is wired to something else.
    pub probe_trained: Vec<f32>,
    /// One validation chunk as the network receives it.
    pub val_input: Option<InputStats>,
    /// The probe's clean training images as the network receives them (no augmentation).
    pub probe_input: Option<InputStats>,
    /// Validation images also found in the training set.
    pub val_duplicates: Option<Duplicates>,
}

impl Observations {
    pub fn new(
        layers: Vec<ObservedLayer>,
        class_counts: Vec<u32>,
        steps_per_epoch: usize,
        batch_size: usize,
    ) -> Self {
        Observations {
            layers,
            class_counts,
            steps_per_epoch,
            batch_size,
            ..Default::default()
        }
    }

    /// Append one step's loss, accuracy and number of distinct labels in its batch.
    pub fn record_step(&mut self, loss: f32, acc: f32, classes: u8) {
        if self.step_loss.is_empty() && self.first_step == 0 {
            self.initial_loss = Some(loss);
        }
        self.step_loss.push(loss);
        self.step_acc.push(acc);
        self.step_classes.push(classes);
        // Drop the oldest half only when twice the capacity is reached: O(1) amortised.
        if self.step_loss.len() >= 2 * STEPS_KEPT {
            let drop = self.step_loss.len() - STEPS_KEPT;
            self.step_loss.drain(..drop);
            self.step_acc.drain(..drop.min(self.step_acc.len()));
            self.step_classes.drain(..drop.min(self.step_classes.len()));
            self.first_step += drop as u64;
        }
    }

    /// Index of the next step to be recorded.
    pub fn next_step(&self) -> u64 {
        self.first_step + self.step_loss.len() as u64
    }

    /// Append the per-layer statistics of step `step`, measured over `samples` samples.
    pub fn record_layers(&mut self, step: u64, samples: usize, stats: Vec<LayerStats>) {
        self.layer_history.push(LayerSnapshot {
            step,
            samples,
            stats,
        });
        if self.layer_history.len() > 2 * SNAPSHOTS_KEPT {
            // Keep the first snapshot (the network as initialised) and the most recent ones.
            let drop = self.layer_history.len() - 1 - SNAPSHOTS_KEPT;
            self.layer_history.drain(1..1 + drop);
        }
    }

    pub fn record_epoch(&mut self, e: EpochFigures) {
        self.epochs.push(e);
    }

    /// The latest validation pass's confusion counts (row = true class).
    pub fn set_confusion<R: AsRef<[u32]>>(&mut self, rows: &[R]) {
        self.confusion = rows.iter().map(|r| r.as_ref().to_vec()).collect();
    }

    /// Keeps the first non-finite record: the earliest one names where the trouble started.
    pub fn record_non_finite(&mut self, nf: NonFinite) {
        if self.non_finite.is_none() {
            self.non_finite = Some(nf);
        }
    }

    /// Append one probe sample, keeping the last `SAMPLES_KEPT`.
    pub fn record_sample(&mut self, s: SampleLoss) {
        self.samples.push(s);
        if self.samples.len() >= 2 * SAMPLES_KEPT {
            let drop = self.samples.len() - SAMPLES_KEPT;
            self.samples.drain(..drop);
        }
    }
}
