//! The shape of the loss curve: stuck at chance, spikes, oscillation, rising, slow, a floor.

use super::*;
use crate::catalogue::*;
use crate::causes::*;
use crate::signals::*;
use crate::stats::*;
use crate::thresholds::*;
use crate::*;

pub(crate) fn rule_stuck(c: &Ctx) -> Option<Finding> {
    let n = c.o.step_loss.len();
    if c.o.next_step() < (STUCK_MIN_STEPS + 1) as u64 || n < STUCK_WINDOW {
        return None;
    }
    let loss = mean(c.o.step_loss[n - STUCK_WINDOW..].iter().map(|&x| x as f64))?;
    let acc = c.recent_acc()?;
    let h = c.prior_entropy;
    let loss_limit = (1.0 - CHANCE_LOSS_BAND) * h;
    let acc_limit = c.max_share + CHANCE_ACC_MARGIN;
    if loss < loss_limit || acc > acc_limit {
        return None;
    }
    // A loss that is still falling is leaving chance, not stuck at it (slow learning is the slow-progress
    // rule's to read): the window's mean below the window before it by more than two standard errors of
    // the difference.
    if n >= 2 * STUCK_WINDOW {
        let window = |from: usize| -> Vec<f64> {
            c.o.step_loss[from..from + STUCK_WINDOW]
                .iter()
                .map(|&x| x as f64)
                .filter(|x| x.is_finite())
                .collect()
        };
        let (prev, cur) = (window(n - 2 * STUCK_WINDOW), window(n - STUCK_WINDOW));
        if let (Some((mp, vp)), Some((mc, vc))) = (mean_var(&prev), mean_var(&cur)) {
            let se = (vp / prev.len() as f64 + vc / cur.len() as f64).sqrt();
            if mp - mc > 2.0 * se {
                return None;
            }
        }
    }
    let mut evidence = vec![
        ev(MetricId::Loss, None, loss, loss_limit),
        ev(MetricId::TrainAcc, None, acc, acc_limit),
    ];
    let title;
    let experiment;
    let mut causes = Vec::new();
    let last = c.last();
    let dead = last.and_then(|s| worst_dead(c, s));
    let no_grad = c.persists(Ctx::no_hidden_gradient);
    // For ranking an alarm that already fired, the ratio alone is enough: the first layer gets less
    // than a thousandth of the last layer's gradient (AUTOTRAINER's absolute 1e-4 guards the
    // standalone vanishing rule against false alarms).
    let vanish = c.persists(|s| Ctx::grad_ratio(s).is_some_and(|(r, _)| r < VANISH_RATIO));
    let saturated = last.and_then(|s| worst_saturated(c, s));
    let upd = last.and_then(Ctx::median_update_ratio);
    if let Some(s) = last {
        if let Some(first) = s.stats.first() {
            evidence.push(ev(
                MetricId::GradNorm,
                Some(first.name.clone()),
                first.grad_norm as f64,
                VANISH_FIRST_NORM,
            ));
        }
    }
    if no_grad || dead.is_some() {
        title = Title::Stuck {
            why: StuckWhy::NoHiddenGradient,
            window: STUCK_WINDOW,
            loss,
            chance: h,
        };
        if let Some((i, d)) = dead {
            evidence.push(ev(MetricId::DeadFrac, Some(c.name(i)), d, DEAD_FRAC));
        }
        causes.extend(dead_causes(c, dead.map(|(i, _)| i)));
        experiment = EXP_DEAD;
    } else if vanish || saturated.is_some() {
        title = Title::Stuck {
            why: StuckWhy::FirstLayersStarved,
            window: STUCK_WINDOW,
            loss,
            chance: h,
        };
        causes.extend(vanish_causes(c));
        experiment = EXP_VANISH;
    } else if upd.is_some_and(|u| u > UPDATE_RATIO_HIGH_LIMIT) {
        title = Title::Stuck {
            why: StuckWhy::BigSteps,
            window: STUCK_WINDOW,
            loss,
            chance: h,
        };
        evidence.push(ev(
            MetricId::UpdateRatio,
            None,
            upd.unwrap_or(f64::NAN),
            UPDATE_RATIO_HIGH_LIMIT,
        ));
        causes.extend(step_size_causes(c));
        experiment = EXP_STEP_DOWN;
    } else {
        title = Title::Stuck {
            why: StuckWhy::GradientsFlow,
            window: STUCK_WINDOW,
            loss,
            chance: h,
        };
        if let Some(u) = upd {
            evidence.push(ev(MetricId::UpdateRatio, None, u, UPDATE_RATIO_NOTE_LOW));
        }
        let lr = cause(CauseId::LrTooLow, Reason::StepsTooSmallToLeaveStart);
        let eps = cause(CauseId::AdamEps, Reason::AdamEpsLikeSmallRate);
        let design = cause(CauseId::BadLayerDesign, Reason::DiscardsInformationEarly);
        let noise = cause(CauseId::LabelNoise, Reason::LabelsCarryNothing);
        // An untrained loss of ln K to within 0.01 nats means logits of spread σ < 0.15 (the loss at
        // init is ln K + ≈σ²/2, see `INIT_LOSS_NOTE_FACTOR`): outputs near zero, as tiny or zero
        // weights give (the standard start is a few tenths of a nat to a few nats higher). Such a net has almost no signal
        // to learn from: the initialisation comes first.
        let flat_start =
            c.o.initial_loss
                .is_some_and(|l0| (l0 as f64 - (c.k as f64).ln()).abs() < FLAT_START_NATS);
        if flat_start {
            evidence.push(ev(
                MetricId::InitialLoss,
                None,
                c.o.initial_loss.map_or(f64::NAN, |l| l as f64),
                f64::NAN,
            ));
            causes.push(cause(CauseId::BadInit, Reason::OutputsNearZeroAtStart));
        }
        causes.extend(sigmoid_stack(c));
        // Steps a tenth of the usual size or less make the step size the suspect; otherwise the
        // network or the labels are as likely.
        if upd.is_some_and(|u| u < UPDATE_RATIO_NOTE_LOW) {
            causes.extend([lr, eps, design, noise]);
        } else {
            causes.extend([lr, design, noise, eps]);
        }
        experiment = EXP_STEP_UP;
    }
    Some(finding(
        SymptomId::StuckAtChance,
        Severity::Alarm,
        title,
        evidence,
        causes,
        experiment,
    ))
}

