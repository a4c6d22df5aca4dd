//! The loss scan: every training sample's loss on its clean image with the label it is trained on,
//! in chunks, and the highest-loss samples of the last complete scan.

use super::{ScanItem, ScanReport};

#[derive(Default)]
pub(super) struct LossScan {
    /// Next training sample of the scan under way (0: a new scan starts).
    pub pos: usize,
    /// Every scanned sample's (loss, predicted digit, its probability), in training-set order.
    items: Vec<(f32, u8, f32)>,
    done: bool,
}

impl LossScan {
    /// A new scan of `n` samples starts after a complete one.
    pub fn begin(&mut self, n: usize) {
        if self.pos == 0 {
            self.items.clear();
            self.items.reserve(n);
            self.done = false;
        }
    }

    pub fn push(&mut self, loss: f32, predicted: u8, prob: f32) {
        self.items.push((loss, predicted, prob));
    }

    /// True, and ready for a new scan, once all `n` samples are scanned.
    pub fn complete(&mut self, n: usize) -> bool {
        if self.pos >= n {
            self.pos = 0;
            self.done = true;
            true
        } else {
            false
        }
    }

    /// The `k` highest-loss samples of the last complete scan of a training set with `labels`,
    /// `true_labels` and the `corrupted` mask (highest first; a NaN loss counts as the highest), or
    /// None before a scan has completed.
    pub fn report(
        &self,
        k: usize,
        labels: &[u8],
        true_labels: &[u8],
        corrupted: &[bool],
    ) -> Option<ScanReport> {
        if !self.done || self.items.len() != labels.len() {
            return None;
        }
        let loss = |i: usize| {
            let l = self.items[i].0;
            if l.is_nan() {
                f32::INFINITY
            } else {
                l
            }
        };
        // Highest loss first, equal losses in sample order.
        let keys: Vec<f64> = (0..self.items.len()).map(|i| -(loss(i) as f64)).collect();
        let mut order = losslab_diagnose::order_by(&keys);
        order.truncate(k);
        let items: Vec<ScanItem> = order
            .iter()
            .map(|&i| {
                let (loss, predicted, prob) = self.items[i];
                ScanItem {
                    index: i,
                    label: labels[i],
                    true_label: true_labels[i],
                    predicted,
                    prob,
                    loss,
                    corrupted: corrupted[i],
                }
            })
            .collect();
        let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f32 / of as f32 };
        let bad = corrupted.iter().filter(|&&c| c).count();
        Some(ScanReport {
            corrupted_share_top: share(items.iter().filter(|s| s.corrupted).count(), items.len()),
            corrupted_share_all: share(bad, labels.len()),
            items,
        })
    }
}
