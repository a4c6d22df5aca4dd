use super::*;

// ---- loss at initialisation ----

#[test]
fn initial_loss_tiers_on_both_sides() {
    let h = 10f32.ln();
    // The loss stays above chance for the first 50 steps: the start hurts.
    let slow_start = |l: f32| {
        Run::healthy()
            .restep(600, |i| (if i < 60 { 2.2 } else { healthy_loss(i) }, 0.1))
            .initial(l)
    };
    let at = |l: f32| sev(&slow_start(l).run(), SymptomId::InitLoss);
    assert_eq!(at(1.49 * h), None);
    assert_eq!(at(1.51 * h), Some(Severity::Info));
    assert_eq!(at(2.99 * h), Some(Severity::Info));
    assert_eq!(at(3.01 * h), Some(Severity::Warn));
    assert_eq!(at(9.99 * h), Some(Severity::Warn));
    assert_eq!(at(10.01 * h), Some(Severity::Alarm));
    // Fewer than 50 steps seen: too early to say the start hurts.
    let early = Run::healthy()
        .restep(20, |_| (2.2, 0.1))
        .epochs(&[])
        .initial(3.01 * h);
    assert_eq!(sev(&early.run(), SymptomId::InitLoss), Some(Severity::Info));
    // A net that falls below chance within its first 50 steps by itself gets a note only.
    let quick = |l: f32| sev(&Run::healthy().initial(l).run(), SymptomId::InitLoss);
    assert_eq!(quick(9.0), Some(Severity::Info));
    assert_eq!(quick(10.01 * h), Some(Severity::Alarm));
    let f = Run::healthy().initial(8.0).run();
    assert_eq!(causes(&f, SymptomId::InitLoss)[0], CauseId::BadInit);
}

#[test]
fn initial_loss_uses_the_label_prior_when_classes_are_imbalanced() {
    // 9 classes of 20 and one of 1000: prior entropy ≈ 0.69 nats.
    let mut counts = vec![20; 10];
    counts[7] = 1000;
    let total: f64 = counts.iter().map(|&c| c as f64).sum();
    let h: f64 = counts
        .iter()
        .map(|&c| {
            let p = c as f64 / total;
            -p * p.ln()
        })
        .sum();
    // ln 10 is fine for balanced labels but > 1.5 H here: a note (the biases could match the prior).
    let r = |l: f64| {
        Run::healthy()
            .restep(600, |i| (if i < 60 { 2.2 } else { healthy_loss(i) }, 0.1))
            .counts(counts.clone())
            .initial(l as f32)
            .run()
    };
    assert_eq!(sev(&r(1.45 * h), SymptomId::InitLoss), None);
    assert_eq!(sev(&r(1.55 * h), SymptomId::InitLoss), Some(Severity::Info));
    assert_eq!(
        sev(&r(10f64.ln()), SymptomId::InitLoss),
        Some(Severity::Info)
    );
    // The output-scale tiers still compare with ln K: a random net's loss ignores the prior.
    assert_eq!(sev(&r(6.8), SymptomId::InitLoss), Some(Severity::Info));
    assert_eq!(sev(&r(7.0), SymptomId::InitLoss), Some(Severity::Warn));
}

#[test]
fn mis_scaled_inputs_rank_first_for_a_high_initial_loss() {
    let f = Run::healthy()
        .initial(30.0)
        .input(0.0, 255.0, 33.0, 78.0)
        .run();
    assert_eq!(
        &causes(&f, SymptomId::InitLoss)[..2],
        &[CauseId::InputScale, CauseId::BadInit]
    );
}
