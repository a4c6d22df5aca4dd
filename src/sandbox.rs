//! The 2-D sandbox: the lab's own optimizer (`Optimizer::step`, src/optim.rs, the update that trains the CNN) on
//! the quadratic valley f(x, y) = ½(a·x² + b·y²), whose Hessian diag(a, b) has the curvatures a and b as its
//! eigenvalues. On a quadratic each method of the SGD family is a linear recurrence along each axis, so its
//! stability is known in closed form (Goh 2017, "Why Momentum Really Works", Distill). With h = η·λ, the
//! error along an axis follows the roots z of
//!   SGD:       z = 1 − h                                       stable iff h < 2
//!   momentum:  z² − (1 + μ − h)·z + μ = 0                      stable iff h < 2(1 + μ)
//!   Nesterov:  z² − (1 + μ)(1 − h)·z + μ(1 − h) = 0            stable iff h < 2(1 + μ)/(1 + 2μ)
//! (momentum and Nesterov in PyTorch's form, as src/optim.rs runs them: b ← μ·b + g, p ← p − η·b, Nesterov
//! p ← p − η·(g + μ·b); each bound is where a root reaches −1, the Nesterov one is worked out in
//! tests/sandbox.rs beside a run of the recurrence). A negative or complex dominant root overshoots the floor
//! of the valley at every step or swings across it: the path oscillates, and still converges below the bound.
//!
//! Adam has no bound on η·λ: it divides each coordinate's step by P = √v̂ + ε, which shrinks with the gradients.
//! With P frozen, Adam is a heavy ball with rate η·(1 − β1)/P and momentum β1, stable iff
//! η·λ/P < 2(1 + β1)/(1 − β1) (the preconditioned sharpness of Cohen et al. 2022, "Adaptive Gradient Methods at
//! the Edge of Stability", 38 for β1 = 0.9). P is not frozen, so this is a reading, not a verdict: the sandbox
//! gives η·λ/P at the path's last step and judges Adam's path by what it did.

use crate::config::Switch;
use crate::layers::Param;
use crate::optim::{OptKind, OptimSettings, Optimizer, WdKind};

/// Most steps one path may take.
pub const MAX_STEPS: usize = 2000;
/// A coordinate beyond this has left any picture: the path stops there (diverged).
const ESCAPED: f32 = 1e6;

/// What a path does along one axis, or as a whole (the worst of its two axes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Shrinks towards the minimum without crossing it.
    Converges,
    /// Crosses the valley floor again and again, and still converges.
    Oscillates,
    /// Adam only: has not settled on the floor by its last step (observed).
    Unsettled,
    /// Exactly on the bound: the oscillation neither grows nor shrinks.
    Edge,
    /// Grows without bound.
    Diverges,
}

impl Verdict {
    /// The id the page keys its sentences by.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Converges => "converges",
            Verdict::Oscillates => "oscillates",
            Verdict::Unsettled => "unsettled",
            Verdict::Edge => "edge",
            Verdict::Diverges => "diverges",
        }
    }
}

/// One axis of the valley under the optimizer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Axis {
    /// The curvature λ along this axis.
    pub lambda: f32,
    /// η·λ (Adam: η·λ/P with P = √v̂ + ε at the path's last step), to compare with `Outcome::threshold`.
    pub ratio: f64,
    pub verdict: Verdict,
    /// Factor by which the error shrinks (< 1) or grows (> 1) per step in the long run: the largest |root|
    /// of the recurrence. NaN for Adam.
    pub rate: f64,
}

/// A path through the valley and what it means.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The start, then the point after each step; shorter than steps + 1 when the path escaped.
    pub path: Vec<[f32; 2]>,
    /// x (curvature a) and y (curvature b).
    pub axes: [Axis; 2],
    /// The bound on `Axis::ratio`: 2, 2(1 + μ), 2(1 + μ)/(1 + 2μ), or Adam's 2(1 + β1)/(1 − β1).
    pub threshold: f64,
    /// Where swings begin: the smallest η·λ with a negative or complex dominant root (1 for SGD, (1 − √μ)² for
    /// the heavy ball, ((1 − μ)/(1 + μ))² for Nesterov); None for Adam.
    pub onset: Option<f64>,
    /// Adam only: η·λ/P along x and y after each step (the last is `Axis::ratio`); empty for the SGD family.
    pub adam_ratios: Vec<[f32; 2]>,
    /// The worse of the two axes' verdicts.
    pub verdict: Verdict,
    /// The axis that decides it (0: x, 1: y).
    pub axis: usize,
}

/// The bound on η·λ of the optimizer `s` (Adam: on η·λ/P), as in the notes at the top: the engine's one
/// `OptimSettings::stability_threshold`, which the stability meter draws too.
pub fn threshold(s: &OptimSettings) -> f64 {
    s.stability_threshold()
}

