use super::*;

// ---- gradients ----

fn with_grads(g1: f32, g3: f32) -> Vec<Finding> {
    Run::healthy()
        .resnap(move |_| {
            let mut s = OK;
            s[0].0 = g1;
            s[2].0 = g3;
            s
        })
        .run()
}

#[test]
fn vanishing_gradients_need_both_autotrainer_conditions() {
    // ratio 0.9e-3 and first 0.9e-4: vanishing.
    assert_eq!(
        sev(&with_grads(0.9e-4, 0.1), SymptomId::GradientsVanish),
        Some(Severity::Warn)
    );
    // ratio 1.1e-3: not.
    assert_eq!(
        sev(
            &with_grads(0.9e-4, 0.9e-4 / 1.1e-3),
            SymptomId::GradientsVanish
        ),
        None
    );
    // first 1.1e-4 with a tiny ratio: not.
    assert_eq!(
        sev(&with_grads(1.1e-4, 10.0), SymptomId::GradientsVanish),
        None
    );
    // ReLU network: the initial scale ranks above the architecture.
    let f = with_grads(1e-5, 1.0);
    assert_eq!(
        causes(&f, SymptomId::GradientsVanish)[0],
        CauseId::VanishingGradients
    );
    assert!(causes(&f, SymptomId::GradientsVanish)[1] == CauseId::BadInit);
}

/// The gradient ratio reads the weights' norms only: a large output-bias gradient (in the full norm)
/// neither hides a vanishing first layer nor makes one.
#[test]
fn vanishing_gradients_read_the_kernels_not_the_biases() {
    let with = |first_kernel: f32, last_full: f32| {
        let mut r = Run::healthy().resnap(move |_| {
            let mut s = OK;
            s[0].0 = 1e-3;
            s
        });
        for snap in r.o.layer_history.iter_mut().skip(1) {
            snap.stats[0].kernel_grad_norm = first_kernel;
            snap.stats[2].grad_norm = last_full;
        }
        sev(&r.run(), SymptomId::GradientsVanish)
    };
    // kernels 0.9e-4 against 1.2 (ratio 7.5e-5), whatever the layers' full norms: vanishing.
    assert_eq!(with(0.9e-4, 1.2), Some(Severity::Warn));
    // the full first-layer norm 1e-3 (its bias) does not hide it either
    assert_eq!(with(0.9e-4, 1e4), Some(Severity::Warn));
    // kernels 1e-3 against 1.2 (the first layer's weights learn), a huge output bias gradient: not.
    assert_eq!(with(1e-3, 1e4), None);
}

#[test]
fn the_snapshot_at_step_0_does_not_vote_once_later_ones_exist() {
    // A short run: step 0 and one later snapshot. The later one decides.
    let f = Run::blank(ActKind::Saturating)
        .steps(94, at_chance(2.37, 0.1))
        .snaps(0, 94, |s| {
            let mut x = OK;
            x[0].0 = if s == 0 { 1.9e-4 } else { 6e-5 };
            x
        })
        .run();
    assert_eq!(
        sev(&f, SymptomId::GradientsVanish),
        Some(Severity::Warn),
        "{f:#?}"
    );
}

#[test]
fn one_odd_snapshot_does_not_raise_a_gradient_finding() {
    let f = Run::healthy()
        .resnap(|s| {
            let mut x = OK;
            if s == 550 {
                x[0].0 = 1e-6;
            }
            x
        })
        .run();
    assert_eq!(sev(&f, SymptomId::GradientsVanish), None);
}

#[test]
fn exploding_gradient_ratio_on_both_sides_of_70() {
    assert_eq!(
        sev(&with_grads(71.0, 1.0), SymptomId::GradientsExplode),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(&with_grads(69.0, 1.0), SymptomId::GradientsExplode),
        None
    );
    assert_eq!(
        causes(&with_grads(71.0, 1.0), SymptomId::GradientsExplode)[0],
        CauseId::ExplodingGradients
    );
    // Already at step 0: the initialisation ranks second, before the step size.
    let f = Run::healthy()
        .resnap_all(|_| {
            let mut s = OK;
            s[0].0 = 100.0;
            s
        })
        .run();
    assert_eq!(
        &causes(&f, SymptomId::GradientsExplode)[..2],
        &[CauseId::ExplodingGradients, CauseId::BadInit]
    );
}

