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
//! | `grad_norm` | `layer`, `steps`, `stat` | ‖∂L/∂W‖ of a parameterised layer's weights, biases left out (`conv1`…, `hidden`, `dense`) per step: the gradient chart's lines |
//! | `train_loss`, `train_acc` | `epoch` or `epochs: [a, b]`, `stat` | mean over the epoch's training batches; over epochs `a..=b`, summarised (`"stat": "max"`: the epochs' highest) |
//! | `clean_loss`, `clean_acc`, `noisy_loss`, `noisy_acc` | `epoch` or `epochs`, `stat` | the same over samples whose label is intact / was corrupted (accuracy against the label trained on) |
//! | `val_loss`, `val_acc` | `epoch` or `epochs`, `stat` | the validation pass after the epoch |
//! | `clip_frac` | `epoch` | share of the epoch's steps whose gradient was clipped (`clip`) |
//! | `recall` | `epoch`, `digits`, `stat` | validation recall of the named digits |
//! | `dead_frac`, `sat_frac` | `layer`, `epoch` | share of the channels after the layer (conv filters, dense units) that were ≤ 0 (ReLU) / in a flat end (sigmoid, tanh) at every position for every sample of the batch, on the epoch's last batch; epoch 0 is the untrained net on the first batch |
//! | `sharpness_ratio` | `after: [a, b]`, `stat` | the stability meter's η·λ_max / threshold (src/train/sharpness.rs) over its estimates taken after `a..=b` steps had been trained (0: before the first step; Adam's first comes after step 1); not measured when none fall in the range |
//! | `act_middle` | `layer`, `step` or `steps`, `stat` | the middle value of an activation layer's histogram (`relu2`, `sigmoid6`; src/train/acthist.rs, a column every 10 steps from step 1) over its columns in the range: the middle of the row holding the median of the values outside the ≈ 0 row (ReLU, linear) or of all values (sigmoid, tanh) |
//! | `diverged_at` | — | step at which training stopped as diverged (∞ if it never did) |
//! | `noise_floor` | — | the label-noise floor the loss chart draws for the run's `noise` and `noise_kind` (www/views/refs.js): the training loss of a net that learned the true digits and nothing else (NaN without noise) |
//! | `noisy_floor` | — | the corrupted-label reference the loss chart draws above it: what that same net pays on a corrupted sample alone, −ln(p/9) (uniform) or −ln p (pairs); the line `noisy_loss` is read against (NaN without noise) |
//!
//! `stat` is `mean` (default), `median`, `min` or `max`. A peak and what follows it are two ranges:
//! "validation accuracy falls ten points from its peak" is `val_acc` at the last epoch minus `val_acc`
//! over all epochs with `"stat": "max"`, at most −0.10. A claim may compare two measures:
//! `"minus": {…}` or `"over": {…}` holds a second measure (same selectors) whose value is subtracted
//! or divided by; either side may name `"preset": "<id>"` to read another lesson's run on the same
//! seed (e.g. "validation accuracy stays below the baseline's": `val_acc` minus baseline's `val_acc`).
//! Either side may also name `"with": {key: value}`: it then reads a variant of that lesson with those
//! settings changed, trained once per seed beside the lessons (e.g. the warm-up lesson without
//! warm-up: `"with": {"warmup": 0}`), so a remedy's claim can compare against the same run without it.
//!
//! Besides its claims, a lesson fails when its run diverges and no claim of it says so
//! (`diverged_at`), and when a claim reads an epoch the lesson does not train or a layer its network
//! does not have.

mod common;

use common::diagnosis::{other, verdict, wilson_lower, Verdict};
use common::lessons::{
    check_all, noise_floor, noisy_floor, recorded, run_all_with, summary, table, valid_lessons,
    Drive, Preset,
};

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
        common::lessons::seeds().len(),
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

