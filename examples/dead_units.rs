//! Dead ReLU fraction of the healthy baseline after one epoch on real MNIST, seeds 1–6, by the old
//! per-position count (one channel at one position is a unit, so background positions count) and by
//! the whole-channel count the lab uses (`metrics::layer_stats`): `cargo run --profile native-test
//! --example dead_units`. Needs www/data (npm run prepare-data). Prints a table; asserts nothing.

#[path = "../tests/common/mnist.rs"]
#[allow(dead_code)] // the test split is read by the tests that share this module, not here
mod mnist;

use losslab::config::Config;
use losslab::train::Trainer;

/// Share of the (channel, position) units ≤ 0 for every sample: the measure before whole channels.
fn per_position(y: &[f32], batch: usize) -> f32 {
    let units = y.len() / batch;
    let dead = (0..units)
        .filter(|&u| (0..batch).all(|s| y[s * units + u] <= 0.0))
        .count();
    dead as f32 / units as f32
}

fn main() {
    let data = mnist::load(10_000);
    println!("| seed | conv1 old | conv1 new | conv2 old | conv2 new | kernel ratio conv1/dense | full ratio |");
    println!("|---|---|---|---|---|---|---|");
    for seed in 1..=6u64 {
        let mut cfg = Config::default();
        cfg.set("seed", &seed.to_string()).unwrap();
        // Extra settings, e.g. DEAD_UNITS_SET="calibrated=on,lr=0.005", to compare with the baseline.
        for kv in std::env::var("DEAD_UNITS_SET")
            .unwrap_or_default()
            .split(',')
        {
            if let Some((k, v)) = kv.split_once('=') {
                cfg.set(k, v).unwrap();
            }
        }
        let mut t = Trainer::new(cfg, &data.train, &data.val).expect("baseline config");
        while !t.step(64).epoch_done {}
        let stats = t.layer_stats();
        let m = t.model();
        let old: Vec<f32> = (0..2)
            .map(|i| {
                let y = m.activation_after(i).and_then(|l| l.last_output()).unwrap();
                let batch = y.len() / (m.activation_after(i).unwrap().out_shape().len());
                per_position(y, batch)
            })
            .collect();
        let last = stats.len() - 1;
        if std::env::var("DEAD_UNITS_EVAL").is_ok() {
            t.evaluate();
            let m = t.model();
            let l = m.activation_after(1).unwrap();
            let y = l.last_output().unwrap();
            let n = y.len() / l.out_shape().len();
            let d = losslab::metrics::flat_channel_frac(y, n, l.out_shape().c, |v| v <= 0.0);
            eprintln!(
                "seed {seed}: conv2 dead channels over {n} validation images: {:.0}%",
                d * 100.0
            );
        }
        println!(
            "| {seed} | {:.0}% | {:.0}% | {:.0}% | {:.0}% | {:.2e} | {:.2e} |",
            old[0] * 100.0,
            stats[0].dead_frac * 100.0,
            old[1] * 100.0,
            stats[1].dead_frac * 100.0,
            stats[0].kernel_grad_norm / stats[last].kernel_grad_norm,
            stats[0].grad_norm / stats[last].grad_norm,
        );
    }
}
