use super::*;

// ---- bugs in the data pipeline or the loss ----

const PIPELINE: [SymptomId; 7] = [
    SymptomId::ValBelowChance,
    SymptomId::LossFloor,
    SymptomId::LossBelowCrossEntropy,
    SymptomId::InputMismatch,
    SymptomId::ValLeak,
    SymptomId::UnshuffledBatches,
    SymptomId::EvalModeGap,
];

/// No pipeline finding, and no finding that names `pipeline_bug`.
fn no_pipeline(f: &[Finding]) -> bool {
    f.iter().all(|x| {
        !PIPELINE.contains(&x.symptom) && x.causes.iter().all(|c| c.id != CauseId::PipelineBug)
    })
}

/// MNIST's test-set class counts (rows of a validation confusion matrix).
const TEST_COUNTS: [u32; 10] = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

/// Every image of true class c called (c + shift) mod 10 with share `share`, the rest spread evenly.
fn shifted_confusion(shift: usize, share: f64) -> Vec<Vec<u32>> {
    (0..10)
        .map(|c| {
            let n = TEST_COUNTS[c] as f64;
            let mapped = (share * n).round() as u32;
            let each = ((n - mapped as f64) / 9.0).floor() as u32;
            (0..10)
                .map(|j| if j == (c + shift) % 10 { mapped } else { each })
                .collect()
        })
        .collect()
}

/// A net that answers `class` for every image.
fn one_answer(class: usize) -> Vec<Vec<u32>> {
    (0..10)
        .map(|c| {
            (0..10)
                .map(|j| if j == class { TEST_COUNTS[c] } else { 0 })
                .collect()
        })
        .collect()
}

/// The fixtures of the other rooms that a pipeline rule must leave alone: label noise,
/// augmentation, little data, at chance, slow progress, a training floor.
fn look_alike_fixtures() -> Vec<(&'static str, Run)> {
    vec![
        ("healthy", Run::healthy()),
        (
            "label noise",
            gap_run(0.54, 0.92, 1.75, 0.85).probe(256, 0.55, 0.19),
        ),
        (
            "augmentation",
            gap_run(0.74, 0.89, 0.74, 0.38).probe(256, 0.90, 0.05),
        ),
        (
            "little data",
            gap_run(1.0, 0.83, 0.003, 0.7).counts(vec![20; 10]),
        ),
        (
            "at chance, one answer",
            Run::healthy()
                .restep(300, at_chance(2.3, 0.1))
                .epochs(&[(2.3, 0.1, 2.3, 0.0892)])
                .confusion(one_answer(5))
                .probe(256, 0.1, 0.0),
        ),
        (
            "at chance, answers at random",
            Run::healthy()
                .restep(300, at_chance(2.3, 0.1))
                .epochs(&[(2.3, 0.1, 2.3, 0.1)])
                .confusion_diag(0.1)
                .probe(256, 0.1, 0.0),
        ),
        (
            "slow",
            Run::healthy()
                .restep(600, |i| (1.4 + 0.05 * noise(i), 0.5))
                .epochs(&[(1.5, 0.5, 1.4, 0.5); 2])
                .confusion_diag(0.5)
                .probe(256, 0.5, 0.0),
        ),
        (
            "training floor",
            Run::healthy()
                .restep(600, |i| {
                    (
                        [0.6, 0.5, 0.475][(i / SPE as u64) as usize] + 0.01 * noise(i),
                        0.85,
                    )
                })
                .epochs(&[
                    (0.6, 0.85, 0.4, 0.87),
                    (0.5, 0.85, 0.4, 0.87),
                    (0.475, 0.85, 0.4, 0.87),
                ])
                .confusion_diag(0.87)
                .probe(256, 0.9, 0.05),
        ),
    ]
}

#[test]
fn pipeline_rules_stay_quiet_on_the_other_rooms_fixtures() {
    for (name, run) in look_alike_fixtures() {
        let f = run.run();
        assert!(no_pipeline(&f), "{name}: {f:#?}");
    }
}

// ---- validation below chance ----

