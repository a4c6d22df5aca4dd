//! Student-facing words, keyed by id: each cause's name, what each evidence figure means, and the
//! experiment that tests each cause. The page shows these as sent (wasm.rs sends the names and the
//! metric words with each diagnosis); it keeps no table of words of its own.

use crate::*;

mod experiments;
mod reasons;
mod titles;
pub use experiments::*;
pub use reasons::*;
pub use titles::*;

/// A cause in a student's words.
pub fn cause_name(cause: CauseId) -> &'static str {
    match cause {
        CauseId::LrTooHigh => "learning rate too high",
        CauseId::LrTooLow => "learning rate too low",
        CauseId::MomentumTooHigh => "momentum too high",
        CauseId::AdamBetas => "Adam\u{2019}s β1 and β2 out of balance",
        CauseId::AdamEps => "Adam\u{2019}s ε too large",
        CauseId::BadInit => "badly scaled initial weights",
        CauseId::VanishingGradients => "vanishing gradients",
        CauseId::ExplodingGradients => "exploding gradients",
        CauseId::BadLayerDesign => "badly designed layers",
        CauseId::LabelNoise => "wrong labels in the training data",
        CauseId::ClassImbalance => "too few images of some digits",
        CauseId::HarmfulAugmentation => "augmentation that changes what a digit looks like",
        CauseId::NaturalLookalikes => {
            "digits that look alike, not yet told apart (the network is still learning)"
        }
        CauseId::TooLittleData => "too little training data",
        CauseId::NoRegularisation => "no regularisation, or trained too long",
        CauseId::InputScale => "inputs on the wrong scale",
        CauseId::PipelineBug => "a bug in the data pipeline or the loss",
    }
}

