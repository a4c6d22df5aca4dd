//! Native training and inference throughput of the default model on synthetic digits:
//! `cargo run --release --example train_speed`. Prints samples/s; asserts nothing.

use losslab::config::Config;
use losslab::data::synthetic::synthetic_digits;
use losslab::train::{Event, Trainer};
use std::time::Instant;

/// Trains `steps` steps through `Trainer::advance` as the page does, and returns the steps taken and
/// the seconds spent in the calls that trained (the validation passes at epoch ends are not counted).
fn train(t: &mut Trainer, steps: usize) -> (usize, f64) {
    let (mut taken, mut seconds) = (0, 0.0);
    while taken < steps {
        let t0 = Instant::now();
        let events = t.advance(steps - taken);
        let elapsed = t0.elapsed().as_secs_f64();
        for e in events {
            match e {
                Event::Steps(r) => {
                    taken += r.loss.len();
                    seconds += elapsed;
                }
                e if e.is_end() => return (taken, seconds),
                _ => {}
            }
        }
    }
    (taken, seconds)
}

fn main() {
    let train_set = synthetic_digits(4096, 1);
    let test = synthetic_digits(2048, 2);
    let mut t = Trainer::new(Config::default(), &train_set, &test).expect("default config");
    train(&mut t, 20); // warm-up
    let mut rates = Vec::new();
    for _ in 0..3 {
        let (steps, seconds) = train(&mut t, 60);
        rates.push((steps * 32) as f64 / seconds);
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
