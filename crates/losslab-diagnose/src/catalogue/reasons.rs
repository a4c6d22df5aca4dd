//! Why each cause is ranked where it is: the rules pick a `Reason` (with the figures it quotes, where it
//! quotes any) and `reason()` writes the words, here and nowhere else.

/// The reason a finding gives for one of its causes.
#[derive(Clone, Debug, PartialEq)]
pub enum Reason {
    LearnsWrongLabels,
    MemorisedLabelsOpenGap,
    TrainedPastBest {
        best_epoch: usize,
    },
    NothingHoldsBack,
    /// Shares of the probe's labels the network disagrees with, and contradicts confidently.
    CleanImagesContradictLabels {
        disagree: f64,
        confident: f64,
    },
    TransformedInputsHarder,
    BatchesHarderThanVal,
    DigitsLookAlike {
        a: usize,
        b: usize,
    },
    /// `gap`: how much less accurate the training batches are than the same images un-augmented.
    AugmentedBatchesHarder {
        a: usize,
        b: usize,
        gap: f64,
    },
    FlipTurnsDigit {
        a: usize,
        b: usize,
    },
    TransformationWouldConfuse {
        a: usize,
        b: usize,
    },
    SwappedLabels {
        a: usize,
        b: usize,
    },
    RareClassesMissed {
        rare: Vec<String>,
    },
    SaturatingLayersShrinkGradient {
        layers: usize,
    },
    BatchLossStillJumps {
        count: usize,
    },
    AugmentationFloor,
    AugmentationConfusesPairs,
    AugmentationCouldConfusePairs,
    AmplifyingFromStart,
    WeightsAboveFanInScale,
    /// `shift`: Some(s) when almost every digit d is called d + s (mod 10).
    ValLabelsShifted {
        shift: Option<i64>,
    },
    AdamStepsGrowWithoutGradient {
        layer: String,
        growth: f64,
    },
    VelocityCarries {
        layer: String,
    },
    AdamStepsBarelyShrink {
        layer: String,
        shrink: f64,
    },
    MomentumCoasts {
        layer: String,
        momentum: f64,
    },
    AdamAlsoCoasts,
    SingleBatchJumps,
    LateBlowUp,
    MomentumCarriesTooFar,
    HeavyBallZigzag,
    HeavyBallBumps,
    UnbalancedBetasOvershoot,
    MomentumMultipliesStep,
    AdamSporadicSteps,
    TinyWeightsSignalVanishes,
    HugeStartPushedUnitsOff,
    UnitsOffFromStart,
    TinyWeightsScaleGradientDown,
    SmallInitShrinksBackward,
    Overshoots,
    InputsOffScale,
    InputsNearZero,
    GradientShrinksBackwards,
    SaturatingStack,
    StepsTooSmallToLeaveStart,
    AdamEpsLikeSmallRate,
    DiscardsInformationEarly,
    LabelsCarryNothing,
    OutputsNearZeroAtStart,
    UpdatesBelowHealthy,
    AdamEpsShrinksSteps,
    NetworkTooSmall,
    ContradictsManyLabels,
    SomeClassesUnderHalfShare,
    StepsLookNormal,
    LargerStepMightHelp,
    TooFewExamples,
    ContradictoryLabelsFloor,
    DiscardsInformationCannotFit,
    StepsTooSmallForTime,
    GradientsOverflowed,
    BrokeBeforeUpdates,
    LargeScaleEasesOverflow,
    LossTooHighBeforeUpdate,
    HugeOutputsHugeGradients,
    OneUpdateThrewWeights,
    LargeScaleEasesBlowUp,
    InitScaleSetsLogitSpread,
    ArchitectureScalePropagation,
    MemorisesFewExamples,
    SkewedLabelsRareFail,
    LookalikeTransformations,
    WrongLabelsKeepTrainBelow,
    LosesStrokePositions,
    RareClassesTooFew,
    LayersAmplifyBackward,
    LargeWeightsSaturate,
    SaturatedPassNothing,
    SaturatingActivations,
    StepTinyFractionOfWeights,
    AdamEpsDividesSteps,
    LabelsReplacedSystematically,
    LossOnProbabilities,
    LossNotCrossEntropyOnLogits,
    ValPreprocessedDifferently,
    ValTakenFromTraining,
    EvalModeDiffers,
    SortedBatches,
    ValLabelsWrong,
    ValInputsDiffer,
}

