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
    let lr = cause(
        CauseId::LrTooHigh,
        "each step overshoots: the loss, the weights or the update/weight ratio jumped once steps were taken",
    );
    let mom = |why: String| cause(CauseId::MomentumTooHigh, why);
    let betas = |why: String| cause(CauseId::AdamBetas, why);
    match c.coasting {
        Some((i, rho)) if rho > 1.0 => {
            return vec![
                betas(format!(
                    "{} receives no gradient yet its steps grow by {:.1}% per step: Adam does this when β2 < β1², i.e. β1 > √β2 (the step-size denominator forgets faster than the numerator)",
                    c.name(i),
                    (rho - 1.0) * 100.0
                )),
                mom(format!(
                    "a velocity is still carrying {} without gradient",
                    c.name(i)
                )),
                lr,
            ]
        }
        // Without gradient Adam's step m̂/√v̂ changes by β1/√β2 per step (Kingma & Ba 2015): a decay
        // this close to 1 under Adam is β1 close to √β2, the edge of Reddi, Kale & Kumar's γ < 1.
        Some((i, rho)) if rho >= MOMENTUM_HIGH && c.o.optimizer == Some(OptimizerFamily::Adam) => {
            return vec![
                betas(format!(
                    "{} receives no gradient yet its steps shrink by only {:.2}% per step: without gradient Adam's steps change by β1/√β2 per step, so β1 is close to √β2 (β2 close to β1²)",
                    c.name(i),
                    (1.0 - rho) * 100.0
                )),
                lr,
            ]
        }
        Some((i, rho)) if rho >= MOMENTUM_HIGH => {
            return vec![
                mom(format!(
                    "{} receives no gradient yet its steps shrink by only {:.2}% per step: a velocity with momentum ≈ {:.3} keeps carrying the weights",
                    c.name(i),
                    (1.0 - rho) * 100.0,
                    rho
                )),
                betas("Adam also keeps stepping for a while without gradient".into()),
                lr,
            ]
        }
        _ => {}
    }
    if sharp || c.late_blowup() {
        vec![
            betas(if sharp {
                "the loss jumps on single batches, far above the batches before and after: one \
                 oversized step at a time, as Adam takes when its squared-gradient average forgets \
                 much faster than its gradient average (β2 < β1²)"
            } else {
                "the loss had fallen well below chance before one step threw it away: a sudden \
                 oversized step after good progress, as Adam takes when its squared-gradient average \
                 forgets much faster than its gradient average (β2 < β1²)"
            }
            .into()),
            lr,
            mom("momentum can also carry a step too far now and then".into()),
        ]
    } else if zigzag || broad {
        vec![
            mom(if zigzag {
                "the smoothed loss swings up and down repeatedly: the zig-zag of a heavy ball overshooting the valley"
            } else {
                "the loss rises in bumps that span several batches: the weights overshoot smoothly, as a heavy ball with little friction does"
            }
            .into()),
            lr,
            betas("Adam with unbalanced betas can also overshoot".into()),
        ]
    } else {
        vec![
            lr,
            mom("momentum multiplies the effective step by up to 1/(1 − momentum)".into()),
            betas("Adam with β2 < β1² takes sporadic oversized steps".into()),
        ]
    }
}

pub(crate) fn input_cause(c: &Ctx) -> Option<Cause> {
    c.input_flag.map(|p| match p {
        InputProblem::OutOfScale => cause(
            CauseId::InputScale,
            "the inputs are neither in [−1, 1] nor standardised, so every layer starts off the scale its initialiser assumed",
        ),
        InputProblem::Tiny => cause(
            CauseId::InputScale,
            "the inputs are nearly zero, so the first layer gets almost no signal and no gradient",
        ),
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
            "the weights are tiny or zero, so the signal and its gradient shrink to nothing layer after layer"
        } else if huge_start {
            "the initial outputs were far too large, and the first big updates pushed the units off"
        } else {
            "the units were off from the very first step: zero or badly scaled initial weights (or biases)"
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
        "the gradient shrinks at every layer on its way back to the input",
    );
    // A layer's backward factor is Wᵀ·diag(σ′): σ′ ≤ 1/4 (sigmoid) bounds only the activation's share,
    // and larger weights could make up for it; with fan-in-scaled weights they do not (LeCun et al.
    // 1998 §4.4; Glorot & Bengio 2010).
    let design = cause(
        CauseId::BadLayerDesign,
        "at every sigmoid/tanh layer the backward signal is multiplied by the activation's slope (at most 1/4 for a sigmoid, less for tanh once saturated); with ordinarily scaled weights nothing makes up for it, so through a deep stack the gradient shrinks layer after layer",
    );
    let init = cause(
        CauseId::BadInit,
        if tiny {
            "some weights are tiny, which scales the gradient down at every layer"
        } else {
            "an initial scale that is too small shrinks the backward signal at every layer"
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
