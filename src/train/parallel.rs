//! Data-parallel training of one run on two workers (the page's "cores: 2").
//!
//! The leading worker's `Trainer` draws every mini-batch exactly as one worker would (same order,
//! same augmentation draws), keeps the first half of its rows and hands the second half to a
//! `GradientWorker` in a second worker, with the current weights and each row's loss scale. Both
//! compute the gradient of their rows, scaled as a part of the whole batch's loss; the leader adds
//! the helper's gradient to its own (its rows first, always in that order) and applies the one
//! update. Validation splits the same way (the helper returns logits). The helper holds no state
//! between requests beyond its network's shape, so nothing can drift between the two copies: the
//! weights, the optimizer, the RNG streams and every figure live in the leader alone.
//!
//! One worker and two compute the same sums in a different order, so their curves agree to float
//! rounding; the same seed and the same number of workers give the same curve bit for bit. BatchNorm
//! (`bn=1`) is the exception: each worker normalises its half of the batch with that half's own
//! statistics, as data-parallel training without synchronised BatchNorm does (PyTorch's
//! DistributedDataParallel without `SyncBatchNorm`), so two cores train a slightly different network
//! from one; the running statistics are the leader's (from its half) and travel to the helper with the
//! weights, so evaluation is the same on either.
//!
//! Call order for a step: `split_step` (send the share), `local_step`, then `join_step` with the
//! helper's answer. For validation: `split_eval`, `local_eval`, `join_eval`.

use super::{loss_weights, Status, StepReport, Trainer, CLASSES, EVAL_BATCH, PIXELS};
use crate::config::{Config, ConfigError};
use crate::layers::loss::{argmax_rows, loss_scales, scaled_loss, LossWiring};
use crate::model::Model;

/// What the helper worker needs for its rows of a step (or of a validation chunk).
#[derive(Clone, Debug, Default)]
pub struct Share {
    /// The leader's weights, in `Model::weights_flat` order.
    pub weights: Vec<f32>,
    /// The helper's images, ready for the network (augmented and scaled): rows × 784.
    pub x: Vec<f32>,
    /// Their labels (empty for validation, where the leader counts the logits itself).
    pub y: Vec<u8>,
    /// d loss / d logits scale of each row as part of the whole batch (1/N, or w[y]/W).
    pub scale: Vec<f32>,
    pub rows: usize,
}

/// A step whose helper share is out: the batch size and how many rows the leader keeps.
#[derive(Debug)]
pub(super) struct Split {
    bs: usize,
    local: usize,
    scale: Vec<f32>,
    /// The leader's rows' unweighted losses and predictions, once `local_step` ran.
    per: Vec<f32>,
    pred: Vec<u8>,
}

/// A validation chunk whose helper share is out: the leader's rows [start, mid), the helper's [mid, end)
/// (positions of the pass), the leader's logits once computed, and each side's labels.
#[derive(Debug)]
pub(super) struct EvalSplit {
    start: usize,
    mid: usize,
    end: usize,
    logits: Vec<f32>,
    mine: Vec<u8>,
    theirs: Vec<u8>,
}

/// The leader's share of a batch of `bs` rows: half, rounded down (the leader also draws the batch and
/// applies the update), but all of a one-row batch, which is not worth a message.
fn leader_rows(bs: usize) -> usize {
    if bs < 2 {
        bs
    } else {
        bs / 2
    }
}

impl Trainer {
    /// Draws the next mini-batch and returns the helper's share of it; `None` when the run is not
    /// running. A share of 0 rows (a one-sample batch) needs no helper: pass an empty answer to
    /// `join_step`.
    pub fn split_step(&mut self) -> Option<Share> {
        if self.status != Status::Running {
            return None;
        }
        self.split = None;
        self.sharpness_tick();
        let bs = self.begin_batch();
        let local = leader_rows(bs);
        let scale = loss_scales(&self.y, loss_weights(&self.cfg, &self.class_weights));
        let share = Share {
            weights: self.model.weights_flat(),
            x: self.x[local * PIXELS..].to_vec(),
            y: self.y[local..].to_vec(),
            scale: scale[local..].to_vec(),
            rows: bs - local,
        };
        self.split = Some(Split {
            bs,
            local,
            scale,
            per: Vec::new(),
            pred: Vec::new(),
        });
        Some(share)
    }

