use super::*;

// ---- the shape of the loss curve ----

fn with_spikes(k: usize, factor: f32) -> Vec<Finding> {
    spikes_at(k, factor, 0.5)
}

fn spikes_at(k: usize, factor: f32, level: f32) -> Vec<Finding> {
    spiky_run(k, factor, level).run()
}

fn spiky_run(k: usize, factor: f32, level: f32) -> Run {
    let spikes: Vec<u64> = (0..k as u64).map(|j| 300 + 60 * j).collect();
    Run::healthy().restep(600, move |i| {
        let base = level * (1.0 + 0.02 * noise(i));
        (
            if spikes.contains(&i) {
                level * factor
            } else {
                base
            },
            0.85,
        )
    })
}

#[test]
fn the_declared_optimizer_rules_out_causes_that_cannot_apply() {
    let ids = |f: OptimizerFamily| {
        causes(
            &spiky_run(4, 10.0, 0.5).optimizer(f).run(),
            SymptomId::LossSpikes,
        )
    };
    // Unknown: every step-size cause, the sharp spikes' signature putting the betas first.
    assert_eq!(
        causes(&with_spikes(4, 10.0), SymptomId::LossSpikes),
        [
            CauseId::AdamBetas,
            CauseId::LrTooHigh,
            CauseId::MomentumTooHigh
        ]
    );
    assert_eq!(
        ids(OptimizerFamily::Adam),
        [CauseId::AdamBetas, CauseId::LrTooHigh]
    );
    assert_eq!(
        ids(OptimizerFamily::Momentum),
        [CauseId::LrTooHigh, CauseId::MomentumTooHigh]
    );
    assert_eq!(
        ids(OptimizerFamily::Nesterov),
        [CauseId::LrTooHigh, CauseId::MomentumTooHigh]
    );
    assert_eq!(ids(OptimizerFamily::Sgd), [CauseId::LrTooHigh]);
    // Stuck at chance with gradients but tiny steps: Adam's ε only under Adam.
    let stuck = |f: Option<OptimizerFamily>| {
        let mut r = Run::healthy().restep(600, at_chance(2.3, 0.1)).resnap(|_| {
            let mut s = OK;
            for x in &mut s {
                x.2 = 5e-5;
            }
            s
        });
        r.o.optimizer = f;
        causes(&r.run(), SymptomId::StuckAtChance)
    };
    assert!(stuck(None).contains(&CauseId::AdamEps));
    assert!(stuck(Some(OptimizerFamily::Adam)).contains(&CauseId::AdamEps));
    assert!(!stuck(Some(OptimizerFamily::Sgd)).contains(&CauseId::AdamEps));
    assert_eq!(stuck(Some(OptimizerFamily::Sgd))[0], CauseId::LrTooLow);
}

