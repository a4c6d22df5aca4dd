//! Prediction dynamics: sixteen fixed validation digits and the network's ten probabilities for each,
//! taken before the first step and after every epoch's validation pass, so the page can show how the
//! answers evolve (Karpathy 2019, "A Recipe for Training Neural Networks": "visualize prediction
//! dynamics … on a fixed test batch during the course of training"). A net that learns moves its
//! belief onto the right digits; one that does not leaves them flat, stuck on one digit, or jumping.
//!
//! The digits go through the validation side's own preprocessing (`val_inputs`), as the validation pass
//! does, so a validation pipeline bug (`val_pre`) shows in these answers too. Taking them draws no
//! random number and changes no training state.

use super::Trainer;
use crate::data::CLASSES;
use crate::layers::loss::softmax;

/// How many digits are watched: a 4 × 4 grid of thumbnails, 16 forward passes per epoch.
pub const PREDICTION_IMAGES: usize = 16;

/// The probe's bar for "learning": the mean probability on the labelled digit of the watched digits
/// rises by at least this much since the untrained net's. Learning only how common each digit is moves
/// it by about a hundredth (MNIST's digit shares are 9–11%; all-zero weights: 0.100 to 0.099); one
/// epoch of the baseline on 2,000 images takes it from 0.08 to 0.86 and from 0.11 to 0.79 (seeds 1, 2;
/// tests/overfit.rs).
pub const LEARNING_RISE: f32 = 0.1;

/// The watched digits' probabilities at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Predictions {
    /// The epoch whose validation pass they follow (0: the untrained net, before the first step).
    pub epoch: usize,
    /// Softmax of each digit's ten logits, row-major (`PREDICTION_IMAGES` × `CLASSES`); NaN where the
    /// logits are not finite.
    pub probs: Vec<f32>,
}

/// Which validation samples are watched: the first of each digit in validation order, so that every
/// digit the split holds is there, then the earliest others, up to `n`; shown by digit, the extras
/// last. The labels are the validation split's (a shifted-label bug shifts them too). The same split
/// always gives the same pick, on every seed.
pub fn pick(labels: &[u8], n: usize) -> Vec<usize> {
    let mut first: [Option<usize>; CLASSES] = [None; CLASSES];
    for (i, &y) in labels.iter().enumerate() {
        first[y as usize].get_or_insert(i);
    }
    let mut idx: Vec<usize> = first.iter().flatten().copied().take(n).collect();
    let extra: Vec<usize> = (0..labels.len())
        .filter(|i| !idx.contains(i))
        .take(n - idx.len())
        .collect();
    idx.extend(extra);
    idx
}

impl Predictions {
    /// The mean over the watched digits of the probability on each one's label (NaN when the outputs
    /// are not finite).
    pub fn mean_on_labels(&self, labels: &[u8]) -> f32 {
        let n = labels.len().max(1) as f32;
        labels
            .iter()
            .enumerate()
            .map(|(i, &y)| self.probs[i * CLASSES + y as usize])
            .sum::<f32>()
            / n
    }
}

impl Trainer {
    /// The watched validation samples (`pick`), in display order.
    pub fn prediction_indices(&self) -> Vec<usize> {
        pick(&self.val.labels, PREDICTION_IMAGES)
    }

    /// The watched digits' probabilities under the current weights, through the validation side's
    /// preprocessing, in evaluation mode.
    pub fn predict_watched(&mut self) -> Vec<f32> {
        let idx = self.prediction_indices();
        let (x, _) = self.val_batch(&idx);
        // Before the first step the untrained net is read as its first step computes it (a BatchNorm
        // has gathered no running statistics yet).
        let z = if self.step == 0 {
            self.untrained_logits(&x, idx.len())
        } else {
            self.forward_eval(&x, idx.len())
        };
        z.chunks_exact(CLASSES).flat_map(softmax).collect()
    }

    /// The probabilities taken after the last complete validation pass; before one, the untrained
    /// net's (epoch 0, taken at the first call). None when training began and no pass is complete.
    pub fn predictions(&mut self) -> Option<Predictions> {
        if self.watched.is_none() && self.step == 0 {
            let probs = self.predict_watched();
            self.watched = Some(Predictions { epoch: 0, probs });
        }
        self.watched.clone()
    }

    /// After a complete validation pass: the probabilities of the network as trained (before early
    /// stopping may copy the best epoch's weights back), for the epoch the pass follows.
    pub(super) fn watch_predictions(&mut self) {
        let probs = self.predict_watched();
        self.watched = Some(Predictions {
            epoch: self.epoch,
            probs,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pick_takes_one_of_each_digit_first_then_the_earliest_others() {
        let labels = [3, 3, 1, 0, 9, 9, 2, 4, 5, 6, 7, 8, 8, 1, 0, 2, 3, 4];
        let idx = pick(&labels, 16);
        assert_eq!(idx.len(), 16);
        let digits: Vec<u8> = idx[..10].iter().map(|&i| labels[i]).collect();
        assert_eq!(digits, (0..10).collect::<Vec<u8>>());
        assert_eq!(&idx[..3], &[3, 2, 6]);
        assert_eq!(&idx[10..], &[1, 5, 12, 13, 14, 15]);
        // A split missing digits still gives 16 distinct samples; a small one gives what it has.
        let ones = [1u8; 40];
        assert_eq!(pick(&ones, 16), (0..16).collect::<Vec<_>>());
        assert_eq!(pick(&labels[..5], 16).len(), 5);
    }
}