#[test]
fn validation_below_chance_names_the_label_shift() {
    // The net recognises the digits (98% of training batches right); the validation labels are
    // shifted by one, so true class c is called c − 1.
    let run = |m: Vec<Vec<u32>>| gap_run(0.98, 0.004, 0.06, 9.0).confusion(m).run();
    let f = run(shifted_confusion(9, 0.97));
    assert_eq!(sev(&f, SymptomId::ValBelowChance), Some(Severity::Alarm));
    assert_eq!(
        causes(&f, SymptomId::ValBelowChance),
        vec![CauseId::PipelineBug, CauseId::LabelNoise]
    );
    let g = get(&f, SymptomId::ValBelowChance).unwrap();
    let shift = g.evidence.iter().find(|e| e.metric == MetricId::LabelShift);
    assert_eq!(shift.map(|e| e.value), Some(-1.0), "{g:#?}");
    assert!(g.title.contains("d − 1"), "{}", g.title);
    let mapped = g
        .evidence
        .iter()
        .find(|e| e.metric == MetricId::OffDiagonalRows)
        .unwrap();
    assert_eq!(mapped.value, 1.0);
    // The overfitting reading of the same gap ranks the pipeline first, with the label check.
    assert_eq!(causes(&f, SymptomId::Overfitting)[0], CauseId::PipelineBug);
    assert!(get(&f, SymptomId::Overfitting)
        .unwrap()
        .experiment
        .contains("validation images with their labels"));
    // A scrambled mapping (no single shift) is still below chance, without a shift.
    let mut m = shifted_confusion(3, 0.97);
    m.swap(0, 1);
    let f = run(m);
    let g = get(&f, SymptomId::ValBelowChance).unwrap();
    assert!(g.evidence.iter().all(|e| e.metric != MetricId::LabelShift));
}

#[test]
fn validation_below_chance_on_both_sides_of_three_standard_errors() {
    // Rows of 1000, the diagonal d, the rest spread evenly: every column sums to 1000, so an
    // image-blind guess scores 10.0%, with a standard error of 0.3 points over 10 000 images.
    let run = |d: f64| {
        Run::healthy()
            .restep(600, |i| (1.6 + 0.05 * noise(i), 0.45))
            .epochs(&[(1.6, 0.45, 2.4, d as f32); 3])
            .confusion_diag(d)
            .run()
    };
    assert_eq!(
        sev(&run(0.082), SymptomId::ValBelowChance),
        Some(Severity::Alarm)
    );
    assert_eq!(sev(&run(0.1), SymptomId::ValBelowChance), None);
    // 9.27% right (rows of 992, columns even): 2.4 standard errors below, not 3.
    assert_eq!(sev(&run(0.092), SymptomId::ValBelowChance), None);
    // A net answering one class scores that class's share, 8.9% for the 5s of MNIST's test set:
    // below 1/K, but exactly what guessing "5" scores.
    let f = Run::healthy()
        .restep(300, at_chance(2.3, 0.1))
        .epochs(&[(2.3, 0.1, 2.3, 0.0892)])
        .confusion(one_answer(5))
        .run();
    assert_eq!(sev(&f, SymptomId::ValBelowChance), None, "{f:#?}");
}

#[test]
fn validation_below_chance_waits_for_an_epoch_and_ignores_a_diverged_run() {
    let shifted = || gap_run(0.98, 0.004, 0.06, 9.0).confusion(shifted_confusion(1, 0.97));
    assert!(get(&shifted().run(), SymptomId::ValBelowChance).is_some());
    assert_eq!(
        sev(&shifted().epochs(&[]).run(), SymptomId::ValBelowChance),
        None
    );
    let mut diverged = shifted();
    diverged.o.record_non_finite(NonFinite {
        step: 500,
        layer: None,
        pass: None,
    });
    assert_eq!(sev(&diverged.run(), SymptomId::ValBelowChance), None);
}

// ---- a loss that is not cross-entropy ----

/// `n` probe samples, a share `acc` right at loss `right`, the others wrong at 2 nats.
fn probe_at(mut r: Run, n: usize, acc: f64, right: f32) -> Run {
    r = r.probe(n, acc, 0.0);
    for s in r.o.samples.iter_mut() {
        s.loss = if s.predicted == s.label { right } else { 2.0 };
    }
    r
}