/// The "Activations over training" caption (index.html): "A healthy ReLU layer keeps a glow spread over a few rows,
/// plus its ≈ 0 row for the units that are off." Read on the baseline's recorded runs (both seeds), over the columns
/// of its second epoch: in every ReLU layer some values sit in the ≈ 0 row and the others spread over at least three
/// powers of two, each holding 5% or more of them (the zero-init and huge-init lessons' claims show the unhealthy
/// pictures). No training of its own.
#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn a_healthy_relu_layer_glows_over_a_few_rows_plus_its_zero_row() {
    use losslab::train::Binning;
    let rec = recorded();
    let runs: Vec<_> = rec.runs.iter().filter(|r| r.preset == "baseline").collect();
    assert_eq!(
        runs.len(),
        common::lessons::seeds().len(),
        "the baseline on every seed"
    );
    for r in runs {
        let h = &r.act_hist;
        let half = h.steps.len() / 2;
        let relus: Vec<_> = h
            .layers
            .iter()
            .filter(|l| matches!(l.binning, Binning::Log2 { .. }))
            .collect();
        assert!(!relus.is_empty(), "seed {}: no ReLU layer recorded", r.seed);
        for l in relus {
            let zero = l.binning.row(0.0);
            let (mut fewest, mut off_lo, mut off_hi) = (usize::MAX, 1.0f64, 0.0f64);
            for c in half..h.steps.len() {
                let col = l.column(c);
                let off = col[zero] as f64;
                let on: f64 = col.iter().map(|&n| n as f64).sum::<f64>() - off;
                let rows = (0..col.len())
                    .filter(|&k| k != zero && col[k] as f64 >= 0.05 * on)
                    .count();
                assert!(
                    off > 0.0 && on > 0.0 && rows >= 3,
                    "baseline seed {} {} at step {}: {off} values ≈ 0, {on} others over {rows} rows of 5% or more",
                    r.seed,
                    l.name,
                    h.steps[c]
                );
                fewest = fewest.min(rows);
                off_lo = off_lo.min(off / (off + on));
                off_hi = off_hi.max(off / (off + on));
            }
            println!(
                "baseline seed {} {}, steps {}–{}: {:.0}–{:.0}% ≈ 0, the rest over at least {fewest} rows of 5% or more",
                r.seed,
                l.name,
                h.steps[half],
                h.steps.last().unwrap(),
                100.0 * off_lo,
                100.0 * off_hi
            );
        }
    }
}

/// The floors claims compare with are the ones the page draws: tests/refs.test.mjs pins
/// www/views/refs.js to these same values.
#[test]
fn noise_floor_is_the_pages() {
    use losslab::config::NoiseKind::{Pairs, Random, Uniform};
    let close = |a: f64, b: f64| (a - b).abs() < 1e-4;
    assert!(close(noise_floor(0.4, Uniform), 1.5520));
    assert!(close(noise_floor(0.4, Pairs), 0.6730));
    assert!(close(noise_floor(0.9, Uniform), 10f64.ln()));
    assert!(noise_floor(0.0, Uniform).is_nan());
    assert!(close(noisy_floor(0.4, Uniform), 3.1135));
    assert!(close(noisy_floor(0.4, Pairs), 0.9163));
    assert!(close(noisy_floor(0.9, Uniform), 10f64.ln()));
    assert!(noisy_floor(0.0, Pairs).is_nan());
    assert!(close(noise_floor(0.5, Random), 1.6769));
    assert!(close(noisy_floor(0.5, Random), 2.9957));
    // the overall floor mixes the intact samples' −ln(1−p) with the corrupted ones'
    assert!(close(
        noise_floor(0.4, Uniform),
        0.6 * -(0.6f64.ln()) + 0.4 * noisy_floor(0.4, Uniform)
    ));
}

/// Lessons whose fault the diagnosis does not find from the run's own symptoms, and why. They are
/// printed in the table but do not fail the test.
const KNOWN_MISSES: &[(&str, &str)] = &[
    (
        "huge-kernel",
        "a 15×15 first kernel costs 2–3 points of validation accuracy (93% after two epochs against the \
         baseline's 95–97%); nothing in the run itself is out of range, only the pinned baseline shows it",
    ),
    (
        "batch-big",
        "the card judges progress by steps, and 80% after 80 steps is quick progress per step; only the \
         same run at batch 32, eight times the steps, shows the lag (seed 2 also warns of two digits \
         mixed up after the first 40 steps, at 60% accuracy, look-alikes still being learned first)",
    ),
];