pub(crate) fn rule_spikes(c: &Ctx) -> Option<Finding> {
    let s = &c.spikes;
    if s.count == 0 {
        return None;
    }
    let sev = if s.count >= SPIKES_WARN {
        Severity::Warn
    } else {
        Severity::Info
    };
    let title = Title::Spikes {
        count: s.count,
        steps: c.scan.len(),
        worst: s.worst,
        step: s.worst_step + 1,
    };
    let evidence = vec![
        ev(MetricId::Spikes, None, s.count as f64, SPIKES_WARN as f64),
        ev(MetricId::SpikeFactor, None, s.worst, SPIKE_FACTOR),
    ];
    Some(finding(
        SymptomId::LossSpikes,
        sev,
        title,
        evidence,
        step_size_causes(c),
        EXP_SPIKES,
    ))
}

pub(crate) fn rule_oscillation(c: &Ctx) -> Option<Finding> {
    if c.reversals < OSC_REVERSALS {
        return None;
    }
    let title = Title::Oscillation {
        reversals: c.reversals,
        steps: c.scan.len(),
    };
    Some(finding(
        SymptomId::LossOscillation,
        Severity::Warn,
        title,
        vec![
            ev(
                MetricId::Reversals,
                None,
                c.reversals as f64,
                OSC_REVERSALS as f64,
            ),
            ev(MetricId::BatchNoise, None, c.noise_sigma, f64::NAN),
        ],
        step_size_causes(c),
        EXP_OSCILLATION,
    ))
}

pub(crate) fn rule_rising(c: &Ctx) -> Option<Finding> {
    // Epoch level.
    let ep = &c.o.epochs;
    if ep.len() >= RISING_EPOCHS {
        let tail = &ep[ep.len() - RISING_EPOCHS..];
        let rising = tail
            .windows(2)
            .all(|w| w[1].train_loss.is_finite() && w[1].train_loss > w[0].train_loss);
        if rising {
            let (a, b) = (
                tail[0].train_loss as f64,
                tail[RISING_EPOCHS - 1].train_loss as f64,
            );
            return Some(finding(
                SymptomId::LossRising,
                Severity::Warn,
                Title::RisingOverEpochs {
                    epochs: RISING_EPOCHS - 1,
                    from: a,
                    to: b,
                },
                vec![ev(
                    MetricId::EpochsRising,
                    None,
                    (RISING_EPOCHS - 1) as f64,
                    (RISING_EPOCHS - 1) as f64,
                )],
                step_size_causes(c),
                EXP_STEP_DOWN,
            ));
        }
    }
    // Step level: last block against the best earlier block.
    let n = c.scan.len();
    if n < 3 * RISING_BLOCK {
        return None;
    }
    let block_median = |b: &[f32]| {
        let v: Vec<f64> = b
            .iter()
            .map(|&x| x as f64)
            .filter(|x| x.is_finite())
            .collect();
        (!v.is_empty()).then(|| median(&v))
    };
    let last = block_median(&c.scan[n - RISING_BLOCK..])?;
    let best = c.scan[..n - RISING_BLOCK]
        .rchunks(RISING_BLOCK)
        .filter(|b| b.len() == RISING_BLOCK)
        .filter_map(block_median)
        .min_by(|a, b| a.total_cmp(b))?;
    let limit = best + (RISING_REL * best).max(RISING_ABS_NATS);
    if last < limit {
        return None;
    }
    Some(finding(
        SymptomId::LossRising,
        Severity::Warn,
        Title::RisingOverSteps {
            best,
            last,
            block: RISING_BLOCK,
        },
        vec![ev(MetricId::Loss, None, last, limit)],
        step_size_causes(c),
        EXP_STEP_DOWN,
    ))
}

