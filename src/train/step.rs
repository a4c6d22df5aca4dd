//! The one training step every path runs: the run's own steps (`Trainer::step`), the data-parallel
//! step (its gradient summed from two workers, src/train/parallel.rs) and the range test
//! (src/train/lrfind.rs). Forward → loss → (the caller's check) → backward → gradient norms → clip
//! → optimizer step, always in this order, so the three give the same numbers for the same inputs.

use crate::data::CLASSES;
use crate::layers::loss::{argmax_rows, batch_loss, reduce_loss, LossWiring};
use crate::metrics::{grad_norms, kernel_grad_norms};
use crate::model::Model;
use crate::optim::Optimizer;

/// Where a step's gradient comes from.
pub(super) enum Source<'a> {
    /// A whole batch, ready for the network: x (N, 784), y (N). The step computes the gradient.
    Batch { x: &'a [f32], y: &'a [u8] },
    /// A batch whose gradient is already in the model (summed from the workers' parts, each scaled
    /// with `loss_scales`), with every sample's unweighted loss and predicted digit.
    Joined {
        y: &'a [u8],
        per: Vec<f32>,
        pred: Vec<u8>,
    },
}

/// How a step is taken.
pub(super) struct Rule<'a> {
    /// The loss (`loss_wiring`).
    pub wiring: LossWiring,
    /// Class weights of the loss (`class_weight = balanced`), or None for the plain mean.
    pub weights: Option<&'a [f32]>,
    /// Global-norm gradient clipping threshold (0: off).
    pub clip: f32,
    /// The learning rate of this step.
    pub lr: f32,
    /// Take no update when a layer's gradient norm is not finite.
    pub stop_on_bad_gradient: bool,
}

/// What a step did.
pub(super) struct StepOutcome {
    /// The loss that is optimised (class-weighted with weights), before the update.
    pub loss: f32,
    /// Every sample's unweighted loss and predicted digit.
    pub per: Vec<f32>,
    pub pred: Vec<u8>,
    pub end: StepEnd,
}

pub(super) enum StepEnd {
    /// The caller's check on the loss refused the batch: no backward pass (of a whole batch), no update.
    Refused,
    /// A layer's gradient norm was not finite (`stop_on_bad_gradient`): no update.
    BadGradient { norms: Vec<f32> },
    /// The update was applied.
    Updated {
        /// Per-layer gradient norms of the weights (kernels, biases left out) before clipping: the
        /// gradient chart's reading (`metrics::kernel_grad_norms`).
        kernel_norms: Vec<f32>,
        clipped: bool,
        /// The optimizer's per-parameter update sizes (`Optimizer::step`).
        update: Vec<f32>,
    },
}

/// One training step of `model` with `opt`. `refuse(model, loss, pred)` is asked once the loss is
/// known and before any backward pass of a whole batch: true stops the step there (divergence, the
/// range test's stop rule).
pub(super) fn train_step(
    model: &mut Model,
    opt: &mut Optimizer,
    source: Source,
    rule: &Rule,
    refuse: impl FnOnce(&mut Model, f32, &[u8]) -> bool,
) -> StepOutcome {
    let (loss, per, pred, dlogits) = match source {
        Source::Batch { x, y } => {
            let logits = model.forward(x, y.len(), true);
            let (loss, dlogits, per) = batch_loss(rule.wiring, &logits, y, CLASSES, rule.weights);
            (loss, per, argmax_rows(&logits, CLASSES), Some(dlogits))
        }
        Source::Joined { y, per, pred } => (reduce_loss(&per, y, rule.weights), per, pred, None),
    };
    let end = 'end: {
        if refuse(model, loss, &pred) {
            break 'end StepEnd::Refused;
        }
        if let Some(dlogits) = dlogits {
            model.zero_grad();
            model.backward_params(&dlogits);
        }
        let norms = grad_norms(model);
        if rule.stop_on_bad_gradient && norms.iter().any(|g| !g.is_finite()) {
            break 'end StepEnd::BadGradient { norms };
        }
        let kernel_norms = kernel_grad_norms(model);
        let clipped = clip_gradients(model, rule.clip, &norms);
        opt.settings.lr = rule.lr;
        let update = opt.step(&mut model.params_mut());
        StepEnd::Updated {
            kernel_norms,
            clipped,
            update,
        }
    };
    StepOutcome {
        loss,
        per,
        pred,
        end,
    }
}

/// Gradient clipping by global norm, as `torch.nn.utils.clip_grad_norm_`: when ‖g‖₂ over every
/// parameter exceeds `clip`, every gradient is scaled by clip/‖g‖₂ (Pascanu et al. 2013, "On the
/// difficulty of training recurrent neural networks", §3.2). `layer_norms` are the per-layer norms,
/// whose root sum of squares is the global norm. True when it clipped.
fn clip_gradients(model: &mut Model, clip: f32, layer_norms: &[f32]) -> bool {
    let max = clip as f64;
    if max <= 0.0 {
        return false;
    }
    let norm = layer_norms
        .iter()
        .map(|&g| g as f64 * g as f64)
        .sum::<f64>()
        .sqrt();
    if norm <= max {
        return false;
    }
    // PyTorch adds 1e-6 to the norm: the clipped norm then lands just under the threshold.
    let scale = (max / (norm + 1e-6)) as f32;
    for p in model.params_mut() {
        p.grad.iter_mut().for_each(|g| *g *= scale);
    }
    true
}