/// Where the SGD family starts to swing (`Outcome::onset`): SGD's root 1 − h turns negative at h = 1; the heavy
/// ball's roots turn complex where (1 + μ − h)² < 4μ, from h = (1 − √μ)²; Nesterov's where (1 + μ)²(1 − h) < 4μ,
/// from h = 1 − 4μ/(1 + μ)² = ((1 − μ)/(1 + μ))².
pub fn onset(s: &OptimSettings) -> Option<f64> {
    let mu = s.momentum as f64;
    match s.kind {
        OptKind::Sgd => Some(1.0),
        OptKind::Momentum => Some((1.0 - mu.sqrt()).powi(2)),
        OptKind::Nesterov => Some(((1.0 - mu) / (1.0 + mu)).powi(2)),
        OptKind::Adam => None,
    }
}

/// The closed-form verdict of the SGD family for h = η·λ: diverges above the bound, on the edge at it, else
/// oscillates or converges by the sign of the dominant root; with the long-run rate (largest |root|).
pub fn linear_verdict(kind: OptKind, mu: f64, h: f64, bound: f64) -> (Verdict, f64) {
    let (t, d) = match kind {
        OptKind::Sgd | OptKind::Adam => (1.0 - h, 0.0),
        OptKind::Momentum => (1.0 + mu - h, mu),
        OptKind::Nesterov => ((1.0 + mu) * (1.0 - h), mu * (1.0 - h)),
    };
    // z² − t·z + d = 0
    let disc = t * t - 4.0 * d;
    let (rate, swings) = if disc < 0.0 {
        (d.sqrt(), true)
    } else {
        let r = disc.sqrt();
        let (z1, z2) = ((t + r) / 2.0, (t - r) / 2.0);
        let z = if z1.abs() >= z2.abs() { z1 } else { z2 };
        (z.abs(), z < 0.0)
    };
    // The bound decides, not the computed root: at h = bound the root is −1 only up to rounding.
    let verdict = if h > bound {
        Verdict::Diverges
    } else if h == bound {
        Verdict::Edge
    } else if swings {
        Verdict::Oscillates
    } else {
        Verdict::Converges
    };
    (verdict, rate)
}

/// Adam's verdict on one coordinate, observed from its values along the path: escaped (not finite, or past
/// 1e6), settled (the last quarter of the path within 1/1000 of the start's distance), or not settled yet.
fn observed(values: &[f32], escaped: bool, scale: f32) -> Verdict {
    if escaped {
        return Verdict::Diverges;
    }
    let tail = &values[values.len() - values.len() / 4 - 1..];
    let far = tail.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if far <= 1e-3 * scale {
        Verdict::Converges
    } else {
        Verdict::Unsettled
    }
}

/// `steps` steps (at most MAX_STEPS) of the optimizer `settings` from `start` on the valley with curvatures
/// `a` (along x) and `b` (along y). Weight decay is left out: the valley is the whole loss.
pub fn run(settings: OptimSettings, a: f32, b: f32, start: [f32; 2], steps: usize) -> Outcome {
    let s = OptimSettings {
        weight_decay: 0.0,
        wd_kind: WdKind::L2,
        decay_bias: Switch::Off,
        ..settings
    };
    let mut opt = Optimizer::new(s);
    let mut p = Param::new("sandbox".into(), vec![2], start.to_vec());
    let mut path = vec![start];
    let mut escaped = false;
    let mut adam_ratios = Vec::new();
    for _ in 0..steps.min(MAX_STEPS) {
        p.grad = vec![a * p.value[0], b * p.value[1]];
        opt.step(&mut [&mut p]);
        if let Some(d) = opt.adam_divisor(0) {
            adam_ratios.push([s.lr * a / d[0], s.lr * b / d[1]]);
        }
        let (x, y) = (p.value[0], p.value[1]);
        if !x.is_finite() || !y.is_finite() {
            escaped = true;
            break;
        }
        path.push([x, y]);
        if x.abs() > ESCAPED || y.abs() > ESCAPED {
            escaped = true;
            break;
        }
    }
    let bound = threshold(&s);
    let lr = s.lr as f64;
    // An escaped path diverged along the axis that left the picture; one that became NaN, along both.
    let last = *path.last().expect("the path holds its start");
    let fled =
        |i: usize| escaped && (last[i].abs() > ESCAPED || last.iter().all(|v| v.abs() <= ESCAPED));
    let axis = |i: usize, lambda: f32| {
        if s.kind == OptKind::Adam {
            let values: Vec<f32> = path.iter().map(|q| q[i]).collect();
            Axis {
                lambda,
                ratio: adam_ratios.last().map_or(f64::NAN, |r| r[i] as f64),
                verdict: observed(&values, fled(i), start[0].abs().max(start[1].abs())),
                rate: f64::NAN,
            }
        } else {
            let h = lr * lambda as f64;
            let (verdict, rate) = linear_verdict(s.kind, s.momentum as f64, h, bound);
            Axis {
                lambda,
                ratio: h,
                verdict,
                rate,
            }
        }
    };
    let axes = [axis(0, a), axis(1, b)];
    let worse = if (axes[1].verdict, axes[1].ratio) > (axes[0].verdict, axes[0].ratio) {
        1
    } else {
        0
    };
    Outcome {
        path,
        axes,
        threshold: bound,
        onset: onset(&s),
        adam_ratios,
        verdict: axes[worse].verdict,
        axis: worse,
    }
}