#[test]
fn a_loss_of_1000_nats_is_an_explosion() {
    let run = |peak: f32| Run::healthy().steps(1, move |_| (peak, 0.1)).run();
    assert_eq!(
        sev(&run(1001.0), SymptomId::LossExploded),
        Some(Severity::Alarm)
    );
    assert_eq!(sev(&run(999.0), SymptomId::LossExploded), None);
    // After hundreds of good steps, one sudden blow-up: Adam's occasional huge step ranks
    // first, the step size second.
    assert_eq!(
        &causes(&run(1001.0), SymptomId::LossExploded)[..2],
        &[CauseId::AdamBetas, CauseId::LrTooHigh]
    );
    // A blow-up within the first steps is the step size's.
    let early = Run::healthy()
        .restep(3, |i| (if i == 2 { 1500.0 } else { 2.3 }, 0.1))
        .epochs(&[])
        .run();
    assert_eq!(
        causes(&early, SymptomId::LossExploded)[0],
        CauseId::LrTooHigh
    );
    // An initial loss that large is the initialisation's (and its later steps share the origin).
    let f = Run::healthy()
        .restep(200, |i| (if i < 5 { 5000.0 } else { 2.3 }, 0.1))
        .run();
    assert_eq!(sev(&f, SymptomId::InitLoss), Some(Severity::Alarm));
    assert_eq!(causes(&f, SymptomId::LossExploded)[0], CauseId::BadInit);
}

#[test]
fn divergence_names_the_layer_and_pass() {
    let mut r = Run::healthy();
    r.o.record_non_finite(NonFinite {
        step: 420,
        layer: Some("conv2".into()),
        pass: Some(Pass::Backward),
    });
    let f = r.run();
    let d = get(&f, SymptomId::Diverged).expect("diverged");
    assert_eq!(d.severity, Severity::Alarm);
    assert!(
        d.title.contains("conv2") && d.title.contains("backward"),
        "{}",
        d.title
    );
    assert_eq!(d.evidence[0].layer.as_deref(), Some("conv2"));
    assert_eq!(
        &causes(&f, SymptomId::Diverged)[..2],
        &[CauseId::ExplodingGradients, CauseId::LrTooHigh]
    );
    // At step 0 no update has acted yet.
    let mut r = Run::healthy();
    r.o.record_non_finite(NonFinite {
        step: 0,
        layer: Some("conv1".into()),
        pass: Some(Pass::Forward),
    });
    assert_eq!(causes(&r.run(), SymptomId::Diverged)[0], CauseId::BadInit);
    // A NaN loss in the series without a record is found too; a finite run is not diverged.
    let f = Run::healthy().steps(1, |_| (f32::NAN, f32::NAN)).run();
    assert_eq!(sev(&f, SymptomId::Diverged), Some(Severity::Alarm));
    assert_eq!(sev(&Run::healthy().run(), SymptomId::Diverged), None);
}

// ---- dead and saturated units ----

fn dead_in_conv2(d: f32, samples: usize) -> Run {
    let mut r = Run::healthy().resnap(move |_| {
        let mut s = OK;
        s[1].3 = d;
        s
    });
    for s in &mut r.o.layer_history[1..] {
        s.samples = samples;
    }
    r
}

/// The same with the second layer a hidden dense layer.
fn dead_in_hidden(d: f32, samples: usize) -> Run {
    let mut r = dead_in_conv2(d, samples);
    r.o.layers[1].role = LayerRole::Dense;
    r
}

#[test]
fn dying_relu_on_both_sides_of_half_a_layer() {
    let s = |r: Run| sev(&r.run(), SymptomId::DeadRelu);
    // A net that is not learning: its recent batches are 30% right.
    let stalled = |r: Run| r.restep(600, |i| (1.9 + 0.01 * noise(i), 0.3));
    assert_eq!(s(stalled(dead_in_hidden(0.51, 32))), Some(Severity::Warn));
    assert_eq!(s(stalled(dead_in_hidden(0.49, 32))), None);
    assert_eq!(s(stalled(dead_in_hidden(0.89, 32))), Some(Severity::Warn));
    assert_eq!(s(stalled(dead_in_hidden(0.91, 32))), Some(Severity::Alarm));
    // Dead channels, not positions: a convolution is read like a dense layer.
    assert_eq!(s(stalled(dead_in_conv2(0.44, 32))), None);
    assert_eq!(s(stalled(dead_in_conv2(0.51, 32))), Some(Severity::Warn));
    assert_eq!(s(stalled(dead_in_conv2(0.89, 32))), Some(Severity::Warn));
    assert_eq!(s(stalled(dead_in_conv2(0.91, 32))), Some(Severity::Alarm));
    let at_chance = dead_in_conv2(0.91, 32).restep(600, |i| (2.3 + 0.01 * noise(i), 0.1));
    assert_eq!(s(at_chance), Some(Severity::Alarm));
    // While the net still learns (recent batches well above SATISFIED_ACC), dead channels short of
    // the Alarm level are a note on lost capacity, not the cause of a loss problem.
    assert_eq!(s(dead_in_conv2(0.6, 32)), Some(Severity::Info));
    assert_eq!(s(dead_in_conv2(0.91, 32)), Some(Severity::Alarm));
    let r = dead_in_conv2(0.6, 32).run();
    let t = &get(&r, SymptomId::DeadRelu).unwrap().title;
    assert!(t.contains("The others still learn"), "{t}");
    // Too few samples for "off for every sample" to mean anything.
    assert_eq!(s(stalled(dead_in_hidden(0.85, 15))), None);
    assert_eq!(s(stalled(dead_in_hidden(0.85, 16))), Some(Severity::Warn));
    // Only ReLU layers can die.
    let mut r = dead_in_hidden(0.9, 32);
    r.o.layers[1].act = Some(ActKind::Saturating);
    assert_eq!(s(r), None);
}