/// The words of `r`.
pub fn reason(r: &Reason) -> String {
    use Reason::*;
    let text: &str = match r {
        TrainedPastBest { best_epoch: best } => return format!(
            "training went on past epoch {best}, the lowest validation loss, with nothing holding the network back (augmentation, weight decay, early stopping)"
        ),
        CleanImagesContradictLabels { disagree, confident } => return format!(
            "on clean training images the network still disagrees with {:.0}% of the labels, and confidently contradicts {:.0}% of all of them: the labels, not the images, are wrong",
            disagree * 100.0,
            confident * 100.0
        ),
        DigitsLookAlike { a, b } => return format!(
            "some handwritten {a}s and {b}s look alike, and a network that is still learning (or small) confuses such pairs before any other"
        ),
        AugmentedBatchesHarder { a, b, gap } => return format!(
            "the training batches are {:.0} points less accurate than the same images un-augmented: the transformed inputs are harder, and a flip or rotation that turns a {a} into something like a {b} while the label stays teaches exactly this confusion",
            gap * 100.0
        ),
        FlipTurnsDigit { a, b } => return format!(
            "a flip or a 180° rotation turns a {a} into something like a {b} (and back): kept under its label, it teaches exactly this confusion"
        ),
        TransformationWouldConfuse { a, b } => return format!(
            "a transformation that turns a {a} into something like a {b} while the label stays would teach this confusion, but the training batches are not harder than the same images un-augmented"
        ),
        SwappedLabels { a, b } => return format!("labels swapped between {a} and {b} teach the same confusion"),
        RareClassesMissed { rare } => return format!(
            "classes {} have less than half their share of the training labels, and they are the ones missed",
            rare.join(", ")
        ),
        LearnsWrongLabels => "the network confidently contradicts many training labels: it is learning (or memorising) wrong ones",
        MemorisedLabelsOpenGap => "memorising mislabelled examples also opens this gap",
        NothingHoldsBack => "nothing holds the network back from memorising: augmentation, weight decay or early stopping narrow this gap",
        TransformedInputsHarder => "the network does well on clean training images but not on the batches it trains on: the transformed inputs are harder than real digits",
        BatchesHarderThanVal => "the training batches are harder than the validation images, as they are when augmentation distorts them",
        SaturatingLayersShrinkGradient { layers } => return format!("{layers} sigmoid/tanh layers each shrink the gradient on its way back, so the early layers' steps are small"),
        BatchLossStillJumps { count } => return format!(
            "the batch loss still jumps far above its running level ({count} times lately): steps this large carry much of each batch's noise, so the loss hovers instead of settling; a rate ÷ 10 would settle lower"
        ),
        ValLabelsShifted { shift: Some(s) } => return format!(
            "the validation labels are shifted by {} class{} against their images: check the label mapping (look at validation images with their labels)",
            s.abs(),
            if s.abs() == 1 { "" } else { "es" }
        ),
        ValLabelsShifted { shift: None } => "the validation labels do not name what their images show (a shifted or swapped label mapping): check the label mapping (look at validation images with their labels)",
        AugmentationFloor => "transformations that make digits unrecognisable (or change their class) put a floor under the loss",
        AugmentationConfusesPairs => "look-alike digits are confused both ways, as when a flip or rotation turns one into the other",
        AugmentationCouldConfusePairs => "a flip or rotation that turns one digit into another would teach such a confusion, but the training batches are not harder than the same images un-augmented",
        AmplifyingFromStart => "the ratio was already this large at step 0: the initial weights amplify the gradient",
        WeightsAboveFanInScale => "weights scaled above what fan-in-scaled initialisation gives amplify the gradient",
        AdamStepsGrowWithoutGradient { layer, growth } => return format!(
            "{layer} receives no gradient yet its steps grow by {:.1}% per step: Adam does this when β2 < β1², i.e. β1 > √β2 (the step-size denominator forgets faster than the numerator)",
            growth * 100.0
        ),
        VelocityCarries { layer } => return format!("a velocity is still carrying {layer} without gradient"),
        AdamStepsBarelyShrink { layer, shrink } => return format!(
            "{layer} receives no gradient yet its steps shrink by only {:.2}% per step: without gradient Adam's steps change by β1/√β2 per step, so β1 is close to √β2 (β2 close to β1²)",
            shrink * 100.0
        ),
        MomentumCoasts { layer, momentum } => return format!(
            "{layer} receives no gradient yet its steps shrink by only {:.2}% per step: a velocity with momentum ≈ {momentum:.3} keeps carrying the weights",
            (1.0 - momentum) * 100.0
        ),
        AdamAlsoCoasts => "Adam also keeps stepping for a while without gradient",
        SingleBatchJumps => "the loss jumps on single batches, far above the batches before and after: one \
                 oversized step at a time, as Adam takes when its squared-gradient average forgets \
                 much faster than its gradient average (β2 < β1²)",
        LateBlowUp => "the loss had fallen well below chance before one step threw it away: a sudden \
                 oversized step after good progress, as Adam takes when its squared-gradient average \
                 forgets much faster than its gradient average (β2 < β1²)",
        MomentumCarriesTooFar => "momentum can also carry a step too far now and then",
        HeavyBallZigzag => "the smoothed loss swings up and down repeatedly: the zig-zag of a heavy ball overshooting the valley",
        HeavyBallBumps => "the loss rises in bumps that span several batches: the weights overshoot smoothly, as a heavy ball with little friction does",
        UnbalancedBetasOvershoot => "Adam with unbalanced betas can also overshoot",
        MomentumMultipliesStep => "momentum multiplies the effective step by up to 1/(1 − momentum)",
        AdamSporadicSteps => "Adam with β2 < β1² takes sporadic oversized steps",
        TinyWeightsSignalVanishes => "the weights are tiny or zero, so the signal and its gradient shrink to nothing layer after layer",
        HugeStartPushedUnitsOff => "the initial outputs were far too large, and the first big updates pushed the units off",
        UnitsOffFromStart => "the units were off from the very first step: zero or badly scaled initial weights (or biases)",
        TinyWeightsScaleGradientDown => "some weights are tiny, which scales the gradient down at every layer",
        SmallInitShrinksBackward => "an initial scale that is too small shrinks the backward signal at every layer",
            Overshoots => "each step overshoots: the loss, the weights or the update/weight ratio jumped once steps were taken",
            InputsOffScale => "the inputs are neither in [−1, 1] nor standardised, so every layer starts off the scale its initialiser assumed",
            InputsNearZero => "the inputs are nearly zero, so the first layer gets almost no signal and no gradient",
            GradientShrinksBackwards => "the gradient shrinks at every layer on its way back to the input",
            SaturatingStack => "at every sigmoid/tanh layer the backward signal is multiplied by the activation's slope (at most 1/4 for a sigmoid, less for tanh once saturated); with ordinarily scaled weights nothing makes up for it, so through a deep stack the gradient shrinks layer after layer",
            StepsTooSmallToLeaveStart => "gradients are there but the steps taken along them are too small to leave the starting point",
            AdamEpsLikeSmallRate => "with Adam, a large ε shrinks every step the same way a small learning rate does",
            DiscardsInformationEarly => "the network may throw the information away before it can use it (stride, pooling, too few channels)",
            LabelsCarryNothing => "if the labels carry almost nothing about the image (shuffled, or uniform noise near 90%) there is nothing to learn",
            OutputsNearZeroAtStart => "the untrained network's outputs were all nearly zero (its first loss was exactly a blind guess's): the initial weights are too small to carry a signal",
            UpdatesBelowHealthy => "each step changes the weights by less than the healthy 0.1%",
            AdamEpsShrinksSteps => "with Adam, a large ε shrinks every step",
            NetworkTooSmall => "the network may be too small or discard the input early",
            ContradictsManyLabels => "the network confidently contradicts many training labels",
            SomeClassesUnderHalfShare => "some classes have less than half their share of the training labels",
            StepsLookNormal => "the steps look normal, so the network itself may be unable to do better",
            LargerStepMightHelp => "a larger step might still speed it up",
            TooFewExamples => "too few examples to learn the task from",
            ContradictoryLabelsFloor => "contradictory labels put a floor under the loss of a network that learns only the true digits; it gets below it only by memorising the wrong labels",
            DiscardsInformationCannotFit => "a network that throws information away early may be unable to fit even its training data",
            StepsTooSmallForTime => "the steps may be too small to get further in this time",
            GradientsOverflowed => "gradients grew through the layers until a value overflowed",
            BrokeBeforeUpdates => "it broke before the updates could have done it: the initial weights already overflow",
            LargeScaleEasesOverflow => "a large initial scale makes overflow easier",
            LossTooHighBeforeUpdate => "the loss was already far too high before the first update: the initial scale is the origin",
            HugeOutputsHugeGradients => "the huge initial outputs give huge gradients and updates",
            OneUpdateThrewWeights => "gradients grew until one update threw the weights far away",
            LargeScaleEasesBlowUp => "a large initial scale makes the blow-up easier",
            InitScaleSetsLogitSpread => "the weights' initial scale sets the logits' spread, and with it the loss before training",
            ArchitectureScalePropagation => "the architecture decides how that scale propagates (fan-in of the last layer, pooling, stride), which the initialiser may not account for",
            MemorisesFewExamples => "with few examples the network memorises them instead of learning the digits",
            SkewedLabelsRareFail => "the training labels are heavily skewed while validation is not, so rare classes fail on new data",
            LookalikeTransformations => "two-way confusions between look-alike classes can also come from transformations that change the class",
            WrongLabelsKeepTrainBelow => "wrong training labels also keep training accuracy below validation",
            LosesStrokePositions => "a network that throws away where the strokes are cannot tell mirror-image digits apart",
            RareClassesTooFew => "the rare classes have too few examples to learn from",
            LayersAmplifyBackward => "each layer multiplies the backward signal by more than 1",
            LargeWeightsSaturate => "large initial weights push the pre-activations far from zero (Glorot & Bengio 2010)",
            SaturatedPassNothing => "saturated units pass back almost nothing, so the layers below stop learning",
            SaturatingActivations => "sigmoid/tanh saturate easily; ReLU-like activations do not",
            StepTinyFractionOfWeights => "the step along the gradient is a tiny fraction of the weights",
            AdamEpsDividesSteps => "with Adam, a large ε divides every step by at least ε, shrinking it like a small learning rate",
            LabelsReplacedSystematically => "training labels replaced systematically (every digit relabelled as another) teach the network the wrong names, which right validation labels then contradict",
            LossOnProbabilities => "the loss is wired to the wrong inputs: cross-entropy taken on probabilities instead of logits (softmax applied twice) cannot go below ln(1 + 9/e) ≈ 1.46 nats however right the network is; check the loss at init and overfit one batch",
            LossNotCrossEntropyOnLogits => "the loss is not cross-entropy on the logits: a squared error on the probabilities against one-hot targets reads on another, smaller scale; check the loss at init",
            ValPreprocessedDifferently => "validation is preprocessed differently from training (raw 0–255, inverted or unstandardised pixels on one side): look at one image of each exactly as it enters the network",
            ValTakenFromTraining => "the validation split takes images from the training set: check that validation images are drawn from outside it",
            EvalModeDiffers => "evaluation mode does not compute what training computes: BatchNorm evaluating with running statistics that were never updated (or with the wrong ones); check what the network normalises with when it is evaluated",
            SortedBatches => "the batches are cut from data sorted by class: each stretch of steps pulls the network towards the few digits it sees, so the loss rises and falls with the order; check that the training set is shuffled every epoch",
            ValLabelsWrong => "validation accuracy is below what guessing would score: the validation labels do not name what their images show",
            ValInputsDiffer => "the validation images reach the network preprocessed differently from the training images",
    };
    text.to_string()
}
