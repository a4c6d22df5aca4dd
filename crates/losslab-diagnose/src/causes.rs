//! Cause ranking: which causes a symptom points at, most likely first, and why.

use crate::signals::*;
use crate::thresholds::*;
use crate::*;

/// Causes for "the steps are too large", ordered by the signature that tells them apart.
pub(crate) fn step_size_causes(c: &Ctx) -> Vec<Cause> {
    let spiky = c.spikes.count >= SPIKES_WARN;
    // Two thirds of the spikes decide their kind.
    let sharp = spiky && c.spikes.sharp * 3 >= c.spikes.count * 2;
    let broad = spiky && !sharp;
    let zigzag = c.reversals >= OSC_REVERSALS;
    let lr = cause(CauseId::LrTooHigh, Reason::Overshoots);
    let mom = |why: Reason| cause(CauseId::MomentumTooHigh, why);
    let betas = |why: Reason| cause(CauseId::AdamBetas, why);
    match c.coasting {
        Some((i, rho)) if rho > 1.0 => {
            return vec![
                betas(Reason::AdamStepsGrowWithoutGradient {
                    layer: c.name(i),
                    growth: rho - 1.0,
                }),
                mom(Reason::VelocityCarries { layer: c.name(i) }),
                lr,
            ]
        }
        // Without gradient Adam's step m̂/√v̂ changes by β1/√β2 per step (Kingma & Ba 2015): a decay
        // this close to 1 under Adam is β1 close to √β2, the edge of Reddi, Kale & Kumar's γ < 1.
        Some((i, rho)) if rho >= MOMENTUM_HIGH && c.o.optimizer == Some(OptimizerFamily::Adam) => {
            return vec![
                betas(Reason::AdamStepsBarelyShrink {
                    layer: c.name(i),
                    shrink: 1.0 - rho,
                }),
                lr,
            ]
        }
        Some((i, rho)) if rho >= MOMENTUM_HIGH => {
            return vec![
                mom(Reason::MomentumCoasts {
                    layer: c.name(i),
                    momentum: rho,
                }),
                betas(Reason::AdamAlsoCoasts),
                lr,
            ]
        }
        _ => {}
    }
    if sharp || c.late_blowup() {
        vec![
            betas(if sharp {
                Reason::SingleBatchJumps
            } else {
                Reason::LateBlowUp
            }),
            lr,
            mom(Reason::MomentumCarriesTooFar),
        ]
    } else if zigzag || broad {
        vec![
            mom(if zigzag {
                Reason::HeavyBallZigzag
            } else {
                Reason::HeavyBallBumps
            }),
            lr,
            betas(Reason::UnbalancedBetasOvershoot),
        ]
    } else {
        vec![
            lr,
            mom(Reason::MomentumMultipliesStep),
            betas(Reason::AdamSporadicSteps),
        ]
    }
}

pub(crate) fn input_cause(c: &Ctx) -> Option<Cause> {
    c.input_flag.map(|p| match p {
        InputProblem::OutOfScale => cause(CauseId::InputScale, Reason::InputsOffScale),
        InputProblem::Tiny => cause(CauseId::InputScale, Reason::InputsNearZero),
    })
}

/// Why a layer is dead: born that way (initialisation) or killed by the steps.
pub(crate) fn dead_causes(c: &Ctx, layer: Option<usize>) -> Vec<Cause> {
    let born_dead = c.early.is_some_and(|e| {
        Ctx::no_hidden_gradient(e)
            || layer.is_some_and(|i| c.dead_frac(e, i).is_some_and(|d| d >= DEAD_FRAC))
    });
    let tiny = c.last().is_some_and(|s| {
        layer.map_or(
            Ctx::no_hidden_gradient(s) && (0..s.stats.len()).any(|i| Ctx::tiny_weights(s, i)),
            |i| Ctx::tiny_weights(s, i),
        )
    });
    let huge_start = c.init.is_some_and(|s| s >= Severity::Warn);
    let mut causes = Vec::new();
    causes.extend(input_cause(c));
    let init = cause(
        CauseId::BadInit,
        if tiny {
            Reason::TinyWeightsSignalVanishes
        } else if huge_start {
            Reason::HugeStartPushedUnitsOff
        } else {
            Reason::UnitsOffFromStart
        },
    );
    if born_dead || tiny || huge_start {
        causes.push(init);
        causes.extend(step_size_causes(c));
    } else {
        causes.extend(step_size_causes(c));
        causes.push(init);
    }
    causes
}

pub(crate) fn vanish_causes(c: &Ctx) -> Vec<Cause> {
    let tiny = c
        .last()
        .is_some_and(|s| (0..s.stats.len()).any(|i| Ctx::tiny_weights(s, i)));
    let vg = cause(
        CauseId::VanishingGradients,
        Reason::GradientShrinksBackwards,
    );
    // A layer's backward factor is Wᵀ·diag(σ′): σ′ ≤ 1/4 (sigmoid) bounds only the activation's share,
    // and larger weights could make up for it; with fan-in-scaled weights they do not (LeCun et al.
    // 1998 §4.4; Glorot & Bengio 2010).
    let design = cause(CauseId::BadLayerDesign, Reason::SaturatingStack);
    let init = cause(
        CauseId::BadInit,
        if tiny {
            Reason::TinyWeightsScaleGradientDown
        } else {
            Reason::SmallInitShrinksBackward
        },
    );
    if tiny {
        vec![init, vg, design]
    } else if c.has_saturating() {
        vec![vg, design, init]
    } else {
        vec![vg, init, design]
    }
}
