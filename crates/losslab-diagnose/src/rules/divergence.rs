//! Divergence, an exploded loss, the loss at initialisation, the input scale.

use crate::catalogue::*;
use crate::causes::*;
use crate::signals::*;
use crate::thresholds::*;
use crate::*;

pub(crate) fn rule_diverged(c: &Ctx) -> Option<Finding> {
    let nf = c.o.non_finite.clone().or_else(|| {
        c.o.step_loss
            .iter()
            .position(|l| !l.is_finite())
            .map(|i| NonFinite {
                step: c.o.first_step + i as u64,
                layer: Some("loss".into()),
                pass: Some(Pass::Forward),
            })
    })?;
    let title = Title::Diverged {
        step: nf.step + 1,
        layer: nf.layer.clone(),
        pass: nf.pass,
    };
    let evidence = vec![ev(
        MetricId::NonFiniteStep,
        nf.layer.clone(),
        // 1-based, as the titles and the page count steps.
        nf.step as f64 + 1.0,
        f64::NAN,
    )];
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    let explode = cause(CauseId::ExplodingGradients, Reason::GradientsOverflowed);
    if nf.step <= EARLY_STEP || c.init.is_some_and(|s| s >= Severity::Warn) {
        // Nothing (or one update) has acted yet: the starting point itself overflows.
        causes.push(cause(CauseId::BadInit, Reason::BrokeBeforeUpdates));
        causes.push(explode);
        causes.extend(step_size_causes(c));
    } else if nf.pass == Some(Pass::Backward) {
        causes.push(explode);
        causes.extend(step_size_causes(c));
        causes.push(cause(CauseId::BadInit, Reason::LargeScaleEasesOverflow));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(explode);
        causes.push(cause(CauseId::BadInit, Reason::LargeScaleEasesOverflow));
    }
    Some(finding(
        SymptomId::Diverged,
        Severity::Alarm,
        title,
        evidence,
        causes,
        EXP_STEP_DOWN,
    ))
}

pub(crate) fn rule_loss_exploded(c: &Ctx) -> Option<Finding> {
    // Step 0 is the initial-loss rule's business.
    let skip = if c.o.first_step == 0 { 1 } else { 0 };
    let (i, &v) =
        c.o.step_loss
            .iter()
            .enumerate()
            .skip(skip)
            .filter(|(_, l)| l.is_finite())
            .max_by(|a, b| a.1.total_cmp(b.1))?;
    let v = v as f64;
    if v < LOSS_EXPLODED_NATS {
        return None;
    }
    let step = c.o.first_step + i as u64;
    let title = Title::LossExploded {
        loss: v,
        step: step + 1,
    };
    let evidence = vec![ev(MetricId::Loss, None, v, LOSS_EXPLODED_NATS)];
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    if c.init.is_some_and(|s| s >= Severity::Warn) {
        causes.push(cause(CauseId::BadInit, Reason::LossTooHighBeforeUpdate));
        causes.push(cause(
            CauseId::ExplodingGradients,
            Reason::HugeOutputsHugeGradients,
        ));
        causes.extend(step_size_causes(c));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(cause(
            CauseId::ExplodingGradients,
            Reason::OneUpdateThrewWeights,
        ));
        causes.push(cause(CauseId::BadInit, Reason::LargeScaleEasesBlowUp));
    }
    Some(finding(
        SymptomId::LossExploded,
        Severity::Alarm,
        title,
        evidence,
        causes,
        EXP_STEP_DOWN,
    ))
}

pub(crate) fn rule_init_loss(c: &Ctx) -> Option<Finding> {
    let sev = c.init?;
    let l0 = c.o.initial_loss? as f64;
    let lnk = (c.k as f64).ln();
    let h = c.prior_entropy;
    let threshold = match sev {
        Severity::Info => INIT_LOSS_NOTE_FACTOR * h,
        Severity::Warn => INIT_LOSS_WARN_FACTOR * lnk,
        Severity::Alarm => INIT_LOSS_ALARM_FACTOR * lnk,
    };
    let title = Title::InitLoss {
        severity: sev,
        loss: l0,
        chance: h,
    };
    let mut evidence = vec![ev(MetricId::InitialLoss, None, l0, threshold)];
    evidence.push(ev(MetricId::PriorEntropy, None, h, f64::NAN));
    let mut causes = Vec::new();
    if let Some(ic) = input_cause(c) {
        causes.push(ic);
    }
    causes.push(cause(CauseId::BadInit, Reason::InitScaleSetsLogitSpread));
    causes.push(cause(
        CauseId::BadLayerDesign,
        Reason::ArchitectureScalePropagation,
    ));
    Some(finding(
        SymptomId::InitLoss,
        sev,
        title,
        evidence,
        causes,
        EXP_INIT,
    ))
}

pub(crate) fn rule_input(c: &Ctx) -> Option<Finding> {
    let p = c.input_flag?;
    let i = c.o.input?;
    let (title, evidence) = match p {
        InputProblem::OutOfScale => (
            Title::InputsOutOfScale { input: i },
            vec![
                ev(
                    MetricId::InputMax,
                    None,
                    (i.min.abs().max(i.max.abs())) as f64,
                    INPUT_RANGE,
                ),
                ev(MetricId::InputMean, None, i.mean as f64, STANDARD_MEAN),
                ev(MetricId::InputStd, None, i.std as f64, STANDARD_STD_HIGH),
            ],
        ),
        InputProblem::Tiny => (
            Title::InputsTiny { input: i },
            vec![ev(
                MetricId::InputRms,
                None,
                ((i.mean as f64).powi(2) + (i.std as f64).powi(2)).sqrt(),
                INPUT_RMS_TINY,
            )],
        ),
    };
    Some(finding(
        SymptomId::InputScale,
        Severity::Warn,
        title,
        evidence,
        input_cause(c).into_iter().collect(),
        EXP_STANDARDISE,
    ))
}
