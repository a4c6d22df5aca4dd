//! Native training and inference throughput of the default model on synthetic digits:
//! `cargo run --release --example train_speed`. Prints samples/s; asserts nothing.

use losslab::config::Config;
use losslab::data::synthetic::synthetic_digits;
use losslab::train::Trainer;
use std::time::Instant;

fn main() {
    let train = synthetic_digits(4096, 1);
    let test = synthetic_digits(2048, 2);
    let mut t = Trainer::new(Config::default(), &train, &test).expect("default config");
    t.step(20); // warm-up
    let mut rates = Vec::new();
    for _ in 0..3 {
        let t0 = Instant::now();
        let steps = t.step(60).loss.len();
        rates.push((steps * 32) as f64 / t0.elapsed().as_secs_f64());
    }
    rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let t0 = Instant::now();
    let e = t.evaluate();
    let infer = e.count as f64 / t0.elapsed().as_secs_f64();
    println!(
        "training: {:.0} samples/s (median of 3; min {:.0}, max {:.0}); inference: {:.0} samples/s",
        rates[1], rates[0], rates[2], infer
    );
}
