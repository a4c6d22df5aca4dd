#![cfg(not(target_arch = "wasm32"))]
//! Every lesson claim is a test. Each lesson of www/presets.json is trained on real MNIST exactly as
//! the page trains it (engine defaults + its `set`, for its `epochs`) on seeds 1 and 2, once per
//! (lesson, seed), and every claim its text makes is read off that run's record
//! (tests/common/lessons.rs). The output is a table lesson × seed × claim → measured value, bound, ok.
//!
//! # Claims
//!
//! A claim is one JSON object in the lesson's `claims` list:
//!
//! ```json
//! { "say": "below chance within the first twenty steps",
//!   "measure": "first_step_below", "value": 2.3026, "max": 20 }
//! ```
//!
//! - `say` — words copied from the lesson's `text`: the sentence the claim backs. The test checks
//!   they occur in the text, so a claim cannot drift away from what the learner reads.
//! - `min` and/or `max` — inclusive bounds on the measured value (NaN never passes).
//! - `measure` and its selectors — what is measured on this lesson's run:
//!
//! | measure | selectors | value |
//! |---|---|---|
//! | `batch_loss`, `batch_acc` | `step` or `steps: [a, b]`, `stat` | loss (nats) / accuracy (0…1) of training batches `a..=b` (1-based; step 1 is the untrained net) |
//! | `first_step_below` | `value` | first step whose batch loss is below `value` (∞ if none) |
//! | `upswings` | `steps`, `window`, `rise` | times the `window`-step trailing average of the batch loss climbs ≥ `rise` nats above its last low (a new climb counts only after a fall of `rise`): oscillation, not jitter |
//! | `grad_norm` | `layer`, `steps`, `stat` | ‖∂L/∂θ‖ of a parameterised layer (`conv1`…, `hidden`, `dense`) per step |
//! | `train_loss`, `train_acc` | `epoch` | mean over the epoch's training batches |
//! | `clean_loss`, `clean_acc`, `noisy_loss`, `noisy_acc` | `epoch` | the same over samples whose label is intact / was corrupted (accuracy against the label trained on) |
//! | `val_loss`, `val_acc` | `epoch` | the validation pass after the epoch |
//! | `recall` | `epoch`, `digits`, `stat` | validation recall of the named digits |
//! | `dead_frac`, `sat_frac` | `layer`, `epoch` | share of the activation units after the layer that were ≤ 0 for the whole batch (ReLU) / in a flat end (sigmoid, tanh), on the epoch's last batch; epoch 0 is the untrained net on the first batch |
//! | `diverged_at` | — | step at which training stopped as diverged (∞ if it never did) |
//!
//! `stat` is `mean` (default), `median`, `min` or `max`. A claim may compare two measures:
//! `"minus": {…}` or `"over": {…}` holds a second measure (same selectors) whose value is subtracted
//! or divided by; either side may name `"preset": "<id>"` to read another lesson's run on the same
//! seed (e.g. "validation accuracy stays below the baseline's": `val_acc` minus baseline's `val_acc`).
//!
//! Besides its claims, a lesson fails when its run diverges and no claim of it says so
//! (`diverged_at`), and when a claim reads an epoch the lesson does not train or a layer its network
//! does not have.

mod common;

use common::lessons::{check_all, recorded, summary, table, valid_lessons};

/// Runs without MNIST: the file parses, every setting is valid, every claim quotes its text and
/// reads something the run will record.
#[test]
fn lessons_are_well_formed() {
    let l = valid_lessons();
    for (g, title) in &l.groups {
        assert!(
            l.presets.iter().any(|p| &p.group == g),
            "group `{g}` ({title}) has no lesson"
        );
    }
    // The taxonomy of what breaks a network: each kind of cause keeps lessons.
    for g in ["start", "optimizer", "architecture", "data"] {
        assert!(
            l.presets.iter().filter(|p| p.group == g).count() >= 1,
            "no lesson in group `{g}`"
        );
    }
}

#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn every_lesson_claim_holds_on_two_seeds() {
    let rec = recorded();
    let outcomes = check_all(rec);
    println!("\n{}", table(&outcomes));
    for r in &rec.runs {
        println!("{}", summary(r));
    }
    let cpu: f64 = rec.runs.iter().map(|r| r.seconds).sum();
    println!(
        "\n{} lessons × {} seeds trained in {:.0} s wall ({:.0} s of training summed over the runs)",
        rec.lessons.presets.len(),
        common::lessons::SEEDS.len(),
        rec.seconds,
        cpu
    );
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.pass)
        .map(|o| {
            format!(
                "{} seed {}: {} = {} (want {}) — \"{}\"",
                o.preset,
                o.seed,
                o.claim,
                match &o.value {
                    Ok(v) => format!("{v:.4}"),
                    Err(e) => e.clone(),
                },
                o.bound,
                o.say
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} lesson claims do not hold:\n{}",
        failed.len(),
        outcomes.len(),
        failed.join("\n")
    );
}
