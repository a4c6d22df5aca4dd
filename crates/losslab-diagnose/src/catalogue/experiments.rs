//! The experiment each finding proposes: the one that tests a cause first (`experiment_for`, the one
//! cause → experiment table) and those of findings whose test is their own.

use crate::*;

pub(crate) const EXP_STEP_DOWN: &str = "Pin this run, then race it from the same seed at learning rate ÷ 10: \
if the symptom goes away, the step size was the cause. If it does not, race once with momentum 0.9 at \
learning rate lr·(1 − 0.9)/(1 − μ) (the same step lr/(1 − μ) for a steady gradient, less momentum) or, \
with Adam, β1 = 0.9 and β2 = 0.999 at the original rate, to see whether momentum or the betas are to \
blame.";
pub(crate) const EXP_STEP_UP: &str =
    "Pin this run, then race it from the same seed at learning rate × 10 (and, \
with Adam, ε = 1e-8): if the loss now falls quickly, the steps were too small.";
/// The standard start draws the output layer at the LeCun scale (no ReLU follows it; He et al. 2015
/// §2.2 derive the factor 2 from one), so it starts at ln 10 plus the cost of its logit spread, a few
/// tenths of a nat to a few nats; the calibrated start (output layer at zero) is the control whose
/// first loss is exactly ln 10 (Karpathy 2019, "verify loss @ init").
pub(crate) const EXP_INIT: &str = "Pin this run and race it from the same seed with He initialisation, \
gain 1 and initial bias 0 (the lab's standard start): if the raced run leaves its starting loss and \
learns where this one does not, the initial weights were the cause. To check the first loss itself, \
race once more with Start calibrated on (the output layer starts at zero): that run starts at exactly \
ln 10 ≈ 2.30, and how far this run starts above it is what its initial output scale adds.";

pub(crate) const EXP_DEAD: &str = "Pin this run and race it from the same seed at learning rate ÷ 10: if the \
units stay alive and the loss leaves chance, the big early steps killed them. If they are dead from \
step 0 either way, restart with He initialisation at gain 1. LeakyReLU keeps a small slope α below zero, \
so its units cannot die completely (they still pass back α times the gradient): racing it shows what the \
dead units cost.";
pub(crate) const EXP_VANISH: &str = "Race the same network with ReLU instead of sigmoid/tanh, then with fewer \
layers, then with He initialisation: whichever brings the first layers' gradient back names the cause.";

pub(crate) const EXP_LOOKALIKES: &str = "Compare with the pinned baseline's confusion matrix at the same \
epoch: if the baseline confuses the same two digits about as often, they simply look alike and the network \
is still learning them, so train longer. If this run confuses them much more, look at the training images \
as the network sees them: digits mirrored or upside down mean a race without flips and rotations (same \
seed); images that look right under the wrong labels mean a race with clean labels.";

/// The pipeline checks of Karpathy 2019 ("A Recipe for Training Neural Networks": look at the data
/// just before the net, verify the loss at init, overfit one batch), which the Playbook (Godbole et
/// al. 2023) also asks for before any tuning.
pub(crate) const EXP_PIPELINE: &str = "Check the pipeline before tuning anything: look at a few \
training and validation images exactly as they enter the network, side by side with their labels \
(same scale, same polarity, the right names?); check the loss of the untrained net (about ln 10 ≈ 2.30 \
for cross-entropy) and that one batch can be overfitted to a loss near zero; check that the batches mix \
the digits and that no validation image is also a training image.";

/// The experiment that tests `cause` first (for findings whose ranking varies with the run).
pub fn experiment_for(cause: CauseId) -> &'static str {
    match cause {
        CauseId::LrTooHigh | CauseId::MomentumTooHigh | CauseId::AdamBetas | CauseId::ExplodingGradients => EXP_STEP_DOWN,
        CauseId::VanishingGradients => EXP_VANISH,
        CauseId::BadInit => EXP_INIT,
        CauseId::LabelNoise => {
            "Look at the training samples with the highest loss: if their labels are visibly wrong, \
             the labels are the cause. To confirm, race a run with clean labels from the same seed."
        }
        CauseId::ClassImbalance => {
            "Race the same run with balanced class weights (same seed, same images): if the rare \
             digits' recall rises to meet the others', the skewed prior was the cause; if it does not, \
             they have too few examples to learn from."
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
        CauseId::NaturalLookalikes => EXP_LOOKALIKES,
        CauseId::NoRegularisation => {
            "Race the same run with weight decay 5e-4, then with augmentation (small shifts and \
             rotations), then with early stopping (same seed): if validation stops drifting away from \
             training, the network needed regularisation or fewer epochs."
        }
        CauseId::InputScale => {
            "Race the same run with the pixels scaled to 0–1 and standardised (same seed): if the \
             first loss falls to a few nats and the net learns, the input scale was the cause."
        }
        CauseId::LrTooLow | CauseId::AdamEps => EXP_STEP_UP,
        CauseId::PipelineBug => EXP_PIPELINE,
    }
}

