//! Chunked validation: where the pass under way is, what it has counted so far, and the report of the
//! last complete pass. The forward passes themselves are the Trainer's (`clean_logits`).
//!
//! A validation pass visits the set in a fixed shuffled order, the same for every run, so that the
//! part counted so far is a simple random sample of the set: its mean loss and accuracy estimate the
//! whole pass's, with a 95% interval from the spread of what was counted and the finite-population
//! correction √((N − n)/(N − 1)), which closes the interval when n reaches N (Cochran, "Sampling
//! Techniques", 3rd ed. 1977, §2.4–2.6 and §3.2; Goodfellow et al., "Deep Learning" 2016, §5.4.2).
//! The complete pass counts every sample once, so its figures do not depend on the order.

use super::epoch::Acc;
use super::EvalReport;
use crate::data::CLASSES;
use crate::layers::loss::{argmax_rows, scaled_loss, LossWiring};
use crate::metrics::Confusion;
use crate::rng::Rng;

/// The fewest validation samples a partial pass's estimate is given for. The interval rests on the
/// normal approximation to the sampling distribution of a mean, which needs the sample to hold a fair
/// number of the rare high-loss mistakes: a net at 98% accuracy has ~40 of them in 2,048 images.
pub const PARTIAL_MIN: usize = 2048;

/// The 97.5th percentile of the standard normal: a 95% interval is ± this many standard errors.
const Z95: f64 = 1.959_964;

/// The stream of the validation order: a constant, not the run's seed, so that every run visits the
/// set in the same order.
const ORDER_SEED: u64 = 0x005E_ED0F_0DE5;

/// What a validation pass under way has counted so far: estimates of the complete pass's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct PartialEval {
    /// Samples counted, of `total`.
    pub count: usize,
    pub total: usize,
    /// Mean loss and accuracy so far, and the half-width of each one's 95% interval for the
    /// complete pass's value.
    pub loss: f32,
    pub loss_half: f32,
    pub acc: f32,
    pub acc_half: f32,
}

impl PartialEval {
    /// The estimate from `acc` (the samples counted so far) of a pass over `total` samples; None
    /// below `PARTIAL_MIN` samples or once every sample is counted.
    pub(super) fn of(acc: &Acc, total: usize) -> Option<PartialEval> {
        let (n, loss, loss_sq, correct) = acc.sums();
        PartialEval::from_sums(n, loss, loss_sq, correct, total)
    }

    /// The estimate from `n` samples whose losses sum to `loss` (their squares to `loss_sq`), of
    /// which `correct` were classified correctly, of a pass over `total` samples; None below
    /// `PARTIAL_MIN` samples or once every sample is counted.
    pub fn from_sums(
        n: u64,
        loss: f64,
        loss_sq: f64,
        correct: u64,
        total: usize,
    ) -> Option<PartialEval> {
        let count = n as usize;
        if count < PARTIAL_MIN.min(total) || count >= total {
            return None;
        }
        let nf = n as f64;
        let mean = loss / nf;
        let var = ((loss_sq - nf * mean * mean) / (nf - 1.0)).max(0.0);
        let p = correct as f64 / nf;
        // the finite-population correction: the interval is for this set's complete pass
        let fpc = ((total - count) as f64 / (total - 1) as f64).sqrt();
        let half = |var: f64| (Z95 * (var / nf).sqrt() * fpc) as f32;
        Some(PartialEval {
            count,
            total,
            loss: mean as f32,
            loss_half: half(var),
            acc: p as f32,
            // the sample variance of a 0/1 outcome with mean p
            acc_half: half(p * (1.0 - p) * nf / (nf - 1.0)),
        })
    }
}

/// A permutation of 0 … n − 1 (`Rng::shuffle`, Fisher–Yates) from the stream `seed`.
pub fn shuffled_order(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    Rng::new(seed).shuffle(&mut order);
    order
}

#[derive(Default)]
pub(super) struct Evaluator {
    /// The run's loss (`loss_wiring`): the validation loss is the loss that is trained.
    wiring: LossWiring,
    /// Next validation sample of the pass under way (0: a new pass starts).
    pub pos: usize,
    /// The order the pass visits the set in (empty: file order, as the final test reads its set).
    order: Vec<usize>,
    acc: Acc,
    conf: Confusion,
    last: Option<EvalReport>,
}

impl Evaluator {
    pub fn new(wiring: LossWiring) -> Evaluator {
        Evaluator {
            wiring,
            ..Evaluator::default()
        }
    }

    /// An evaluator that visits a set of `n` samples in the fixed shuffled order (a validation pass).
    pub fn shuffled(wiring: LossWiring, n: usize) -> Evaluator {
        Evaluator {
            order: shuffled_order(n, ORDER_SEED),
            ..Evaluator::new(wiring)
        }
    }

    /// The samples at positions `from … to` of the pass.
    pub fn indices(&self, from: usize, to: usize) -> Vec<usize> {
        if self.order.is_empty() {
            (from..to).collect()
        } else {
            self.order[from..to].to_vec()
        }
    }

    /// The estimate of the pass under way over `total` samples (None between passes, before
    /// `PARTIAL_MIN` samples, and once it is complete).
    pub fn partial(&self, total: usize) -> Option<PartialEval> {
        if self.pos == 0 {
            return None;
        }
        PartialEval::of(&self.acc, total)
    }

    /// A validation pass starts afresh after a complete one.
    pub fn begin(&mut self) {
        if self.pos == 0 {
            self.acc = Acc::default();
            self.conf = Confusion::default();
        }
    }

    /// Counts the logits of validation samples with labels `y` into the pass under way.
    pub fn add(&mut self, logits: &[f32], y: &[u8]) {
        let scale = vec![0.0; y.len()];
        let (_, per) = scaled_loss(self.wiring, logits, y, CLASSES, &scale);
        for ((&p, &t), &l) in argmax_rows(logits, CLASSES).iter().zip(y).zip(&per) {
            self.acc.add(l, p == t);
            self.conf.add(t, p);
        }
    }

    /// Ends the pass when all `total` validation samples are counted: its report.
    pub fn complete(&mut self, total: usize) -> Option<&EvalReport> {
        if self.pos < total {
            return None;
        }
        let (loss, acc) = self.acc.mean();
        self.pos = 0;
        Some(self.last.insert(EvalReport {
            loss,
            acc,
            recall: self.conf.recall(),
            confusion: self.conf.clone(),
            count: self.acc.n as usize,
        }))
    }

    /// The confusion counts of the last complete pass (or of the pass under way).
    pub fn confusion(&self) -> &Confusion {
        &self.conf
    }

    pub fn last(&self) -> Option<&EvalReport> {
        self.last.as_ref()
    }
}
