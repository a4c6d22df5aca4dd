//! Generalisation, labels and data: overfitting, training harder than validation (noisy labels),
//! confused pairs, class imbalance.

use super::*;
use crate::catalogue::*;
use crate::signals::*;
use crate::stats::*;
use crate::thresholds::*;
use crate::*;

pub(crate) fn rule_overfitting(c: &Ctx) -> Option<Finding> {
    let (e, tl, ta, vl, va) = c.latest_eval()?;
    let gap = ta - va;
    let limit = acc_gap_limit(ta);
    // Consecutive epochs with training loss falling and validation getting worse.
    let mut turn = 0;
    for w in (1..=e).rev().collect::<Vec<_>>().windows(2) {
        let (now, before) = (w[0], w[1]);
        let (fa, fb) = (c.o.epochs[now - 1], c.o.epochs[before - 1]);
        if !(fa.val_loss.is_finite() && fb.val_loss.is_finite()) {
            break;
        }
        let (la, _) = c.train_tail(now);
        let (lb, _) = c.train_tail(before);
        let worse = (fa.val_loss - fb.val_loss) as f64 > TREND_EPS
            || (fb.val_acc - fa.val_acc) as f64 > TREND_EPS;
        if lb - la > TREND_EPS && worse {
            turn += 1;
        } else {
            break;
        }
    }
    // The validation loss's rise above its best epoch while the training loss kept falling: the
    // early-stopping reading, sturdier than epoch-to-epoch steps on a small, noisy validation set.
    let best = (1..=e)
        .filter(|&b| c.o.epochs[b - 1].val_loss.is_finite())
        .min_by(|&a, &b| {
            c.o.epochs[a - 1]
                .val_loss
                .total_cmp(&c.o.epochs[b - 1].val_loss)
        })
        .unwrap_or(e);
    let best_loss = c.o.epochs[best - 1].val_loss as f64;
    let gl = vl / best_loss - 1.0;
    let past_best = e - best >= TREND_EPOCHS
        && gl > GL_LIMIT
        && vl - best_loss >= GL_MIN_NATS
        && c.train_tail(best).0 - tl > TREND_EPS;
    if gap < limit && turn < TREND_EPOCHS && !past_best {
        return None;
    }
    let title = if gap >= limit {
        Title::AccuracyGap {
            train_acc: ta,
            val_acc: va,
        }
    } else if turn >= TREND_EPOCHS {
        Title::ValWorseForEpochs { epochs: turn }
    } else {
        Title::PastBestValLoss {
            rise: gl,
            best_epoch: best,
        }
    };
    let mut evidence = vec![
        ev(MetricId::AccGap, None, gap, limit),
        ev(
            MetricId::EpochsValWorse,
            None,
            turn as f64,
            TREND_EPOCHS as f64,
        ),
        ev(MetricId::ValLossAboveBest, None, gl, GL_LIMIT),
        ev(MetricId::BestValEpoch, None, best as f64, f64::NAN),
        ev(MetricId::TrainLoss, None, tl, f64::NAN),
    ];
    let total: u64 = c.o.class_counts.iter().map(|&x| x as u64).sum();
    if total > 0 {
        evidence.push(ev(MetricId::TrainSamples, None, total as f64, f64::NAN));
    }
    let noisy = c
        .probe
        .is_some_and(|p| p.confident_wrong >= CONFIDENT_WRONG);
    evidence.extend(confident_wrong_ev(c));
    let little = cause(CauseId::TooLittleData, Reason::MemorisesFewExamples);
    let noise = cause(
        CauseId::LabelNoise,
        if noisy {
            Reason::LearnsWrongLabels
        } else {
            Reason::MemorisedLabelsOpenGap
        },
    );
    let imb = cause(CauseId::ClassImbalance, Reason::SkewedLabelsRareFail);
    // A network free to memorise, or trained past its best epoch: the remedies the lab has
    // (augmentation, weight decay, early stopping; Goodfellow ch. 7).
    let noreg = cause(
        CauseId::NoRegularisation,
        if past_best {
            Reason::TrainedPastBest { best_epoch: best }
        } else {
            Reason::NothingHoldsBack
        },
    );
    let mut causes = match (noisy, c.skewed) {
        (true, true) => vec![noise, imb, little],
        (true, false) => vec![noise, little],
        (false, true) => vec![imb, little, noise],
        (false, false) => vec![little, noise],
    };
    causes.push(noreg);
    let experiment = match causes.first().map(|c| c.id) {
        Some(CauseId::TooLittleData) | None => experiment_more_data(e),
        Some(first) => experiment_for(first).to_string(),
    };
    Some(finding(
        SymptomId::Overfitting,
        Severity::Warn,
        title,
        evidence,
        causes,
        &experiment,
    ))
}

