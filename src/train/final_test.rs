//! The final check on the test set: one pass of the current weights over images that no choice of the
//! run was made on. Every curve, sweep, race, early stop and diagnosis reads the validation split
//! (carved from the training images); the test set is looked at once, at the end, so its figures stay
//! an unbiased estimate of performance on new digits (Goodfellow et al. 2016, "Deep Learning", §5.3;
//! Google Research, "Deep Learning Tuning Playbook", 2023). The pass draws no random numbers and
//! changes no training state, like a validation pass.

use super::{EvalReport, Trainer, EVAL_BATCH};
use crate::data::Dataset;

/// The figures of a complete pass over the test set, and which weights it measured.
#[derive(Clone, Debug, PartialEq)]
pub struct TestReport {
    pub eval: EvalReport,
    /// Steps trained when the pass was made.
    pub step: u64,
    /// `Trainer::weights_epoch` when the pass was made.
    pub weights_epoch: Option<usize>,
}

impl Trainer {
    /// Evaluates the next `count` samples of `test` (the same set on every call of one pass); true
    /// when the pass is complete (its report is then in `test_report`). The next call starts afresh.
    pub fn test_chunk(&mut self, test: &Dataset, count: usize) -> bool {
        let mut ev = std::mem::take(&mut self.final_test);
        ev.begin();
        let end = (ev.pos + count.max(1)).min(test.len());
        while ev.pos < end {
            let stop = (ev.pos + EVAL_BATCH).min(end);
            let idx = ev.indices(ev.pos, stop); // file order: the test set is read once, whole
            let bs = idx.len();
            // Test images, like validation images, are never augmented.
            let (x, y) = self.clean_batch(test, &idx);
            let logits = self.eval_logits(x, bs);
            ev.add(&logits, &y);
            ev.pos = stop;
        }
        let done = ev.complete(test.len()).is_some();
        if done {
            self.tested = Some((self.step, self.weights_epoch()));
        }
        self.final_test = ev;
        done
    }

    /// The last complete test pass, if any.
    pub fn test_report(&self) -> Option<TestReport> {
        let (step, weights_epoch) = self.tested?;
        self.final_test.last().map(|eval| TestReport {
            eval: eval.clone(),
            step,
            weights_epoch,
        })
    }

    /// A whole test pass at once. Refuses an empty test set.
    pub fn test(&mut self, test: &Dataset) -> Result<TestReport, String> {
        if test.is_empty() {
            return Err("the test set is empty".into());
        }
        self.final_test.pos = 0;
        while !self.test_chunk(test, EVAL_BATCH) {}
        Ok(self.test_report().expect("a complete pass leaves a report"))
    }
}
