//! Chunked validation: where the pass under way is, what it has counted so far, and the report of the
//! last complete pass. The forward passes themselves are the Trainer's (`clean_logits`).

use super::epoch::Acc;
use super::EvalReport;
use crate::data::CLASSES;
use crate::layers::loss::{argmax_rows, scaled_loss, LossWiring};
use crate::metrics::Confusion;

#[derive(Default)]
pub(super) struct Evaluator {
    /// The run's loss (`loss_wiring`): the validation loss is the loss that is trained.
    wiring: LossWiring,
    /// Next validation sample of the pass under way (0: a new pass starts).
    pub pos: usize,
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
