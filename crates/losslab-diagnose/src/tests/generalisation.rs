use super::*;

// ---- generalisation, labels and data ----

#[test]
fn overfitting_gap_on_both_sides() {
    // Above 90% training accuracy the AUTOTRAINER gap is 0.07.
    assert_eq!(
        sev(
            &gap_run(0.99, 0.91, 0.05, 0.4).run(),
            SymptomId::Overfitting
        ),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(
            &gap_run(0.99, 0.93, 0.05, 0.4).run(),
            SymptomId::Overfitting
        ),
        None
    );
    // At or below 90% it is 0.10.
    assert_eq!(
        sev(&gap_run(0.85, 0.76, 0.4, 0.7).run(), SymptomId::Overfitting),
        None
    );
    assert_eq!(
        sev(&gap_run(0.85, 0.74, 0.4, 0.7).run(), SymptomId::Overfitting),
        Some(Severity::Warn)
    );
    let f = gap_run(1.0, 0.83, 0.003, 0.7).counts(vec![20; 10]).run();
    assert_eq!(
        causes(&f, SymptomId::Overfitting),
        vec![
            CauseId::TooLittleData,
            CauseId::LabelNoise,
            CauseId::NoRegularisation
        ]
    );
    // Regularisation and training too long are named, with their own experiment.
    assert!(crate::catalogue::experiment_for(CauseId::NoRegularisation).contains("weight decay"));
    // Confidently contradicted training labels put the labels first.
    let f = gap_run(1.0, 0.83, 0.003, 0.7).probe(256, 0.8, 0.15).run();
    assert_eq!(causes(&f, SymptomId::Overfitting)[0], CauseId::LabelNoise);
    // Heavily skewed labels put the imbalance first.
    let mut counts = vec![1000; 10];
    counts[0] = 50;
    let f = gap_run(0.98, 0.82, 0.07, 0.6).counts(counts).run();
    assert_eq!(
        causes(&f, SymptomId::Overfitting)[0],
        CauseId::ClassImbalance
    );
}

#[test]
fn validation_getting_worse_while_training_improves() {
    let trend = |vl: [f32; 3]| {
        let tl = [0.9f32, 0.8, 0.7];
        Run::healthy()
            .restep(600, move |i| {
                (tl[(i / SPE as u64) as usize] + 0.01 * noise(i), 0.6)
            })
            .epochs(&[
                (0.9, 0.6, vl[0], 0.6),
                (0.8, 0.6, vl[1], 0.6),
                (0.7, 0.6, vl[2], 0.6),
            ])
            .confusion_diag(0.6)
            .run()
    };
    assert_eq!(
        sev(&trend([0.70, 0.75, 0.80]), SymptomId::Overfitting),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(&trend([0.80, 0.75, 0.80]), SymptomId::Overfitting),
        None
    );
    assert_eq!(
        sev(&trend([0.70, 0.705, 0.71]), SymptomId::Overfitting),
        None
    );
}

#[test]
fn validation_loss_past_its_best_while_training_improves() {
    // Five epochs; the training loss falls by `fall` per epoch, validation follows `vl`.
    let run = |vl: [f32; 5], fall: f32| {
        let tl = move |e: usize| 0.9 - fall * e as f32;
        Run::healthy()
            .restep(1000, move |i| {
                (tl((i / SPE as u64) as usize) + 0.01 * noise(i), 0.6)
            })
            .epochs(&[
                (tl(0), 0.6, vl[0], 0.6),
                (tl(1), 0.6, vl[1], 0.6),
                (tl(2), 0.6, vl[2], 0.6),
                (tl(3), 0.6, vl[3], 0.6),
                (tl(4), 0.6, vl[4], 0.6),
            ])
            .confusion_diag(0.6)
            .run()
    };
    // Noisy epoch to epoch (no two worse in a row), but 17% above its best of epoch 2.
    let f = run([0.9, 0.7, 0.8, 0.78, 0.82], 0.1);
    assert_eq!(
        sev(&f, SymptomId::Overfitting),
        Some(Severity::Warn),
        "{f:#?}"
    );
    let o = f
        .iter()
        .find(|g| g.symptom == SymptomId::Overfitting)
        .unwrap();
    assert!(o.title.contains("epoch 2"), "{}", o.title);
    // Lower validation loss is all the rule measured: the title claims no more than that.
    assert!(
        o.title
            .contains("the weights of epoch 2 had a lower validation loss (check accuracy too"),
        "{}",
        o.title
    );
    assert!(!o.title.contains("were better"), "{}", o.title);
    // The same validation with a flat training loss: not a sign of fitting the training set.
    assert_eq!(
        sev(
            &run([0.9, 0.7, 0.8, 0.78, 0.82], 0.0),
            SymptomId::Overfitting
        ),
        None
    );
    // Only one epoch past the best: a bounce, not yet a trend.
    assert_eq!(
        sev(&run([0.9, 0.8, 0.8, 0.7, 0.8], 0.1), SymptomId::Overfitting),
        None
    );
    // A rise of 5% on a tiny validation loss is noise: below GL_MIN_NATS.
    assert_eq!(
        sev(
            &run([0.09, 0.07, 0.08, 0.078, 0.082], 0.01),
            SymptomId::Overfitting
        ),
        None
    );
}

