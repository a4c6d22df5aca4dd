//! What the stability meter (src/train/sharpness.rs) costs in training time at its default cadence:
//! `cargo run --release --example meter_cost`. Two runs of the default model on synthetic digits, one
//! with the meter and one without, trained in interleaved rounds through `Trainer::advance` as the page
//! trains; prints the seconds of each and their ratio. Asserts nothing. With `--acthist`, the same for
//! the activation histograms (src/train/acthist.rs), the meter off in both runs.

use losslab::config::Config;
use losslab::data::synthetic::synthetic_digits;
use losslab::train::Trainer;
use std::time::Instant;

/// Seconds spent training `steps` more steps in chunks of 16 (validation included, as the page's).
fn train(t: &mut Trainer, steps: u64) -> f64 {
    let t0 = Instant::now();
    let end = t.steps() + steps;
    while t.steps() < end {
        t.advance(16);
    }
    t0.elapsed().as_secs_f64()
}

fn main() {
    let train_set = synthetic_digits(10_000, 1);
    let val = synthetic_digits(2000, 2);
    let mut on = Trainer::new(Config::default(), &train_set, &val).expect("default config");
    let mut off = Trainer::new(Config::default(), &train_set, &val).expect("default config");
    off.set_sharpness_every(0);
    if std::env::args().any(|a| a == "--probe") {
        train(&mut off, 200);
        let t0 = Instant::now();
        train(&mut off, 200);
        let steps = t0.elapsed().as_secs_f64();
        let t0 = Instant::now();
        let mut v = None;
        for _ in 0..5 {
            let (_, w) = off.estimate_sharpness(6, 0.0, v).unwrap();
            v = Some(w);
        }
        println!(
            "200 steps {steps:.3} s; one estimate of 6 products {:.3} s",
            t0.elapsed().as_secs_f64() / 5.0
        );
        return;
    }
    // The baseline lesson's length (two epochs of 10,000 images in batches of 32, their validation
    // passes included), three times over, alternating which run goes first so neither always meets a
    // busier machine.
    let acthist = std::env::args().any(|a| a == "--acthist");
    let (mut s_on, mut s_off) = (0.0, 0.0);
    for r in 0..3 {
        let mut on_r = Trainer::new(Config::default(), &train_set, &val).expect("default config");
        let mut off_r = Trainer::new(Config::default(), &train_set, &val).expect("default config");
        off_r.set_sharpness_every(0);
        if acthist {
            on_r.set_sharpness_every(0);
            off_r.set_act_hist_every(0);
        }
        if r % 2 == 0 {
            s_on += train(&mut on_r, 626);
            s_off += train(&mut off_r, 626);
        } else {
            s_off += train(&mut off_r, 626);
            s_on += train(&mut on_r, 626);
        }
        on = on_r;
    }
    if acthist {
        println!(
            "{} steps each: with the activation histograms {s_on:.2} s ({} columns), without {s_off:.2} s: ratio {:.3}",
            on.steps(),
            on.act_history().steps.len(),
            s_on / s_off
        );
        return;
    }
    let n = on.sharpness().len();
    println!(
        "{} steps each: with the meter {s_on:.2} s ({n} estimates), without {s_off:.2} s: ratio {:.3}",
        on.steps(),
        s_on / s_off
    );
    for p in on.sharpness() {
        println!(
            "  step {:5}: λ_max {:8.3}  η·λ_max / threshold {:.3}  ({} products)",
            p.step, p.lambda_max, p.ratio, p.iterations
        );
    }
}