/// The diagnosis reads symptoms only (it never sees the settings), yet on every lesson that breaks
/// something it must rank the lesson's own cause first or second in a warn/alarm finding within the
/// epochs the lesson trains, on both seeds; a lesson that trains well (`"cause": null`: the baseline,
/// pooling first) must never get a warn or alarm. Reads the recorded lesson runs: no extra training.
#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn diagnosis_names_every_lessons_cause_on_two_seeds() {
    let rec = recorded();
    let vs: Vec<Verdict> = rec
        .runs
        .iter()
        .map(|r| {
            let p = rec.lessons.get(&r.preset).expect("a recorded lesson");
            let expected: Vec<&str> = p.cause.iter().map(String::as_str).collect();
            verdict(&r.preset, &expected, r, p.epochs)
        })
        .collect();
    println!("\n{}", common::diagnosis::table(&vs));
    // The page checks a noisy-labels reading against the injected mask (which the diagnosis never
    // sees): among the probe's highest-loss tenth, corrupted labels must be far more common than
    // overall.
    for r in rec.runs.iter().filter(|r| r.corrupted > 0) {
        let n = r
            .diagnoses
            .last()
            .and_then(|d| d.noise_check)
            .unwrap_or_else(|| panic!("{} seed {}: no noise check", r.preset, r.seed));
        println!(
            "noise check {} seed {}: {:.0}% of the {} highest-loss probe samples corrupted, {:.0}% overall",
            r.preset,
            r.seed,
            100.0 * n.corrupted_in_top,
            n.top,
            100.0 * n.corrupted_overall
        );
        // At 40% pair flips the net partly learns each pair's flipped label, so some corrupted
        // samples are fitted and only uniform noise must fill 60% of the top.
        let floor = if r.config.noise_kind == losslab::config::NoiseKind::Uniform {
            0.6
        } else {
            0.0
        };
        // The check tells corrupted labels apart only where they are a minority: with random labels
        // (90% or more changed) a net that memorised them all leaves a top drawn from the corrupted
        // anyway, so it is printed and not asserted.
        if n.corrupted_overall >= 0.5 {
            continue;
        }
        assert!(
            n.corrupted_in_top >= floor && n.corrupted_in_top > n.corrupted_overall + 0.15,
            "{} seed {}: the highest-loss probe samples are not mostly the corrupted ones: {n:?}",
            r.preset,
            r.seed
        );
    }
    record_fixtures(&vs, &rec.runs.iter().collect::<Vec<_>>());
    for (id, why) in KNOWN_MISSES {
        println!("known miss: {id}: {why}");
    }
    let failed: Vec<&Verdict> = vs
        .iter()
        .filter(|v| !v.pass && !KNOWN_MISSES.iter().any(|(id, _)| *id == v.name))
        .collect();
    assert!(
        failed.is_empty(),
        "the diagnosis missed {} of {} lesson runs: {}",
        failed.len(),
        vs.len(),
        failed
            .iter()
            .map(|v| format!("{} seed {}", v.name, v.seed))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// With LOSSLAB_RECORD_OBSERVATIONS set, writes what the deciding diagnosis of every passing verdict read
/// (tests/fixtures/observations/, checked by tests/recorded.rs): the first diagnosis that named the
/// expected cause, or a quiet run's last one.
fn record_fixtures(vs: &[Verdict], runs: &[&common::lessons::Run]) {
    if !common::lessons::recording() {
        return;
    }
    for (v, r) in vs.iter().zip(runs) {
        if !v.pass || r.diagnoses.is_empty() {
            continue;
        }
        let i = v.named.as_ref().map_or(r.diagnoses.len() - 1, |n| n.index);
        let expect: Vec<&str> = v.expected.iter().map(String::as_str).collect();
        common::lessons::record_fixture(&v.name, r, i, &expect);
    }
}

/// Conditions no lesson describes: healthy ones on other settings (no warn or alarm allowed), and
/// broken ones at other magnitudes and with two faults at once (their cause must be named within two
/// epochs). Each is trained on every seed of `DETECTION_SEEDS`.
fn other_conditions() -> Vec<Preset> {
    let val_n = DETECTION_VAL_N.to_string();
    let quick = |p: Preset| {
        let mut p = p;
        p.set.push(("val_n".into(), val_n.clone()));
        p
    };
    let healthy = |name: &str, set: &[(&str, &str)]| quick(other(name, set, 2, None));
    let broken = |name: &str, set: &[(&str, &str)], cause| quick(other(name, set, 2, Some(cause)));
    vec![
        healthy("baseline", &[]),
        healthy("adam", &[("opt", "adam"), ("lr", "0.001")]),
        healthy("leaky-relu", &[("act", "leaky_relu")]),
        healthy("batch-64", &[("batch", "64"), ("lr", "0.02")]),
        broken("lr 0.5", &[("lr", "0.5")], "lr_too_high"),
        broken("lr 3e-5", &[("lr", "3e-5")], "lr_too_low"),
        broken(
            "mom 0.99",
            &[("mom", "0.99"), ("lr", "0.005")],
            "momentum_too_high",
        ),
        broken(
            "adam b2 0.6",
            &[
                ("opt", "adam"),
                ("lr", "0.002"),
                ("b1", "0.95"),
                ("b2", "0.6"),
            ],
            "adam_betas",
        ),
        broken("zeros", &[("init", "zeros")], "bad_init"),
        broken(
            "tiny normal",
            &[("init", "normal"), ("gain", "0.001")],
            "bad_init",
        ),
        broken(
            "deep sigmoid 4",
            &[
                ("depth", "4"),
                ("act", "sigmoid"),
                ("ch", "8"),
                ("k", "3"),
                ("pad", "1"),
                ("pool", "last"),
                ("pool_size", "2"),
            ],
            "vanishing_gradients",
        ),
        broken("stride 3", &[("stride", "3,1")], "bad_layer_design"),
        broken("noise 25", &[("noise", "25")], "label_noise"),
        broken(
            "pairs 30",
            &[("noise", "30"), ("noise_kind", "pairs")],
            "label_noise",
        ),
        broken(
            "long tail 100",
            &[("imb", "longtail"), ("imb_ratio", "100")],
            "class_imbalance",
        ),
        broken(
            "rot180 0.5",
            &[("aug_rot180", "0.5")],
            "harmful_augmentation",
        ),
        broken("val unscaled", &[("val_pre", "unscaled")], "pipeline_bug"),
        broken("label shift 3", &[("label_offset", "3")], "pipeline_bug"),
        broken("leak 20", &[("leak", "20")], "pipeline_bug"),
        broken("mse", &[("loss_wiring", "mse")], "pipeline_bug"),
        broken(
            "unshuffled, batch 64",
            &[("shuffle", "off"), ("batch", "64"), ("lr", "0.02")],
            "pipeline_bug",
        ),
        broken(
            "noise+imbalance",
            &[("noise", "30"), ("imb", "classes"), ("imb_keep", "0.05")],
            "label_noise|class_imbalance",
        ),
    ]
}

/// The lessons whose claims describe each broken condition's fault, at the lesson's own magnitude. The
/// report card carries them: the page's mystery drill draws a condition as the milder form of its
/// lessons and quotes their claims (www/mystery/pool.js).
const DETECTION_LESSONS: &[(&str, &[&str])] = &[
    ("lr 0.5", &["lr-high"]),
    ("lr 3e-5", &["lr-low"]),
    ("mom 0.99", &["mom-high"]),
    ("adam b2 0.6", &["adam-beta"]),
    ("zeros", &["init-zeros"]),
    ("tiny normal", &["init-tiny"]),
    ("deep sigmoid 4", &["deep-sigmoid"]),
    ("stride 3", &["stride-big"]),
    ("noise 25", &["noise-uniform"]),
    ("pairs 30", &["noise-pairs"]),
    ("long tail 100", &["imbalance"]),
    ("rot180 0.5", &["aug-flip"]),
    ("val unscaled", &["val-raw"]),
    ("label shift 3", &["label-shift"]),
    ("leak 20", &["leak"]),
    ("mse", &["softmax-twice"]),
    ("unshuffled, batch 64", &["no-shuffle"]),
    ("noise+imbalance", &["noise-uniform", "imbalance"]),
];

fn detection_lessons(name: &str) -> &'static [&'static str] {
    DETECTION_LESSONS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, l)| l)
}

