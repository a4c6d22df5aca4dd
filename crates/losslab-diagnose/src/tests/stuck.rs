use super::*;

// ---- stuck at chance ----

#[test]
fn stuck_at_chance_on_both_sides_of_its_thresholds() {
    let h = 10f32.ln();
    let run = |loss: f32, acc: f32, n: u64| {
        Run::healthy()
            .restep(n, at_chance(loss, acc))
            .resnap(|_| OK)
            .epochs(&[])
            .run()
    };
    assert_eq!(
        sev(&run(h, 0.1, 200), SymptomId::StuckAtChance),
        Some(Severity::Alarm)
    );
    // Loss just under the band: the net has learned something.
    assert_eq!(
        sev(&run(0.88 * h, 0.1, 200), SymptomId::StuckAtChance),
        None
    );
    assert_eq!(
        sev(&run(0.92 * h, 0.1, 200), SymptomId::StuckAtChance),
        Some(Severity::Alarm)
    );
    // Accuracy just above the largest share + 0.1.
    assert_eq!(sev(&run(h, 0.21, 200), SymptomId::StuckAtChance), None);
    assert_eq!(
        sev(&run(h, 0.19, 200), SymptomId::StuckAtChance),
        Some(Severity::Alarm)
    );
    // Too early to say.
    assert_eq!(sev(&run(h, 0.1, 50), SymptomId::StuckAtChance), None);
    assert_eq!(
        sev(&run(h, 0.1, 51), SymptomId::StuckAtChance),
        Some(Severity::Alarm)
    );
    // Above chance counts too (a net that is sure of wrong answers), and the title says so: it
    // gives the measured mean beside a blind guess's loss, both from the run.
    assert_eq!(
        sev(&run(5.0, 0.1, 200), SymptomId::StuckAtChance),
        Some(Severity::Alarm)
    );
    let f = run(5.0, 0.1, 200);
    let above = get(&f, SymptomId::StuckAtChance).unwrap();
    assert!(
        above
            .title
            .contains("at or above chance (mean 5.00 nats; a blind guess gives 2.30)"),
        "{}",
        above.title
    );
}

#[test]
fn stuck_at_chance_with_imbalanced_labels_uses_the_prior() {
    // One class holds 91% of the labels: always answering it scores 0.91 at a loss of H ≈ 0.50.
    let mut counts = vec![10; 10];
    counts[3] = 910;
    let f = Run::healthy()
        .counts(counts.clone())
        .restep(200, at_chance(0.50, 0.91))
        .resnap(|_| OK)
        .epochs(&[])
        .run();
    assert_eq!(sev(&f, SymptomId::StuckAtChance), Some(Severity::Alarm));
    let g = Run::healthy()
        .counts(counts)
        .restep(200, at_chance(0.30, 0.95))
        .resnap(|_| OK)
        .epochs(&[])
        .run();
    assert_eq!(sev(&g, SymptomId::StuckAtChance), None);
}

fn stuck_with(first: [S; 3], later: [S; 3]) -> Vec<Finding> {
    stuck_run(first, later).run()
}

fn stuck_run(first: [S; 3], later: [S; 3]) -> Run {
    Run::healthy()
        .restep(300, at_chance(2.30, 0.1))
        .resnap_all(move |s| if s == 0 { first } else { later })
        .epochs(&[])
}

