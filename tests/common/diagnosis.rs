//! Reading the diagnoses of recorded runs (tests/common/lessons.rs): when a run's diagnosis first
//! named a cause, whether a healthy run stayed quiet, and the tables the tests print.
//!
//! A cause counts as *named* when a finding at `warn` or `alarm` ranks it first or second: what the
//! page shows as a problem, with that cause among its two most likely explanations. An `info` finding
//! (a note such as "the loss at initialisation is high") names nothing.

use super::lessons::{Preset, Run};
use losslab::diagnose::{CauseId, Finding, Severity};
use losslab::train::Diagnosis;

/// A cause must be among this many first causes of a finding.
pub const RANK: usize = 2;

/// Where a run's diagnosis first named a cause.
#[derive(Clone, Debug)]
pub struct Named {
    /// Which of the run's diagnoses it was.
    pub index: usize,
    /// Steps taken and finished epochs when that diagnosis was made.
    pub step: u64,
    pub epoch: usize,
    pub symptom: &'static str,
    pub severity: Severity,
    /// 1-based rank of the cause in that finding.
    pub rank: usize,
    /// How far the finding's deciding figure was past its threshold: the smallest |ln(value /
    /// threshold)| over its tested evidence (NaN when none is a test). Near 0 is a knife edge: another
    /// seed or summation order may land on the other side.
    pub margin: f64,
}

/// The smallest |ln(value / threshold)| over a finding's tested evidence (both positive), else NaN.
pub fn margin(f: &Finding) -> f64 {
    f.evidence
        .iter()
        .filter(|e| e.threshold.is_finite() && e.threshold > 0.0 && e.value > 0.0)
        .map(|e| (e.value / e.threshold).ln().abs())
        .fold(f64::NAN, f64::min)
}

/// The Wilson score interval's lower end for `k` successes in `n` trials at z (1.96: 95%).
pub fn wilson_lower(k: usize, n: usize, z: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = z * z;
    (p + z2 / (2.0 * n) - z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt()) / (1.0 + z2 / n)
}

impl Named {
    /// "epoch 1 (step 200)": the epoch under way, or "end of epoch 1" after its validation pass.
    pub fn when(&self, steps_per_epoch: usize) -> String {
        let spe = steps_per_epoch.max(1) as u64;
        if self.step == self.epoch as u64 * spe && self.epoch > 0 {
            format!("end of epoch {}", self.epoch)
        } else {
            format!("epoch {} (step {})", self.epoch + 1, self.step)
        }
    }
}

pub fn problem(f: &Finding) -> bool {
    f.severity >= Severity::Warn
}

/// The first diagnosis of `r` that named `cause`.
pub fn first_named(r: &Run, cause: &str) -> Option<Named> {
    r.diagnoses.iter().enumerate().find_map(|(index, d)| {
        d.findings.iter().filter(|f| problem(f)).find_map(|f| {
            f.causes
                .iter()
                .take(RANK)
                .position(|c| c.id == cause)
                .map(|i| Named {
                    index,
                    step: d.step,
                    epoch: d.epoch,
                    symptom: f.symptom.as_str(),
                    severity: f.severity,
                    rank: i + 1,
                    margin: margin(f),
                })
        })
    })
}

/// Every warn/alarm finding a run's diagnoses ever made, as "symptom@step".
pub fn alarms(r: &Run) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in &r.diagnoses {
        for f in d.findings.iter().filter(|f| problem(f)) {
            if !out
                .iter()
                .any(|o| o.starts_with(&format!("{}@", f.symptom)))
            {
                out.push(format!("{}@{}", f.symptom, d.step));
            }
        }
    }
    out
}

