//! Bugs in the data pipeline or the loss: validation below chance, a loss that is not cross-entropy,
//! validation preprocessed differently, leaked validation images, unshuffled batches, an evaluation
//! mode that computes another function than training. Each points
//! at one of the pipeline checks of Karpathy 2019 ("A Recipe for Training Neural Networks"), which the
//! Playbook (Godbole et al. 2023) also asks for before any tuning.

use crate::catalogue::*;
use crate::pipeline::*;
use crate::signals::*;
use crate::stats::median;
use crate::thresholds::*;
use crate::*;

const EXP_LOSS: &str = "Check the loss of the untrained network: cross-entropy on ten classes starts \
at about ln 10 ≈ 2.30 nats. Then train on one batch alone: a cross-entropy falls towards zero, a loss \
wired to the wrong inputs stops at its floor or reads another scale altogether (Karpathy 2019: verify \
the loss at init, overfit one batch).";
const EXP_LEAK: &str =
    "Compare the validation images with the training images (a hash of each image \
is enough) and drop the duplicates from validation, or split again from images the network never \
trains on: the validation figures of the cleaned split are the honest ones.";

/// Validation accuracy below what a guess that ignores the image would score with the same answers
/// (`CHANCE_SIGMAS`): "below chance is information" — the network answers something consistent,
/// only the names are wrong.
pub(crate) fn rule_val_below_chance(c: &Ctx) -> Option<Finding> {
    let b = c.pipe.below_chance?;
    let mut evidence = vec![
        ev(MetricId::ValAcc, None, b.acc, b.limit),
        ev(MetricId::ChanceAcc, None, b.chance, f64::NAN),
        ev(MetricId::OffDiagonalRows, None, b.mapped, f64::NAN),
    ];
    if let Some(s) = b.shift {
        evidence.push(ev(MetricId::LabelShift, None, s as f64, f64::NAN));
    }
    let title = Title::ValBelowChance {
        acc: b.acc,
        chance: b.chance,
        shift: b.shift,
    };
    let pipe = cause(
        CauseId::PipelineBug,
        Reason::ValLabelsShifted { shift: b.shift },
    );
    let noise = cause(CauseId::LabelNoise, Reason::LabelsReplacedSystematically);
    Some(finding(
        SymptomId::ValBelowChance,
        Severity::Alarm,
        title,
        evidence,
        vec![pipe, noise],
        EXP_LABELS,
    ))
}

/// The loss being optimised is not the cross-entropy of the network's outputs, read two ways:
/// - where the engine gives each probe sample's own loss (`probe_trained`), on the right answers of
///   the probe: the two differ by at least `LOSS_WIRING_GAP` (`Pipeline::wiring`);
/// - else from the batches: mostly right (`HIGH_ACC`), yet their median loss stays far above the
///   cross-entropy the clean probe measures (`LOSS_FLOOR_NATS`, `LOSS_FLOOR_PROBE_FACTOR`).
pub(crate) fn rule_loss_floor(c: &Ctx) -> Option<Finding> {
    if c.diverged() {
        return None;
    }
    let p = c.probe?;
    // The most direct reading, where the engine gives it: on the probe images the net gets right, the
    // run's own loss against the cross-entropy of the very same logits.
    if let Some(f) = wiring_finding(c, p.acc) {
        return Some(f);
    }
    let pl = probe_loss(c.o)?;
    // A floor is a level: the median batch loss, which one blown-up batch cannot move.
    let (_, a) = recent_loss_acc(c.o)?;
    let n = c.o.step_loss.len();
    let recent: Vec<f64> = c.o.step_loss[n - STUCK_WINDOW..]
        .iter()
        .map(|&x| x as f64)
        .collect();
    let l = median(&recent);
    let acc_gap = p.acc - a;
    if a < HIGH_ACC
        || l.is_nan()
        || l < LOSS_FLOOR_NATS
        || acc_gap.abs() > AUG_PROBE_GAP
        || pl * LOSS_FLOOR_PROBE_FACTOR > l
    {
        return None;
    }
    let evidence = vec![
        ev(MetricId::Loss, None, l, LOSS_FLOOR_NATS),
        ev(MetricId::TrainAcc, None, a, HIGH_ACC),
        ev(MetricId::ProbeLoss, None, pl, l / LOSS_FLOOR_PROBE_FACTOR),
        ev(MetricId::ProbeMinusTrainAcc, None, acc_gap, AUG_PROBE_GAP),
    ];
    Some(finding(
        SymptomId::LossFloor,
        Severity::Warn,
        Title::LossNotCrossEntropy {
            acc: a,
            loss: l,
            probe_loss: pl,
            window: STUCK_WINDOW,
        },
        evidence,
        vec![wiring_cause()],
        EXP_LOSS,
    ))
}