    /// The gradient of the leader's rows of the split batch, into the model's gradients.
    pub fn local_step(&mut self) -> Result<(), String> {
        let Some(split) = self.split.as_mut() else {
            return Err("local_step: no batch was split".into());
        };
        let local = split.local;
        self.held_stats = None;
        let (per, pred) = part_gradient(
            &mut self.model,
            self.cfg.loss_wiring,
            &self.x[..local * PIXELS],
            &self.y[..local],
            &split.scale[..local],
        );
        split.per = per;
        split.pred = pred;
        Ok(())
    }

    /// Adds the helper's answer (`GradientWorker::gradient`) to the leader's gradient and finishes the
    /// step as `step` does: divergence checks, the update, the figures. The report gets one entry.
    pub fn join_step(&mut self, answer: &[f32], r: &mut StepReport) -> Result<(), String> {
        let Some(split) = self.split.take() else {
            return Err("join_step: no batch was split".into());
        };
        let rows = split.bs - split.local;
        let n = self.model.param_count();
        let want = if rows == 0 { 0 } else { n + 2 * rows };
        if answer.len() != want {
            return Err(format!(
                "the second worker answered {} numbers for a share of {rows} samples ({want} expected)",
                answer.len()
            ));
        }
        let (mut per, mut pred) = (split.per, split.pred);
        if rows > 0 {
            self.model.add_grads_flat(&answer[..n]);
            per.extend_from_slice(&answer[n..n + rows]);
            pred.extend(answer[n + rows..].iter().map(|&p| p as u8));
        }
        let out = self.step_on(Some((per, pred)));
        self.finish_step(r, out, split.local);
        Ok(())
    }

    /// The helper's share of the next `count` validation samples (images only; 0 rows for a chunk of
    /// one sample: pass an empty answer to `join_eval`).
    pub fn split_eval(&mut self, count: usize) -> Share {
        self.eval.begin();
        let start = self.eval.pos;
        let end = (start + count.max(1)).min(self.val.len());
        let mid = start + leader_rows(end - start);
        let (x, theirs) = self.val_batch(&self.eval.indices(mid, end));
        self.split_eval = Some(EvalSplit {
            start,
            mid,
            end,
            logits: Vec::new(),
            mine: Vec::new(),
            theirs,
        });
        Share {
            weights: self.model.weights_flat(),
            x,
            y: Vec::new(),
            scale: Vec::new(),
            rows: end - mid,
        }
    }

    /// The logits of the leader's rows of the split validation chunk.
    pub fn local_eval(&mut self) -> Result<(), String> {
        let Some(split) = self.split_eval.take() else {
            return Err("local_eval: no validation chunk was split".into());
        };
        let mut logits = Vec::with_capacity((split.mid - split.start) * CLASSES);
        let mut mine = Vec::with_capacity(split.mid - split.start);
        let mut at = split.start;
        while at < split.mid {
            let stop = (at + EVAL_BATCH).min(split.mid);
            let (z, y) = self.pass_logits(at, stop);
            logits.extend(z);
            mine.extend(y);
            at = stop;
        }
        self.split_eval = Some(EvalSplit {
            logits,
            mine,
            ..split
        });
        Ok(())
    }

    /// Counts the leader's logits, then the helper's (`GradientWorker::logits`), in sample order; true
    /// when the validation pass is complete (as `eval_chunk`).
    pub fn join_eval(&mut self, answer: &[f32]) -> Result<bool, String> {
        let Some(split) = self.split_eval.take() else {
            return Err("join_eval: no validation chunk was split".into());
        };
        let rows = split.end - split.mid;
        if answer.len() != rows * CLASSES {
            return Err(format!(
                "the second worker answered {} logits for {rows} validation samples",
                answer.len()
            ));
        }
        self.eval.add(&split.logits, &split.mine);
        self.eval.add(answer, &split.theirs);
        self.eval.pos = split.end;
        Ok(self.eval_complete())
    }
}

