#![cfg(not(target_arch = "wasm32"))]
//! `Trainer::classify`, the call behind the page's drawing pad: one outside image through the same
//! input transform and evaluation-mode network as a validation image, without touching training.

use losslab::config::Config;
use losslab::data::synthetic::synthetic_digits;
use losslab::data::{Dataset, CLASSES, PIXELS};
use losslab::train::Trainer;

fn cfg(pairs: &[(&str, &str)]) -> Config {
    Config::from_pairs(pairs.iter().copied()).unwrap()
}

fn data() -> (Dataset, Dataset) {
    (synthetic_digits(640, 21), synthetic_digits(128, 22))
}

/// Grey levels 0…255 as the page sends them: p · (1/255), the scaling `normalize_into` applies.
fn unit(img: &[u8]) -> Vec<f32> {
    img.iter().map(|&p| p as f32 * (1.0 / 255.0)).collect()
}

/// Softmax computed separately from the engine's: in f64, after subtracting the largest logit.
fn softmax(z: &[f32]) -> Vec<f32> {
    let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f64> = z.iter().map(|&v| ((v - m) as f64).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|v| (v / s) as f32).collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

fn weights(t: &Trainer) -> Vec<u32> {
    let m = t.model();
    (0..m.param_layer_names().len())
        .flat_map(|i| m.layer_params(i).into_iter().flat_map(|p| bits(&p.value)))
        .collect()
}

#[test]
fn a_validation_image_gets_the_softmax_of_the_logits_validation_computes() {
    let (train, test) = data();
    for pixels in ["unit", "raw"] {
        let mut t = Trainer::new(cfg(&[("pixels", pixels)]), &train, &test).unwrap();
        t.step(12);
        for i in [0, 5, 77, 127] {
            let img = unit(t.val_set().image(i));
            let p = t.classify(&img).unwrap();
            let z = t.val_logits(&[i]);
            // The engine's softmax is the loss's own f32 exponentiation, the reference works in
            // f64: equal to f32 rounding.
            for (a, b) in p.iter().zip(softmax(&z)) {
                assert!(
                    (a - b).abs() <= 2.0 * f32::EPSILON,
                    "pixels={pixels}, image {i}: {p:?} against the logits {z:?}"
                );
            }
            let sum: f64 = p.iter().map(|&v| v as f64).sum();
            assert!((sum - 1.0).abs() < 1e-6, "pixels={pixels}: sum {sum}");
            assert!(p.iter().all(|&v| (0.0..=1.0).contains(&v)));
        }
        // Inside a full batch of 64 the arithmetic may be ordered differently, never by more than
        // rounding: the same answer to 1e-5.
        let idx: Vec<usize> = (0..64).collect();
        let z = t.val_logits(&idx);
        for (i, row) in z.chunks(CLASSES).enumerate() {
            let p = t.classify(&unit(t.val_set().image(i))).unwrap();
            for (a, b) in p.iter().zip(softmax(row)) {
                assert!(
                    (a - b).abs() < 1e-5,
                    "pixels={pixels}, image {i}: {a} vs {b}"
                );
            }
        }
    }
}

#[test]
fn classifying_leaves_the_next_training_steps_bit_for_bit_unchanged() {
    let (train, test) = data();
    let c = cfg(&[("aug_shift", "2"), ("aug_rot", "10"), ("noise", "10")]);
    let mut a = Trainer::new(c.clone(), &train, &test).unwrap();
    let mut b = Trainer::new(c, &train, &test).unwrap();
    // Before any step (an untrained net) and between steps.
    let blank = vec![0.0f32; PIXELS];
    let p0 = a.classify(&blank).unwrap();
    assert!((p0.iter().sum::<f32>() - 1.0).abs() < 1e-5, "{p0:?}");
    let mut la = a.step(7).loss;
    let lb_first = b.step(7).loss;
    let stats_before = a.layer_stats();
    let ink: Vec<f32> = (0..PIXELS)
        .map(|i| ((i % 28) as f32 / 27.0).min(1.0))
        .collect();
    for img in [&blank, &ink, &unit(a.val_set().image(3))] {
        a.classify(img).unwrap();
    }
    // Debug text: the output layer's activation statistics are NaN (not defined), and NaN ≠ NaN.
    assert_eq!(
        format!("{stats_before:?}"),
        format!("{:?}", a.layer_stats()),
        "the last step's layer statistics stay readable"
    );
    la.extend(a.step(30).loss);
    let mut lb = lb_first;
    lb.extend(b.step(30).loss);
    assert_eq!(bits(&la), bits(&lb));
    assert_eq!(weights(&a), weights(&b));
    assert_eq!(a.batch_view(8), b.batch_view(8));
    a.classify(&ink).unwrap();
    assert_eq!(a.evaluate(), b.evaluate());
    assert_eq!(bits(&a.step(5).loss), bits(&b.step(5).loss));
}

#[test]
fn a_wrong_image_is_refused_with_a_message() {
    let (train, test) = data();
    let mut t = Trainer::new(Config::default(), &train, &test).unwrap();
    let e = t.classify(&[0.0; 100]).unwrap_err();
    assert!(e.contains("784") && e.contains("100"), "{e}");
    let mut img = vec![0.0f32; PIXELS];
    img[10] = 255.0;
    let e = t.classify(&img).unwrap_err();
    assert!(e.contains("pixel 10") && e.contains("0 to 1"), "{e}");
    img[10] = f32::NAN;
    assert!(t.classify(&img).is_err());
}

#[test]
fn a_diverged_net_answers_nan_not_a_made_up_digit() {
    let (train, test) = data();
    let mut t = Trainer::new(cfg(&[("lr", "10"), ("mom", "0.99")]), &train, &test).unwrap();
    for _ in 0..50 {
        t.step(20);
    }
    let p = t.classify(&unit(t.val_set().image(0))).unwrap();
    let z = t.val_logits(&[0]);
    if z.iter().all(|v| v.is_finite()) {
        // It did not diverge on this build: the answer is still the validation softmax.
        assert_eq!(bits(&p), bits(&softmax(&z)));
    } else {
        assert!(p.iter().all(|v| v.is_nan()), "{p:?}");
    }
}