/// Validation accuracy well above training accuracy: the training batches are harder than validation.
/// Split by the clean-image probe into label noise and augmentation.
pub(crate) fn rule_train_harder(c: &Ctx) -> Option<Finding> {
    let (_e, tl, ta, vl, va) = c.latest_eval()?;
    let gap = va - ta;
    let limit = acc_gap_limit(va);
    if gap < limit {
        return None;
    }
    let share = c.noise_share(ta, va);
    let mut evidence = vec![
        ev(MetricId::ValMinusTrainAcc, None, gap, limit),
        ev(MetricId::TrainLoss, None, tl, vl),
    ];
    if let Some(sh) = share {
        evidence.push(ev(MetricId::ProbeShare, None, sh, NOISE_SHARE));
    }
    if let Some(p) = c.probe {
        evidence.push(ev(
            MetricId::ConfidentWrong,
            None,
            p.confident_wrong,
            CONFIDENT_WRONG,
        ));
        evidence.push(ev(
            MetricId::HighLossConfidentWrong,
            None,
            p.high_loss,
            f64::NAN,
        ));
    }
    let pairs = c.lookalikes();
    if share.is_some_and(|s| s >= NOISE_SHARE) {
        let p = c.probe?;
        let mut causes = vec![cause(
            CauseId::LabelNoise,
            Reason::CleanImagesContradictLabels {
                disagree: 1.0 - p.acc,
                confident: p.confident_wrong,
            },
        )];
        if !pairs.is_empty() {
            causes.push(cause(
                CauseId::HarmfulAugmentation,
                Reason::LookalikeTransformations,
            ));
        }
        return Some(finding(
            SymptomId::NoisyLabels,
            Severity::Warn,
            Title::NoisyLabels {
                val_acc: va,
                train_acc: ta,
                contradicted: 1.0 - p.acc,
            },
            evidence,
            causes,
            EXP_NOISY_LABELS,
        ));
    }
    for &(a, b, ab, ba) in pairs.iter().take(2) {
        evidence.push(ev(
            MetricId::Lookalike,
            Some(format!("{a}↔{b}")),
            ab.min(ba),
            LOOKALIKE_BOTH,
        ));
    }
    // Without the probe pointing at the labels, ask for the gap at consecutive evaluations too —
    // unless the probe itself shows the same training images, clean and under the evaluated weights,
    // beating the batches by as much: then the gap is not the lag of the training figures.
    let probe_agrees = c.probe.is_some_and(|p| p.acc - ta >= limit);
    if probe_agrees {
        evidence.push(ev(
            MetricId::ProbeMinusTrainAcc,
            None,
            c.probe.map_or(f64::NAN, |p| p.acc - ta),
            limit,
        ));
    }
    let evals: Vec<usize> = (1..=c.o.epochs.len())
        .filter(|&e| c.o.epochs[e - 1].val_acc.is_finite())
        .collect();
    if !probe_agrees
        && (evals.len() < HARDER_EPOCHS
            || !evals[evals.len() - HARDER_EPOCHS..].iter().all(|&e| {
                let (_, ta) = c.train_tail(e);
                let va = c.o.epochs[e - 1].val_acc as f64;
                va - ta >= acc_gap_limit(va)
            }))
    {
        return None;
    }
    let mut causes = vec![cause(
        CauseId::HarmfulAugmentation,
        if share.is_some() {
            Reason::TransformedInputsHarder
        } else {
            Reason::BatchesHarderThanVal
        },
    )];
    causes.push(cause(
        CauseId::LabelNoise,
        Reason::WrongLabelsKeepTrainBelow,
    ));
    Some(finding(
        SymptomId::TrainHarderThanVal,
        Severity::Warn,
        Title::TrainHarderThanVal {
            val_acc: va,
            train_acc: ta,
        },
        evidence,
        causes,
        EXP_AUGMENTATION,
    ))
}

