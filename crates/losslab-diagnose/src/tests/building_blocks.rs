use super::*;

// ---- the building blocks ----

#[test]
fn step_buffer_stays_bounded_and_keeps_the_indices() {
    let mut o = Observations::default();
    for i in 0..3 * STEPS_KEPT as u64 {
        o.record_step(i as f32, 0.5, (i % 10 + 1) as u8);
    }
    assert_eq!(o.initial_loss, Some(0.0));
    assert!(o.step_loss.len() < 2 * STEPS_KEPT && o.step_loss.len() >= STEPS_KEPT);
    assert_eq!(o.next_step(), 3 * STEPS_KEPT as u64);
    assert_eq!(o.step_loss[0] as u64, o.first_step);
    assert_eq!(o.step_acc.len(), o.step_loss.len());
    assert_eq!(o.step_classes.len(), o.step_loss.len());
    assert_eq!(
        o.step_classes[0] as u64,
        o.first_step % 10 + 1,
        "the classes stay aligned with their step"
    );
    for s in 0..300 {
        o.record_layers(s, 32, Vec::new());
    }
    assert_eq!(o.layer_history[0].step, 0, "the first snapshot is kept");
    assert!(o.layer_history.len() <= 2 * SNAPSHOTS_KEPT + 1);
    assert_eq!(o.layer_history.last().unwrap().step, 299);
    for _ in 0..3000 {
        o.record_sample(SampleLoss::from_logits(&[0.0; 10], 0));
    }
    assert!(o.samples.len() < 2 * SAMPLES_KEPT);
    o.record_non_finite(NonFinite {
        step: 5,
        layer: None,
        pass: None,
    });
    o.record_non_finite(NonFinite {
        step: 9,
        layer: None,
        pass: None,
    });
    assert_eq!(
        o.non_finite.as_ref().unwrap().step,
        5,
        "the first record is kept"
    );
}

#[test]
fn sample_loss_and_input_stats_are_right() {
    let s = SampleLoss::from_logits(&[1.0, 3.0, 0.0], 0);
    let z: f64 = [1.0f64, 3.0, 0.0].iter().map(|v| v.exp()).sum();
    assert!((s.loss as f64 - (z.ln() - 1.0)).abs() < 1e-5);
    assert_eq!(s.predicted, 1);
    assert!((s.confidence as f64 - 3f64.exp() / z).abs() < 1e-6);
    let u = SampleLoss::from_logits(&[0.0; 10], 4);
    assert!((u.loss as f64 - LN_10_F64).abs() < 1e-6);
    let i = InputStats::of(&[-1.0, 1.0, 3.0, 1.0]);
    assert_eq!((i.min, i.max, i.mean), (-1.0, 3.0, 1.0));
    assert!((i.std - 2f32.sqrt()).abs() < 1e-6);
}

const LN_10_F64: f64 = std::f64::consts::LN_10;
