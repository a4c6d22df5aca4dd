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
//! touching the training RNG or the weights, so it changes nothing that training does next.

use super::Trainer;
use crate::data::CLASSES;
use crate::layers::loss::softmax_cross_entropy;

/// Images the reading is taken on (fewer if validation is smaller): enough for two significant
/// digits of the mean, cheap enough (one forward pass) to take at every build.
pub const START_IMAGES: usize = 256;

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
        let (x, y) = self.clean_batch(&self.val, &idx);
        let z = self.eval_logits(x, n);
        reading(&z, &y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