/// What says that augmentation is at work, for the rules that read a confusion: the training batches
/// at least `AUG_PROBE_GAP` less accurate than the same images clean (the probe; its gap goes into
/// `evidence`), or a confused pair that a flip or a 180° rotation makes (`FLIP_PAIRS`).
pub(crate) struct AugEvidence {
    pub probe_gap: Option<f64>,
    pub batches_harder: bool,
    pub flip_pair: Option<(usize, usize, f64, f64)>,
}

impl AugEvidence {
    pub(crate) fn any(&self) -> bool {
        self.batches_harder || self.flip_pair.is_some()
    }
}

/// Digits `a` and `b` that simply look alike and are still being learned.
pub(crate) fn natural_lookalikes(a: usize, b: usize) -> Cause {
    cause(CauseId::NaturalLookalikes, Reason::DigitsLookAlike { a, b })
}

pub(crate) fn augmentation_evidence(
    c: &Ctx,
    train_acc: f64,
    pairs: &[(usize, usize, f64, f64)],
    evidence: &mut Vec<Evidence>,
) -> AugEvidence {
    let probe_gap = c.probe.map(|p| p.acc - train_acc);
    if let Some(g) = probe_gap {
        evidence.push(ev(MetricId::ProbeMinusTrainAcc, None, g, AUG_PROBE_GAP));
    }
    AugEvidence {
        probe_gap,
        batches_harder: probe_gap.is_some_and(|g| g >= AUG_PROBE_GAP),
        flip_pair: pairs
            .iter()
            .copied()
            .find(|&(x, y, _, _)| FLIP_PAIRS.contains(&(x, y))),
    }
}

/// Two digits confused with each other both ways on the clean validation images (`LOOKALIKE_BOTH`,
/// `LOOKALIKE_ONE`): most often digits that look alike and are still being learned; also what a net
/// learns when a transformation turns one class into the other while the label stays (a 6 turned upside
/// down still labelled "6"), or when labels are swapped between two classes. The clean-image probe
/// tells them apart: swapped labels leave the net contradicting its training labels on clean images,
/// augmentation leaves the training batches harder than the same images clean (`AUG_PROBE_GAP`); a pair
/// that a flip or rotation makes (`FLIP_PAIRS`) is evidence of augmentation by itself.
pub(crate) fn rule_confused_pairs(c: &Ctx) -> Option<Finding> {
    let (_e, _tl, ta, _vl, va) = c.latest_eval()?;
    if va < SATISFIED_ACC {
        return None;
    }
    let recall = c.recall();
    let systematic = |cls: usize, rate: f64| {
        let errors = 1.0 - recall.get(cls).copied().unwrap_or(f64::NAN);
        errors > 0.0 && rate >= LOOKALIKE_SHARE * errors
    };
    let pairs: Vec<_> = c
        .lookalikes()
        .into_iter()
        .filter(|&(a, b, ab, ba)| systematic(a, ab) && systematic(b, ba))
        .collect();
    let &(a, b, ab, ba) = pairs.first()?;
    let mut evidence: Vec<Evidence> = pairs
        .iter()
        .take(3)
        .map(|&(a, b, ab, ba)| {
            ev(
                MetricId::Lookalike,
                Some(format!("{a}↔{b}")),
                ab.min(ba),
                LOOKALIKE_BOTH,
            )
        })
        .collect();
    let labels_first = c
        .noise_share(ta, va)
        .is_some_and(|s| s >= NOISE_SHARE && va - ta >= acc_gap_limit(va));
    evidence.extend(confident_wrong_ev(c));
    // Evidence of augmentation: the batches harder than the same images clean (`AUG_PROBE_GAP`), or a
    // pair that a flip or a 180° rotation makes (`FLIP_PAIRS`). Without it, look-alike digits that
    // are still being learned come first.
    let AugEvidence {
        probe_gap,
        batches_harder,
        flip_pair,
    } = augmentation_evidence(c, ta, &pairs, &mut evidence);
    let aug = cause(
        CauseId::HarmfulAugmentation,
        if batches_harder {
            Reason::AugmentedBatchesHarder {
                a,
                b,
                gap: probe_gap.unwrap_or(f64::NAN),
            }
        } else if let Some((x, y, _, _)) = flip_pair {
            Reason::FlipTurnsDigit { a: x, b: y }
        } else {
            Reason::TransformationWouldConfuse { a, b }
        },
    );
    let natural = natural_lookalikes(a, b);
    let noise = cause(CauseId::LabelNoise, Reason::SwappedLabels { a, b });
    let design = cause(CauseId::BadLayerDesign, Reason::LosesStrokePositions);
    let augmented = batches_harder || flip_pair.is_some();
    // Swapped labels leave a trace on the clean probe (the net confidently contradicts its own
    // training labels there); augmentation leaves none. A probe without that trace counts against
    // the labels, so the augmentation comes before them.
    let labels_clean = c.probe_clears_labels();
    let causes = if labels_first {
        vec![noise, aug, natural, design]
    } else if augmented {
        vec![aug, noise, natural, design]
    } else if labels_clean {
        vec![natural, aug, noise, design]
    } else {
        vec![natural, noise, aug, design]
    };
    let experiment = if labels_first || augmented {
        EXP_MIRRORED
    } else {
        EXP_LOOKALIKES
    };
    Some(finding(
        SymptomId::ConfusedPairs,
        Severity::Warn,
        Title::ConfusedPair { a, b, ab, ba },
        evidence,
        causes,
        experiment,
    ))
}

