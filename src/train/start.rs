//! The loss before the first step, and the logit spread that explains it.
//!
//! An untrained net has not seen the labels, so its ten outputs (logits) `z` for an image carry no
//! information about the right digit, and its expected loss on that image is the average over the
//! ten labels: `logsumexp(z) − mean(z)`. That is exactly ln 10 when all ten logits are equal (the
//! net guesses evenly), and it grows with their spread: the second-order expansion of log-sum-exp
//! around equal logits (its Hessian there is (I − 11ᵀ/K)/K; Boyd & Vandenberghe 2004, §3.1.5) gives
//! `ln K + σ²/2`, with σ² the variance of the image's K logits. So a start well above ln K means the
//! untrained net is confidently guessing: its output layer is drawn too large for its inputs
//! (Karpathy 2019, "A Recipe for Training Neural Networks": verify the loss at init).
//!
//! The reading is taken on the first validation images in evaluation mode (clean images), without
//! touching the training RNG or the weights, so it changes nothing that training does next. A network
//! with BatchNorm is read as its first step computes it, each batch-sized chunk normalised with its own
//! statistics, its running statistics left as they were: in evaluation mode it would use statistics
//! no step has gathered yet.

use super::{scale_inputs, Trainer, PIXELS};
use crate::data::CLASSES;
use crate::layers::loss::softmax_cross_entropy;

/// Images the reading is taken on (fewer if validation is smaller): enough for two significant
/// digits of the mean, cheap enough (one forward pass) to take at every build.
pub const START_IMAGES: usize = 256;

/// Within this many nats of ln K the start counts as at chance, as the recipe asks: 0.1 nats moves
/// the (geometric) mean probability on the right digit by a tenth, from 1/10 to 1/11. On 256 images the
/// labels' own part of the reading varies by about σ/16, a few hundredths of a nat while σ ≤ 0.5.
pub const AT_CHANCE: f64 = 0.1;

/// A start above this many times ln K is far above chance: the right digit gets, on (geometric)
/// average, less than 1/K³ (1/1000 for ten digits), a hundred times less than an even guess, so the
/// untrained net is sure of random answers. The lab's default draws start at 3.1–5.4 nats on seeds
/// 1–8 (σ 1.6–2.9) and train to 97%; He × 2 starts at 17–40 nats (σ 13–23), He × 10 above 1,600 and
/// grey levels 0 … 255 (`pixels = raw`) above 160 (tests/overfit.rs measures them).
pub const FAR_ABOVE_CHANCE: f64 = 3.0;

/// Where a start reading stands against chance: the verdict of the "loss at init" check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartLevel {
    /// Within `AT_CHANCE` nats of ln K (or below it): the ten outputs are (nearly) equal.
    AtChance,
    /// Above, up to `FAR_ABOVE_CHANCE` · ln K: the outputs spread, the net leans towards random answers.
    AboveChance,
    /// Further above: the output layer (or the input) is far too large.
    FarAboveChance,
    /// The loss or the spread is not a finite number: the outputs overflow.
    NotFinite,
}

impl StartLevel {
    /// The id on the wire (the page's words are keyed by it).
    pub fn as_str(self) -> &'static str {
        match self {
            StartLevel::AtChance => "at_chance",
            StartLevel::AboveChance => "above_chance",
            StartLevel::FarAboveChance => "far_above_chance",
            StartLevel::NotFinite => "not_finite",
        }
    }

    /// The check passes unless the start is far above chance or not finite.
    pub fn passes(self) -> bool {
        matches!(self, StartLevel::AtChance | StartLevel::AboveChance)
    }
}

/// The untrained net's loss and the logit spread behind it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StartReading {
    /// Mean cross-entropy (nats) on the images, against their true labels.
    pub loss: f64,
    /// Root of the mean over images of the variance of each image's ten logits.
    pub spread: f64,
    /// Mean over images of the loss averaged over the ten labels, `logsumexp(z) − mean(z)`: what
    /// the start costs a net that knows nothing of the labels, whichever digits the images show.
    pub label_blind: f64,
    /// Images measured.
    pub count: usize,
}

impl StartReading {
    /// ln K + σ²/2: the label-blind start the spread alone predicts for a small spread.
    pub fn predicted(&self) -> f64 {
        (CLASSES as f64).ln() + self.spread * self.spread / 2.0
    }

    /// Where the start stands against chance (ln K), read from the measured loss.
    pub fn level(&self) -> StartLevel {
        let chance = (CLASSES as f64).ln();
        if !self.loss.is_finite() || !self.spread.is_finite() {
            StartLevel::NotFinite
        } else if self.loss <= chance + AT_CHANCE {
            StartLevel::AtChance
        } else if self.loss <= FAR_ABOVE_CHANCE * chance {
            StartLevel::AboveChance
        } else {
            StartLevel::FarAboveChance
        }
    }
}