/// Runs without MNIST: every broken condition of the detection test names lessons that exist and are
/// about one of its causes (the report card and the mystery drill rely on it).
#[test]
fn detection_conditions_name_lessons_of_their_causes() {
    let lessons = valid_lessons();
    for p in other_conditions().iter().filter(|p| p.cause.is_some()) {
        let ids = detection_lessons(&p.id);
        assert!(
            !ids.is_empty(),
            "`{}` names no lesson in DETECTION_LESSONS",
            p.id
        );
        for id in ids {
            let l = lessons
                .get(id)
                .unwrap_or_else(|| panic!("`{}`: no lesson `{id}`", p.id));
            let cause = l.cause.as_deref().unwrap_or("none");
            assert!(
                expected_causes(p).contains(&cause),
                "`{}`: lesson `{id}` is about {cause}",
                p.id
            );
        }
    }
}

/// Five seeds, none a lesson's; the odd ones train on one worker, the even ones split every step with
/// a second (the page's two cores), so each condition meets both summation orders the page runs.
const DETECTION_SEEDS: [u64; 5] = [3, 4, 5, 6, 7];
/// Every condition validates on this many held-out digits, as the shorter lessons do and as the mystery drill,
/// which reads it from the report card (`valN`), trains them: it changes what is measured on, not the fault, and
/// takes a fifth of the runs' time off.
const DETECTION_VAL_N: usize = 2000;