/// Dead hidden layer and first layer without gradient whose update ratio follows `u(step)`.
fn coasting(u: impl Fn(u64) -> f32) -> Vec<Finding> {
    let mut r = Run::healthy().resnap(move |step| {
        [
            (0.0, 120.0, u(step), 0.05, 0.0),
            (0.0, 350.0, u(step), 1.0, 0.0),
            (0.3, 290.0, 3e-3, 0.0, 0.0),
        ]
    });
    r.o.layers[1].role = LayerRole::Dense;
    r.run()
}

#[test]
fn dying_relu_causes_depend_on_when_and_how() {
    // Alive at step 0, dead later: the step size first.
    let f = dead_in_hidden(0.95, 32).run();
    assert_eq!(
        &causes(&f, SymptomId::DeadRelu)[..2],
        &[CauseId::LrTooHigh, CauseId::MomentumTooHigh]
    );
    // Dead already at step 0 (a hidden layer: a conv layer that is mostly off while the net learns
    // is a note about background positions first): the initialisation first.
    let mut r = Run::healthy().resnap_all(|_| {
        let mut s = OK;
        s[1].3 = 0.95;
        s
    });
    r.o.layers[1].role = LayerRole::Dense;
    assert_eq!(causes(&r.run(), SymptomId::DeadRelu)[0], CauseId::BadInit);
    // Dead layers whose weights keep moving without a gradient: the decay of those steps between
    // the last two snapshots (50 steps apart) is the momentum coefficient.
    let decay = |rho: f32| move |step: u64| 1e-2 * rho.powi(step.saturating_sub(500) as i32);
    let f = coasting(decay(0.995));
    assert_eq!(
        &causes(&f, SymptomId::DeadRelu)[..2],
        &[CauseId::MomentumTooHigh, CauseId::AdamBetas],
        "{f:#?}"
    );
    let f = coasting(decay(0.985));
    assert_eq!(
        causes(&f, SymptomId::DeadRelu)[0],
        CauseId::LrTooHigh,
        "momentum below 0.99 is ordinary"
    );
    // Declared, the optimizer decides between the two: under Adam a decay this close to 1 is its
    // β1 near √β2, under momentum the heavy ball's μ, under plain SGD neither.
    let declared = |f: OptimizerFamily, rho: f32| {
        let mut r = Run::healthy().resnap(move |step| {
            let u = 1e-2 * rho.powi(step.saturating_sub(500) as i32);
            [
                (0.0, 120.0, u, 0.05, 0.0),
                (0.0, 350.0, u, 1.0, 0.0),
                (0.3, 290.0, 3e-3, 0.0, 0.0),
            ]
        });
        r.o.layers[1].role = LayerRole::Dense;
        causes(&r.optimizer(f).run(), SymptomId::DeadRelu)
    };
    assert_eq!(
        declared(OptimizerFamily::Adam, 0.995),
        [CauseId::AdamBetas, CauseId::LrTooHigh, CauseId::BadInit]
    );
    assert_eq!(
        &declared(OptimizerFamily::Momentum, 0.995)[..2],
        &[CauseId::MomentumTooHigh, CauseId::LrTooHigh]
    );
    assert_eq!(declared(OptimizerFamily::Sgd, 0.995)[0], CauseId::LrTooHigh);
    assert_eq!(
        &declared(OptimizerFamily::Nesterov, 1.01)[..2],
        &[CauseId::MomentumTooHigh, CauseId::LrTooHigh]
    );
    // Weight decay's drift is not momentum: a dead layer whose steps (ratio 5e-5, constant: "momentum
    // ≈ 1.000") shrink its norm by `align` of the distance they travel.
    let drift = |align: f32| {
        let mut r = Run::healthy().resnap(move |step| {
            let w = |w0: f32| w0 * (1.0 - align * 5e-5f32).powi(step as i32);
            [
                (0.0, w(120.0), 5e-5, 0.05, 0.0),
                (0.0, w(350.0), 5e-5, 1.0, 0.0),
                (0.3, 290.0, 3e-3, 0.0, 0.0),
            ]
        });
        r.o.layers[1].role = LayerRole::Dense;
        causes(&r.run(), SymptomId::DeadRelu)
    };
    // Straight at the origin (SGD or momentum with L2), or Adam's ≈ lr·sign(θ) at ~0.8 of it.
    assert_eq!(drift(1.0)[0], CauseId::LrTooHigh);
    assert_eq!(drift(0.75)[0], CauseId::LrTooHigh);
    // Below `DRIFT_ALIGN` the steps are not the decay's: read as coasting, as before.
    assert_eq!(drift(0.65)[0], CauseId::MomentumTooHigh);
    assert_eq!(drift(0.0)[0], CauseId::MomentumTooHigh);
    // Steps that grow without gradient: Adam with β2 < β1².
    let f = coasting(decay(1.01));
    assert_eq!(
        &causes(&f, SymptomId::DeadRelu)[..2],
        &[CauseId::AdamBetas, CauseId::MomentumTooHigh]
    );
    // Leftover movement below the update-ratio floor is not coasting.
    let f = coasting(|_| 1e-6);
    assert_eq!(causes(&f, SymptomId::DeadRelu)[0], CauseId::LrTooHigh);
}

