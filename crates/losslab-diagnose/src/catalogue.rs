//! Student-facing text: every experiment, keyed by cause.

use crate::*;

pub(crate) const EXP_STEP_DOWN: &str = "Pin this run, then race it from the same seed at learning rate ÷ 10: \
if the symptom goes away, the step size was the cause. If it does not, race once with momentum 0.9 \
(or Adam's β1 = 0.9, β2 = 0.999) at the original learning rate to see whether momentum or the betas \
are to blame.";
pub(crate) const EXP_STEP_UP: &str =
    "Pin this run, then race it from the same seed at learning rate × 10 (and, \
with Adam, ε = 1e-8): if the loss now falls quickly, the steps were too small.";
pub(crate) const EXP_INIT: &str =
    "Restart from the same seed with He initialisation at gain 1 (or the current \
gain ÷ 10) and compare the first loss with ln 10 ≈ 2.30: if it lands near it, the initial output \
scale was the cause.";

pub(crate) const EXP_DEAD: &str = "Pin this run and race it from the same seed at learning rate ÷ 10: if the \
units stay alive and the loss leaves chance, the big early steps killed them. If they are dead from \
step 0 either way, restart with He initialisation at gain 1. LeakyReLU keeps a small slope below zero, \
so its units cannot die: racing it shows what the dead units cost.";
pub(crate) const EXP_VANISH: &str = "Race the same network with ReLU instead of sigmoid/tanh, then with fewer \
layers, then with He initialisation: whichever brings the first layers' gradient back names the cause.";

/// The experiment that tests `cause` first (for findings whose ranking varies with the run).
pub(crate) fn experiment_for(cause: CauseId) -> &'static str {
    match cause {
        CauseId::LrTooHigh | CauseId::MomentumTooHigh | CauseId::AdamBetas | CauseId::ExplodingGradients => EXP_STEP_DOWN,
        CauseId::VanishingGradients => EXP_VANISH,
        CauseId::BadInit => EXP_INIT,
        CauseId::LabelNoise => {
            "Look at the training samples with the highest loss: if their labels are visibly wrong, \
             the labels are the cause. To confirm, race a run with clean labels from the same seed."
        }
        CauseId::ClassImbalance => {
            "Race the same run with every class equally represented (same seed): if the rare digits' \
             recall rises to meet the others', the imbalance was the cause."
        }
        CauseId::BadLayerDesign => {
            "Pin this run and race it with the default layers (5×5 kernels, stride 1, padding 2, \
             pooling after each block): if that learns faster, the layer design was the cause."
        }
        CauseId::TooLittleData => {
            "Race the same run with ten times as many training images (same seed): if validation \
             accuracy rises, there were too few examples."
        }
        CauseId::HarmfulAugmentation => {
            "Race the same run without augmentation (same seed): if training and validation improve, \
             the augmentation was the cause."
        }
        CauseId::InputScale => {
            "Race the same run with the pixels scaled to 0–1 and standardised (same seed): if the \
             first loss falls to a few nats and the net learns, the input scale was the cause."
        }
        CauseId::LrTooLow | CauseId::AdamEps => EXP_STEP_UP,
    }
}