/// A diagnosis in one line: "symptom:severity[cause>cause]; …".
pub fn line(d: &Diagnosis) -> String {
    d.findings
        .iter()
        .map(|f| {
            format!(
                "{}:{}[{}]",
                f.symptom,
                f.severity.key(),
                f.causes
                    .iter()
                    .map(|c| c.id.as_str())
                    .collect::<Vec<_>>()
                    .join(">")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One checked run: what it should show and what its diagnosis said.
#[derive(Clone)]
pub struct Verdict {
    pub name: String,
    pub seed: u64,
    /// Causes any of which counts (a run with two faults); empty: the run must stay quiet.
    pub expected: Vec<String>,
    pub named: Option<Named>,
    /// warn/alarm findings of a run that should be healthy.
    pub false_alarms: Vec<String>,
    /// Of the run's last diagnosis.
    pub last: String,
    /// The card's answer when the run stopped: the first cause of the most severe warn/alarm finding
    /// of its last diagnosis (None: the card raised no warning then).
    pub answer: Option<CauseId>,
    pub steps_per_epoch: usize,
    pub pass: bool,
}

/// Judge `r` against `expected` (any one of them named counts; empty: the run must stay without
/// warn/alarm). A named cause must come within `epochs` epochs (the run never trains longer anyway).
pub fn verdict(name: &str, expected: &[&str], r: &Run, epochs: usize) -> Verdict {
    let named = expected
        .iter()
        .filter_map(|c| first_named(r, c))
        .min_by_key(|n| n.step);
    let false_alarms = if expected.is_empty() {
        alarms(r)
    } else {
        Vec::new()
    };
    let pass = if expected.is_empty() {
        false_alarms.is_empty()
    } else {
        named.as_ref().is_some_and(|n| n.epoch <= epochs)
    };
    Verdict {
        name: name.to_string(),
        seed: r.seed,
        expected: expected.iter().map(|c| c.to_string()).collect(),
        named,
        false_alarms,
        last: r.diagnoses.last().map_or("—".into(), line),
        answer: r.diagnoses.last().and_then(|d| {
            d.findings
                .iter()
                .filter(|f| problem(f))
                .min_by_key(|f| std::cmp::Reverse(f.severity))
                .and_then(|f| f.causes.first())
                .map(|c| c.id)
        }),
        steps_per_epoch: r.steps_per_epoch,
        pass,
    }
}

/// The table: run × seed → expected cause, when it was first named (symptom, severity, rank) or the
/// false alarms, and the run's last diagnosis.
pub fn table(vs: &[Verdict]) -> String {
    let w = vs.iter().map(|v| v.name.len()).max().unwrap_or(4).max(4);
    let mut s = format!(
        "{:<w$} {:>4}  {:<22} {:<58} {}\n",
        "run", "seed", "expected", "first named / false alarms", "ok  last diagnosis"
    );
    for v in vs {
        let got = match (v.expected.is_empty(), &v.named) {
            (false, Some(n)) => format!(
                "{} by {}:{} (#{}, margin {:.2})",
                n.when(v.steps_per_epoch),
                n.symptom,
                n.severity.key(),
                n.rank,
                n.margin
            ),
            (false, None) => "never".into(),
            (true, _) if v.false_alarms.is_empty() => "quiet".into(),
            (true, _) => v.false_alarms.join(", "),
        };
        s += &format!(
            "{:<w$} {:>4}  {:<22} {:<58} {:<3} {}\n",
            v.name,
            v.seed,
            if v.expected.is_empty() {
                "(healthy)".to_string()
            } else {
                v.expected.join(" or ")
            },
            got,
            if v.pass { "ok" } else { "NO" },
            v.last
        );
    }
    s
}

/// A run that is not a lesson: a name, settings over the engine defaults, epochs and its cause.
pub fn other(name: &str, set: &[(&str, &str)], epochs: usize, cause: Option<&str>) -> Preset {
    Preset {
        id: name.to_string(),
        group: "other".into(),
        title: name.to_string(),
        set: set
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        epochs,
        cause: cause.map(str::to_string),
        text: String::new(),
        claims: Vec::new(),
    }
}
