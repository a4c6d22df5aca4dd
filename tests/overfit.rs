#![cfg(not(target_arch = "wasm32"))]
//! "Overfit one batch" on real MNIST (src/train/overfit.rs): it splits a bug from a data problem
//! (Karpathy 2019). A network that can learn fits 32 images to a loss near zero, with every image
//! right, even when their labels are noisy or the data is small; a net drawn at zero, a loss wired to
//! probabilities, or a rate that blows up cannot. Each case on two seeds; the run itself is untouched.

mod common;

use losslab::config::Config;
use losslab::train::{
    Trainer, BLANK_IMAGES, BLANK_SETTLED, BLANK_STEPS, DEFAULT_IMAGES, DEFAULT_STEPS, FITTED_LOSS,
};

/// A trainer of the defaults with `set` on `seed`.
fn trainer(data: &common::mnist::Mnist, set: &[(&str, &str)], seed: u64) -> Trainer {
    let mut cfg = Config {
        seed,
        ..Config::default()
    };
    for (k, v) in set {
        cfg.set(k, v).unwrap();
    }
    Trainer::new(cfg, &data.train, &data.val).unwrap()
}

fn probe(data: &common::mnist::Mnist, set: &[(&str, &str)], seed: u64) -> (bool, f32, f32, bool) {
    let mut t = trainer(data, set, seed);
    let before = t.model().weights_flat();
    let r = t
        .overfit_one_batch(DEFAULT_IMAGES, DEFAULT_STEPS, false)
        .unwrap();
    assert_eq!(
        t.model().weights_flat(),
        before,
        "the probe moved the run's weights"
    );
    assert_eq!(t.steps(), 0, "the probe trained the run");
    println!(
        "{set:?} seed {seed}: fitted {} last loss {:.4} acc {:.3} diverged {} (steps {})",
        r.fitted(),
        r.last_loss(),
        r.acc,
        r.diverged,
        r.steps
    );
    (r.fitted(), r.last_loss(), r.acc, r.diverged)
}

#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn overfit_one_batch_splits_bugs_from_data_problems() {
    let data = common::mnist::load(10_000);
    // The two seeds side by side, one core each.
    std::thread::scope(|s| {
        for seed in [1, 2] {
            let data = &data;
            s.spawn(move || one_seed(data, seed));
        }
    });
}

fn one_seed(data: &common::mnist::Mnist, seed: u64) {
    let probe = |set: &[(&str, &str)], seed| probe(data, set, seed);
    // Learns: the baseline, noisy labels, little data.
    for set in [&[][..], &[("noise", "40")][..], &[("train_n", "200")][..]] {
        let (fitted, loss, acc, _) = probe(set, seed);
        assert!(fitted, "{set:?} seed {seed}: loss {loss} acc {acc}");
    }
    // Cannot: zero weights, softmax twice (floor ln(1 + 9/e)), a rate that blows up.
    let (fitted, loss, _, _) = probe(&[("init", "zeros")], seed);
    assert!(!fitted && loss > 1.0, "zeros seed {seed}: {loss}");
    let (fitted, loss, _, _) = probe(&[("loss_wiring", "softmax_twice")], seed);
    assert!(!fitted && loss >= 1.46, "softmax twice seed {seed}: {loss}");
    let (fitted, _, _, _) = probe(&[("lr", "5")], seed);
    assert!(!fitted, "lr 5 seed {seed}");
}

/// Zero the inputs: blind to the image, the network's cross-entropy settles at the entropy of the
/// batch's labels (Gibbs' inequality), within 0.1 nats after 400 steps, on two seeds and with two label
/// distributions.
#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn zero_inputs_settle_at_the_label_entropy() {
    let data = common::mnist::load(10_000);
    for seed in [1, 2] {
        for set in [&[][..], &[("imb", "longtail"), ("imb_ratio", "100")][..]] {
            let r = trainer(&data, set, seed)
                .overfit_one_batch(BLANK_IMAGES, BLANK_STEPS, true)
                .unwrap();
            println!(
                "{set:?} seed {seed}: blind level {:.4}, label entropy {:.4}",
                r.level(),
                r.label_entropy
            );
            assert!(
                (r.level() - r.label_entropy).abs() <= BLANK_SETTLED,
                "{set:?} seed {seed}: level {} against H {}",
                r.level(),
                r.label_entropy
            );
        }
    }
}