/// A stack of sigmoid/tanh layers as a cause of slow or stalled learning. Each multiplies the
/// backward signal by its slope, at most a quarter for the sigmoid (σ′ ≤ 1/4; tanh′ ≤ 1, less once
/// saturated). That bounds the activation's share of a layer's factor Wᵀ·diag(σ′), not the whole:
/// larger weights could make up for it, fan-in-scaled ones do not, so a stack of them shrinks the
/// early layers' steps (LeCun et al. 1998 §4.4; Glorot & Bengio 2010). The activation family is a
/// declared observation; two such layers or more make it a suspect even before the measured ratio
/// crosses `VANISH_RATIO`.
fn sigmoid_stack(c: &Ctx) -> Option<Cause> {
    let saturating =
        c.o.layers
            .iter()
            .filter(|l| l.act == Some(ActKind::Saturating))
            .count();
    (saturating >= 2).then(|| {
        cause(
            CauseId::VanishingGradients,
            Reason::SaturatingLayersShrinkGradient { layers: saturating },
        )
    })
}

pub(crate) fn rule_slow(c: &Ctx) -> Option<Finding> {
    let done: Vec<f64> =
        c.o.epochs
            .iter()
            .map(|e| e.val_acc as f64)
            .filter(|v| v.is_finite())
            .collect();
    if done.len() < SLOW_MIN_EPOCHS || c.o.next_step() < SLOW_MIN_STEPS {
        return None;
    }
    let best = done.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let linear_bar = done.len() >= LINEAR_MIN_EPOCHS && c.o.next_step() >= LINEAR_MIN_STEPS;
    if best >= LINEAR_ACC || (best >= SATISFIED_ACC && !linear_bar) {
        return None;
    }
    let upd = c.last().and_then(Ctx::median_update_ratio);
    let limit = if best < SATISFIED_ACC {
        SATISFIED_ACC
    } else {
        LINEAR_ACC
    };
    let mut evidence = vec![ev(MetricId::ValAcc, None, best, limit)];
    let causes = match upd {
        Some(u) if u > UPDATE_RATIO_NOTE_HIGH => {
            evidence.push(ev(MetricId::UpdateRatio, None, u, UPDATE_RATIO_NOTE_HIGH));
            step_size_causes(c)
        }
        // Slow progress with steps below the healthy size (CS231n: ~1e-3; "if it is lower than this
        // then the learning rate might be too low").
        Some(u) if u < UPDATE_RATIO_HEALTHY => {
            evidence.push(ev(MetricId::UpdateRatio, None, u, UPDATE_RATIO_HEALTHY));
            let mut v: Vec<Cause> = sigmoid_stack(c).into_iter().collect();
            v.extend([
                cause(CauseId::LrTooLow, Reason::UpdatesBelowHealthy),
                cause(CauseId::AdamEps, Reason::AdamEpsShrinksSteps),
                cause(CauseId::BadLayerDesign, Reason::NetworkTooSmall),
            ]);
            v
        }
        _ => {
            // Normal steps: look at the data before blaming the network, unless the network is a
            // stack of sigmoids.
            let mut v: Vec<Cause> = sigmoid_stack(c).into_iter().collect();
            if c.probe
                .is_some_and(|p| p.confident_wrong >= CONFIDENT_WRONG)
            {
                v.push(cause(CauseId::LabelNoise, Reason::ContradictsManyLabels));
            }
            if c.has_rare_classes() {
                v.push(cause(
                    CauseId::ClassImbalance,
                    Reason::SomeClassesUnderHalfShare,
                ));
            }
            // Batches still jumping far above the running loss: at a constant rate SGD only settles
            // into a region around a minimum whose size grows with the rate (Bottou, Curtis & Nocedal
            // 2018, §4), so a rate a little too high holds progress back without blowing up.
            if c.spikes.count > 0 {
                v.push(cause(
                    CauseId::LrTooHigh,
                    Reason::BatchLossStillJumps {
                        count: c.spikes.count,
                    },
                ));
            }
            v.extend([
                cause(CauseId::BadLayerDesign, Reason::StepsLookNormal),
                cause(CauseId::LrTooLow, Reason::LargerStepMightHelp),
                cause(CauseId::TooLittleData, Reason::TooFewExamples),
            ]);
            v
        }
    };
    let first_cause = causes.first().map_or(CauseId::LrTooLow, |c| c.id);
    let epochs = done.len();
    Some(finding(
        SymptomId::SlowProgress,
        Severity::Warn,
        if best < SATISFIED_ACC {
            Title::SlowProgress { epochs, best }
        } else {
            Title::BelowLinear {
                epochs,
                best,
                linear: LINEAR_ACC,
            }
        },
        evidence,
        causes,
        experiment_for(first_cause),
    ))
}