/// The loss-floor finding from the probe's wiring gap (`Pipeline::wiring`).
fn wiring_finding(c: &Ctx, probe_acc: f64) -> Option<Finding> {
    let WiringGap { trained, ce } = c.pipe.wiring?;
    let evidence = vec![
        ev(MetricId::Loss, None, trained, ce + LOSS_WIRING_GAP),
        ev(MetricId::ProbeLoss, None, ce, trained - LOSS_WIRING_GAP),
    ];
    Some(finding(
        SymptomId::LossFloor,
        Severity::Warn,
        Title::LossWiredWrong {
            probe_acc,
            trained,
            ce,
        },
        evidence,
        vec![wiring_cause()],
        EXP_LOSS,
    ))
}

/// The cause of a mis-wired loss.
fn wiring_cause() -> Cause {
    cause(CauseId::PipelineBug, Reason::LossOnProbabilities)
}

/// The reported loss is below any value a cross-entropy can take: under (1 − accuracy)·ln 2 on the
/// recent batches (`CE_BOUND_TOL`), or an untrained net's first loss below half the label entropy at
/// chance accuracy (`INIT_LOSS_LOW_FACTOR`).
pub(crate) fn rule_loss_below_ce(c: &Ctx) -> Option<Finding> {
    if c.diverged() {
        return None;
    }
    // Balanced class weights w_c ∝ 1/n_c can lower a weighted mean by at most n_min/n_max.
    let counts: Vec<f64> =
        c.o.class_counts
            .iter()
            .filter(|&&x| x > 0)
            .map(|&x| x as f64)
            .collect();
    let weight_floor = match (
        counts.iter().copied().reduce(f64::min),
        counts.iter().copied().reduce(f64::max),
    ) {
        (Some(lo), Some(hi)) => lo / hi,
        _ => 1.0,
    };
    let recent = recent_loss_acc(c.o).and_then(|(l, a)| {
        let bound = weight_floor * (1.0 - a) * std::f64::consts::LN_2;
        (l < CE_BOUND_TOL * bound).then_some((l, a, bound))
    });
    let first_acc = (c.o.first_step == 0)
        .then(|| c.o.step_acc.first().copied())
        .flatten()
        .map(|x| x as f64);
    let start = c.o.initial_loss.map(|x| x as f64).filter(|&l0| {
        l0 < INIT_LOSS_LOW_FACTOR * c.prior_entropy
            && first_acc.is_some_and(|a| a <= c.max_share + CHANCE_ACC_MARGIN)
    });
    if recent.is_none() && start.is_none() {
        return None;
    }
    let mut evidence = Vec::new();
    if let Some((l, a, bound)) = recent {
        evidence.push(ev(MetricId::Loss, None, l, CE_BOUND_TOL * bound));
        evidence.push(ev(MetricId::TrainAcc, None, a, f64::NAN));
        evidence.push(ev(MetricId::LossBound, None, bound, f64::NAN));
    }
    if let Some(l0) = start {
        evidence.push(ev(
            MetricId::InitialLoss,
            None,
            l0,
            INIT_LOSS_LOW_FACTOR * c.prior_entropy,
        ));
    }
    let title = match (recent, start) {
        (Some((l, a, bound)), _) => Title::LossBelowBound {
            loss: l,
            acc: a,
            bound,
        },
        (None, Some(l0)) => Title::InitialLossBelowBound {
            loss: l0,
            chance: c.prior_entropy,
        },
        (None, None) => return None,
    };
    Some(finding(
        SymptomId::LossBelowCrossEntropy,
        Severity::Warn,
        title,
        evidence,
        vec![cause(
            CauseId::PipelineBug,
            Reason::LossNotCrossEntropyOnLogits,
        )],
        EXP_LOSS,
    ))
}

/// Validation inputs and clean training inputs, as the network receives them, differ more than the
/// same preprocessing can explain (`MISMATCH_MEAN_STDS`, `MISMATCH_STD_LOW`/`HIGH`, disjoint ranges).
pub(crate) fn rule_input_mismatch(c: &Ctx) -> Option<Finding> {
    let m = c.pipe.mismatch?;
    let std_limit = if m.std_ratio < 1.0 {
        MISMATCH_STD_LOW
    } else {
        MISMATCH_STD_HIGH
    };
    let mut evidence = vec![
        ev(
            MetricId::InputMeanShift,
            None,
            m.mean_shift,
            MISMATCH_MEAN_STDS,
        ),
        ev(MetricId::InputStdRatio, None, m.std_ratio, std_limit),
        ev(MetricId::RangeGap, None, m.range_gap, 0.0),
        ev(MetricId::ValInputMean, None, m.val.mean as f64, f64::NAN),
        ev(
            MetricId::ProbeInputMean,
            None,
            m.probe.mean as f64,
            f64::NAN,
        ),
        ev(MetricId::ValInputStd, None, m.val.std as f64, f64::NAN),
        ev(MetricId::ProbeInputStd, None, m.probe.std as f64, f64::NAN),
    ];
    let gap = c.latest_eval().map(|(_, _, ta, _, va)| ta - va);
    if let Some(g) = gap {
        evidence.push(ev(MetricId::AccGap, None, g, MISMATCH_ALARM_GAP));
    }
    let severity = if gap.is_some_and(|g| g > MISMATCH_ALARM_GAP) {
        Severity::Alarm
    } else {
        Severity::Warn
    };
    Some(finding(
        SymptomId::InputMismatch,
        severity,
        Title::InputMismatch {
            val: m.val,
            train: m.probe,
        },
        evidence,
        vec![cause(
            CauseId::PipelineBug,
            Reason::ValPreprocessedDifferently,
        )],
        EXP_INPUTS,
    ))
}

