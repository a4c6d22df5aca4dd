//! Diagnosis: from what was measured on a run to the likely causes of what went wrong.
//!
//! `diagnose(&Observations) -> Vec<Finding>` is a pure function of figures a practitioner could
//! measure on their own run: losses and accuracies, per-layer statistics, label counts, the validation
//! confusion matrix, input statistics and per-sample losses, and the two choices a practitioner always
//! knows about their own run: the activation family and the optimizer family. It cannot see the fault
//! settings (learning rate, momentum, Adam's β and ε, weight decay, initializer, label noise, imbalance,
//! augmentation, training-set size): `Observations` is
//! plain data with no configuration reachable from it, and this crate depends on nothing of the engine,
//! so a rule cannot name a cause by peeking at the knob that was turned: the compiler guarantees it.
//!
//! Every threshold is a named constant with its source. The sources are cited by short name:
//! - AUTOTRAINER: Zhang, Zhai, Chen, "AUTOTRAINER: An Automatic DNN Training Problem Detection and
//!   Repair System", ICSE 2021 (and the defaults of its released monitor).
//! - DeepDiagnosis: Wardat, Cruz, Le, Rajan, "DeepDiagnosis: Automatically Diagnosing Faults and
//!   Recommending Actionable Fixes in Deep Learning Programs", ICSE 2022 (and its released callback).
//! - CS231n: Stanford CS231n notes, "Neural Networks Part 3: Babysitting the learning process".
//! - Karpathy: A. Karpathy, "A Recipe for Training Neural Networks", 2019.
//! - Goodfellow: Goodfellow, Bengio, Courville, "Deep Learning", 2016, ch. 8 (optimisation).
//! - Playbook: Godbole, Dahl, Gilmer, Shallue & Nado (Google Research), "Deep Learning Tuning
//!   Playbook", 2023.
//! - Cohen 1960: "A Coefficient of Agreement for Nominal Scales" (the chance agreement p_e of a
//!   confusion matrix's margins).
//! - MNIST: LeCun, Cortes & Burges, "The MNIST database of handwritten digits" (disjoint writers of the
//!   training and test sets).
//! - Glorot & Bengio 2010: "Understanding the difficulty of training deep feedforward neural networks".
//! - He et al. 2015: "Delving Deep into Rectifiers" (He/Kaiming initialisation).
//! - LeCun et al. 1998: "Efficient BackProp" (input normalisation; §4.4, the sigmoid's slope).
//! - LeCun, Bottou, Bengio & Haffner 1998: "Gradient-Based Learning Applied to Document Recognition"
//!   (Fig. 9: linear and pairwise linear classifiers on MNIST).
//! - KEEL: Fernández et al., "Learning from Imbalanced Data Sets", Springer 2018 (imbalance ratio > 9).
//! - Kingma & Ba 2015: "Adam: A Method for Stochastic Optimization" (its moments).
//! - Reddi, Kale & Kumar 2018: "On the Convergence of Adam and Beyond" (Adam's steps stay bounded
//!   while β1 < √β2, i.e. β2 > β1²).
//! - Northcutt et al. 2021: "Pervasive Label Errors in Test Sets Destabilize ML Benchmarks".
//! - Tukey 1977: "Exploratory Data Analysis" (running medians).
//!
//! Findings are ranked: each carries its causes from the lab's taxonomy (a closed world: only the faults
//! the lab can switch on), most likely first, and the one
//! experiment that separates them. Where two causes produce the same symptom, the ranking uses a second
//! signature that tells them apart (e.g. a layer whose weights keep moving with a zero gradient is
//! coasting on momentum; sharp one-batch spikes point at Adam's β2 < β1²; broad bumps and a zig-zag at
//! momentum).
//!
//! `diagnose` only looks at bounded windows (at most the last 1000 steps, the last few layer snapshots,
//! the epoch list), so it costs well under a millisecond natively whatever the run's length;
//! `Observations` keeps bounded buffers so the trainer can fill it every step.

pub mod catalogue;
mod causes;
mod ids;
pub mod observe;
mod pipeline;
mod rules;
mod signals;
mod stats;
pub use stats::order_by;
pub mod thresholds;

pub use ids::{CauseId, MetricId, SymptomId};
pub use observe::*;
pub use stats::label_entropy;
pub use thresholds::*;

use catalogue::{Reason, Title, EXP_HEALTHY};
use rules::*;
use signals::Ctx;
use stats::mean;

/// Every cause id as the page knows it, in taxonomy order (for callers that read ids as text).
pub const CAUSES: [&str; CauseId::ALL.len()] = {
    let mut a = [""; CauseId::ALL.len()];
    let mut i = 0;
    while i < a.len() {
        a[i] = CauseId::ALL[i].as_str();
        i += 1;
    }
    a
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warn,
    Alarm,
}