#[test]
fn saturated_units_on_both_sides_of_half() {
    let run = |s: f32| {
        let mut r = Run::healthy().resnap(move |_| {
            let mut x = OK;
            x[0].4 = s;
            x[0].3 = 0.0;
            x[1].3 = 0.0;
            x
        });
        r.o.layers[0].act = Some(ActKind::Saturating);
        r.o.layers[1].act = Some(ActKind::Saturating);
        r.run()
    };
    assert_eq!(
        sev(&run(0.51), SymptomId::SaturatedUnits),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&run(0.49), SymptomId::SaturatedUnits), None);
    assert_eq!(
        &causes(&run(0.6), SymptomId::SaturatedUnits)[..2],
        &[CauseId::BadInit, CauseId::VanishingGradients]
    );
    // A ReLU layer's saturated fraction is not a finding.
    let f = Run::healthy()
        .resnap(|_| {
            let mut x = OK;
            x[0].4 = 0.9;
            x
        })
        .run();
    assert_eq!(sev(&f, SymptomId::SaturatedUnits), None);
}

// ---- update / weight ratio and weight growth ----

fn with_updates(u: [f32; 3]) -> Vec<Finding> {
    Run::healthy()
        .resnap(move |_| {
            let mut s = OK;
            for i in 0..3 {
                s[i].2 = u[i];
            }
            s
        })
        .run()
}

#[test]
fn update_ratio_on_both_sides_of_each_limit() {
    assert_eq!(
        sev(
            &with_updates([3e-3, 3e-3, 0.11]),
            SymptomId::UpdateRatioHigh
        ),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(
            &with_updates([3e-3, 3e-3, 0.09]),
            SymptomId::UpdateRatioHigh
        ),
        None
    );
    assert_eq!(
        causes(&with_updates([3e-3, 3e-3, 0.2]), SymptomId::UpdateRatioHigh)[0],
        CauseId::LrTooHigh
    );
    // Only the first update measured yet: a note.
    let first = Run::healthy()
        .restep(20, |i| (healthy_loss(i), 0.5))
        .epochs(&[])
        .resnap_all(|_| {
            let mut s = OK;
            s[2].2 = 0.2;
            s
        })
        .run();
    assert_eq!(
        sev(&first, SymptomId::UpdateRatioHigh),
        Some(Severity::Info)
    );
    // Median a decade above 1e-3: a note.
    assert_eq!(
        sev(
            &with_updates([2e-2, 2e-2, 2e-2]),
            SymptomId::UpdateRatioHigh
        ),
        Some(Severity::Info)
    );
    assert_eq!(
        sev(
            &with_updates([9e-3, 9e-3, 9e-3]),
            SymptomId::UpdateRatioHigh
        ),
        None
    );
    // Low side.
    assert_eq!(
        sev(&with_updates([9e-6, 9e-6, 9e-6]), SymptomId::UpdateRatioLow),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(
            &with_updates([1.1e-5, 1.1e-5, 1.1e-5]),
            SymptomId::UpdateRatioLow
        ),
        Some(Severity::Info)
    );
    assert_eq!(
        sev(
            &with_updates([1.1e-4, 1.1e-4, 1.1e-4]),
            SymptomId::UpdateRatioLow
        ),
        None
    );
    assert_eq!(
        causes(&with_updates([5e-6, 5e-6, 5e-6]), SymptomId::UpdateRatioLow),
        vec![CauseId::LrTooLow, CauseId::AdamEps]
    );
}