/// Training batches `acc` right at a steady batch loss `loss`, the probe as accurate.
fn steady(loss: f32, acc: f32) -> Run {
    Run::healthy()
        .restep(600, move |i| (loss * (1.0 + 0.05 * noise(i)), acc))
        .epochs(&[(loss, acc, loss, acc); 3])
        .confusion_diag(acc as f64)
}

#[test]
fn loss_floor_from_softmax_applied_twice() {
    // Cross-entropy on probabilities: the batch loss sits above ln(1 + 9/e) ≈ 1.46 at 96% accuracy,
    // while the probe's cross-entropy on the logits is 0.13.
    let f = probe_at(steady(1.5, 0.96), 256, 0.96, 0.05).run();
    assert_eq!(
        sev(&f, SymptomId::LossFloor),
        Some(Severity::Warn),
        "{f:#?}"
    );
    assert_eq!(causes(&f, SymptomId::LossFloor), vec![CauseId::PipelineBug]);
    // The median batch loss on both sides of ln 2 (probe cross-entropy 0.13).
    let floor = |l: f32| {
        sev(
            &probe_at(steady(l, 0.96), 256, 0.96, 0.05).run(),
            SymptomId::LossFloor,
        )
    };
    assert_eq!(floor(0.67), None);
    assert_eq!(floor(0.72), Some(Severity::Warn));
    // The probe's cross-entropy on both sides of half the batch loss (1.5): 0.70 and 0.80.
    let probe = |right: f32| {
        sev(
            &probe_at(steady(1.5, 0.96), 256, 0.96, right).run(),
            SymptomId::LossFloor,
        )
    };
    assert_eq!(probe(0.645), Some(Severity::Warn)); // 0.96·0.645 + 0.04·2 = 0.70
    assert_eq!(probe(0.75), None); // 0.80
                                   // Batches under 90% right: label noise or augmentation can hold the loss up.
    assert_eq!(
        sev(
            &probe_at(steady(1.5, 0.88), 256, 0.88, 0.05).run(),
            SymptomId::LossFloor
        ),
        None
    );
    // The clean probe well ahead of the batches is augmentation's signature, not a loss bug.
    assert_eq!(
        sev(
            &probe_at(steady(1.5, 0.92), 256, 0.98, 0.05).run(),
            SymptomId::LossFloor
        ),
        None
    );
    // Without a probe there is nothing to compare with.
    let mut r = steady(1.5, 0.96);
    r.o.samples.clear();
    assert_eq!(sev(&r.run(), SymptomId::LossFloor), None);
    // One blown-up batch among healthy ones does not make a floor.
    let f = Run::healthy().steps(1, |_| (999.0, 0.95)).run();
    assert_eq!(sev(&f, SymptomId::LossFloor), None);
}

#[test]
fn loss_below_what_cross_entropy_can_be() {
    // A squared error on probabilities at 95% accuracy: every wrong answer would cost a
    // cross-entropy at least ln 2, so the mean is at least 0.05·ln 2 = 0.035 (0.031 with f32 slack).
    let f = steady(0.01, 0.95).run();
    assert_eq!(
        sev(&f, SymptomId::LossBelowCrossEntropy),
        Some(Severity::Warn),
        "{f:#?}"
    );
    assert_eq!(
        causes(&f, SymptomId::LossBelowCrossEntropy),
        vec![CauseId::PipelineBug]
    );
    let below = |l: f32| sev(&steady(l, 0.95).run(), SymptomId::LossBelowCrossEntropy);
    assert_eq!(below(0.030), Some(Severity::Warn));
    assert_eq!(below(0.033), None);
    // Balanced class weights can lower a weighted mean by the count ratio: at 4:1 the bound is a
    // quarter.
    let mut counts = vec![1000; 10];
    counts[3] = 250;
    let f = steady(0.02, 0.95).counts(counts).run();
    assert_eq!(sev(&f, SymptomId::LossBelowCrossEntropy), None);
    // An untrained net at chance accuracy whose first loss is 0.9 nats: a cross-entropy starts near
    // ln 10 = 2.30 (at least H in expectation); below H/2 = 1.15 it is something else.
    let start = |l0: f32, acc0: f32| {
        Run::healthy()
            .restep(100, move |i| {
                if i == 0 {
                    (l0, acc0)
                } else {
                    (0.9 + 0.02 * noise(i), 0.3)
                }
            })
            .epochs(&[])
            .run()
    };
    let f = start(0.9, 0.1);
    assert_eq!(
        sev(&f, SymptomId::LossBelowCrossEntropy),
        Some(Severity::Warn),
        "{f:#?}"
    );
    assert!(get(&f, SymptomId::LossBelowCrossEntropy)
        .unwrap()
        .title
        .contains("untrained"));
    assert_eq!(
        sev(&start(1.2, 0.1), SymptomId::LossBelowCrossEntropy),
        None
    );
    // A first batch already well above chance is not an untrained net's.
    assert_eq!(
        sev(&start(0.9, 0.5), SymptomId::LossBelowCrossEntropy),
        None
    );
}