#[test]
fn stuck_at_chance_causes_split_by_what_the_gradients_do() {
    // Alive at step 0, dead later, weights blown up: the steps killed the units.
    let killed = [
        (0.0, 1500.0, 1e-7, 0.3, 0.0),
        (0.0, 9000.0, 1e-7, 1.0, 0.0),
        (0.2, 7000.0, 4e-5, 0.0, 0.0),
    ];
    let f = stuck_with(OK, killed);
    assert_eq!(
        causes(&f, SymptomId::StuckAtChance)[0],
        CauseId::LrTooHigh,
        "{f:#?}"
    );
    // Dead from step 0 (all-zero weights): the initialisation.
    let zero = [
        (0.0, 0.0, f32::NAN, 1.0, 0.0),
        (0.0, 0.0, f32::NAN, 1.0, 0.0),
        (0.2, 0.2, 2e-2, 0.0, 0.0),
    ];
    let f = stuck_with(zero, zero);
    assert_eq!(
        causes(&f, SymptomId::StuckAtChance)[0],
        CauseId::BadInit,
        "{f:#?}"
    );
    // Tiny weights: no gradient reaches the hidden layers, though the units are not dead.
    let tiny = [
        (1e-6, 1.4e-3, 1e-5, 0.1, 0.0),
        (2e-5, 5.6e-3, 5e-4, 0.2, 0.0),
        (0.2, 0.2, 2e-2, 0.0, 0.0),
    ];
    let f = stuck_with(tiny, tiny);
    assert_eq!(
        causes(&f, SymptomId::StuckAtChance)[0],
        CauseId::BadInit,
        "{f:#?}"
    );
    // Normal gradients, tiny steps: the learning rate.
    let crawl = [
        (2.0, 4.0, 2e-5, 0.15, 0.0),
        (6.0, 6.0, 5e-5, 0.1, 0.0),
        (8.0, 5.0, 8e-5, 0.0, 0.0),
    ];
    let f = stuck_with(crawl, crawl);
    assert_eq!(
        &causes(&f, SymptomId::StuckAtChance)[..2],
        &[CauseId::LrTooLow, CauseId::AdamEps],
        "{f:#?}"
    );
    // The same in a net whose hidden layers are sigmoids: the stack of them is the first suspect,
    // though the measured ratio has not crossed VANISH_RATIO.
    let mut r = stuck_run(crawl, crawl);
    for l in &mut r.o.layers[..2] {
        l.act = Some(ActKind::Saturating);
    }
    let f = r.run();
    assert_eq!(
        &causes(&f, SymptomId::StuckAtChance)[..2],
        &[CauseId::VanishingGradients, CauseId::LrTooLow],
        "{f:#?}"
    );
    // Normal gradients, huge steps.
    let wild = [
        (2.0, 4.0, 0.3, 0.15, 0.0),
        (6.0, 6.0, 0.4, 0.1, 0.0),
        (8.0, 5.0, 0.5, 0.0, 0.0),
    ];
    let f = stuck_with(wild, wild);
    assert_eq!(
        causes(&f, SymptomId::StuckAtChance)[0],
        CauseId::LrTooHigh,
        "{f:#?}"
    );
}

#[test]
fn stuck_deep_sigmoid_net_points_at_vanishing_gradients() {
    let sig = [
        (3e-5, 4.0, 3e-7, 0.0, 0.02),
        (2e-3, 4.0, 2e-5, 0.0, 0.0),
        (0.3, 3.0, 1e-3, 0.0, 0.0),
    ];
    let f = Run::blank(ActKind::Saturating)
        .steps(300, at_chance(2.30, 0.1))
        .snaps(0, 300, |_| sig)
        .run();
    assert_eq!(
        &causes(&f, SymptomId::StuckAtChance)[..2],
        &[CauseId::VanishingGradients, CauseId::BadLayerDesign],
        "{f:#?}"
    );
    assert_eq!(
        &causes(&f, SymptomId::GradientsVanish)[..2],
        &[CauseId::VanishingGradients, CauseId::BadLayerDesign]
    );
    // A first-layer gradient just above AUTOTRAINER's 1e-4 but < 1/1000 of the last layer's still
    // ranks the stuck alarm by vanishing gradients (the standalone rule stays quiet).
    let mut sig2 = sig;
    sig2[0].0 = 2e-4;
    let f = Run::blank(ActKind::Saturating)
        .steps(300, at_chance(2.30, 0.1))
        .snaps(0, 300, |_| sig2)
        .run();
    assert_eq!(
        causes(&f, SymptomId::StuckAtChance)[0],
        CauseId::VanishingGradients
    );
    assert_eq!(sev(&f, SymptomId::GradientsVanish), None);
    // Its small updates come from small gradients: not a learning-rate note.
    assert_eq!(sev(&f, SymptomId::UpdateRatioLow), None);
}