#[test]
fn loss_spikes_on_both_sides_of_the_median_rule() {
    assert_eq!(
        sev(&with_spikes(3, 5.0), SymptomId::LossSpikes),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(&with_spikes(2, 5.0), SymptomId::LossSpikes),
        Some(Severity::Info)
    );
    assert_eq!(sev(&with_spikes(0, 5.0), SymptomId::LossSpikes), None);
    // Median 0.3: over 3× the median but less than 1 nat above it (limit 1.3) …
    assert_eq!(sev(&spikes_at(3, 4.0, 0.3), SymptomId::LossSpikes), None);
    assert_eq!(
        sev(&spikes_at(3, 4.5, 0.3), SymptomId::LossSpikes),
        Some(Severity::Warn)
    );
    // … median 2: more than 1 nat above but less than 3× (limit 6).
    assert_eq!(sev(&spikes_at(3, 2.9, 2.0), SymptomId::LossSpikes), None);
    assert_eq!(
        sev(&spikes_at(3, 3.1, 2.0), SymptomId::LossSpikes),
        Some(Severity::Warn)
    );
    // Sharp one-batch spikes on a loss that keeps working: Adam's betas rank first; bumps that
    // span several batches point at momentum.
    let bumps = Run::healthy()
        .restep(600, |i| {
            let bump = [300u64, 360, 420, 480]
                .iter()
                .any(|&b| (b..b + 3).contains(&i));
            (if bump { 2.0 } else { 0.5 } * (1.0 + 0.02 * noise(i)), 0.85)
        })
        .run();
    assert_eq!(sev(&bumps, SymptomId::LossSpikes), Some(Severity::Warn));
    assert_eq!(
        causes(&bumps, SymptomId::LossSpikes)[0],
        CauseId::MomentumTooHigh
    );
    assert_eq!(
        causes(&with_spikes(4, 10.0), SymptomId::LossSpikes)[0],
        CauseId::AdamBetas
    );
    // Batches of 8: one confidently wrong sample adds ~0.6 nats; the floor is 32 / 8 = 4 nats.
    let small = |jump: f32| {
        let mut r = Run::healthy().restep(600, move |i| {
            (
                if i % 97 == 0 {
                    0.1 + jump
                } else {
                    0.1 + 0.01 * noise(i)
                },
                0.97,
            )
        });
        r.o.batch_size = 8;
        r.run()
    };
    assert_eq!(sev(&small(3.5), SymptomId::LossSpikes), None);
    assert_eq!(
        sev(&small(4.5), SymptomId::LossSpikes),
        Some(Severity::Warn)
    );
    // At a low loss one confidently wrong sample is not a spike.
    let f = Run::healthy()
        .restep(600, |i| (if i % 97 == 0 { 0.9 } else { 0.05 }, 0.98))
        .run();
    assert_eq!(sev(&f, SymptomId::LossSpikes), None);
}

fn zigzag(low: f32, high: f32, period: u64) -> Vec<Finding> {
    Run::healthy()
        .restep(600, move |i| {
            let up = (i / (period / 2)) % 2 == 1;
            (if up { high } else { low } + 0.02 * noise(i), 0.6)
        })
        .epochs(&[])
        .run()
}

#[test]
fn oscillation_on_both_sides_of_the_swing() {
    assert_eq!(
        sev(&zigzag(1.0, 1.6, 80), SymptomId::LossOscillation),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&zigzag(1.0, 1.4, 80), SymptomId::LossOscillation), None);
    // At a low level the 0.5-nat floor applies: 0.1 -> 0.55 is +450% but only 0.45 nats.
    assert_eq!(
        sev(&zigzag(0.1, 0.55, 80), SymptomId::LossOscillation),
        None
    );
    assert_eq!(
        sev(&zigzag(0.1, 0.65, 80), SymptomId::LossOscillation),
        Some(Severity::Warn)
    );
    // Heavy batch noise alone (σ ≈ 0.35 nats, as with noisy labels or tiny batches) is not a
    // zig-zag, though its smoothed curve wanders by more than the 0.5-nat floor …
    let noisy = |amp: f32| {
        Run::healthy()
            .restep(1000, move |i| {
                let up = (i / 40) % 2 == 1;
                (if up { 1.5 + amp } else { 1.5 } + 0.6 * noise(i), 0.6)
            })
            .epochs(&[])
            .run()
    };
    assert!(
        reversals(
            &median_filter(
                &Run::healthy()
                    .restep(1000, |i| (1.5 + 0.6 * noise(i), 0.6))
                    .o
                    .step_loss,
                OSC_FILTER
            ),
            OSC_ABS_NATS
        ) >= OSC_REVERSALS
    );
    assert_eq!(sev(&noisy(0.0), SymptomId::LossOscillation), None);
    // … while a zig-zag standing out of that noise is.
    assert_eq!(
        sev(&noisy(1.6), SymptomId::LossOscillation),
        Some(Severity::Warn)
    );
    // A zig-zag points at momentum first; spikes did not.
    assert_eq!(
        causes(&zigzag(1.0, 1.6, 80), SymptomId::LossOscillation)[0],
        CauseId::MomentumTooHigh
    );
    // One-batch spikes do not move a running median of 9: no oscillation.
    assert_eq!(sev(&with_spikes(8, 5.0), SymptomId::LossOscillation), None);
}