#[test]
fn update_ratio_ignores_tiny_and_gradient_free_layers() {
    // A near-zero weight norm makes any step look huge: not a step-size finding.
    let f = Run::healthy()
        .resnap(|_| {
            let mut s = OK;
            s[2] = (0.2, 5e-3, 0.9, 0.0, 0.0);
            s
        })
        .run();
    assert_eq!(sev(&f, SymptomId::UpdateRatioHigh), None);
    // Layers without gradient do not move: that is not a small learning rate.
    let f = Run::healthy()
        .resnap(|_| {
            let mut s = OK;
            s[0] = (0.0, 4.0, 0.0, 0.0, 0.0);
            s[1] = (0.0, 6.0, 0.0, 0.0, 0.0);
            s
        })
        .run();
    assert_eq!(sev(&f, SymptomId::UpdateRatioLow), None);
}

#[test]
fn weight_growth_on_both_sides_of_tenfold() {
    let run = |g: f32| {
        Run::healthy()
            .resnap(move |_| {
                let mut s = OK;
                s[1].1 = 6.0 * g;
                s
            })
            .run()
    };
    assert_eq!(
        sev(&run(10.5), SymptomId::WeightsGrowing),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&run(9.5), SymptomId::WeightsGrowing), None);
    // Growth from a tiny start says nothing about the step size.
    let f = Run::healthy()
        .resnap_all(|s| {
            let mut x = OK;
            x[2].1 = if s == 0 { 5e-3 } else { 0.24 };
            x
        })
        .run();
    assert_eq!(sev(&f, SymptomId::WeightsGrowing), None);
}

#[test]
fn a_zero_initialised_output_layer_is_neither_vanishing_nor_growing() {
    // The calibrated start: at step 0 the output layer was zero (‖ΔW‖ = ‖W‖), so nothing reached
    // the convolutions, and it then grows from that one step's size to its working size.
    let first = move |ratio: f32| {
        let mut x = OK;
        x[0].0 = 0.0;
        x[1].0 = 0.0;
        x[2] = (1.0, 0.02, ratio, 0.0, 0.0);
        x
    };
    // At the first diagnosis (step 20) the step-0 snapshot is the only one.
    let early = |ratio: f32| {
        Run::healthy()
            .restep(20, |i| (std::f32::consts::LN_10 - 0.002 * i as f32, 0.1))
            .resnap_all(move |_| first(ratio))
            .run()
    };
    // Its norm from `w0` at step 0 to `w1` later.
    let grown = |ratio: f32, w0: f32, w1: f32| {
        Run::healthy()
            .resnap_all(move |s| {
                let mut x = if s == 0 { first(ratio) } else { OK };
                x[2].1 = if s == 0 { w0 } else { w1 };
                x
            })
            .run()
    };
    let later = |ratio: f32| grown(ratio, 1.5, 40.0);
    assert_eq!(sev(&early(1.0), SymptomId::GradientsVanish), None);
    assert_eq!(sev(&later(1.0), SymptomId::WeightsGrowing), None);
    // A small start (not zero) that grows into a working size is not "growing" either: growth counts
    // from the unit norm a fan-in-scaled initialiser gives at least (0.02 → 0.5 and 0.02 → 9 are not
    // ten times that), and beyond it as usual (0.02 → 11 is).
    let small = 1.0 - 2.0 * FROM_ZERO_TOL as f32;
    assert_eq!(
        sev(&grown(small, 0.02, 0.5), SymptomId::WeightsGrowing),
        None
    );
    assert_eq!(
        sev(&grown(small, 0.02, 9.0), SymptomId::WeightsGrowing),
        None
    );
    assert_eq!(
        sev(&grown(small, 0.02, 11.0), SymptomId::WeightsGrowing),
        Some(Severity::Warn)
    );
    // The same figures from a layer that was not zero (ratio 0.98: ‖W₀‖ ≈ 2% of ‖ΔW‖ or more).
    let not_zero = 1.0 - 2.0 * FROM_ZERO_TOL as f32;
    assert_eq!(
        sev(&early(not_zero), SymptomId::GradientsVanish),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(&later(not_zero), SymptomId::WeightsGrowing),
        Some(Severity::Warn)
    );
}