/// What an evidence figure is, for the teacher reading the small print.
pub fn metric_words(metric: MetricId) -> &'static str {
    match metric {
        MetricId::NonFiniteStep => "step index where the first NaN or infinity appeared",
        MetricId::Loss => "training loss of a batch, nats",
        MetricId::InitialLoss => "loss of the untrained net, nats",
        MetricId::PriorEntropy => "loss of a blind guess from the label frequencies, nats",
        MetricId::TrainAcc => "training accuracy",
        MetricId::ValAcc => "validation accuracy",
        MetricId::TrainLoss => "training loss, nats",
        MetricId::ValLoss => "validation loss, nats",
        MetricId::GradNorm => "gradient norm",
        MetricId::GradRatio => "first layer\u{2019}s weight-gradient norm ÷ last layer\u{2019}s",
        MetricId::DeadFrac => "share of channels off at every position for the whole batch",
        MetricId::DeadFracAtStart => {
            "share of channels off at every position for the whole batch at the start"
        }
        MetricId::SatFrac => {
            "share of channels in the flat ends of sigmoid/tanh for the whole batch"
        }
        MetricId::UpdateRatio => "size of one update ÷ size of the weights",
        MetricId::WeightGrowth => "weight norm now ÷ at the start",
        MetricId::Spikes => "loss spikes among the recent steps",
        MetricId::SpikeFactor => "worst batch loss ÷ the running median",
        MetricId::Reversals => "up-and-down swings of the smoothed loss",
        MetricId::BatchNoise => "batch-to-batch noise of the loss, nats",
        MetricId::EpochsRising => "epochs in a row with a rising loss",
        MetricId::AccGap => "training − validation accuracy",
        MetricId::ValMinusTrainAcc => "validation − training accuracy",
        MetricId::EpochsValWorse => "epochs with validation loss rising as training loss falls",
        MetricId::ValLossAboveBest => "validation loss now ÷ its best so far, − 1",
        MetricId::BestValEpoch => "epoch with the lowest validation loss",
        MetricId::TrainSamples => "training images",
        MetricId::ConfidentWrong => {
            "share of followed training images confidently given another label"
        }
        MetricId::HighLossConfidentWrong => "the same, with a loss above a blind guess",
        MetricId::ProbeShare => "share of the gap also seen on un-augmented images",
        MetricId::ProbeMinusTrainAcc => {
            "accuracy on the followed training images, un-augmented − training accuracy"
        }
        MetricId::Lookalike => "share of each digit of the pair taken for the other",
        MetricId::CountRatio => "images of the commonest digit ÷ of the rarest",
        MetricId::RecallGap => "recall of common digits − of rare digits",
        MetricId::InputMax => "largest input value (absolute)",
        MetricId::InputMean => "mean input value",
        MetricId::InputStd => "standard deviation of the inputs",
        MetricId::InputRms => "root mean square of the inputs",
        MetricId::ChanceAcc => {
            "validation accuracy of a guess that ignores the image and gives the same answers"
        }
        MetricId::OffDiagonalRows => {
            "share of digits that the network mostly calls one other digit (validation)"
        }
        MetricId::LabelShift => "predicted − true digit, the same for every such digit (mod 10)",
        MetricId::ProbeLoss => {
            "cross-entropy on the followed training images, un-augmented, nats"
        }
        MetricId::LossBound => {
            "least loss a cross-entropy can have at this batch accuracy, nats"
        }
        MetricId::ValInputMean => "mean validation input value",
        MetricId::ValInputStd => "standard deviation of the validation inputs",
        MetricId::ProbeInputMean => {
            "mean input value of the followed training images, un-augmented"
        }
        MetricId::ProbeInputStd => {
            "standard deviation of the followed training images' inputs, un-augmented"
        }
        MetricId::InputMeanShift => {
            "|validation mean − training mean| ÷ the training inputs' standard deviation"
        }
        MetricId::InputStdRatio => "validation inputs' standard deviation ÷ training inputs'",
        MetricId::RangeGap => {
            "gap between the validation and training input ranges ÷ the training inputs' standard deviation (0 when they overlap)"
        }
        MetricId::DuplicateShare => "share of checked validation images also in the training set",
        MetricId::Duplicates => "validation images also in the training set",
        MetricId::BatchClasses => "distinct digits per training batch, recent mean",
        MetricId::ExpectedBatchClasses => "distinct digits per batch if batches were drawn at random",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every headline is one sentence: it starts with a capital or a figure and ends with a full stop,
    /// with every figure filled in (no `{` left by a format string).
    #[test]
    fn every_title_is_one_finished_sentence() {
        use Title::*;
        let i = InputStats {
            min: -0.42,
            max: 2.8,
            mean: 0.0,
            std: 1.0,
        };
        let name = || "conv1".to_string();
        let all = vec![
            Healthy {
                measured: false,
                recent_loss: None,
            },
            Healthy {
                measured: true,
                recent_loss: Some(0.12),
            },
            Healthy {
                measured: true,
                recent_loss: None,
            },
            Diverged {
                step: 12,
                layer: Some(name()),
                pass: Some(Pass::Backward),
            },
            Diverged {
                step: 12,
                layer: None,
                pass: None,
            },
            LossExploded {
                loss: 1.5e6,
                step: 3,
            },
            InitLoss {
                severity: Severity::Info,
                loss: 3.1,
                chance: 2.3,
            },
            InitLoss {
                severity: Severity::Warn,
                loss: 9.0,
                chance: 2.3,
            },
            InitLoss {
                severity: Severity::Alarm,
                loss: 90.0,
                chance: 2.3,
            },
            InputsOutOfScale { input: i },
            InputsTiny { input: i },
            Stuck {
                why: StuckWhy::NoHiddenGradient,
                window: 100,
                loss: 2.3,
                chance: 2.3,
            },
            Stuck {
                why: StuckWhy::FirstLayersStarved,
                window: 100,
                loss: 2.3,
                chance: 2.3,
            },
            Stuck {
                why: StuckWhy::BigSteps,
                window: 100,
                loss: 2.3,
                chance: 2.3,
            },
            Stuck {
                why: StuckWhy::GradientsFlow,
                window: 100,
                loss: 2.3,
                chance: 2.3,
            },
            Spikes {
                count: 1,
                steps: 300,
                worst: 4.0,
                step: 17,
            },
            Oscillation {
                reversals: 9,
                steps: 300,
            },
            RisingOverEpochs {
                epochs: 2,
                from: 0.3,
                to: 0.5,
            },
            RisingOverSteps {
                best: 0.3,
                last: 0.6,
                block: 50,
            },
            SlowProgress {
                epochs: 1,
                best: 0.4,
            },
            BelowLinear {
                epochs: 3,
                best: 0.9,
                linear: 0.92,
            },
            TrainingFloor {
                loss: 1.2,
                acc: 0.6,
            },
            AccuracyGap {
                train_acc: 1.0,
                val_acc: 0.8,
            },
            ValWorseForEpochs { epochs: 3 },
            PastBestValLoss {
                rise: 0.2,
                best_epoch: 4,
            },
            NoisyLabels {
                val_acc: 0.9,
                train_acc: 0.6,
                contradicted: 0.3,
            },
            TrainHarderThanVal {
                val_acc: 0.9,
                train_acc: 0.7,
            },
            ConfusedPair {
                a: 6,
                b: 9,
                ab: 0.3,
                ba: 0.25,
            },
            RareClassesMissed {
                rare: vec!["5".into(), "8".into()],
                rare_recall: 0.3,
                common_recall: 0.95,
                ratio: 100.0,
            },
            RareClassesHolding {
                ratio: 10.0,
                rare_recall: 0.9,
            },
            GradientsVanish {
                first: 1e-6,
                ratio: 1e-4,
                adam: false,
            },
            GradientsVanish {
                first: 1e-6,
                ratio: 1e-4,
                adam: true,
            },
            GradientsExplode { ratio: 120.0 },
            DeadChannels {
                layer: name(),
                share: 0.5,
                recent_acc: Some(0.9),
            },
            DeadChannels {
                layer: name(),
                share: 1.0,
                recent_acc: None,
            },
            Saturated {
                layer: name(),
                share: 0.8,
            },
            FirstUpdateLarge {
                layer: name(),
                ratio: 0.3,
            },
            UpdatesLarge {
                layer: name(),
                ratio: 0.3,
            },
            UpdatesTiny { ratio: 1e-6 },
            UpdatesSmall { ratio: 5e-5 },
            UpdatesBig { ratio: 0.02 },
            WeightsGrowing {
                layer: name(),
                growth: 12.0,
            },
            ValBelowChance {
                acc: 0.01,
                chance: 0.1,
                shift: Some(-3),
            },
            ValBelowChance {
                acc: 0.01,
                chance: 0.1,
                shift: None,
            },
            LossNotCrossEntropy {
                acc: 0.95,
                loss: 1.5,
                probe_loss: 0.1,
                window: 100,
            },
            LossWiredWrong {
                probe_acc: 0.95,
                trained: 1.5,
                ce: 0.1,
            },
            LossBelowBound {
                loss: 0.01,
                acc: 0.5,
                bound: 0.35,
            },
            InitialLossBelowBound {
                loss: 0.1,
                chance: 2.3,
            },
            InputMismatch { val: i, train: i },
            ValLeak {
                found: 200,
                checked: 2000,
                share: 0.1,
            },
            EvalModeGap {
                train_acc: 0.95,
                probe_acc: 0.1,
            },
            Unshuffled {
                steps: 100,
                observed: 1.2,
                expected: 9.6,
            },
        ];
        for t in &all {
            let s = title(t);
            let first = s.chars().next().unwrap();
            assert!(first.is_uppercase() || first.is_ascii_digit(), "{t:?}: {s}");
            assert!(s.ends_with('.') && !s.contains('{'), "{t:?}: {s}");
        }
        assert_eq!(
            title(&ValBelowChance { acc: 0.012, chance: 0.1, shift: Some(-3) }),
            "Validation accuracy is 1.2%, below the 10.0% a guess that ignores the image would score: almost every digit d is called d − 3 (mod 10), so the network recognises the digits but the validation labels name them shifted."
        );
    }

    #[test]
    fn every_id_has_its_words() {
        for &c in CauseId::ALL {
            assert!(!cause_name(c).is_empty(), "{c} has no name");
            assert!(!experiment_for(c).is_empty(), "{c} has no experiment");
        }
        for &m in MetricId::ALL {
            assert!(!metric_words(m).is_empty(), "{m} has no words");
        }
        // Every variant is listed once in ALL (the match arms above are exhaustive by construction),
        // and no two share a wire id.
        fn unique(ids: impl Iterator<Item = &'static str>) -> bool {
            let mut v: Vec<&str> = ids.collect();
            let n = v.len();
            v.sort();
            v.dedup();
            v.len() == n
        }
        assert!(unique(MetricId::ALL.iter().map(|m| m.as_str())));
        assert!(unique(CauseId::ALL.iter().map(|m| m.as_str())));
        assert!(unique(SymptomId::ALL.iter().map(|m| m.as_str())));
        // The pipeline's ids are among them.
        assert_eq!(
            cause_name(CauseId::PipelineBug),
            "a bug in the data pipeline or the loss"
        );
        assert!(experiment_for(CauseId::PipelineBug).contains("overfitted"));
    }
}