/// The reading of logits `z` (row-major, `CLASSES` per image) against labels `y`. The per-image loss
/// is the training loss's own (`softmax_cross_entropy`); log-sum-exp is that loss plus the label's
/// logit, so the label-blind cost needs no second softmax.
pub fn reading(z: &[f32], y: &[u8]) -> StartReading {
    let n = y.len();
    let (_, _, per) = softmax_cross_entropy(z, y, CLASSES);
    let (mut loss, mut var, mut blind) = (0.0f64, 0.0f64, 0.0f64);
    for ((row, &label), &l) in z.chunks_exact(CLASSES).zip(y).zip(&per) {
        let mean = row.iter().map(|&v| v as f64).sum::<f64>() / CLASSES as f64;
        loss += l as f64;
        blind += l as f64 + row[label as usize] as f64 - mean;
        var += row.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / CLASSES as f64;
    }
    let d = n.max(1) as f64;
    StartReading {
        loss: loss / d,
        spread: (var / d).sqrt(),
        label_blind: blind / d,
        count: n,
    }
}

impl Trainer {
    /// The reading on the first `START_IMAGES` validation images with the current weights (before
    /// the first step it is the untrained net's start).
    pub fn start_reading(&mut self) -> StartReading {
        let n = START_IMAGES.min(self.val_set().len());
        let idx: Vec<usize> = (0..n).collect();
        // The validation images on the training side's preprocessing: the start of the training curve,
        // even when the validation side has a pipeline bug (`val_pre`).
        let (mut x, y) = self.clean_batch(&self.val, &idx);
        scale_inputs(self.cfg.pixels, &mut x);
        let z = self.untrained_logits(&x, n);
        reading(&z, &y)
    }

    /// Logits of `n` network inputs as the untrained net's first step computes them. With BatchNorm,
    /// evaluation mode would normalise with running statistics no step has gathered yet (mean 0,
    /// variance 1): each batch-sized chunk is normalised with its own statistics, as training does,
    /// and the running statistics are left untouched. Without it, the evaluation pass.
    pub(super) fn untrained_logits(&mut self, x: &[f32], n: usize) -> Vec<f32> {
        if !self.model.has_batchnorm() {
            return self.forward_eval(x, n);
        }
        let bs = self.cfg.batch.max(1);
        let mut z = Vec::with_capacity(n * CLASSES);
        for chunk in x.chunks(bs * PIXELS) {
            z.extend(self.model.forward_batch_stats(chunk, chunk.len() / PIXELS));
        }
        z
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_level_has_its_edges_at_a_tenth_of_a_nat_and_three_times_chance() {
        let ln10 = 10f64.ln();
        let at = |loss: f64, spread: f64| {
            StartReading {
                loss,
                spread,
                label_blind: loss,
                count: 256,
            }
            .level()
        };
        assert_eq!(at(ln10, 0.0), StartLevel::AtChance);
        assert_eq!(at(ln10 - 0.3, 0.4), StartLevel::AtChance);
        assert_eq!(at(ln10 + 0.099, 0.4), StartLevel::AtChance);
        assert_eq!(at(ln10 + 0.101, 0.4), StartLevel::AboveChance);
        assert_eq!(at(3.0 * ln10 - 0.01, 3.0), StartLevel::AboveChance);
        assert_eq!(at(3.0 * ln10 + 0.01, 3.0), StartLevel::FarAboveChance);
        assert_eq!(at(f64::INFINITY, 3.0), StartLevel::NotFinite);
        assert_eq!(at(f64::NAN, f64::NAN), StartLevel::NotFinite);
        assert_eq!(at(5.0, f64::INFINITY), StartLevel::NotFinite);
        assert!(StartLevel::AboveChance.passes() && !StartLevel::FarAboveChance.passes());
    }

    #[test]
    fn equal_logits_cost_exactly_ln_10_and_a_small_spread_about_half_its_square() {
        let r = reading(&[0.7; CLASSES * 2], &[3, 8]);
        assert!((r.loss - 10f64.ln()).abs() < 1e-6 && r.spread == 0.0);
        // Logits ±s around 0, label on a −s one and on a +s one: mean loss ln(cosh-sum) exactly.
        let s = 0.05f32;
        let z: Vec<f32> = (0..CLASSES)
            .map(|i| if i % 2 == 0 { s } else { -s })
            .collect();
        let r = reading(&z, &[1]);
        let r2 = reading(&z, &[0]);
        let mean = (r.loss + r2.loss) / 2.0;
        assert!((r.spread - s as f64).abs() < 1e-7);
        assert!((mean - r.label_blind).abs() < 1e-6);
        assert!(
            (mean - r.predicted()).abs() < 1e-5,
            "{mean} vs {}",
            r.predicted()
        );
    }
}
