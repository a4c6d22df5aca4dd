//! What the diagnosis sees and when it runs: the observations (measured figures only, never the
//! settings), the probe samples it follows, the schedule, and the latest diagnosis with its check
//! against the injected label-noise mask (which the diagnosis itself never sees).

use super::{Diagnosis, NoiseCheck, DIAGNOSE_EVERY, DIAGNOSE_FIRST, LAYERS_EVERY, PROBE};
use crate::diagnose::{diagnose, Observations};

pub(super) struct Monitor {
    /// What the diagnosis may see: measured figures only, never `cfg`.
    pub obs: Observations,
    /// Training-set indices of the probe samples (spread evenly over the set).
    pub probe: Vec<usize>,
    pub diagnosis: Diagnosis,
}

impl Monitor {
    /// Observations `obs` of a training set of `n` samples.
    pub fn new(obs: Observations, n: usize) -> Monitor {
        Monitor {
            obs,
            probe: (0..PROBE.min(n)).map(|i| i * n / PROBE.min(n)).collect(),
            diagnosis: Diagnosis {
                findings: Vec::new(),
                step: 0,
                epoch: 0,
                serial: 0,
                noise_check: None,
            },
        }
    }

    /// Whether the layer and input statistics are recorded at step `step_no` (1-based).
    pub fn layers_due(step_no: u64) -> bool {
        (step_no - 1).is_multiple_of(LAYERS_EVERY)
    }

    /// Whether the diagnosis is made after step `step_no` (1-based) when no epoch ended there.
    pub fn diagnosis_due(step_no: u64) -> bool {
        step_no == DIAGNOSE_FIRST || step_no.is_multiple_of(DIAGNOSE_EVERY)
    }

    /// Diagnose now, after `step` steps and `epoch` finished epochs; `corrupted` is the injected
    /// label-noise mask of the training set.
    pub fn rediagnose(&mut self, step: u64, epoch: usize, corrupted: &[bool]) -> &Diagnosis {
        self.diagnosis = Diagnosis {
            findings: diagnose(&self.obs),
            step,
            epoch,
            serial: self.diagnosis.serial + 1,
            noise_check: self.noise_check(corrupted),
        };
        &self.diagnosis
    }

    /// The diagnosis's reading of the probe checked against the injected noise mask.
    fn noise_check(&self, corrupted: &[bool]) -> Option<NoiseCheck> {
        let n = self.obs.samples.len();
        if n == 0 || n != self.probe.len() || !corrupted.contains(&true) {
            return None;
        }
        // Highest loss first.
        let keys: Vec<f64> = self.obs.samples.iter().map(|s| -(s.loss as f64)).collect();
        let order = losslab_diagnose::order_by(&keys);
        let top = (n / 10).max(1);
        let bad = |i: &usize| corrupted[self.probe[*i]];
        Some(NoiseCheck {
            top,
            corrupted_in_top: order[..top].iter().filter(|i| bad(i)).count() as f32 / top as f32,
            corrupted_overall: (0..n).filter(|i| bad(i)).count() as f32 / n as f32,
        })
    }
}
