//! The epoch loop, in one place: every driver (the page's worker, the lesson harness, the speed
//! example) calls `Trainer::advance` and reacts to its events instead of re-encoding the order.
//!
//! The rules: the run's very first step is taken alone (its forward pass is the untrained net's, which
//! the layer statistics read right after it then describe); later steps go in chunks of the budget; a
//! call stops at an epoch's end, so the caller can read that step's figures before anything else runs;
//! the following calls validate in chunks until the pass is complete; training ends on divergence or
//! early stopping, and every call after that repeats the ending event.

use super::parallel::Peer;
use super::{EpochSummary, EvalReport, Status, StepReport, Trainer, EVAL_BATCH};

/// What one `advance` call did, in order. A call returns a few events at most, so the reports are not
/// boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Event {
    /// Training steps (at least one).
    Steps(StepReport),
    /// The last step finished an epoch; its validation pass follows in the next calls.
    EpochEnded(EpochSummary),
    /// A validation pass completed (after the epoch it follows).
    Validated(EvalReport),
    /// Training diverged at `step` (1-based); nothing more is trained.
    Diverged { step: u64, message: String },
    /// Early stopping after the validation pass of `epoch`; nothing more is trained.
    Stopped {
        epoch: usize,
        best_epoch: usize,
        message: String,
    },
}

impl Event {
    /// True for the events after which no training follows.
    pub fn is_end(&self) -> bool {
        matches!(self, Event::Diverged { .. } | Event::Stopped { .. })
    }
}

/// The ending event of a status that is not running.
fn end_of(status: &Status) -> Option<Event> {
    match status {
        Status::Running => None,
        Status::Diverged { step, message } => Some(Event::Diverged {
            step: *step,
            message: message.clone(),
        }),
        Status::Stopped {
            epoch,
            best_epoch,
            message,
        } => Some(Event::Stopped {
            epoch: *epoch,
            best_epoch: *best_epoch,
            message: message.clone(),
        }),
    }
}

impl Trainer {
    /// Moves the run on by about `budget` training steps' worth of work: up to `budget` steps (the
    /// first step of a run alone), or, after an epoch ended, up to `budget` batches of validation
    /// samples (whole `EVAL_BATCH`-sample chunks, so the pass computes exactly what `evaluate` does).
    pub fn advance(&mut self, budget: usize) -> Vec<Event> {
        match self.advance_on(budget, None) {
            Ok(events) => events,
            Err(e) => unreachable!("one worker has no peer to fail: {e}"),
        }
    }

    /// `advance` with every step and validation chunk split with a second worker, as the page's two
    /// cores run them (src/train/parallel.rs): the same ordering rules in the other summation order.
    /// `None` is the one-worker `advance`. An error is the peer's (a malformed answer).
    pub fn advance_on(
        &mut self,
        budget: usize,
        mut peer: Option<&mut dyn Peer>,
    ) -> Result<Vec<Event>, String> {
        let budget = budget.max(1);
        let mut events = Vec::new();
        if self.validating {
            let count = (budget * self.cfg.batch).next_multiple_of(EVAL_BATCH);
            let done = match peer.as_deref_mut() {
                None => self.eval_chunk(count),
                Some(p) => {
                    let share = self.split_eval(count);
                    let answer = if share.rows > 0 {
                        p.logits(&share)?
                    } else {
                        Vec::new()
                    };
                    self.local_eval()?;
                    self.join_eval(&answer)?
                }
            };
            if done {
                self.validating = false;
                let report = self
                    .eval
                    .last()
                    .cloned()
                    .expect("a complete pass leaves a report");
                events.push(Event::Validated(report));
                events.extend(end_of(&self.status));
            }
            return Ok(events);
        }
        if let Some(end) = end_of(&self.status) {
            return Ok(vec![end]);
        }
        let n = if self.step == 0 { 1 } else { budget };
        let r = match peer {
            None => self.step(n),
            Some(p) => self.split_steps(n, p)?,
        };
        let epoch_done = r.epoch_done;
        if !r.loss.is_empty() {
            events.push(Event::Steps(r));
        }
        if epoch_done {
            let summary = self.epoch_stats.last().cloned().expect("an epoch ended");
            events.push(Event::EpochEnded(summary));
            self.validating = true;
        }
        events.extend(end_of(&self.status));
        Ok(events)
    }

    /// Up to `n` steps split with `peer`, stopping at an epoch's end as `step` does.
    fn split_steps(&mut self, n: usize, peer: &mut dyn Peer) -> Result<StepReport, String> {
        let mut r = StepReport::default();
        for _ in 0..n {
            let Some(share) = self.split_step() else {
                break;
            };
            let answer = if share.rows > 0 {
                peer.gradient(&share)?
            } else {
                Vec::new()
            };
            self.local_step()?;
            self.join_step(&answer, &mut r)?;
            if r.epoch_done || self.status != Status::Running {
                break;
            }
        }
        Ok(r)
    }

    /// True between an epoch's end and the completion of its validation pass by `advance`.
    pub fn validating(&self) -> bool {
        self.validating
    }
}