pub(crate) fn rule_floor(c: &Ctx) -> Option<Finding> {
    let (e, tl, ta, vl, va) = c.latest_eval()?;
    if e < FLOOR_MIN_EPOCHS || ta > HIGH_ACC {
        return None;
    }
    let (prev, _) = c.train_tail(e - 1);
    if !(prev.is_finite() && tl.is_finite()) || prev - tl >= FLOOR_REL_DROP * prev {
        return None;
    }
    // At chance the stuck rule says it better.
    if tl >= (1.0 - CHANCE_LOSS_BAND) * c.prior_entropy {
        return None;
    }
    let pairs = c.lookalikes();
    let mut evidence = vec![
        ev(MetricId::TrainLoss, None, tl, prev * (1.0 - FLOOR_REL_DROP)),
        ev(MetricId::TrainAcc, None, ta, HIGH_ACC),
        ev(MetricId::ValAcc, None, va, f64::NAN),
        ev(MetricId::ValLoss, None, vl, f64::NAN),
    ];
    evidence.extend(confident_wrong_ev(c));
    let noise_first = c
        .noise_share(ta, va)
        .is_some_and(|s| s >= NOISE_SHARE && va - ta >= acc_gap_limit(va))
        || (pairs.is_empty()
            && c.probe
                .is_some_and(|p| p.confident_wrong >= CONFIDENT_WRONG))
        || c.probe
            .is_some_and(|p| p.confident_wrong >= 2.0 * CONFIDENT_WRONG);
    let noise = cause(CauseId::LabelNoise, Reason::ContradictoryLabelsFloor);
    // A confused pair names augmentation only with evidence of it (the batches harder than the same
    // images clean, or a pair a flip or rotation makes); otherwise handwritten look-alikes come first.
    let augmented = if pairs.is_empty() {
        false
    } else {
        augmentation_evidence(c, ta, &pairs, &mut evidence).any()
    };
    let aug = cause(
        CauseId::HarmfulAugmentation,
        if pairs.is_empty() {
            Reason::AugmentationFloor
        } else if augmented {
            Reason::AugmentationConfusesPairs
        } else {
            Reason::AugmentationCouldConfusePairs
        },
    );
    let design = cause(
        CauseId::BadLayerDesign,
        Reason::DiscardsInformationCannotFit,
    );
    let slow = cause(CauseId::LrTooLow, Reason::StepsTooSmallForTime);
    let unsettled = c.spikes.count >= SPIKES_WARN || c.reversals >= OSC_REVERSALS;
    let causes = if unsettled && !noise_first {
        // A loss that keeps jumping cannot settle: the steps are the first suspect.
        let mut v = step_size_causes(c);
        v.extend([design, aug, noise]);
        v
    } else if noise_first {
        vec![noise, aug, design]
    } else if !pairs.is_empty() {
        for &(a, b, ab, ba) in pairs.iter().take(2) {
            evidence.push(ev(
                MetricId::Lookalike,
                Some(format!("{a}↔{b}")),
                ab.min(ba),
                LOOKALIKE_BOTH,
            ));
        }
        if augmented {
            vec![aug, noise, design]
        } else {
            let &(a, b, _, _) = &pairs[0];
            let natural = natural_lookalikes(a, b);
            // Labels the clean probe does not contradict count against label noise.
            if c.probe_clears_labels() {
                vec![natural, aug, noise, design]
            } else {
                vec![natural, noise, aug, design]
            }
        }
    } else {
        vec![design, aug, noise, slow]
    };
    Some(finding(
        SymptomId::TrainingFloor,
        Severity::Warn,
        Title::TrainingFloor { loss: tl, acc: ta },
        evidence,
        causes,
        EXP_FLOOR,
    ))
}
