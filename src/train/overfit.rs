//! "Overfit one batch", the recipe's check that splits a bug from a data problem (Karpathy 2019, "A
//! Recipe for Training Neural Networks": "overfit a single batch of only a few examples … verify that
//! we can reach the lowest achievable loss (e.g. zero)"). A fresh copy of the run's network, drawn from
//! the run's seed, trains on the first `images` training images, clean (no augmentation) and with the
//! labels the run trains on, for `steps` steps with the run's own loss, optimizer, rate, clipping and
//! warm-up. A network that can learn memorises a few dozen images, wrong labels included (Zhang et al.
//! 2017); one that cannot (all-zero or dead units, a loss wired to the wrong inputs, a rate that
//! blows up) stays far from zero. The run itself is untouched: its weights, optimizer state and RNG
//! streams are not used.
//!
//! With `blank`, the same machinery runs "zero the inputs", the recipe's input-independent baseline
//! ("set all your inputs to zero … does your model learn to extract any information out of the input at
//! all?"): every pixel is 0, so the best the network can do is predict each label's share of the batch,
//! and its cross-entropy settles at the entropy H of the batch's labels (Gibbs' inequality). A run whose
//! training loss is no better than that is not using the image.

use super::step::{train_step, Source, StepEnd};
use super::{scale_inputs, step_rule, Trainer};
use crate::data::CLASSES;
use crate::diagnose::label_entropy;
use crate::model::Model;
use crate::optim::Optimizer;

/// The loss (nats, or the run's own loss) under which the batch counts as fitted, with every image
/// right. Karpathy's "e.g. zero"; 0.05 is a mean probability of about 95% on the given label.
pub const FITTED_LOSS: f32 = 0.05;
/// The default probe: a batch of 32 images (the lab's default batch) and 300 steps.
pub const DEFAULT_IMAGES: usize = 32;
pub const DEFAULT_STEPS: usize = 300;

/// The blind baseline's batch: 32 labels for 400 steps (the cost of 200 steps at 64).
pub const BLANK_IMAGES: usize = 32;
pub const BLANK_STEPS: usize = 400;
/// Its level is the mean of its last this many losses, and it has settled within this many nats of H.
/// The approach is from above and slows down for digits that are rare or missing in the batch (their
/// probabilities only shrink towards 0), hence a tenth of a nat rather than a hair.
pub const BLANK_TAIL: usize = 20;
pub const BLANK_SETTLED: f32 = 0.1;

/// What the probe measured.
#[derive(Clone, Debug, PartialEq)]
pub struct OverfitReport {
    /// The inputs were all zero ("zero the inputs").
    pub blank: bool,
    /// The entropy of the batch's labels, in nats: where a blind cross-entropy settles.
    pub label_entropy: f32,
    pub images: usize,
    /// Steps taken (fewer than asked when the loss stopped being finite).
    pub steps: usize,
    /// The loss of every step, before its update (the run's own loss on the batch).
    pub losses: Vec<f32>,
    /// Share of the batch answered with its given label after the last step.
    pub acc: f32,
    /// The loss became NaN or infinite.
    pub diverged: bool,
}

impl OverfitReport {
    /// The loss after the last step: the last recorded one when the batch no longer changes.
    pub fn last_loss(&self) -> f32 {
        self.losses.last().copied().unwrap_or(f32::NAN)
    }

    /// The batch was fitted: every image right and the loss under `FITTED_LOSS`.
    pub fn fitted(&self) -> bool {
        !self.diverged && self.acc >= 1.0 && self.last_loss() <= FITTED_LOSS
    }

    /// The mean of the last `BLANK_TAIL` losses: the level a blind run settles at.
    pub fn level(&self) -> f32 {
        let tail = &self.losses[self.losses.len().saturating_sub(BLANK_TAIL)..];
        (tail.iter().map(|&l| l as f64).sum::<f64>() / tail.len().max(1) as f64) as f32
    }
}