#[test]
fn rising_training_loss_over_epochs_and_steps() {
    let e = |l: [f32; 4]| {
        Run::healthy()
            .epochs(&[
                (l[0], 0.9, 0.3, 0.9),
                (l[1], 0.9, 0.3, 0.9),
                (l[2], 0.9, 0.3, 0.9),
                (l[3], 0.9, 0.3, 0.9),
            ])
            .run()
    };
    assert_eq!(
        sev(&e([0.5, 0.3, 0.35, 0.4]), SymptomId::LossRising),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&e([0.5, 0.3, 0.35, 0.34]), SymptomId::LossRising), None);
    let s = |to: f32| {
        Run::healthy()
            .restep(500, move |i| {
                (if i < 400 { 0.5 } else { to } + 0.01 * noise(i), 0.85)
            })
            .epochs(&[])
            .run()
    };
    assert_eq!(sev(&s(0.8), SymptomId::LossRising), Some(Severity::Warn));
    assert_eq!(sev(&s(0.7), SymptomId::LossRising), None);
}

#[test]
fn slow_progress_on_both_sides_of_the_satisfied_accuracy() {
    let run = |va: f32, n: usize| {
        let e = vec![(1.5, 0.5, 1.4, va); n];
        Run::healthy()
            .restep(300 * n as u64, |i| (1.4 + 0.05 * noise(i), 0.5))
            .epochs(&e)
            .confusion_diag(va as f64)
            .probe(256, va as f64, 0.0)
            .run()
    };
    assert_eq!(
        sev(&run(0.59, 2), SymptomId::SlowProgress),
        Some(Severity::Warn)
    );
    assert!(get(&run(0.59, 2), SymptomId::SlowProgress)
        .unwrap()
        .title
        .contains("only 59%"));
    // Between AUTOTRAINER's 60% and a linear classifier's 92%: still too slow for this task.
    assert_eq!(
        sev(&run(0.61, 2), SymptomId::SlowProgress),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(&run(0.919, 2), SymptomId::SlowProgress),
        Some(Severity::Warn)
    );
    // The bar's words carry its value (LINEAR_ACC) and say which linear model reaches it, on what.
    let linear = get(&run(0.91, 2), SymptomId::SlowProgress)
        .unwrap()
        .title
        .clone();
    assert!(
        linear.contains("below the ≈92% that a fully trained softmax-regression (linear) classifier reaches on all 60,000 MNIST images"),
        "{linear}"
    );
    assert_eq!(sev(&run(0.921, 2), SymptomId::SlowProgress), None);
    // One evaluated epoch and 300 updates are enough below 60%; the linear-classifier bar waits
    // for the second epoch and 600 updates (a healthy first epoch can end at 91%).
    assert_eq!(
        sev(&run(0.59, 1), SymptomId::SlowProgress),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&run(0.61, 1), SymptomId::SlowProgress), None);
    let short = Run::healthy()
        .restep(599, |i| (1.4 + 0.05 * noise(i), 0.5))
        .epochs(&[(1.5, 0.5, 1.4, 0.8); 2])
        .confusion_diag(0.8)
        .run();
    assert_eq!(sev(&short, SymptomId::SlowProgress), None);
    // Steps below the healthy update/weight ratio put the step size first.
    let small = Run::healthy()
        .restep(400, |i| (1.4 + 0.05 * noise(i), 0.5))
        .epochs(&[(1.5, 0.5, 1.4, 0.5)])
        .confusion_diag(0.5)
        .resnap(|_| {
            let mut s = OK;
            for l in &mut s {
                l.2 = 2e-4;
            }
            s
        })
        .run();
    assert_eq!(
        &causes(&small, SymptomId::SlowProgress)[..2],
        &[CauseId::LrTooLow, CauseId::AdamEps]
    );
    // Two epochs of a tiny training set are too few updates to judge.
    let few = |n: u64| {
        Run::healthy()
            .restep(n, |i| (1.4 + 0.05 * noise(i), 0.5))
            .epochs(&[(1.5, 0.5, 1.4, 0.5), (1.5, 0.5, 1.4, 0.5)])
            .confusion_diag(0.5)
            .run()
    };
    assert_eq!(sev(&few(299), SymptomId::SlowProgress), None);
    assert_eq!(
        sev(&few(300), SymptomId::SlowProgress),
        Some(Severity::Warn)
    );
    // Normal steps: data signals rank before the network.
    let f = Run::healthy()
        .restep(400, |i| (1.4 + 0.05 * noise(i), 0.5))
        .epochs(&[(1.5, 0.5, 1.4, 0.55), (1.5, 0.5, 1.4, 0.55)])
        .confusion_diag(0.55)
        .probe(256, 0.5, 0.2)
        .run();
    assert_eq!(causes(&f, SymptomId::SlowProgress)[0], CauseId::LabelNoise);
    assert_eq!(
        causes(&run(0.5, 2), SymptomId::SlowProgress)[0],
        CauseId::BadLayerDesign
    );
}