/// Broken conditions the diagnosis is known not to name from the run's own symptoms, and why. They are
/// trained and printed, but neither their rate nor the pooled bound counts them.
const DETECTION_KNOWN_MISSES: &[(&str, &str)] = &[
    (
        "rot180 0.5",
        "with half the images turned 180° the run stays under the accuracy bar, but on three seeds of \
         five no digit pair is confused often enough for the confused-pairs rule, so it reads as slow \
         progress, whose ranking has no augmentation cause",
    ),
];

/// The diagnosis's report card, which the page's "How reliable is this card?" shows
/// (www/views/reliability.js): written by the detection test from the runs it just judged.
const REPORT_CARD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/www/report-card.json");

/// The detection test's runs as the page reads them: per condition, its cause(s), how many seeds named
/// it and what the card's answer was when each run stopped; the healthy runs' false alarms; the pooled
/// rate. Cause names come from the diagnosis catalogue, as on the card itself.
fn report_card(
    conditions: &[Preset],
    vs: &[Verdict],
    named: usize,
    total: usize,
    lower: f64,
) -> String {
    use losslab::diagnose::{catalogue::cause_name, CauseId};
    use serde_json::{json, Value};
    let mut causes = serde_json::Map::new();
    let mut name_of = |c: CauseId| {
        causes.insert(c.as_str().into(), cause_name(c).into());
        c.as_str()
    };
    let mut rows = Vec::new();
    let mut healthy = (0, 0, Vec::new());
    for p in conditions {
        let mine: Vec<&Verdict> = vs.iter().filter(|v| v.name == p.id).collect();
        let set: serde_json::Map<String, Value> = p
            .set
            .iter()
            .filter(|(k, _)| k != "val_n") // the card's `valN`
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        if p.cause.is_none() {
            healthy.0 += mine.len();
            healthy.1 += mine.iter().filter(|v| !v.pass).count();
            healthy
                .2
                .push(json!({ "name": p.id, "set": set, "runs": mine.len() }));
            continue;
        }
        let expected: Vec<&str> = expected_causes(p)
            .iter()
            .map(|c| {
                let id = CauseId::ALL.iter().copied().find(|i| i.as_str() == *c);
                name_of(id.expect("a cause of the catalogue"))
            })
            .collect();
        let mut answers = serde_json::Map::new();
        for v in &mine {
            let a = v.answer.map_or("none", &mut name_of);
            let n = answers.get(a).and_then(Value::as_u64).unwrap_or(0);
            answers.insert(a.into(), (n + 1).into());
        }
        let known = DETECTION_KNOWN_MISSES.iter().find(|(id, _)| *id == p.id);
        rows.push(json!({
            "name": p.id,
            "set": set,
            "causes": expected,
            "lessons": detection_lessons(&p.id),
            "runs": mine.len(),
            "named": mine.iter().filter(|v| v.pass).count(),
            "answers": answers,
            "knownMiss": known.map(|(_, why)| *why),
        }));
    }
    let card = json!({
        "about": "Written by tests/lessons.rs (diagnosis_detects_faults_on_five_seeds_in_both_orders) from the runs it judged; do not edit.",
        "seeds": DETECTION_SEEDS,
        "epochs": 2,
        "valN": DETECTION_VAL_N,
        "rank": common::diagnosis::RANK,
        "causeNames": causes,
        "conditions": rows,
        "healthy": { "conditions": healthy.2, "runs": healthy.0, "falseAlarms": healthy.1 },
        "pooled": { "named": named, "runs": total, "wilsonLower": (lower * 1000.0).round() / 1000.0 },
    });
    serde_json::to_string_pretty(&card).expect("json") + "\n"
}

