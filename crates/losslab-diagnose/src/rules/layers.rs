//! Per-layer symptoms: vanishing and exploding gradients, dead and saturated units, update/weight
//! ratio, growing weights.

use crate::catalogue::*;
use crate::causes::*;
use crate::signals::*;
use crate::thresholds::*;
use crate::*;

pub(crate) fn rule_vanishing(c: &Ctx) -> Option<Finding> {
    if !c.persists(Ctx::vanishing) {
        return None;
    }
    // A dead layer stops every gradient below it: that finding explains this one.
    if c.last()
        .is_some_and(|s| worst_dead(c, s).is_some_and(|(_, d)| d >= DEAD_ALL))
    {
        return None;
    }
    let s = c.last()?;
    let (ratio, first) = Ctx::grad_ratio(s)?;
    let title = Title::GradientsVanish {
        first,
        ratio,
        adam: c.o.optimizer == Some(OptimizerFamily::Adam),
    };
    let first_name = s.stats.first().map(|x| x.name.clone());
    let evidence = vec![
        ev(MetricId::GradRatio, first_name.clone(), ratio, VANISH_RATIO),
        ev(MetricId::GradNorm, first_name, first, VANISH_FIRST_NORM),
    ];
    Some(finding(
        SymptomId::GradientsVanish,
        Severity::Warn,
        title,
        evidence,
        vanish_causes(c),
        EXP_VANISH,
    ))
}

pub(crate) fn rule_exploding(c: &Ctx) -> Option<Finding> {
    if !c.persists(Ctx::exploding) {
        return None;
    }
    let s = c.last()?;
    let (ratio, _) = Ctx::grad_ratio(s)?;
    let title = Title::GradientsExplode { ratio };
    let evidence = vec![ev(
        MetricId::GradRatio,
        s.stats.first().map(|x| x.name.clone()),
        ratio,
        EXPLODE_RATIO,
    )];
    let from_start = c.early.is_some_and(Ctx::exploding);
    let eg = cause(CauseId::ExplodingGradients, Reason::LayersAmplifyBackward);
    let init = cause(
        CauseId::BadInit,
        if from_start {
            Reason::AmplifyingFromStart
        } else {
            Reason::WeightsAboveFanInScale
        },
    );
    let mut causes = vec![eg];
    if from_start {
        causes.push(init);
        causes.extend(step_size_causes(c));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(init);
    }
    Some(finding(
        SymptomId::GradientsExplode,
        Severity::Warn,
        title,
        evidence,
        causes,
        EXP_EXPLODING,
    ))
}

pub(crate) fn rule_dead(c: &Ctx) -> Option<Finding> {
    let s = c.last()?;
    let (i, d) = worst_dead(c, s)?;
    // A dead channel is off at every position for every sample, so background positions do not count:
    // a healthy layer reads about 0%, and a convolution is read like a dense layer.
    // Below the Alarm level, dead channels are a cause of unexpected loss only when the net is not
    // learning: while the recent training batches are answered better than `SATISFIED_ACC` the rest
    // of the layer carries the learning, and the finding is a note on lost capacity.
    let recent = c.recent_acc();
    let learning = recent.is_some_and(|a| a >= SATISFIED_ACC);
    let sev = if d >= DEAD_ALL {
        Severity::Alarm
    } else if learning {
        Severity::Info
    } else {
        Severity::Warn
    };
    let name = c.name(i);
    let title = Title::DeadChannels {
        layer: name.clone(),
        share: d,
        recent_acc: (sev == Severity::Info).then(|| recent.unwrap_or(f64::NAN)),
    };
    let mut evidence = vec![ev(MetricId::DeadFrac, Some(name.clone()), d, DEAD_FRAC)];
    if let Some(e) = c.early.and_then(|e| c.dead_frac(e, i)) {
        evidence.push(ev(
            MetricId::DeadFracAtStart,
            Some(name.clone()),
            e,
            DEAD_FRAC,
        ));
    }
    if let Some((gi, g)) = c.growth.filter(|&(_, g)| g >= WEIGHT_GROWTH) {
        evidence.push(ev(
            MetricId::WeightGrowth,
            Some(c.name(gi)),
            g,
            WEIGHT_GROWTH,
        ));
    }
    let causes = dead_causes(c, Some(i));
    Some(finding(
        SymptomId::DeadRelu,
        sev,
        title,
        evidence,
        causes,
        EXP_DEAD,
    ))
}

pub(crate) fn rule_saturated(c: &Ctx) -> Option<Finding> {
    let s = c.last()?;
    let (i, f) = worst_saturated(c, s)?;
    let name = c.name(i);
    let title = Title::Saturated {
        layer: name.clone(),
        share: f,
    };
    let evidence = vec![ev(MetricId::SatFrac, Some(name.clone()), f, SAT_FRAC)];
    let born = c
        .early
        .and_then(|e| Ctx::stat(e, i))
        .is_some_and(|x| x.sat_frac as f64 >= SAT_FRAC);
    let grown = c
        .growth
        .is_some_and(|(gi, g)| gi == i && g >= WEIGHT_GROWTH);
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    let init = cause(CauseId::BadInit, Reason::LargeWeightsSaturate);
    let vg = cause(CauseId::VanishingGradients, Reason::SaturatedPassNothing);
    if grown && !born {
        causes.extend(step_size_causes(c));
        causes.push(init);
        causes.push(vg);
    } else {
        causes.push(init);
        causes.push(vg);
        causes.push(cause(
            CauseId::BadLayerDesign,
            Reason::SaturatingActivations,
        ));
    }
    Some(finding(
        SymptomId::SaturatedUnits,
        Severity::Warn,
        title,
        evidence,
        causes,
        EXP_SATURATED,
    ))
}

