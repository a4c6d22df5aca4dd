//! Every finding's headline sentence, keyed by symptom and variant with the figures it quotes: the rules
//! decide which (`Title`), and `title()` writes the words, here and nowhere else.

use crate::observe::{InputStats, Pass};
use crate::Severity;

/// Which headline a finding carries and the figures in it. Losses in nats, shares and accuracies as
/// fractions (0.25 = 25%), steps 1-based as the page counts them.
#[derive(Clone, Debug, PartialEq)]
pub enum Title {
    /// Nothing at warn or alarm; `recent_loss` is None before any step (`measured` false) or when the
    /// recent losses are not finite.
    Healthy {
        measured: bool,
        recent_loss: Option<f64>,
    },
    Diverged {
        step: u64,
        layer: Option<String>,
        pass: Option<Pass>,
    },
    LossExploded {
        loss: f64,
        step: u64,
    },
    /// `severity` picks the wording: a note (fairly sure), a warning (far too large), an alarm (enormous).
    InitLoss {
        severity: Severity,
        loss: f64,
        chance: f64,
    },
    InputsOutOfScale {
        input: InputStats,
    },
    InputsTiny {
        input: InputStats,
    },
    /// At or above chance for `window` steps; `why` is what the gradients do meanwhile.
    Stuck {
        why: StuckWhy,
        window: usize,
        loss: f64,
        chance: f64,
    },
    Spikes {
        count: usize,
        steps: usize,
        worst: f64,
        step: u64,
    },
    Oscillation {
        reversals: usize,
        steps: usize,
    },
    RisingOverEpochs {
        epochs: usize,
        from: f64,
        to: f64,
    },
    RisingOverSteps {
        best: f64,
        last: f64,
        block: usize,
    },
    /// Best validation accuracy under the satisfied level after `epochs`.
    SlowProgress {
        epochs: usize,
        best: f64,
    },
    /// Satisfied, but below what a linear classifier reaches (`linear`).
    BelowLinear {
        epochs: usize,
        best: f64,
        linear: f64,
    },
    TrainingFloor {
        loss: f64,
        acc: f64,
    },
    AccuracyGap {
        train_acc: f64,
        val_acc: f64,
    },
    ValWorseForEpochs {
        epochs: usize,
    },
    /// Validation loss `rise` (a fraction) above its best, at epoch `best_epoch`.
    PastBestValLoss {
        rise: f64,
        best_epoch: usize,
    },
    NoisyLabels {
        val_acc: f64,
        train_acc: f64,
        contradicted: f64,
    },
    TrainHarderThanVal {
        val_acc: f64,
        train_acc: f64,
    },
    ConfusedPair {
        a: usize,
        b: usize,
        ab: f64,
        ba: f64,
    },
    RareClassesMissed {
        rare: Vec<String>,
        rare_recall: f64,
        common_recall: f64,
        ratio: f64,
    },
    RareClassesHolding {
        ratio: f64,
        rare_recall: f64,
    },
    /// `adam`: Adam rescales each weight's step, so the consequence is read elsewhere.
    GradientsVanish {
        first: f64,
        ratio: f64,
        adam: bool,
    },
    GradientsExplode {
        ratio: f64,
    },
    /// `recent_acc`: Some while the rest of the layer still learns (a note on lost capacity).
    DeadChannels {
        layer: String,
        share: f64,
        recent_acc: Option<f64>,
    },
    Saturated {
        layer: String,
        share: f64,
    },
    FirstUpdateLarge {
        layer: String,
        ratio: f64,
    },
    UpdatesLarge {
        layer: String,
        ratio: f64,
    },
    UpdatesTiny {
        ratio: f64,
    },
    UpdatesSmall {
        ratio: f64,
    },
    UpdatesBig {
        ratio: f64,
    },
    WeightsGrowing {
        layer: String,
        growth: f64,
    },
    /// `shift`: Some(s) when almost every digit d is called d + s (mod 10).
    ValBelowChance {
        acc: f64,
        chance: f64,
        shift: Option<i64>,
    },
    LossNotCrossEntropy {
        acc: f64,
        loss: f64,
        probe_loss: f64,
        window: usize,
    },
    LossWiredWrong {
        probe_acc: f64,
        trained: f64,
        ce: f64,
    },
    LossBelowBound {
        loss: f64,
        acc: f64,
        bound: f64,
    },
    InitialLossBelowBound {
        loss: f64,
        chance: f64,
    },
    InputMismatch {
        val: InputStats,
        train: InputStats,
    },
    ValLeak {
        found: u32,
        checked: u32,
        share: f64,
    },
    EvalModeGap {
        train_acc: f64,
        probe_acc: f64,
    },
    Unshuffled {
        steps: usize,
        observed: f64,
        expected: f64,
    },
}