pub(crate) fn rule_imbalance(c: &Ctx) -> Option<Finding> {
    let counts = &c.o.class_counts;
    let max_c = counts.iter().copied().max()? as f64;
    let mean_c = counts.iter().map(|&x| x as f64).sum::<f64>() / counts.len().max(1) as f64;
    let rare = |i: usize| (counts[i] as f64) < RARE_SHARE * mean_c;
    if max_c == 0.0 || !(0..counts.len()).any(rare) {
        return None;
    }
    let recall = c.recall();
    if recall.len() != counts.len() {
        return None;
    }
    let rare_r = mean((0..counts.len()).filter(|&i| rare(i)).map(|i| recall[i]))?;
    let common_r = mean((0..counts.len()).filter(|&i| !rare(i)).map(|i| recall[i]))?;
    let min_c = counts.iter().copied().min().unwrap_or(0) as f64;
    let ratio = if min_c > 0.0 {
        max_c / min_c
    } else {
        f64::INFINITY
    };
    let rare_names: Vec<String> = (0..counts.len())
        .filter(|&i| rare(i))
        .map(|i| i.to_string())
        .collect();
    let gap = common_r - rare_r;
    let evidence = vec![
        ev(MetricId::CountRatio, None, ratio, IMBALANCE_RATIO),
        ev(MetricId::RecallGap, None, gap, RECALL_GAP),
    ];
    if gap < RECALL_GAP && !c.skewed {
        return None;
    }
    let causes = vec![
        cause(
            CauseId::ClassImbalance,
            Reason::RareClassesMissed {
                rare: rare_names.clone(),
            },
        ),
        cause(CauseId::TooLittleData, Reason::RareClassesTooFew),
    ];
    let exp = EXP_BALANCED;
    if gap >= RECALL_GAP {
        Some(finding(
            SymptomId::ImbalancedRecall,
            Severity::Warn,
            Title::RareClassesMissed {
                rare: rare_names,
                rare_recall: rare_r,
                common_recall: common_r,
                ratio,
            },
            evidence,
            causes,
            exp,
        ))
    } else {
        Some(finding(
            SymptomId::ImbalancedRecall,
            Severity::Info,
            Title::RareClassesHolding {
                ratio,
                rare_recall: rare_r,
            },
            evidence,
            causes,
            exp,
        ))
    }
}