pub(crate) fn rule_update_ratio(c: &Ctx) -> Option<Finding> {
    let s = c.last()?;
    // High: any layer of normal size that receives a gradient.
    let high = (0..s.stats.len())
        .filter_map(|i| {
            let x = &s.stats[i];
            ((x.weight_norm as f64) >= WEIGHT_TINY && (x.update_ratio as f64).is_finite())
                .then_some((i, x.update_ratio as f64))
        })
        .filter(|&(i, _)| {
            c.persists(|t| {
                Ctx::stat(t, i).is_some_and(|x| {
                    (x.weight_norm as f64) >= WEIGHT_TINY
                        && x.update_ratio as f64 > UPDATE_RATIO_HIGH_LIMIT
                })
            })
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((i, r)) = high {
        let name = c.name(i);
        // Only the first update measured so far: one step against the untrained weights, which a
        // high initial loss makes large, is a note until a later snapshot shows it again.
        let first_only = s.step <= EARLY_STEP;
        return Some(finding(
            SymptomId::UpdateRatioHigh,
            if first_only {
                Severity::Info
            } else {
                Severity::Warn
            },
            if first_only {
                Title::FirstUpdateLarge {
                    layer: name.clone(),
                    ratio: r,
                }
            } else {
                Title::UpdatesLarge {
                    layer: name.clone(),
                    ratio: r,
                }
            },
            vec![ev(
                MetricId::UpdateRatio,
                Some(name),
                r,
                UPDATE_RATIO_HIGH_LIMIT,
            )],
            step_size_causes(c),
            EXP_STEP_DOWN,
        ));
    }
    let med = Ctx::median_update_ratio(s)?;
    // Small ratios in a net whose hidden layers get (almost) no gradient, or whose weights were blown
    // up, say nothing about the step size: the other findings explain them.
    let blocked = c.persists(Ctx::no_hidden_gradient)
        || c.persists(|t| Ctx::grad_ratio(t).is_some_and(|(r, _)| r < VANISH_RATIO))
        || worst_dead(c, s).is_some_and(|(_, d)| d >= DEAD_ALL)
        || c.growth.is_some_and(|(_, g)| g >= WEIGHT_GROWTH);
    let persists =
        |f: &dyn Fn(f64) -> bool| c.persists(|t| Ctx::median_update_ratio(t).is_some_and(f));
    let low_causes = || {
        vec![
            cause(CauseId::LrTooLow, Reason::StepTinyFractionOfWeights),
            cause(CauseId::AdamEps, Reason::AdamEpsDividesSteps),
        ]
    };
    if !blocked && persists(&|m| m < UPDATE_RATIO_LOW_LIMIT) {
        return Some(finding(
            SymptomId::UpdateRatioLow,
            Severity::Warn,
            Title::UpdatesTiny { ratio: med },
            vec![ev(MetricId::UpdateRatio, None, med, UPDATE_RATIO_LOW_LIMIT)],
            low_causes(),
            EXP_STEP_UP,
        ));
    }
    if !blocked && persists(&|m| m < UPDATE_RATIO_NOTE_LOW) {
        return Some(finding(
            SymptomId::UpdateRatioLow,
            Severity::Info,
            Title::UpdatesSmall { ratio: med },
            vec![ev(MetricId::UpdateRatio, None, med, UPDATE_RATIO_NOTE_LOW)],
            low_causes(),
            EXP_STEP_UP,
        ));
    }
    if persists(&|m| m > UPDATE_RATIO_NOTE_HIGH) {
        return Some(finding(
            SymptomId::UpdateRatioHigh,
            Severity::Info,
            Title::UpdatesBig { ratio: med },
            vec![ev(MetricId::UpdateRatio, None, med, UPDATE_RATIO_NOTE_HIGH)],
            step_size_causes(c),
            EXP_STEP_DOWN,
        ));
    }
    None
}

pub(crate) fn rule_weights_growing(c: &Ctx) -> Option<Finding> {
    let (i, g) = c.growth.filter(|&(_, g)| g >= WEIGHT_GROWTH)?;
    let name = c.name(i);
    Some(finding(
        SymptomId::WeightsGrowing,
        Severity::Warn,
        Title::WeightsGrowing {
            layer: name.clone(),
            growth: g,
        },
        vec![ev(MetricId::WeightGrowth, Some(name), g, WEIGHT_GROWTH)],
        step_size_causes(c),
        EXP_STEP_DOWN,
    ))
}