/// A probe under way.
pub(super) struct Overfit {
    model: Model,
    opt: Optimizer,
    x: Vec<f32>,
    y: Vec<u8>,
    steps: usize,
    report: OverfitReport,
}

impl Trainer {
    /// Begins the probe on the first `images` (1 … 256) training images for `steps` (1 … 5000)
    /// steps; throws out-of-range values back with a message naming them.
    /// With `blank` every input pixel is 0 ("zero the inputs").
    pub fn overfit_start(
        &mut self,
        images: usize,
        steps: usize,
        blank: bool,
    ) -> Result<(), String> {
        if !(1..=256).contains(&images) {
            return Err(format!("overfit: images = {images} must be 1 … 256"));
        }
        if !(1..=5000).contains(&steps) {
            return Err(format!("overfit: steps = {steps} must be 1 … 5000"));
        }
        let n = images.min(self.train.len());
        let idx: Vec<usize> = (0..n).collect();
        let (mut x, y) = self.clean_batch(&self.train, &idx);
        scale_inputs(self.cfg.pixels, &mut x);
        if blank {
            x.iter_mut().for_each(|v| *v = 0.0);
        }
        let mut counts = [0u32; CLASSES];
        y.iter().for_each(|&l| counts[l as usize] += 1);
        let model = Model::from_config(&self.cfg).map_err(|e| e.to_string())?;
        self.overfit = Some(Overfit {
            model,
            opt: Optimizer::new(self.opt.settings),
            x,
            y,
            steps,
            report: OverfitReport {
                blank,
                label_entropy: label_entropy(&counts).map_or(f32::NAN, |h| h as f32),
                images: n,
                steps: 0,
                losses: Vec::with_capacity(steps),
                acc: 0.0,
                diverged: false,
            },
        });
        Ok(())
    }

    /// Runs up to `count` steps of the probe; true once it has ended (its report is then in
    /// `overfit_report`). True at once when no probe is under way.
    pub fn overfit_chunk(&mut self, count: usize) -> bool {
        let Some(mut o) = self.overfit.take() else {
            return true;
        };
        for _ in 0..count {
            if o.report.steps >= o.steps || o.report.diverged {
                break;
            }
            let rule = step_rule(
                &self.cfg,
                &self.class_weights,
                o.report.steps as u64 + 1,
                self.epoch_progress().1,
            );
            let out = train_step(
                &mut o.model,
                &mut o.opt,
                Source::Batch { x: &o.x, y: &o.y },
                &rule,
                |_, loss, _| !loss.is_finite(),
            );
            o.report.losses.push(out.loss);
            o.report.steps += 1;
            if matches!(out.end, StepEnd::Refused | StepEnd::BadGradient { .. }) {
                o.report.diverged = true;
            }
        }
        if o.report.steps < o.steps && !o.report.diverged {
            self.overfit = Some(o);
            return false;
        }
        // The batch as the network now answers it, in evaluation mode.
        let logits = o.model.forward(&o.x, o.y.len(), false);
        let right = crate::layers::loss::argmax_rows(&logits, CLASSES)
            .iter()
            .zip(&o.y)
            .filter(|(p, t)| p == t)
            .count();
        o.report.acc = right as f32 / o.y.len().max(1) as f32;
        self.overfitted = Some(o.report);
        true
    }

    /// The last finished probe of this build.
    pub fn overfit_report(&self) -> Option<&OverfitReport> {
        self.overfitted.as_ref()
    }

    /// The probe start to end in one call (native tests and examples).
    pub fn overfit_one_batch(
        &mut self,
        images: usize,
        steps: usize,
        blank: bool,
    ) -> Result<OverfitReport, String> {
        self.overfit_start(images, steps, blank)?;
        while !self.overfit_chunk(50) {}
        Ok(self
            .overfitted
            .clone()
            .expect("a finished probe leaves a report"))
    }
}