impl Severity {
    pub fn key(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Alarm => "alarm",
        }
    }
}

/// One measured figure behind a finding and the threshold it was compared with.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub metric: MetricId,
    pub layer: Option<String>,
    pub value: f64,
    /// The limit the rule compared `value` with; NaN when the figure is context, not a test.
    pub threshold: f64,
}

/// A likely cause, with the reason it is ranked where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Cause {
    pub id: CauseId,
    pub why: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub symptom: SymptomId,
    pub severity: Severity,
    /// One plain sentence for a student.
    pub title: String,
    pub evidence: Vec<Evidence>,
    /// Most likely first; no id twice.
    pub causes: Vec<Cause>,
    /// The experiment that separates the causes.
    pub experiment: String,
}

fn cause(id: CauseId, why: Reason) -> Cause {
    Cause {
        id,
        why: catalogue::reason(&why),
    }
}

fn ev(metric: MetricId, layer: Option<String>, value: f64, threshold: f64) -> Evidence {
    Evidence {
        metric,
        layer,
        value,
        threshold,
    }
}

/// Drops repeated cause ids, keeping the first (highest-ranked) one.
fn dedup_causes(mut v: Vec<Cause>) -> Vec<Cause> {
    let mut seen: Vec<CauseId> = Vec::new();
    v.retain(|c| {
        if seen.contains(&c.id) {
            false
        } else {
            seen.push(c.id);
            true
        }
    });
    v
}

fn finding(
    symptom: SymptomId,
    severity: Severity,
    title: Title,
    evidence: Vec<Evidence>,
    causes: Vec<Cause>,
    experiment: &str,
) -> Finding {
    Finding {
        symptom,
        severity,
        title: catalogue::title(&title),
        evidence,
        causes: dedup_causes(causes),
        experiment: experiment.to_string(),
    }
}

fn healthy(c: &Ctx) -> Finding {
    let measured = !c.o.step_loss.is_empty();
    let recent_loss = mean(c.scan.iter().rev().take(STUCK_WINDOW).map(|&x| x as f64));
    let title = Title::Healthy {
        measured,
        recent_loss,
    };
    finding(
        SymptomId::Healthy,
        Severity::Info,
        title,
        Vec::new(),
        Vec::new(),
        EXP_HEALTHY,
    )
}

/// Everything that can be concluded from `o`, most severe first. Always returns at least one finding:
/// `healthy` (Info) when nothing at Warn or Alarm fired.
pub fn diagnose(o: &Observations) -> Vec<Finding> {
    let c = Ctx::new(o);
    let rules: [fn(&Ctx) -> Option<Finding>; 27] = [
        rule_diverged,
        rule_loss_exploded,
        rule_stuck,
        rule_init_loss,
        rule_input,
        // The pipeline's own findings come before the symptoms they explain (a validation gap, a
        // loss curve that swings with the order of the data).
        rule_val_below_chance,
        rule_input_mismatch,
        rule_loss_floor,
        rule_loss_below_ce,
        rule_unshuffled,
        rule_val_leak,
        rule_eval_mode_gap,
        rule_dead,
        rule_vanishing,
        rule_exploding,
        rule_saturated,
        rule_spikes,
        rule_oscillation,
        rule_rising,
        rule_weights_growing,
        rule_update_ratio,
        rule_train_harder,
        rule_overfitting,
        rule_floor,
        rule_confused_pairs,
        rule_imbalance,
        // Last: "learns slowly" is true of most faults; a finding that says why comes first.
        rule_slow,
    ];
    let mut out: Vec<Finding> = Vec::new();
    for r in rules {
        if let Some(mut f) = r(&c) {
            rank_pipeline(&c, &mut f);
            // A cause the declared optimizer rules out is not ranked (Adam's β on an SGD run).
            if let Some(opt) = o.optimizer {
                f.causes.retain(|x| opt.admits(x.id));
            }
            // At chance, "slow" is an understatement with the wrong causes.
            if f.symptom == SymptomId::SlowProgress
                && out.iter().any(|g| g.symptom == SymptomId::StuckAtChance)
            {
                continue;
            }
            // One finding per symptom: each rule emits its own symptom(s), so no two can collide.
            debug_assert!(
                out.iter().all(|g| g.symptom != f.symptom),
                "two rules emitted {}",
                f.symptom
            );
            out.push(f);
        }
    }
    if !out.iter().any(|f| f.severity >= Severity::Warn) {
        out.push(healthy(&c));
    }
    // Stable: within a severity, rule order (most specific first) is kept.
    let keys: Vec<f64> = out.iter().map(|f| -(f.severity as u8 as f64)).collect();
    let mut out: Vec<Option<Finding>> = out.into_iter().map(Some).collect();
    order_by(&keys)
        .into_iter()
        .filter_map(|i| out[i].take())
        .collect()
}

#[cfg(test)]
mod tests;