// ---- validation preprocessed differently ----

#[test]
fn input_mismatch_raw_inverted_and_unscaled_validation() {
    let standard = (-0.42, 2.82, 0.0, 1.0);
    let unit = (0.0, 1.0, 0.13, 0.31);
    let run = |val: (f32, f32, f32, f32), probe: (f32, f32, f32, f32)| {
        Run::healthy()
            .val_input(val.0, val.1, val.2, val.3)
            .probe_input(probe.0, probe.1, probe.2, probe.3)
    };
    // Raw 0–255 validation against standardised training; inverted; [0, 1] against standardised.
    for (name, val, probe) in [
        ("raw", (0.0, 255.0, 33.3, 78.6), standard),
        ("inverted", (0.0, 1.0, 0.87, 0.31), unit),
        ("unscaled", unit, standard),
    ] {
        let f = run(val, probe).run();
        assert_eq!(
            sev(&f, SymptomId::InputMismatch),
            Some(Severity::Warn),
            "{name}: {f:#?}"
        );
        assert_eq!(
            causes(&f, SymptomId::InputMismatch),
            vec![CauseId::PipelineBug]
        );
    }
    // With validation accuracy more than 30 points below the training batches' it is an alarm, and
    // the overfitting reading of that gap ranks the pipeline first.
    let alarm = |va: f32| {
        gap_run(0.97, va, 0.1, 3.0)
            .val_input(0.0, 255.0, 33.3, 78.6)
            .probe_input(-0.42, 2.82, 0.0, 1.0)
            .run()
    };
    let f = alarm(0.35);
    assert_eq!(sev(&f, SymptomId::InputMismatch), Some(Severity::Alarm));
    assert_eq!(causes(&f, SymptomId::Overfitting)[0], CauseId::PipelineBug);
    assert_eq!(
        sev(&alarm(0.69), SymptomId::InputMismatch),
        Some(Severity::Warn)
    );
}

#[test]
fn input_mismatch_on_both_sides_of_its_bars() {
    let run = |val: (f32, f32, f32, f32)| {
        Run::healthy()
            .val_input(val.0, val.1, val.2, val.3)
            .probe_input(0.0, 1.0, 0.5, 0.3)
            .run()
    };
    let mismatch = |val| sev(&run(val), SymptomId::InputMismatch).is_some();
    // Means 0.49 and 0.51 standard deviations apart.
    assert!(!mismatch((0.0, 1.0, 0.647, 0.3)));
    assert!(mismatch((0.0, 1.0, 0.653, 0.3)));
    // Spreads within and outside [0.5, 2]×.
    assert!(!mismatch((0.0, 1.0, 0.5, 0.16)));
    assert!(mismatch((0.0, 1.0, 0.5, 0.14)));
    assert!(!mismatch((-1.0, 2.0, 0.5, 0.59)));
    assert!(mismatch((-1.0, 2.0, 0.5, 0.61)));
    // Moments alike, ranges apart.
    assert!(mismatch((1.01, 1.6, 0.6, 0.3)));
    // Digit sets, not preprocessing: a validation chunk of 1s against a probe of 0s, MNIST's two
    // farthest classes (scripts/mnist_pixel_stats.py: means 0.076 and 0.173, spreads 0.244 and 0.348).
    let f = Run::healthy()
        .val_input(0.0, 1.0, 0.076, 0.244)
        .probe_input(0.0, 1.0, 0.173, 0.348)
        .run();
    assert_eq!(sev(&f, SymptomId::InputMismatch), None);
}

// ---- leaked validation images ----

