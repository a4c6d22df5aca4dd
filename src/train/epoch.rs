//! Epoch accounting: the running figures of the epoch under way, over every training sample and
//! split by whether its label was corrupted, and the summary of the last finished epoch.

use super::EpochSummary;

/// A running mean loss and accuracy.
#[derive(Default, Clone, Copy)]
pub(super) struct Acc {
    loss: f64,
    /// The sum of the squared losses: their spread, for the interval of a partial validation pass.
    loss_sq: f64,
    correct: u64,
    pub n: u64,
}

impl Acc {
    pub fn add(&mut self, loss: f32, correct: bool) {
        self.loss += loss as f64;
        self.loss_sq += loss as f64 * loss as f64;
        self.correct += correct as u64;
        self.n += 1;
    }
    /// Mean loss and accuracy; NaN for both when nothing was added.
    pub fn mean(&self) -> (f32, f32) {
        if self.n == 0 {
            (f32::NAN, f32::NAN)
        } else {
            (
                (self.loss / self.n as f64) as f32,
                (self.correct as f64 / self.n as f64) as f32,
            )
        }
    }

    /// The count, the sums of the losses and of their squares, and the number correct.
    pub fn sums(&self) -> (u64, f64, f64, u64) {
        (self.n, self.loss, self.loss_sq, self.correct)
    }
}

#[derive(Default)]
pub(super) struct EpochStats {
    all: Acc,
    clean: Acc,
    noisy: Acc,
    /// Steps of the current epoch, and how many of them were clipped.
    steps: u64,
    clipped: u64,
    last: Option<EpochSummary>,
}

impl EpochStats {
    /// A new epoch starts: its figures from zero (the last summary stays).
    pub fn start(&mut self) {
        *self = EpochStats {
            last: self.last.take(),
            ..EpochStats::default()
        };
    }

    /// One training sample's unweighted loss, whether it was predicted right, and whether its label
    /// was corrupted.
    pub fn add_sample(&mut self, loss: f32, correct: bool, corrupted: bool) {
        self.all.add(loss, correct);
        if corrupted {
            self.noisy.add(loss, correct);
        } else {
            self.clean.add(loss, correct);
        }
    }

    /// One step taken, clipped or not.
    pub fn add_step(&mut self, clipped: bool) {
        self.steps += 1;
        self.clipped += clipped as u64;
    }

    /// The epoch under way, numbered `epoch` (1-based), is finished: its summary.
    pub fn finish(&mut self, epoch: usize) -> &EpochSummary {
        let (train_loss, train_acc) = self.all.mean();
        let (clean_loss, clean_acc) = self.clean.mean();
        let (noisy_loss, noisy_acc) = self.noisy.mean();
        self.last.insert(EpochSummary {
            epoch,
            train_loss,
            train_acc,
            clean_loss,
            clean_acc,
            noisy_loss,
            noisy_acc,
            clip_frac: self.clipped as f32 / self.steps.max(1) as f32,
        })
    }

    pub fn last(&self) -> Option<&EpochSummary> {
        self.last.as_ref()
    }
}