#[test]
fn label_noise_versus_augmentation_when_training_is_harder_than_validation() {
    // Validation 92%, training batches 54%, clean-image probe 55%: the labels are wrong.
    let f = gap_run(0.54, 0.92, 1.75, 0.85).probe(256, 0.55, 0.19).run();
    assert_eq!(
        sev(&f, SymptomId::NoisyLabels),
        Some(Severity::Warn),
        "{f:#?}"
    );
    assert_eq!(causes(&f, SymptomId::NoisyLabels)[0], CauseId::LabelNoise);
    assert_eq!(sev(&f, SymptomId::TrainHarderThanVal), None);
    // Same batches, but the clean-image probe scores 90%: the augmented inputs are the problem.
    let f = gap_run(0.74, 0.89, 0.74, 0.38).probe(256, 0.90, 0.05).run();
    assert_eq!(
        sev(&f, SymptomId::TrainHarderThanVal),
        Some(Severity::Warn),
        "{f:#?}"
    );
    assert_eq!(
        causes(&f, SymptomId::TrainHarderThanVal)[0],
        CauseId::HarmfulAugmentation
    );
    assert_eq!(sev(&f, SymptomId::NoisyLabels), None);
    // Gap on both sides of the threshold (validation above 90%: 0.07).
    assert_eq!(
        sev(
            &gap_run(0.85, 0.93, 0.7, 0.3).probe(256, 0.85, 0.1).run(),
            SymptomId::NoisyLabels
        ),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(
            &gap_run(0.87, 0.93, 0.7, 0.3).probe(256, 0.87, 0.1).run(),
            SymptomId::NoisyLabels
        ),
        None
    );
    // Probe share on both sides of one half.
    let share = |probe_acc: f64| {
        gap_run(0.60, 0.90, 1.2, 0.4)
            .probe(256, probe_acc, 0.0)
            .run()
    };
    assert!(get(&share(0.74), SymptomId::NoisyLabels).is_some());
    assert!(get(&share(0.76), SymptomId::TrainHarderThanVal).is_some());
    // Augmentation needs the gap at two consecutive evaluations (a fast first epoch lags) …
    let once = |probe_acc: f64| -> Run {
        Run::healthy()
            .restep(600, |i| {
                (
                    if i < 400 { 0.3 } else { 1.2 } + 0.01 * noise(i),
                    if i < 400 { 0.91 } else { 0.6 },
                )
            })
            .epochs(&[
                (0.3, 0.91, 0.3, 0.92),
                (0.3, 0.91, 0.3, 0.92),
                (1.2, 0.6, 0.4, 0.9),
            ])
            .probe(256, probe_acc, 0.0)
    };
    let mut lagging = once(0.9);
    lagging.o.samples.clear();
    assert_eq!(sev(&lagging.run(), SymptomId::TrainHarderThanVal), None);
    // … unless the probe shows the same training images, clean and under the evaluated weights,
    // beating the batches by the gap too: then one evaluation is enough.
    assert_eq!(
        sev(&once(0.9).run(), SymptomId::TrainHarderThanVal),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&once(0.69).run(), SymptomId::TrainHarderThanVal), None);
    // … label noise does not: the probe measures the evaluated weights themselves.
    assert_eq!(
        sev(&once(0.6).run(), SymptomId::NoisyLabels),
        Some(Severity::Warn)
    );
    // Without a probe the augmentation is the first guess.
    let mut r = gap_run(0.60, 0.90, 1.2, 0.4);
    r.o.samples.clear();
    assert_eq!(
        causes(&r.run(), SymptomId::TrainHarderThanVal)[0],
        CauseId::HarmfulAugmentation
    );
    // Fewer than PROBE_MIN samples count as no probe.
    let f = gap_run(0.60, 0.90, 1.2, 0.4).probe(99, 0.6, 0.3).run();
    assert!(get(&f, SymptomId::TrainHarderThanVal).is_some());
}

