//! The 2-D sandbox (src/sandbox.rs) against references computed here: the closed form of plain gradient descent,
//! the scalar two-term recurrences of the heavy ball and of Nesterov's method in f64, and the stability bounds
//! 2, 2(1 + μ) and 2(1 + μ)/(1 + 2μ) on both sides.

use losslab::config::Config;
use losslab::optim::{OptKind, OptimSettings};
use losslab::sandbox::{linear_verdict, onset, run, threshold, Verdict};

fn settings(kind: OptKind, lr: f32, mu: f32) -> OptimSettings {
    let mut s = Config::default().optim;
    s.kind = kind;
    s.lr = lr;
    s.momentum = mu;
    s
}

/// x_k along one axis of curvature λ from x_0, by the method's scalar recurrence in f64 (independent of the
/// optimizer's momentum buffer): SGD x_k = (1 − h)^k x_0; heavy ball x_{k+1} = (1 + μ − h)x_k − μx_{k−1};
/// Nesterov x_{k+1} = (1 + μ)(1 − h)x_k − μ(1 − h)x_{k−1}, each with its own first step.
fn reference(kind: OptKind, h: f64, mu: f64, x0: f64, steps: usize) -> Vec<f64> {
    match kind {
        OptKind::Sgd => (0..=steps).map(|k| (1.0 - h).powi(k as i32) * x0).collect(),
        OptKind::Momentum | OptKind::Nesterov => {
            let (t, d, first) = if kind == OptKind::Momentum {
                // b_1 = λx_0, x_1 = x_0 − ηλx_0
                (1.0 + mu - h, mu, (1.0 - h) * x0)
            } else {
                // b_1 = λx_0, x_1 = x_0 − η(λx_0 + μλx_0)
                (
                    (1.0 + mu) * (1.0 - h),
                    mu * (1.0 - h),
                    (1.0 - h * (1.0 + mu)) * x0,
                )
            };
            let mut xs = vec![x0, first];
            while xs.len() <= steps {
                let n = xs.len();
                xs.push(t * xs[n - 1] - d * xs[n - 2]);
            }
            xs.truncate(steps + 1);
            xs
        }
        OptKind::Adam => unreachable!(),
    }
}

#[test]
fn sgd_momentum_and_nesterov_paths_follow_their_recurrences() {
    let (lr, steps) = (0.01f32, 60);
    let (a, b) = (150.0f32, 7.0f32);
    for kind in [OptKind::Sgd, OptKind::Momentum, OptKind::Nesterov] {
        for mu in [0.0f32, 0.5, 0.9] {
            let out = run(settings(kind, lr, mu), a, b, [0.8, -1.0], steps);
            // the path stops once a coordinate passes 1e6 (Nesterov at μ = 0.9 diverges along x: h 1.5 > 1.36)
            let escapes = |lambda: f32| {
                reference(kind, lr as f64 * lambda as f64, mu as f64, 1.0, steps)
                    .iter()
                    .any(|v| v.abs() > 1e6)
            };
            assert_eq!(
                out.path.len() == steps + 1,
                !escapes(a) && !escapes(b),
                "{kind:?} μ={mu}"
            );
            for (axis, lambda, x0) in [(0, a, 0.8f64), (1, b, -1.0f64)] {
                let h = lr as f64 * lambda as f64;
                let want = reference(kind, h, mu as f64, x0, steps);
                let scale = want.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                for (k, (got, want)) in out
                    .path
                    .iter()
                    .map(|p| p[axis] as f64)
                    .zip(&want)
                    .enumerate()
                {
                    assert!(
                        (got - want).abs() <= 2e-5 * scale,
                        "{kind:?} μ={mu} axis {axis} step {k}: {got} vs {want}"
                    );
                }
            }
        }
    }
}

#[test]
fn each_bound_is_where_a_root_of_the_recurrence_reaches_minus_one() {
    // z² − t·z + d at z = −1 is 1 + t + d: zero exactly at the bound.
    for mu in [0.0, 0.3, 0.9, 0.999] {
        for kind in [OptKind::Momentum, OptKind::Nesterov] {
            let t = |h: f64, mu: f64| match kind {
                OptKind::Momentum => 1.0 + mu - h,
                _ => (1.0 + mu) * (1.0 - h),
            };
            let d = |h: f64, mu: f64| match kind {
                OptKind::Momentum => mu,
                _ => mu * (1.0 - h),
            };
            let h = threshold(&settings(kind, 1.0, mu as f32));
            let mu = mu as f32 as f64;
            assert!(
                (1.0 + t(h, mu) + d(h, mu)).abs() < 1e-6,
                "{kind:?} μ={mu}: bound {h}"
            );
        }
    }
    assert_eq!(threshold(&settings(OptKind::Sgd, 1.0, 0.9)), 2.0);
}