#[test]
fn confused_pairs_on_both_sides_of_the_lookalike_thresholds() {
    // `x` called `y` `a` of the time and `y` called `x` `b`, out of 1000 each; the rest right.
    let pair_of = |x: usize, y: usize, a: u32, b: u32| {
        let mut m: Vec<Vec<u32>> = (0..10)
            .map(|c| (0..10).map(|j| if j == c { 1000 } else { 0 }).collect())
            .collect();
        m[x][x] -= a;
        m[x][y] = a;
        m[y][y] -= b;
        m[y][x] = b;
        Run::healthy().confusion(m)
    };
    let pair = |a: u32, b: u32| pair_of(6, 9, a, b);
    assert_eq!(
        sev(&pair(100, 50).run(), SymptomId::ConfusedPairs),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&pair(100, 49).run(), SymptomId::ConfusedPairs), None);
    assert_eq!(sev(&pair(99, 60).run(), SymptomId::ConfusedPairs), None);
    // A net that is poor everywhere: the same pair rates are only a small share of the errors.
    let mut poor = pair(100, 60);
    for (c, row) in poor.o.confusion.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            if j != c && !((c, j) == (6, 9) || (c, j) == (9, 6)) {
                *v = 40;
            }
        }
        let off: u32 = row
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != c)
            .map(|(_, v)| v)
            .sum();
        row[c] = 1000 - off;
    }
    assert_eq!(sev(&poor.run(), SymptomId::ConfusedPairs), None);
    let f = pair(140, 110).run();
    assert!(get(&f, SymptomId::ConfusedPairs)
        .unwrap()
        .title
        .contains("6 and 9"));
    // A network below 60% validation accuracy confuses everything: no particular pair.
    let poor_net = pair(140, 110).epochs(&[(1.5, 0.5, 1.4, 0.59)]).run();
    assert_eq!(sev(&poor_net, SymptomId::ConfusedPairs), None);
    // 6↔9, the pair a 180° rotation makes: a transformation first, swapped labels second.
    assert_eq!(
        &causes(&f, SymptomId::ConfusedPairs)[..2],
        &[CauseId::HarmfulAugmentation, CauseId::LabelNoise]
    );
    // 4↔9 without evidence of augmentation (the training batches as accurate as the clean probe):
    // look-alike digits still being learned first, with their own experiment. The clean probe does
    // not contradict the labels either, which counts against label noise: augmentation second.
    let natural = pair_of(4, 9, 140, 110).run();
    let g = get(&natural, SymptomId::ConfusedPairs).unwrap();
    assert_eq!(
        causes(&natural, SymptomId::ConfusedPairs),
        [
            CauseId::NaturalLookalikes,
            CauseId::HarmfulAugmentation,
            CauseId::LabelNoise,
            CauseId::BadLayerDesign
        ]
    );
    assert!(g.experiment.contains("pinned baseline"), "{g:#?}");
    // Without a probe nothing speaks against the labels: they stay second.
    let mut no_probe = pair_of(4, 9, 140, 110);
    no_probe.o.samples.clear();
    assert_eq!(
        causes(&no_probe.run(), SymptomId::ConfusedPairs)[1],
        CauseId::LabelNoise
    );
    // 2↔5, the pair a mirror makes: augmentation first.
    assert_eq!(
        causes(&pair_of(2, 5, 140, 110).run(), SymptomId::ConfusedPairs)[0],
        CauseId::HarmfulAugmentation
    );
    // The same 4↔9 with the training batches at 92% and the clean probe 5.3 points above them is
    // augmentation's signature; 4.5 points is not.
    let harder = |probe: f64| {
        let f = pair_of(4, 9, 140, 110)
            .restep(600, |i| (0.1 + 0.01 * noise(i), 0.92))
            .probe(256, probe, 0.0)
            .run();
        let p = get(&f, SymptomId::ConfusedPairs).unwrap().clone();
        let gap = p
            .evidence
            .iter()
            .find(|e| e.metric == MetricId::ProbeMinusTrainAcc)
            .unwrap()
            .value;
        (p.causes[0].id, gap)
    };
    let (first, gap) = harder(0.972);
    assert_eq!(first, CauseId::HarmfulAugmentation, "gap {gap}");
    assert!((0.05..0.055).contains(&gap), "{gap}");
    let (first, gap) = harder(0.966);
    assert_eq!(first, CauseId::NaturalLookalikes, "gap {gap}");
    assert!((0.04..0.05).contains(&gap), "{gap}");
    // The probe contradicting the labels as much as the training batches do: labels first.
    let noisy = pair(140, 110)
        .restep(600, |i| (1.2 + 0.01 * noise(i), 0.6))
        .epochs(&[(1.2, 0.6, 0.4, 0.9); 3])
        .probe(256, 0.62, 0.3)
        .run();
    assert_eq!(
        causes(&noisy, SymptomId::ConfusedPairs)[0],
        CauseId::LabelNoise
    );
}