/// 2↔5 confused both ways.
fn two_five(ab: f64, ba: f64, base: f64) -> Vec<Vec<u32>> {
    pair_confusion(2, 5, ab, ba, base)
}

/// A confusion matrix (per mille of each row) whose digits x and y are mixed up both ways.
fn pair_confusion(x: usize, y: usize, ab: f64, ba: f64, base: f64) -> Vec<Vec<u32>> {
    (0..10)
        .map(|c| {
            (0..10)
                .map(|j| {
                    let share = match (c, j) {
                        (a, b) if (a, b) == (x, y) => ab,
                        (a, b) if (a, b) == (y, x) => ba,
                        (a, b) if a == b && a == x => base - ab,
                        (a, b) if a == b && a == y => base - ba,
                        (a, b) if a == b => base,
                        _ => (1.0 - base) / 9.0,
                    };
                    (share * 1000.0).round() as u32
                })
                .collect()
        })
        .collect()
}

#[test]
fn training_floor_and_its_causes() {
    let floor = |l: [f32; 3], acc: f32| {
        Run::healthy()
            .restep(600, move |i| {
                (l[(i / SPE as u64) as usize] + 0.01 * noise(i), acc)
            })
            .epochs(&[
                (l[0], acc, 0.4, 0.87),
                (l[1], acc, 0.4, 0.87),
                (l[2], acc, 0.4, 0.87),
            ])
            .confusion_diag(0.87)
            .probe(256, 0.9, 0.05)
    };
    // 5% drop over the last epoch at 85% training accuracy: a floor.
    assert_eq!(
        sev(
            &floor([0.6, 0.5, 0.475], 0.85).run(),
            SymptomId::TrainingFloor
        ),
        Some(Severity::Warn)
    );
    // 12% drop: still learning.
    assert_eq!(
        sev(
            &floor([0.6, 0.5, 0.44], 0.85).run(),
            SymptomId::TrainingFloor
        ),
        None
    );
    // Above 90% training accuracy the network fits its data.
    assert_eq!(
        sev(
            &floor([0.3, 0.2, 0.19], 0.92).run(),
            SymptomId::TrainingFloor
        ),
        None
    );
    // Look-alike pairs put the augmentation first; a heavily contradicting probe the labels.
    let f = floor([0.6, 0.5, 0.475], 0.85)
        .confusion(two_five(0.15, 0.07, 0.9))
        .run();
    assert_eq!(
        causes(&f, SymptomId::TrainingFloor)[0],
        CauseId::HarmfulAugmentation
    );
    // A pair no flip or rotation makes (4↔9), with the batches no harder than the clean probe: the
    // handwritten look-alikes come first, augmentation only after them.
    let f = floor([0.6, 0.5, 0.475], 0.85)
        .confusion(pair_confusion(4, 9, 0.15, 0.07, 0.9))
        .probe(256, 0.86, 0.05)
        .run();
    let c = causes(&f, SymptomId::TrainingFloor);
    assert_eq!(c[0], CauseId::NaturalLookalikes, "{c:?}");
    assert!(c.contains(&CauseId::HarmfulAugmentation), "{c:?}");
    // The same pair with batches 10 points harder than the same images clean: augmentation first.
    let f = floor([0.6, 0.5, 0.475], 0.85)
        .confusion(pair_confusion(4, 9, 0.15, 0.07, 0.9))
        .probe(256, 0.95, 0.05)
        .run();
    assert_eq!(
        causes(&f, SymptomId::TrainingFloor)[0],
        CauseId::HarmfulAugmentation
    );
    let f = floor([0.9, 0.88, 0.87], 0.55).probe(256, 0.52, 0.38).run();
    assert_eq!(causes(&f, SymptomId::TrainingFloor)[0], CauseId::LabelNoise);
    // Neither: the network itself.
    let f = floor([0.6, 0.5, 0.475], 0.85).run();
    assert_eq!(
        causes(&f, SymptomId::TrainingFloor)[0],
        CauseId::BadLayerDesign
    );
    // A 5% drop is a slowdown, not proof of inability: the title says the fit stopped improving.
    let t = &get(&f, SymptomId::TrainingFloor).unwrap().title;
    assert!(
        t.contains("levelled off at 0.47")
            && t.contains("has stopped improving its fit")
            && !t.contains("cannot"),
        "{t}"
    );
}

