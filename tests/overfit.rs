#![cfg(not(target_arch = "wasm32"))]
//! "Overfit one batch" on real MNIST (src/train/overfit.rs): it splits a bug from a data problem
//! (Karpathy 2019). A network that can learn fits 32 images to a loss near zero, with every image
//! right, even when their labels are noisy or the data is small; a net drawn at zero, a loss wired to
//! probabilities, or a rate that blows up cannot. Each case on two seeds; the run itself is untouched.

mod common;

use losslab::config::Config;
use losslab::train::{Trainer, DEFAULT_IMAGES, DEFAULT_STEPS, FITTED_LOSS};

fn probe(data: &common::mnist::Mnist, set: &[(&str, &str)], seed: u64) -> (bool, f32, f32, bool) {
    let mut cfg = Config {
        seed,
        ..Config::default()
    };
    for (k, v) in set {
        cfg.set(k, v).unwrap();
    }
    let mut t = Trainer::new(cfg, &data.train, &data.val).unwrap();
    let before = t.model().weights_flat();
    let r = t.overfit_one_batch(DEFAULT_IMAGES, DEFAULT_STEPS).unwrap();
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
    let probe = |set: &[(&str, &str)], seed| probe(&data, set, seed);
    for seed in [1, 2] {
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
}
