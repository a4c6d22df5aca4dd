#![cfg(not(target_arch = "wasm32"))]
//! The diagnosis's rules on recorded inputs: what real runs on MNIST measured (the lessons' runs on their
//! two seeds, and the conditions no lesson describes on one seed of each summation order), kept as text in
//! tests/fixtures/observations/ beside the cause each diagnosis must name. Deterministic and quick: no
//! training, no kernel, no seed in the way, so a rule change that loses a cause shows here in seconds,
//! before the real-MNIST tests (tests/lessons.rs) train again. Re-record with
//!   LOSSLAB_RECORD_OBSERVATIONS=1 cargo test --profile native-test --test lessons -- --include-ignored
//! and review the diff: it is a diff of inputs (tests/fixtures/observations/README.md).

mod common;

use common::diagnosis::{problem, RANK};
use common::lessons::fixtures_dir;
use common::observed::{read, write};
use losslab::diagnose::diagnose;

/// Every recording in the folder, by file name, with its text.
fn recordings() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/observations exists")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a readable recording");
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_recording_reads_back_to_the_same_text() {
    let all = recordings();
    assert!(
        !all.is_empty(),
        "no recording in tests/fixtures/observations"
    );
    for (name, text) in &all {
        let rec = read(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            write(&rec) == *text,
            "{name}: writing what was read changes the text"
        );
    }
}

#[test]
fn the_rules_name_every_recorded_cause_and_stay_quiet_on_healthy_runs() {
    let all = recordings();
    // the lessons (about 40, two seeds each) and the other conditions: far fewer means the folder lost files
    assert!(all.len() >= 100, "only {} recordings", all.len());
    let mut failed = Vec::new();
    let (mut named, mut quiet) = (0, 0);
    for (name, text) in &all {
        let rec = read(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let findings = diagnose(&rec.obs);
        let problems: Vec<_> = findings.iter().filter(|f| problem(f)).collect();
        let ok = if rec.expect.is_empty() {
            quiet += 1;
            problems.is_empty()
        } else {
            named += 1;
            problems.iter().any(|f| {
                f.causes
                    .iter()
                    .take(RANK)
                    .any(|c| rec.expect.iter().any(|e| e == c.id.as_str()))
            })
        };
        if !ok {
            let said: Vec<String> = problems
                .iter()
                .map(|f| {
                    let causes: Vec<&str> = f.causes.iter().map(|c| c.id.as_str()).collect();
                    format!("{}[{}]", f.symptom.as_str(), causes.join(">"))
                })
                .collect();
            failed.push(format!(
                "{name} ({}): expected {}, the rules say {}",
                rec.about,
                if rec.expect.is_empty() {
                    "quiet".into()
                } else {
                    rec.expect.join(" or ")
                },
                if said.is_empty() {
                    "nothing".into()
                } else {
                    said.join(", ")
                }
            ));
        }
    }
    println!("{named} recorded causes, {quiet} recorded healthy runs");
    assert!(
        failed.is_empty(),
        "{} of {} recordings:\n{}",
        failed.len(),
        all.len(),
        failed.join("\n")
    );
}
