//! The ids of the diagnosis: causes, symptoms and evidence metrics. A finding is ids and numbers; the
//! words for each id live in `catalogue`. `as_str()` is the wire format the page keys on.

/// An enum of ids with its string form and the list of every variant, in declaration order.
macro_rules! ids {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $v:ident = $s:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $v,)*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The id as the page knows it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$v => $s,)*
                }
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

ids! {
    /// The lab's taxonomy of causes, in taxonomy order.
    CauseId {
        LrTooHigh = "lr_too_high",
        LrTooLow = "lr_too_low",
        MomentumTooHigh = "momentum_too_high",
        AdamBetas = "adam_betas",
        AdamEps = "adam_eps",
        BadInit = "bad_init",
        VanishingGradients = "vanishing_gradients",
        ExplodingGradients = "exploding_gradients",
        BadLayerDesign = "bad_layer_design",
        LabelNoise = "label_noise",
        ClassImbalance = "class_imbalance",
        HarmfulAugmentation = "harmful_augmentation",
        /// Digits that look alike and that the network has not yet learned to tell apart: no fault.
        NaturalLookalikes = "natural_lookalikes",
        TooLittleData = "too_little_data",
        /// Nothing holds a network back from memorising: no augmentation, no weight decay, trained past
        /// its best epoch.
        NoRegularisation = "no_regularisation",
        InputScale = "input_scale",
        /// A bug in the data pipeline or the loss: labels misaligned, preprocessing that differs
        /// between training and validation, a mis-wired loss, unshuffled data, leaked validation images.
        PipelineBug = "pipeline_bug",
    }
}

ids! {
    /// What a finding is about: one finding per symptom.
    SymptomId {
        Diverged = "diverged",
        LossExploded = "loss_exploded",
        InitLoss = "init_loss",
        StuckAtChance = "stuck_at_chance",
        GradientsVanish = "gradients_vanish",
        GradientsExplode = "gradients_explode",
        DeadRelu = "dead_relu",
        SaturatedUnits = "saturated_units",
        UpdateRatioHigh = "update_ratio_high",
        UpdateRatioLow = "update_ratio_low",
        WeightsGrowing = "weights_growing",
        LossSpikes = "loss_spikes",
        LossOscillation = "loss_oscillation",
        LossRising = "loss_rising",
        SlowProgress = "slow_progress",
        Overfitting = "overfitting",
        NoisyLabels = "noisy_labels",
        TrainHarderThanVal = "train_harder_than_val",
        TrainingFloor = "training_floor",
        ImbalancedRecall = "imbalanced_recall",
        ConfusedPairs = "confused_pairs",
        /// The inputs are off the scale the initialisers assume (the symptom of cause `InputScale`).
        InputScale = "input_scale",
        /// Validation accuracy below what any guess that ignores the image could score.
        ValBelowChance = "val_below_chance",
        /// The training batches are mostly right, yet the loss stays far above the cross-entropy the
        /// probe measures on the same kind of images.
        LossFloor = "loss_floor",
        /// The reported loss is below any value a cross-entropy can take at that accuracy.
        LossBelowCrossEntropy = "loss_below_cross_entropy",
        /// Validation inputs and clean training inputs, as the network receives them, differ more than
        /// the same preprocessing can explain.
        InputMismatch = "input_mismatch",
        /// Validation images that are also in the training set.
        ValLeak = "val_leak",
        /// Batches hold far fewer distinct classes than randomly drawn batches would.
        UnshuffledBatches = "unshuffled_batches",
        /// Training images scored far worse in evaluation mode than the training batches in training
        /// mode: the two modes compute different functions.
        EvalModeGap = "eval_mode_gap",
        Healthy = "healthy",
    }
}

ids! {
    /// A measured figure behind a finding (camelCase: the page's own names where it has one).
    MetricId {
        NonFiniteStep = "nonFiniteStep",
        Loss = "loss",
        InitialLoss = "initialLoss",
        PriorEntropy = "priorEntropy",
        TrainAcc = "trainAcc",
        ValAcc = "valAcc",
        TrainLoss = "trainLoss",
        ValLoss = "valLoss",
        GradNorm = "gradNorm",
        GradRatio = "gradRatio",
        DeadFrac = "deadFrac",
        DeadFracAtStart = "deadFracAtStart",
        SatFrac = "satFrac",
        UpdateRatio = "updateRatio",
        WeightGrowth = "weightGrowth",
        Spikes = "spikes",
        SpikeFactor = "spikeFactor",
        Reversals = "reversals",
        BatchNoise = "batchNoise",
        EpochsRising = "epochsRising",
        AccGap = "accGap",
        ValMinusTrainAcc = "valMinusTrainAcc",
        EpochsValWorse = "epochsValWorse",
        ValLossAboveBest = "valLossAboveBest",
        BestValEpoch = "bestValEpoch",
        TrainSamples = "trainSamples",
        ConfidentWrong = "confidentWrong",
        HighLossConfidentWrong = "highLossConfidentWrong",
        ProbeShare = "probeShare",
        ProbeMinusTrainAcc = "probeMinusTrainAcc",
        Lookalike = "lookalike",
        CountRatio = "countRatio",
        RecallGap = "recallGap",
        InputMax = "inputMax",
        InputMean = "inputMean",
        InputStd = "inputStd",
        InputRms = "inputRms",
        ChanceAcc = "chanceAcc",
        OffDiagonalRows = "offDiagonalRows",
        LabelShift = "labelShift",
        ProbeLoss = "probeLoss",
        LossBound = "lossBound",
        ValInputMean = "valInputMean",
        ValInputStd = "valInputStd",
        ProbeInputMean = "probeInputMean",
        ProbeInputStd = "probeInputStd",
        InputMeanShift = "inputMeanShift",
        InputStdRatio = "inputStdRatio",
        RangeGap = "rangeGap",
        DuplicateShare = "duplicateShare",
        Duplicates = "duplicates",
        BatchClasses = "batchClasses",
        ExpectedBatchClasses = "expectedBatchClasses",
    }
}