#[test]
fn validation_leak_on_both_sides_of_one_percent() {
    let leak = |found, checked| {
        sev(
            &Run::healthy().duplicates(found, checked).run(),
            SymptomId::ValLeak,
        )
    };
    assert_eq!(leak(0, 10_000), None);
    assert_eq!(leak(100, 10_000), None, "1% exactly");
    assert_eq!(leak(101, 10_000), Some(Severity::Warn));
    // At least five images: four of 100 is too few to say.
    assert_eq!(leak(4, 100), None);
    assert_eq!(leak(5, 100), Some(Severity::Warn));
    assert_eq!(leak(0, 0), None);
    let f = Run::healthy().duplicates(2000, 10_000).run();
    assert_eq!(causes(&f, SymptomId::ValLeak), vec![CauseId::PipelineBug]);
}

// ---- unshuffled batches ----

#[test]
fn unshuffled_batches_against_the_expected_mix() {
    // Batches of 32 from ten balanced classes hold 10·(1 − 0.9³²) ≈ 9.66 digits on average.
    let e = crate::pipeline::expected_classes(&[1000; 10], 10, 32);
    assert!((e - 10.0 * (1.0 - 0.9f64.powi(32))).abs() < 1e-9);
    let run = |k: u8| {
        Run::healthy()
            .steps_with_classes(100, move |i| {
                let l = healthy_loss(i);
                (l, acc_of(l), k)
            })
            .run()
    };
    let f = run(1);
    assert_eq!(
        sev(&f, SymptomId::UnshuffledBatches),
        Some(Severity::Warn),
        "{f:#?}"
    );
    assert_eq!(
        causes(&f, SymptomId::UnshuffledBatches),
        vec![CauseId::PipelineBug]
    );
    // Half of 9.66 is 4.83.
    assert_eq!(
        sev(&run(4), SymptomId::UnshuffledBatches),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&run(5), SymptomId::UnshuffledBatches), None);
    // Counts not measured (0) are skipped: one sorted batch in ten among shuffled ones is not enough,
    // and fewer than 20 measured batches are too few to say.
    let some = Run::healthy()
        .steps_with_classes(100, |i| {
            (healthy_loss(i), 0.9, if i % 10 == 0 { 1 } else { 0 })
        })
        .run();
    assert_eq!(sev(&some, SymptomId::UnshuffledBatches), None);
    let mut few = Run::healthy();
    let n = few.o.step_classes.len();
    few.o.step_classes = (0..n).map(|i| if i + 19 >= n { 1 } else { 0 }).collect();
    assert_eq!(sev(&few.run(), SymptomId::UnshuffledBatches), None);
    few.o.step_classes[n - 20] = 1;
    assert_eq!(
        sev(&few.run(), SymptomId::UnshuffledBatches),
        Some(Severity::Warn)
    );
    let mut small = Run::healthy();
    small.o.batch_size = 4;
    let small = small
        .steps_with_classes(100, |i| (healthy_loss(i), 0.9, 1))
        .run();
    assert_eq!(sev(&small, SymptomId::UnshuffledBatches), None);
    // A long tail of labels expects fewer digits per batch, and random batches from it pass.
    let tail: Vec<u32> = (0..10).map(|c| (1000.0 * 0.6f64.powi(c)) as u32).collect();
    let expected = crate::pipeline::expected_classes(&tail, 10, 32);
    let k = expected.round() as u8;
    let f = Run::healthy()
        .counts(tail)
        .steps_with_classes(100, move |i| (healthy_loss(i), 0.9, k))
        .run();
    assert_eq!(
        sev(&f, SymptomId::UnshuffledBatches),
        None,
        "expected {expected:.2}"
    );
}

#[test]
fn a_loss_that_swings_with_sorted_batches_ranks_the_pipeline_first() {
    // Class-sorted batches: the loss jumps each time the class changes.
    let swinging = || {
        Run::healthy()
            .restep(600, |i| {
                let up = (i / 40) % 2 == 1;
                (if up { 1.6 } else { 1.0 } + 0.02 * noise(i), 0.6)
            })
            .epochs(&[])
    };
    let mut sorted = swinging();
    sorted.o.step_classes = vec![1; sorted.o.step_loss.len()];
    let f = sorted.run();
    assert_eq!(
        causes(&f, SymptomId::LossOscillation)[0],
        CauseId::PipelineBug
    );
    assert!(get(&f, SymptomId::LossOscillation)
        .unwrap()
        .experiment
        .contains("shuffle"));
    // Shuffled batches leave the step-size ranking as it was.
    let f = swinging().run();
    assert_ne!(
        causes(&f, SymptomId::LossOscillation)[0],
        CauseId::PipelineBug
    );
}