/// Each broken condition must be named on at least this share of its seeds…
const MIN_RATE: f64 = 0.6;
/// …and all of them together with a Wilson 95% lower bound of at least this: 46 of 50 named (the rate
/// measured when the test was written) gives 0.81; 44 still pass (0.76), 43 fail (0.74).
const MIN_POOLED_LOWER: f64 = 0.75;

/// Healthy conditions need every seed's full two epochs (nothing ends them early), so the baseline
/// has all five seeds and the other healthy settings the first two: one on each summation order.
fn seeds_of(p: &Preset) -> &'static [u64] {
    if p.cause.is_none() && p.id != "baseline" {
        &DETECTION_SEEDS[..2]
    } else {
        &DETECTION_SEEDS
    }
}

fn expected_causes(p: &Preset) -> Vec<&str> {
    p.cause.iter().flat_map(|c| c.split('|')).collect()
}

/// A broken run may end as soon as its cause has been named: nothing after that changes its verdict.
fn named_yet(r: &common::lessons::Run, p: &Preset) -> bool {
    expected_causes(p)
        .iter()
        .any(|c| common::diagnosis::first_named(r, c).is_some())
}

/// Does training plus diagnosis detect a fault? A statistical test over seeds and both summation
/// orders: every healthy run stays quiet (no warn or alarm), every broken condition is named on at
/// least `MIN_RATE` of its seeds, and the pooled rate's Wilson lower bound is at least
/// `MIN_POOLED_LOWER`, known misses named and left out. The table prints each run's margin to its
/// deciding threshold, so knife edges show before they flip.
#[test]
#[ignore = "needs MNIST in www/data: npm run prepare-data"]
fn diagnosis_detects_faults_on_five_seeds_in_both_orders() {
    let conditions = other_conditions();
    let max_n = conditions
        .iter()
        .map(|p| common::lessons::config_of(p, 1).unwrap().train_n)
        .max()
        .unwrap_or(0);
    let data = common::mnist::load(max_n);
    let jobs: Vec<(&Preset, u64, Drive)> = conditions
        .iter()
        .flat_map(|p| {
            seeds_of(p).iter().map(move |&seed| {
                let until = p.cause.is_some().then_some(named_yet as fn(&_, &_) -> bool);
                let two_cores = seed % 2 == 0;
                (p, seed, Drive { two_cores, until })
            })
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let t0 = std::time::Instant::now();
    let recs = run_all_with(&jobs, &data, threads);
    let vs: Vec<Verdict> = jobs
        .iter()
        .zip(&recs)
        .map(|((p, _, _), r)| verdict(&p.id, &expected_causes(p), r, p.epochs))
        .collect();
    println!("\n{}", common::diagnosis::table(&vs));
    // the fixtures keep one run of each summation order (seeds 3 and 4): the rules' inputs, not the seeds' spread
    let (vs_kept, runs_kept): (Vec<Verdict>, Vec<&common::lessons::Run>) = vs
        .iter()
        .zip(&recs)
        .filter(|(_, r)| r.seed <= DETECTION_SEEDS[1])
        .map(|(v, r)| (v.clone(), r))
        .unzip();
    record_fixtures(&vs_kept, &runs_kept);
    println!(
        "{} runs in {:.0} s ({:.0} s of training summed)",
        recs.len(),
        t0.elapsed().as_secs_f64(),
        recs.iter().map(|r| r.seconds).sum::<f64>()
    );
    let edges: Vec<String> = vs
        .iter()
        .filter_map(|v| v.named.as_ref().map(|n| (v, n)))
        .filter(|(_, n)| n.margin < 0.05)
        .map(|(v, n)| format!("{} seed {} (margin {:.3})", v.name, v.seed, n.margin))
        .collect();
    if !edges.is_empty() {
        println!(
            "knife edges (named within 5% of a threshold): {}",
            edges.join(", ")
        );
    }
    let alarms: Vec<String> = vs
        .iter()
        .filter(|v| v.expected.is_empty() && !v.pass)
        .map(|v| format!("{} seed {}: {}", v.name, v.seed, v.false_alarms.join(", ")))
        .collect();
    let known = |name: &str| DETECTION_KNOWN_MISSES.iter().any(|(id, _)| *id == name);
    let mut low = Vec::new();
    let (mut named, mut total) = (0, 0);
    for p in conditions.iter().filter(|p| p.cause.is_some()) {
        let mine: Vec<&Verdict> = vs.iter().filter(|v| v.name == p.id).collect();
        let k = mine.iter().filter(|v| v.pass).count();
        let missed: Vec<String> = mine
            .iter()
            .filter(|v| !v.pass)
            .map(|v| v.seed.to_string())
            .collect();
        println!(
            "{:<16} named {k} of {}{}{}",
            p.id,
            mine.len(),
            if missed.is_empty() {
                String::new()
            } else {
                format!(" (missed on seeds {})", missed.join(", "))
            },
            if known(&p.id) { " — known miss" } else { "" }
        );
        if known(&p.id) {
            continue;
        }
        named += k;
        total += mine.len();
        if (k as f64) < MIN_RATE * mine.len() as f64 {
            low.push(format!("{} ({k} of {})", p.id, mine.len()));
        }
    }
    let lower = wilson_lower(named, total, 1.96);
    println!(
        "pooled: named {named} of {total} broken runs, Wilson 95% lower bound {lower:.3} (bar {MIN_POOLED_LOWER})"
    );
    let card = report_card(&conditions, &vs, named, total, lower);
    std::fs::write(REPORT_CARD, card).expect("write the report card");
    println!("wrote {REPORT_CARD}");
    for (id, why) in DETECTION_KNOWN_MISSES {
        println!("known miss: {id}: {why}");
    }
    assert!(
        alarms.is_empty(),
        "false alarms on healthy runs: {}",
        alarms.join("; ")
    );
    assert!(
        low.is_empty(),
        "named on fewer than {:.0}% of their seeds: {}",
        100.0 * MIN_RATE,
        low.join(", ")
    );
    assert!(
        lower >= MIN_POOLED_LOWER,
        "the pooled detection rate's lower bound {lower:.3} is under {MIN_POOLED_LOWER}"
    );
}