/// What the gradients do while the loss stays at chance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StuckWhy {
    /// Almost no gradient reaches the hidden layers (dead units, zero weights).
    NoHiddenGradient,
    /// The first layers receive almost none (vanishing, saturation).
    FirstLayersStarved,
    /// Every step changes the weights a lot.
    BigSteps,
    /// Gradients reach every layer.
    GradientsFlow,
}

/// A loss as the titles print it: two decimals, or an exponent from 1000 on.
pub(crate) fn fmt_loss(v: f64) -> String {
    if v.abs() >= 1000.0 {
        format!("{v:.1e}")
    } else {
        format!("{v:.2}")
    }
}

/// The sentence of `t`.
pub fn title(t: &Title) -> String {
    use Title::*;
    match t {
        Healthy { measured: false, .. } => "Nothing measured yet.".to_string(),
        Healthy { recent_loss: Some(l), .. } => format!(
            "Nothing looks wrong: the recent training loss is {l:.3} and no check found a problem (notes aside)."
        ),
        Healthy { recent_loss: None, .. } => "Nothing looks wrong so far.".to_string(),
        Diverged { step, layer, pass } => {
            let where_ = match (layer, pass) {
                (Some(l), Some(Pass::Forward)) => format!(" in the forward pass at {l}"),
                (Some(l), Some(Pass::Backward)) => format!(" in the backward pass (gradient of {l})"),
                (Some(l), None) => format!(" at {l}"),
                (None, Some(Pass::Forward)) => " in the forward pass".into(),
                (None, Some(Pass::Backward)) => " in the backward pass".into(),
                (None, None) => String::new(),
            };
            format!("Training diverged: a NaN or infinite value appeared{where_} at step {step}.")
        }
        LossExploded { loss, step } => format!(
            "The training loss reached {} nats at step {step}: the outputs are far outside any useful range.",
            fmt_loss(*loss)
        ),
        InitLoss { severity: Severity::Info, loss, chance } => format!(
            "The untrained network starts at a loss of {} nats, above the {chance:.2} of a blind guess: it is already fairly sure of random answers.",
            fmt_loss(*loss)
        ),
        InitLoss { severity: Severity::Warn, loss, chance } => format!(
            "The untrained network starts at a loss of {} nats, several times the {chance:.2} of a blind guess: its initial outputs are far too large.",
            fmt_loss(*loss)
        ),
        InitLoss { severity: Severity::Alarm, loss, chance } => format!(
            "The untrained network starts at a loss of {} nats where a blind guess gives {chance:.2}: its initial outputs are enormous.",
            fmt_loss(*loss)
        ),
        InputsOutOfScale { input: i } => format!(
            "The inputs range from {:.2} to {:.2} (mean {:.2}, std {:.2}): neither scaled to [−1, 1] nor standardised.",
            i.min, i.max, i.mean, i.std
        ),
        InputsTiny { input: i } => format!(
            "The inputs are nearly zero (mean {:.1e}, std {:.1e}): the first layer gets almost no signal.",
            i.mean, i.std
        ),
        Stuck { why, window, loss, chance } => format!(
            "For the last {window} steps the loss has been at or above chance (mean {loss:.2} nats; a blind guess gives {chance:.2}) {}.",
            match why {
                StuckWhy::NoHiddenGradient => "and almost no gradient reaches the hidden layers",
                StuckWhy::FirstLayersStarved => "while the first layers receive almost no gradient",
                StuckWhy::BigSteps => "although every step changes the weights a lot",
                StuckWhy::GradientsFlow => "although gradients reach every layer",
            }
        ),
        Spikes { count, steps, worst, step } => format!(
            "{count} batch{} in the last {steps} steps had a loss far above the running median (the worst {worst:.0}× at step {step}).",
            if *count == 1 { "" } else { "es" }
        ),
        Oscillation { reversals, steps } => format!(
            "The smoothed training loss turned up and down {reversals} times in the last {steps} steps instead of falling steadily."
        ),
        RisingOverEpochs { epochs, from, to } => format!(
            "The training loss has risen for {epochs} epochs in a row, from {from:.3} to {to:.3}."
        ),
        RisingOverSteps { best, last, block } => format!(
            "The training loss has climbed back from {best:.3} to {last:.3} (medians over {block} steps)."
        ),
        SlowProgress { epochs, best } => format!(
            "After {} the best validation accuracy is only {:.0}%.",
            epoch_count(*epochs),
            best * 100.0
        ),
        BelowLinear { epochs, best, linear } => format!(
            "After {} the best validation accuracy is {:.1}%, below the ≈{:.0}% that a fully trained softmax-regression (linear) classifier reaches on all 60,000 MNIST images: the network learns slowly or too little.",
            epoch_count(*epochs),
            best * 100.0,
            linear * 100.0
        ),
        TrainingFloor { loss, acc } => format!(
            "The training loss has levelled off at {loss:.2} with training accuracy {:.0}%: the network has stopped improving its fit to its own training data.",
            acc * 100.0
        ),
        AccuracyGap { train_acc, val_acc } => format!(
            "Training accuracy is {:.0}% but validation accuracy only {:.0}%: the network fits its training set much better than new data.",
            train_acc * 100.0,
            val_acc * 100.0
        ),
        ValWorseForEpochs { epochs } => format!(
            "For {epochs} epochs in a row the training loss fell while validation got worse: what the network learns now does not carry over to new images."
        ),
        // A lower validation loss, not necessarily a better accuracy: validation NLL often rises from
        // over-confidence while validation error still falls (Guo et al. 2017).
        PastBestValLoss { rise, best_epoch: best } => format!(
            "Validation loss is {:.0}% above its best (epoch {best}) while the training loss kept falling: what the network learns now does not carry over to new images, and the weights of epoch {best} had a lower validation loss (check accuracy too: a validation loss can rise from over-confidence while accuracy holds).",
            rise * 100.0
        ),
        NoisyLabels { val_acc, train_acc, contradicted } => format!(
            "Validation accuracy ({:.0}%) is far above training accuracy ({:.0}%), and the network contradicts {:.0}% of its training labels even on clean images.",
            val_acc * 100.0,
            train_acc * 100.0,
            contradicted * 100.0
        ),
        TrainHarderThanVal { val_acc, train_acc } => format!(
            "Validation accuracy ({:.0}%) is far above training accuracy ({:.0}%): the training batches are harder than the validation images.",
            val_acc * 100.0,
            train_acc * 100.0
        ),
        ConfusedPair { a, b, ab, ba } => format!(
            "The network mixes up {a} and {b} both ways: {:.0}% of the {a}s are called {b} and {:.0}% of the {b}s are called {a}.",
            ab * 100.0,
            ba * 100.0
        ),
        RareClassesMissed { rare, rare_recall, common_recall, ratio } => format!(
            "The rare classes ({}) are recognised only {:.0}% of the time against {:.0}% for the others: the training labels are {ratio:.0}:1 skewed.",
            rare.join(", "),
            rare_recall * 100.0,
            common_recall * 100.0
        ),
        RareClassesHolding { ratio, rare_recall } => format!(
            "The training labels are {ratio:.0}:1 skewed, but the rare classes' recall ({:.0}%) is holding up so far.",
            rare_recall * 100.0
        ),
        GradientsVanish { first, ratio, adam } => format!(
            "The first layer's gradient is {first:.0e}, {ratio:.0e} of the last layer's: {}.",
            // Adam divides each weight's step by its own gradient's running size, so a uniformly tiny
            // gradient still moves a weight by about the learning rate (Kingma & Ba 2015, §2.1): only
            // under SGD and momentum does a tiny gradient mean a tiny step.
            if *adam {
                "Adam rescales each weight's step, so read the early layers' update/weight ratio to see whether they still learn"
            } else {
                "the early layers barely learn"
            }
        ),
        GradientsExplode { ratio } => format!(
            "The first layer's gradient is {ratio:.0}× the last layer's: gradients grow on their way back to the input."
        ),
        DeadChannels { layer, share, recent_acc: Some(acc) } => format!(
            "{:.0}% of the channels of {layer} output zero at every position for every sample: they are dead and pass no gradient back. The others still learn (the recent training batches are {:.0}% right), but the dead ones are capacity lost for good.",
            share * 100.0,
            acc * 100.0
        ),
        DeadChannels { layer, share, recent_acc: None } => format!(
            "{:.0}% of the channels of {layer} output zero at every position for every sample: they are dead and pass no gradient back.",
            share * 100.0
        ),
        Saturated { layer, share } => format!(
            "{:.0}% of the sigmoid/tanh channels of {layer} sit in the flat ends of the curve at every position for every sample, where almost no gradient passes.",
            share * 100.0
        ),
        FirstUpdateLarge { layer, ratio } => format!(
            "The first step changed {layer}'s weights by {:.0}% of their size (about 0.1% is healthy).",
            ratio * 100.0
        ),
        UpdatesLarge { layer, ratio } => format!(
            "Each step changes {layer}'s weights by {:.0}% of their size (about 0.1% is healthy): the steps are far too large.",
            ratio * 100.0
        ),
        UpdatesTiny { ratio } => format!(
            "Each step changes the weights by only {ratio:.0e} of their size (about 1e-3 is healthy): training crawls."
        ),
        UpdatesSmall { ratio } => format!(
            "Each step changes the weights by about {:.3}% of their size, ten times less than the healthy 0.1% or smaller: learning will be slow.",
            ratio * 100.0
        ),
        UpdatesBig { ratio } => format!(
            "Each step changes the weights by about {:.1}% of their size, ten times the usual 0.1%: fine early on, risky if it stays.",
            ratio * 100.0
        ),
        WeightsGrowing { layer, growth } => format!(
            "The weights of {layer} have grown {growth:.0}× since the start: the updates keep pushing them outwards."
        ),
        ValBelowChance { acc, chance, shift: Some(s) } => format!(
            "Validation accuracy is {:.1}%, below the {:.1}% a guess that ignores the image would score: almost every digit d is called d {} {} (mod 10), so the network recognises the digits but the validation labels name them shifted.",
            acc * 100.0,
            chance * 100.0,
            if *s < 0 { "−" } else { "+" },
            s.abs()
        ),
        ValBelowChance { acc, chance, shift: None } => format!(
            "Validation accuracy is {:.1}%, below the {:.1}% a guess that ignores the image would score: the network's answers depend on the image, but they do not match the validation labels.",
            acc * 100.0,
            chance * 100.0
        ),
        LossNotCrossEntropy { acc, loss, probe_loss, window } => format!(
            "The training batches are {:.0}% right, yet their loss stays at {loss:.2} nats (median of the last {window}), while the cross-entropy of the same network's outputs on clean training images is {probe_loss:.2}: the loss being optimised is not that cross-entropy.",
            acc * 100.0
        ),
        LossWiredWrong { probe_acc, trained, ce } => format!(
            "On the training images the network gets right ({:.0}% of the probe), the run's own loss is {trained:.2} nats while the cross-entropy of the same outputs is {ce:.2}: the loss being optimised is not the cross-entropy of the network's outputs.",
            probe_acc * 100.0
        ),
        LossBelowBound { loss, acc, bound } => format!(
            "The training loss is {loss:.3} nats with the batches {:.0}% right, but a cross-entropy cannot be below {bound:.3} there (every wrong answer costs at least ln 2): the loss being reported is not cross-entropy.",
            acc * 100.0
        ),
        InitialLossBelowBound { loss, chance } => format!(
            "The untrained network's loss was {loss:.2} nats while it guessed no better than chance, far below the ≈{chance:.2} a cross-entropy starts at: the loss being reported is not cross-entropy."
        ),
        InputMismatch { val, train } => format!(
            "The validation images reach the network on another scale than the training images: values {:.2} to {:.2} (mean {:.2}, spread {:.2}) against {:.2} to {:.2} (mean {:.2}, spread {:.2}).",
            val.min, val.max, val.mean, val.std, train.min, train.max, train.mean, train.std
        ),
        ValLeak { found, checked, share } => format!(
            "{found} of {checked} checked validation images ({:.1}%) are also in the training set: the validation figures are optimistic.",
            share * 100.0
        ),
        EvalModeGap { train_acc, probe_acc } => format!(
            "The training batches are {:.0}% right while the network trains, but the same kind of training images, scored in evaluation mode with the same weights, are only {:.0}% right: the network computes something else when it is evaluated, so the validation figures do not measure what was trained.",
            train_acc * 100.0,
            probe_acc * 100.0
        ),
        Unshuffled { steps, observed, expected } => format!(
            "The last {steps} training batches held {observed:.1} different digits on average, where batches drawn at random would hold {expected:.1}: the training data is not shuffled."
        ),
    }
}

fn epoch_count(n: usize) -> String {
    match n {
        1 => "one epoch".to_string(),
        n => format!("{n} epochs"),
    }
}