/// Validation images that are also training images (`LEAK_SHARE`, `LEAK_MIN`).
pub(crate) fn rule_val_leak(c: &Ctx) -> Option<Finding> {
    let l = c.pipe.leak?;
    Some(finding(
        SymptomId::ValLeak,
        Severity::Warn,
        Title::ValLeak {
            found: l.found,
            checked: l.checked,
            share: l.share,
        },
        vec![
            ev(MetricId::DuplicateShare, None, l.share, LEAK_SHARE),
            ev(MetricId::Duplicates, None, l.found as f64, LEAK_MIN as f64),
        ],
        vec![cause(CauseId::PipelineBug, Reason::ValTakenFromTraining)],
        EXP_LEAK,
    ))
}

/// The training batches (training mode) far more accurate than the probe's clean training images in
/// evaluation mode (`EVAL_MODE_GAP`): the network computes another function when it is evaluated.
pub(crate) fn rule_eval_mode_gap(c: &Ctx) -> Option<Finding> {
    let g = c.pipe.eval_gap?;
    Some(finding(
        SymptomId::EvalModeGap,
        Severity::Alarm,
        Title::EvalModeGap {
            train_acc: g.train_acc,
            probe_acc: g.probe_acc,
        },
        vec![
            ev(
                MetricId::ProbeMinusTrainAcc,
                None,
                g.probe_acc - g.train_acc,
                -EVAL_MODE_GAP,
            ),
            ev(MetricId::TrainAcc, None, g.train_acc, f64::NAN),
        ],
        vec![eval_mode_cause()],
        EXP_EVAL_MODE,
    ))
}

/// The cause of a train/evaluation mode mismatch.
fn eval_mode_cause() -> Cause {
    cause(CauseId::PipelineBug, Reason::EvalModeDiffers)
}

/// Batches holding far fewer distinct classes than randomly drawn ones (`SHUFFLE_SHARE`).
pub(crate) fn rule_unshuffled(c: &Ctx) -> Option<Finding> {
    let u = c.pipe.unshuffled?;
    Some(finding(
        SymptomId::UnshuffledBatches,
        Severity::Warn,
        Title::Unshuffled {
            steps: u.steps,
            observed: u.observed,
            expected: u.expected,
        },
        vec![
            ev(
                MetricId::BatchClasses,
                None,
                u.observed,
                SHUFFLE_SHARE * u.expected,
            ),
            ev(MetricId::ExpectedBatchClasses, None, u.expected, f64::NAN),
        ],
        vec![unshuffled_cause()],
        EXP_SHUFFLE,
    ))
}

/// The cause of unshuffled batches, also ranked by the curve rules whose swings it explains.
pub(crate) fn unshuffled_cause() -> Cause {
    cause(CauseId::PipelineBug, Reason::SortedBatches)
}

/// `pipeline_bug` for the findings of other rules that a pipeline signal explains, ranked first with
/// the check that tests it: a validation gap or poor validation accuracy when the validation labels
/// score below chance or the validation inputs are preprocessed differently; a loss that swings, jumps,
/// climbs back or sits at chance (and slow progress, and units killed by those jumps) when the batches
/// are cut from class-sorted data; a training floor, slow progress or a loss at chance when the loss
/// is not the cross-entropy of the outputs. A finding without such a signal is left as its rule made it.
pub(crate) fn rank_pipeline(c: &Ctx, f: &mut Finding) {
    use SymptomId::*;
    let val = |f: &Finding| matches!(f.symptom, Overfitting | SlowProgress);
    let order = |f: &Finding| {
        matches!(
            f.symptom,
            LossSpikes | LossOscillation | LossRising | SlowProgress | StuckAtChance | DeadRelu
        )
    };
    let (first, experiment) = if val(f) && c.pipe.below_chance.is_some() {
        (
            cause(CauseId::PipelineBug, Reason::ValLabelsWrong),
            EXP_LABELS,
        )
    } else if val(f) && c.pipe.mismatch.is_some() {
        (
            cause(CauseId::PipelineBug, Reason::ValInputsDiffer),
            EXP_INPUTS,
        )
    } else if val(f) && c.pipe.eval_gap.is_some() {
        (eval_mode_cause(), EXP_EVAL_MODE)
    } else if order(f) && c.pipe.unshuffled.is_some() {
        (unshuffled_cause(), EXP_SHUFFLE)
    } else if matches!(f.symptom, TrainingFloor | SlowProgress | StuckAtChance)
        && c.pipe.wiring.is_some()
    {
        (wiring_cause(), EXP_LOSS)
    } else {
        return;
    };
    f.causes.insert(0, first);
    f.causes = dedup_causes(std::mem::take(&mut f.causes));
    f.experiment = experiment.to_string();
}