/// Forward and backward pass of `x` (rows × 784) with labels `y` and per-row loss scales: the gradient
/// is left in the model's gradients (zeroed first), and each row's unweighted loss and prediction are
/// returned.
fn part_gradient(
    model: &mut Model,
    wiring: LossWiring,
    x: &[f32],
    y: &[u8],
    scale: &[f32],
) -> (Vec<f32>, Vec<u8>) {
    model.zero_grad();
    let rows = y.len();
    if rows == 0 {
        return (Vec::new(), Vec::new());
    }
    let logits = model.forward(x, rows, true);
    let (dlogits, per) = scaled_loss(wiring, &logits, y, CLASSES, scale);
    let pred = argmax_rows(&logits, CLASSES);
    model.backward_params(&dlogits);
    (per, pred)
}

/// The second worker of a two-core run as `Trainer::advance_on` calls it: in-process (native tests,
/// `GradientWorker`). The page's helper answers the same shares over a MessageChannel instead
/// (www/engine/peer.js), so its worker drives `split_step`/`local_step`/`join_step` itself.
pub trait Peer {
    /// `GradientWorker::gradient` of a step's share.
    fn gradient(&mut self, share: &Share) -> Result<Vec<f32>, String>;
    /// `GradientWorker::logits` of a validation share.
    fn logits(&mut self, share: &Share) -> Result<Vec<f32>, String>;
}

impl Peer for GradientWorker {
    fn gradient(&mut self, share: &Share) -> Result<Vec<f32>, String> {
        GradientWorker::gradient(self, share)
    }
    fn logits(&mut self, share: &Share) -> Result<Vec<f32>, String> {
        GradientWorker::logits(self, share)
    }
}

/// The second worker of a data-parallel run: the network's shape only. Every request brings the
/// weights it is to use.
pub struct GradientWorker {
    model: Model,
    wiring: LossWiring,
}

impl GradientWorker {
    /// The network of `cfg` (its initial weights are never used).
    pub fn new(cfg: &Config) -> Result<GradientWorker, ConfigError> {
        Ok(GradientWorker {
            model: Model::from_config(cfg)?,
            wiring: cfg.loss_wiring,
        })
    }

    /// The gradient of a step's share: `[gradient (weights_flat order) ‖ loss of each row ‖ predicted
    /// digit of each row]`, what `Trainer::join_step` takes.
    pub fn gradient(&mut self, share: &Share) -> Result<Vec<f32>, String> {
        let rows = share.y.len();
        if share.x.len() != rows * PIXELS || share.scale.len() != rows {
            return Err(format!(
                "a share of {rows} labels came with {} pixels and {} scales",
                share.x.len(),
                share.scale.len()
            ));
        }
        self.model.set_weights_flat(&share.weights)?;
        let (per, pred) = part_gradient(
            &mut self.model,
            self.wiring,
            &share.x,
            &share.y,
            &share.scale,
        );
        let mut out = self.model.grads_flat();
        out.extend_from_slice(&per);
        out.extend(pred.iter().map(|&p| p as f32));
        Ok(out)
    }

    /// Evaluation-mode logits of a validation share (rows × 10), in batches as the leader computes them.
    pub fn logits(&mut self, share: &Share) -> Result<Vec<f32>, String> {
        if !share.x.len().is_multiple_of(PIXELS) {
            return Err(format!("{} pixels are not whole images", share.x.len()));
        }
        self.model.set_weights_flat(&share.weights)?;
        let rows = share.x.len() / PIXELS;
        let mut out = Vec::with_capacity(rows * CLASSES);
        for chunk in share.x.chunks(EVAL_BATCH * PIXELS) {
            out.extend(self.model.forward(chunk, chunk.len() / PIXELS, false));
        }
        Ok(out)
    }
}