#[test]
fn lookalike_pairs_need_both_directions() {
    let run = |ab: f64, ba: f64| {
        Run::healthy()
            .restep(600, move |i| {
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
            .confusion(two_five(ab, ba, 0.9))
            .probe(256, 0.9, 0.05)
            .run()
    };
    assert_eq!(
        causes(&run(0.12, 0.06), SymptomId::TrainingFloor)[0],
        CauseId::HarmfulAugmentation
    );
    let f = run(0.12, 0.06);
    let e = &get(&f, SymptomId::TrainingFloor).unwrap().evidence;
    assert!(e
        .iter()
        .any(|x| x.metric == MetricId::Lookalike && x.layer.as_deref() == Some("2↔5")));
    // One direction below 5%, or neither reaching 10%: not a look-alike pair.
    assert_eq!(
        causes(&run(0.12, 0.04), SymptomId::TrainingFloor)[0],
        CauseId::BadLayerDesign
    );
    assert_eq!(
        causes(&run(0.09, 0.09), SymptomId::TrainingFloor)[0],
        CauseId::BadLayerDesign
    );
}

#[test]
fn imbalance_on_both_sides_of_rarity_and_recall_gap() {
    let run = |rare_count: u32, rare_recall: f64| {
        let mut counts = vec![1000; 10];
        let mut recall = [0.97; 10];
        for c in 0..3 {
            counts[c] = rare_count;
            recall[c] = rare_recall;
        }
        Run::healthy()
            .counts(counts)
            .confusion_recalls(&recall)
            .run()
    };
    // Three classes at 100 (mean 730: rare below 365), recall 20 points lower.
    assert_eq!(
        sev(&run(100, 0.77), SymptomId::ImbalancedRecall),
        Some(Severity::Warn)
    );
    assert_eq!(
        causes(&run(100, 0.77), SymptomId::ImbalancedRecall)[0],
        CauseId::ClassImbalance
    );
    // Gap on both sides of 0.10.
    assert_eq!(
        sev(&run(100, 0.86), SymptomId::ImbalancedRecall),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(&run(100, 0.88), SymptomId::ImbalancedRecall),
        Some(Severity::Info)
    );
    // 10:1 skewed with a small gap: a note; 8:1 with a small gap: nothing.
    assert_eq!(
        sev(&run(100, 0.92), SymptomId::ImbalancedRecall),
        Some(Severity::Info)
    );
    assert_eq!(sev(&run(125, 0.92), SymptomId::ImbalancedRecall), None);
    assert_eq!(
        sev(&run(125, 0.77), SymptomId::ImbalancedRecall),
        Some(Severity::Warn)
    );
    // Rarity on both sides of half the mean count (mean with three classes at n: (7000 + 3n) / 10).
    assert_eq!(
        sev(&run(400, 0.77), SymptomId::ImbalancedRecall),
        Some(Severity::Warn)
    ); // 400 < 410
    assert_eq!(sev(&run(420, 0.77), SymptomId::ImbalancedRecall), None); // 420 > 413
}

#[test]
fn input_scale_on_both_sides() {
    let run = |min, max, mean, std| Run::healthy().input(min, max, mean, std).run();
    // Raw 0–255 pixels.
    assert_eq!(
        sev(&run(0.0, 255.0, 33.0, 78.0), SymptomId::InputScale),
        Some(Severity::Warn)
    );
    // Standardised MNIST goes past 1 but is fine; so are [0, 1] and [−1, 1].
    assert_eq!(
        sev(&run(-0.42, 2.82, 0.0, 1.0), SymptomId::InputScale),
        None
    );
    assert_eq!(sev(&run(0.0, 1.0, 0.13, 0.31), SymptomId::InputScale), None);
    assert_eq!(sev(&run(-1.0, 1.0, -0.7, 0.6), SymptomId::InputScale), None);
    // Outside [−1, 1] with the mean off by more than one unit, or a std off by more than 2×.
    assert_eq!(
        sev(&run(4.0, 7.0, 5.1, 1.0), SymptomId::InputScale),
        Some(Severity::Warn)
    );
    assert_eq!(
        sev(&run(-3.0, 3.0, 0.0, 2.1), SymptomId::InputScale),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&run(-3.0, 3.0, 0.0, 1.9), SymptomId::InputScale), None);
    // Nearly zero inputs.
    assert_eq!(
        sev(&run(0.0, 1e-3, 1e-4, 3e-4), SymptomId::InputScale),
        Some(Severity::Warn)
    );
    assert_eq!(sev(&run(0.0, 0.1, 0.01, 0.03), SymptomId::InputScale), None);
    assert_eq!(
        causes(&run(0.0, 255.0, 33.0, 78.0), SymptomId::InputScale),
        vec![CauseId::InputScale]
    );
}