#[test]
fn loss_floor_from_the_probe_s_own_losses() {
    // Slow progress at 50%, the probe's losses as the run computes them given beside their
    // cross-entropy: equal (a cross-entropy run) leaves the slow-progress ranking alone; 1.4 nats
    // above on the right answers (a softmax applied twice) is a loss floor, and slow progress then
    // names the wiring first.
    let slow = || {
        Run::healthy()
            .restep(600, |i| (1.4 + 0.05 * noise(i), 0.5))
            .epochs(&[(1.5, 0.5, 1.4, 0.5); 2])
            .confusion_diag(0.5)
            .probe(256, 0.5, 0.0)
    };
    let mut same = slow();
    same.o.probe_trained = same.o.samples.iter().map(|s| s.loss).collect();
    let f = same.run();
    assert!(no_pipeline(&f), "{f:#?}");
    let mut twice = slow();
    twice.o.probe_trained = twice.o.samples.iter().map(|s| s.loss + 1.4).collect();
    let f = twice.run();
    assert_eq!(
        sev(&f, SymptomId::LossFloor),
        Some(Severity::Warn),
        "{f:#?}"
    );
    assert_eq!(causes(&f, SymptomId::LossFloor), vec![CauseId::PipelineBug]);
    assert_eq!(
        causes(&f, SymptomId::SlowProgress).first(),
        Some(&CauseId::PipelineBug),
        "{f:#?}"
    );
    // On both sides of the 0.05-nat gap, and not from a handful of right answers.
    let gap = |g: f32, acc: f64| {
        let mut r = slow().probe(256, acc, 0.0);
        r.o.probe_trained = r.o.samples.iter().map(|s| s.loss + g).collect();
        sev(&r.run(), SymptomId::LossFloor)
    };
    assert_eq!(gap(0.04, 0.5), None);
    assert_eq!(gap(0.06, 0.5), Some(Severity::Warn));
    assert_eq!(gap(1.4, 0.05), None); // 13 right answers
                                      // A probe whose own losses are missing or misaligned says nothing.
    let mut short = slow();
    short.o.probe_trained = vec![3.0; 10];
    assert_eq!(sev(&short.run(), SymptomId::LossFloor), None);
}

// ---- an evaluation mode that computes another function ----

#[test]
fn evaluation_mode_far_worse_than_training_mode_on_both_sides_of_its_bar() {
    // BatchNorm evaluating with statistics never gathered: the batches are 80% right in training
    // mode, the same training images 12% right in evaluation mode, and validation looks like
    // overfitting.
    let run = |probe_acc: f64| probe_at(gap_run(0.8, 0.12, 0.6, 2.5), 256, probe_acc, 0.3).run();
    let f = run(0.12);
    assert_eq!(
        sev(&f, SymptomId::EvalModeGap),
        Some(Severity::Alarm),
        "{f:#?}"
    );
    assert_eq!(
        causes(&f, SymptomId::EvalModeGap),
        vec![CauseId::PipelineBug]
    );
    assert_eq!(
        causes(&f, SymptomId::Overfitting).first(),
        Some(&CauseId::PipelineBug),
        "{f:#?}"
    );
    // Either side of 25 points (138 and 143 of 256 right: gaps of 0.26 and 0.24).
    assert_eq!(
        sev(&run(0.54), SymptomId::EvalModeGap),
        Some(Severity::Alarm)
    );
    assert_eq!(sev(&run(0.56), SymptomId::EvalModeGap), None);
    // Real overfitting: the probe of training images as good as the batches.
    let f = probe_at(gap_run(0.99, 0.7, 0.05, 1.2), 256, 0.99, 0.05).run();
    assert_eq!(sev(&f, SymptomId::EvalModeGap), None, "{f:#?}");
    assert!(no_pipeline(&f), "{f:#?}");
}