#[test]
fn the_verdict_flips_exactly_at_the_bound_and_the_path_agrees() {
    let lr = 0.01f32;
    for (kind, mu) in [
        (OptKind::Sgd, 0.0f32),
        (OptKind::Momentum, 0.5),
        (OptKind::Momentum, 0.9),
        (OptKind::Nesterov, 0.9),
    ] {
        let s = settings(kind, lr, mu);
        let bound = threshold(&s);
        // The closed form, on h itself: just below still converges (with swings), just above diverges.
        for rel in [1e-9, 1e-6] {
            let (below, rate_below) = linear_verdict(kind, mu as f64, bound * (1.0 - rel), bound);
            let (above, rate_above) = linear_verdict(kind, mu as f64, bound * (1.0 + rel), bound);
            assert_eq!(
                below,
                Verdict::Oscillates,
                "{kind:?} μ={mu} at (1 − {rel})·bound"
            );
            assert_eq!(
                above,
                Verdict::Diverges,
                "{kind:?} μ={mu} at (1 + {rel})·bound"
            );
            assert!(
                rate_below < 1.0 && rate_above > 1.0,
                "{rate_below} {rate_above}"
            );
        }
        assert_eq!(
            linear_verdict(kind, mu as f64, bound, bound).0,
            Verdict::Edge
        );
        // Below the onset of swings the path creeps down one side of the valley; above it, it crosses the floor.
        let on = onset(&s).unwrap();
        for (rel, want) in [(0.999, Verdict::Converges), (1.001, Verdict::Oscillates)] {
            let got = linear_verdict(kind, mu as f64, on * rel, bound).0;
            assert_eq!(got, want, "{kind:?} μ={mu} at {rel}× the onset {on}");
        }
        // The lab's optimizer on the valley, 1% either side of the bound along x: the error shrinks or grows.
        for (rel, want) in [(-0.01, Verdict::Oscillates), (0.01, Verdict::Diverges)] {
            let a = (bound * (1.0 + rel) / lr as f64) as f32;
            let out = run(s, a, 1.0, [1.0, 0.0], 4000);
            assert_eq!(
                out.verdict, want,
                "{kind:?} μ={mu} at {rel:+}: {:?}",
                out.axes
            );
            assert_eq!(out.axis, 0);
            let end = out.path.last().unwrap()[0].abs();
            if want == Verdict::Diverges {
                assert!(end > 100.0, "{kind:?} μ={mu}: ends at {end}, yet diverges");
            } else {
                assert!(end < 0.01, "{kind:?} μ={mu}: ends at {end}, yet converges");
            }
        }
    }
}

#[test]
fn a_narrow_valley_reads_along_its_steep_axis() {
    // Heavy ball, lr 0.01, μ 0.9 (the lab's defaults): bound 3.8. λ = 500 along x gives 5 > 3.8 and the path
    // leaves the picture along x, while y (λ = 5, h = 0.05) alone would converge.
    let out = run(
        settings(OptKind::Momentum, 0.01, 0.9),
        500.0,
        5.0,
        [0.5, 1.0],
        200,
    );
    assert_eq!((out.verdict, out.axis), (Verdict::Diverges, 0));
    assert_eq!(out.axes[1].verdict, Verdict::Oscillates);
    assert!(out.path.len() < 201, "the path stops once it has escaped");
    // Plain SGD, h = 0.5 and 0.05: no swings at all.
    let out = run(
        settings(OptKind::Sgd, 0.01, 0.9),
        50.0,
        5.0,
        [0.5, 1.0],
        200,
    );
    assert_eq!(out.verdict, Verdict::Converges);
}

#[test]
fn adam_moves_each_coordinate_by_lr_at_first_and_then_rises_to_its_own_edge() {
    // The lab's Adam: its first step is lr·sign(g) on each coordinate whatever the curvature (Kingma & Ba §2).
    let mut s = settings(OptKind::Adam, 0.01, 0.9);
    s.beta1 = 0.9;
    s.beta2 = 0.999;
    let out = run(s, 200.0, 10.0, [0.5, 1.0], 400);
    let p1 = out.path[1];
    assert!(
        (p1[0] - 0.49).abs() < 1e-5 && (p1[1] - 0.99).abs() < 1e-5,
        "{p1:?}"
    );
    assert_eq!(out.verdict, Verdict::Converges, "{:?}", out.axes);
    assert!(out
        .axes
        .iter()
        .all(|a| a.ratio.is_finite() && a.rate.is_nan()));
    assert!((out.threshold - 38.0).abs() < 1e-4);
    assert_eq!(out.adam_ratios.len(), 400);
    assert_eq!(out.adam_ratios[399][0] as f64, out.axes[0].ratio);
    let short = run(s, 200.0, 10.0, [0.5, 1.0], 100);
    assert_eq!(short.verdict, Verdict::Unsettled, "{:?}", short.axes);
    // With a short memory for v (β2 = 0.9), √v̂ shrinks with the gradients until η·λ/P reaches Adam's own
    // bound 2(1 + β1)/(1 − β1) = 38 and stays near it: the edge of stability of Cohen et al. 2022 (their
    // Figure 1 shows it on neural nets; here on the valley, deterministic).
    s.beta2 = 0.9;
    let out = run(s, 200.0, 10.0, [0.5, 1.0], 2000);
    let top = out.axes.iter().fold(0.0f64, |m, a| m.max(a.ratio));
    eprintln!(
        "Adam β2 0.9 after 2000 steps: η·λ/P {:.1} and {:.1}, edge 38",
        out.axes[0].ratio, out.axes[1].ratio
    );
    assert!(top > 0.8 * 38.0 && top < 1.05 * 38.0, "η·λ/P {top}");
}