#[test]
fn slow_progress_comes_after_the_finding_that_says_why() {
    let f = gap_run(0.55, 0.88, 1.2, 0.4).probe(256, 0.6, 0.3).run();
    let at = |sym| f.iter().position(|g| g.symptom == sym);
    assert!(
        at(SymptomId::SlowProgress).is_some() && at(SymptomId::NoisyLabels).is_some(),
        "{f:#?}"
    );
    assert!(at(SymptomId::NoisyLabels) < at(SymptomId::SlowProgress));
}

#[test]
fn a_loss_still_falling_near_chance_is_not_stuck() {
    let stuck = |r: Run| sev(&r.epochs(&[]).run(), SymptomId::StuckAtChance);
    // Flat at chance with batch noise: stuck.
    assert_eq!(
        stuck(Run::healthy().restep(300, at_chance(2.30, 0.1))),
        Some(Severity::Alarm)
    );
    // Falling by 0.05 nats over the last 50 steps, through the chance band, with the same noise: it is
    // leaving chance, not stuck, although its last 50 steps average above 0.9 × ln 10.
    let falling = Run::healthy().restep(300, |i| (2.6 - 0.001 * i as f32 + 0.02 * noise(i), 0.1));
    assert_eq!(stuck(falling), None);
}

#[test]
fn slow_progress_with_batches_that_still_jump_names_the_rate_before_the_network() {
    // A noisy plateau at 91%: normal steps, but a few batches jump far above the running loss. The
    // rate comes before the network's design; without the jumps the design stays first.
    let run = |jumps: bool| {
        Run::healthy()
            .restep(600, move |i| {
                let spike = jumps && i % 150 == 75;
                (if spike { 2.5 } else { 0.3 + 0.02 * noise(i) }, 0.9)
            })
            .epochs(&[(0.35, 0.9, 0.3, 0.91); 2])
            .confusion_diag(0.91)
            .probe(256, 0.91, 0.0)
            .run()
    };
    let first = |f: &[Finding]| causes(f, SymptomId::SlowProgress).first().copied();
    assert_eq!(
        first(&run(true)),
        Some(CauseId::LrTooHigh),
        "{:#?}",
        run(true)
    );
    assert_eq!(
        first(&run(false)),
        Some(CauseId::BadLayerDesign),
        "{:#?}",
        run(false)
    );
}