pub(crate) const EXP_SPIKES: &str =
    "Pin this run and race it at learning rate ÷ 10; if you use Adam, race it once more with β2 = \
0.999 (above β1² for any β1 up to 0.999) at the original learning rate: if only the β2 change \
removes the spikes, the betas \
were the cause.";

pub(crate) const EXP_OSCILLATION: &str = "Pin this run and race it with momentum 0.9 at learning rate lr·(1 − 0.9)/(1 − μ), which keeps the \
step lr/(1 − μ) of a steady gradient and changes only the friction, then at learning rate ÷ 10 \
with the original momentum: the change that smooths the curve names the cause.";

pub(crate) const EXP_FLOOR: &str = "Race the same run with clean labels and no augmentation (same seed): if the training loss now \
falls towards zero, the data was the limit; if not, look at the network and its step size.";

pub(crate) const EXP_STANDARDISE: &str = "Standardise the inputs (subtract their mean, divide by their standard deviation) and race the \
result against this run from the same seed.";

pub(crate) const EXP_NOISY_LABELS: &str =
    "Look at the training samples with the highest loss: if their labels are visibly wrong, the \
labels are the cause. To confirm, race a run with clean labels from the same seed: training \
accuracy should jump to meet validation.";

pub(crate) const EXP_AUGMENTATION: &str =
    "Race the same run without augmentation (same seed): if training accuracy rises to meet \
validation, the augmentation was the cause.";

pub(crate) const EXP_MIRRORED: &str =
    "Look at the training images as the network sees them: if digits appear mirrored or upside \
down, race the same run without flips and rotations (same seed); if the images look right but \
their labels do not, race it with clean labels.";

pub(crate) const EXP_BALANCED: &str =
    "Race the same images with balanced class weights (same seed; the rare classes' loss weighted \
up): if the rare classes' recall catches up, the imbalance was the cause; if it still \
lags, the rare digits have too few examples to learn from.";

pub(crate) const EXP_EXPLODING: &str =
    "Race at learning rate ÷ 10 and, separately, with the initializer's gain ÷ 2: the one that \
brings the first/last gradient ratio back below 70 names the cause.";

pub(crate) const EXP_SATURATED: &str =
    "Race with Glorot initialisation (or the current gain ÷ 4) and, separately, with ReLU: if the \
smaller scale brings the outputs back to the steep middle of the curve, the initialisation was \
the cause.";

pub(crate) const EXP_HEALTHY: &str =
    "Pin this run as a baseline and break one setting at a time against it.";

pub(crate) const EXP_LABELS: &str = "Look at a few validation images with their labels, then a few training \
images with theirs, exactly as the network receives them: the set whose labels do not name the digit \
shown is the broken one (a shift by one class, a wrong mapping). Then race a run with that set's \
labels checked (same seed).";

pub(crate) const EXP_INPUTS: &str = "Show one validation image and one training image exactly as they enter the \
network, with their minimum, maximum and mean: if one is raw 0–255, inverted or left unstandardised \
while the other is not, preprocess both the same way and race the run again (same seed).";

pub(crate) const EXP_SHUFFLE: &str =
    "Print the labels of a few consecutive training batches: if each holds one \
or two digits, shuffle the training set before every epoch and race the run again (same seed).";

pub(crate) const EXP_EVAL_MODE: &str = "Score a few training images twice, in training mode and in evaluation \
mode, with the same weights: a network scores them alike. If evaluation mode is far worse, check what \
BatchNorm normalises with there: running statistics gathered during training (not left at their \
start, not the evaluation batch's own).";

/// The overfitting finding's test when too little data leads its causes: compared at epoch `e`.
pub(crate) fn experiment_more_data(e: usize) -> String {
    format!(
            "Race this run against one with 10× more training data (same seed, epoch {e} compared): if the \
             gap closes, the data was too little; if the network still drifts away from validation, look at \
             the labels of the training samples it gets wrong. Where more data is not to be had, \
             regularisation narrows the same gap: race with weight decay, with augmentation or with early \
             stopping."
        )
}
