//! Unit tests of the diagnosis on hand-made observation sequences, one file per room, and the
//! shared run builder they use.

mod building_blocks;
mod curve;
mod divergence;
mod general;
mod generalisation;
mod layers;
mod pipeline;
mod stuck;

use crate::stats::*;
use crate::*;

const SPE: usize = 200;
const EPOCHS: usize = 3;

/// Deterministic noise, uniform in [−1, 1] and independent from step to step (SplitMix64's
/// finaliser of the step index).
fn noise(i: u64) -> f32 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ((z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) as f32
}

fn healthy_loss(i: u64) -> f32 {
    0.08 + 2.2 * (-(i as f32) / 40.0).exp() * (1.0 + 0.15 * noise(i))
}

fn acc_of(loss: f32) -> f32 {
    (1.0 - 0.4 * loss).clamp(0.08, 0.99)
}

/// (grad norm, weight norm, update ratio, dead fraction, saturated fraction)
type S = (f32, f32, f32, f32, f32);
const OK: [S; 3] = [
    (0.5, 4.0, 3e-3, 0.0, 0.0),
    (1.0, 6.0, 3e-3, 0.03, 0.0),
    (1.2, 5.0, 4e-3, 0.0, 0.0),
];

fn stats(names: &[String], s: &[S]) -> Vec<LayerStats> {
    names
        .iter()
        .zip(s)
        .map(|(n, &(g, w, u, d, sat))| LayerStats {
            name: n.clone(),
            grad_norm: g,
            kernel_grad_norm: g,
            weight_norm: w,
            update_ratio: u,
            act_mean: 0.4,
            act_std: 0.7,
            dead_frac: d,
            sat_frac: sat,
        })
        .collect()
}

struct Run {
    o: Observations,
}

impl Run {
    /// A network and its data, nothing measured yet.
    fn blank(act: ActKind) -> Run {
        let layers = vec![
            ObservedLayer {
                name: "conv1".into(),
                role: LayerRole::Conv,
                act: Some(act),
            },
            ObservedLayer {
                name: "conv2".into(),
                role: LayerRole::Conv,
                act: Some(act),
            },
            ObservedLayer {
                name: "dense".into(),
                role: LayerRole::Output,
                act: None,
            },
        ];
        Run {
            o: Observations::new(layers, vec![1000; 10], SPE, 32),
        }
    }

    /// Loss falling from ln 10 to 0.08, healthy layer statistics every 50 steps, three evaluated
    /// epochs, a confident probe, a near-diagonal confusion matrix, standardised inputs, validation
    /// preprocessed like training and no validation image in the training set.
    fn healthy() -> Run {
        Run::blank(ActKind::ReluLike)
            .steps((SPE * EPOCHS) as u64, |i| {
                let l = healthy_loss(i);
                (l, acc_of(l))
            })
            .snaps(0, (SPE * EPOCHS) as u64, |_| OK)
            .epoch(0.5, 0.85, 0.13, 0.955)
            .epoch(0.09, 0.968, 0.10, 0.965)
            .epoch(0.085, 0.968, 0.10, 0.966)
            .confusion_diag(0.97)
            .probe(256, 0.98, 0.0)
            .input(-0.42, 2.82, 0.0, 1.0)
            .same_preprocessing()
    }

    /// Validation and probe inputs standardised alike (MNIST's training statistics: −0.42 to 2.82;
    /// one chunk's mean and spread a little off the other's), and no duplicates among 10 000.
    fn same_preprocessing(self) -> Self {
        self.val_input(-0.42, 2.82, 0.03, 1.02)
            .probe_input(-0.42, 2.82, -0.01, 0.98)
            .duplicates(0, 10_000)
    }

    fn val_input(mut self, min: f32, max: f32, mean: f32, std: f32) -> Self {
        self.o.val_input = Some(InputStats {
            min,
            max,
            mean,
            std,
        });
        self
    }

    fn probe_input(mut self, min: f32, max: f32, mean: f32, std: f32) -> Self {
        self.o.probe_input = Some(InputStats {
            min,
            max,
            mean,
            std,
        });
        self
    }

    fn duplicates(mut self, found: u32, checked: u32) -> Self {
        self.o.val_duplicates = Some(Duplicates { found, checked });
        self
    }

    /// Steps from shuffled data: each batch holds the expected number of distinct labels.
    fn steps(self, n: u64, f: impl Fn(u64) -> (f32, f32)) -> Self {
        let classes = crate::pipeline::expected_classes(&self.o.class_counts, 10, self.o.batch_size)
            .round() as u8;
        self.steps_with_classes(n, move |i| {
            let (l, a) = f(i);
            (l, a, classes)
        })
    }

    fn steps_with_classes(mut self, n: u64, f: impl Fn(u64) -> (f32, f32, u8)) -> Self {
        let start = self.o.next_step();
        for i in start..start + n {
            let (l, a, k) = f(i);
            self.o.record_step(l, a, k);
        }
        self
    }

    /// Replaces the step series (keeps the initial loss of the first one).
    fn restep(mut self, n: u64, f: impl Fn(u64) -> (f32, f32)) -> Self {
        self.o.step_loss.clear();
        self.o.step_acc.clear();
        self.o.step_classes.clear();
        self.o.first_step = 0;
        self.o.initial_loss = None;
        self.steps(n, f)
    }

    /// Snapshots at `from`, then every 50 steps up to `to` (exclusive).
    fn snaps(mut self, from: u64, to: u64, f: impl Fn(u64) -> [S; 3]) -> Self {
        let names: Vec<String> = self.o.layers.iter().map(|l| l.name.clone()).collect();
        let mut s = from;
        while s < to {
            self.o.record_layers(s, 32, stats(&names, &f(s)));
            s = if s == 0 { 50 } else { s + 50 };
        }
        self
    }

    /// Replaces every snapshot after the first with `f`.
    fn resnap(mut self, f: impl Fn(u64) -> [S; 3]) -> Self {
        let to = self.o.next_step();
        self.o.layer_history.truncate(1);
        self.snaps(50, to, f)
    }

    /// Replaces every snapshot, the first included.
    fn resnap_all(mut self, f: impl Fn(u64) -> [S; 3]) -> Self {
        let to = self.o.next_step();
        self.o.layer_history.clear();
        self.snaps(0, to, f)
    }

    fn epoch(mut self, tl: f32, ta: f32, vl: f32, va: f32) -> Self {
        self.o.record_epoch(EpochFigures {
            train_loss: tl,
            train_acc: ta,
            val_loss: vl,
            val_acc: va,
        });
        self
    }

    fn epochs(mut self, e: &[(f32, f32, f32, f32)]) -> Self {
        self.o.epochs.clear();
        for &(tl, ta, vl, va) in e {
            self = self.epoch(tl, ta, vl, va);
        }
        self
    }

    fn confusion(mut self, m: Vec<Vec<u32>>) -> Self {
        self.o.confusion = m;
        self
    }

    /// 1000 validation samples per class, `recall` of them right, the rest spread evenly.
    fn confusion_diag(self, recall: f64) -> Self {
        self.confusion_recalls(&[recall; 10])
    }

    fn confusion_recalls(self, r: &[f64]) -> Self {
        let m = (0..r.len())
            .map(|c| {
                let right = (r[c] * 1000.0).round() as u32;
                let each = (1000 - right) / (r.len() as u32 - 1);
                (0..r.len())
                    .map(|j| if j == c { right } else { each })
                    .collect()
            })
            .collect();
        self.confusion(m)
    }

    /// `n` probe samples: a share `acc` right and confident; of the rest a share `cw` of all
    /// samples confidently wrong with a high loss, the others wrong without confidence.
    fn probe(mut self, n: usize, acc: f64, cw: f64) -> Self {
        let right = (acc * n as f64).round() as usize;
        let cwn = (cw * n as f64).round() as usize;
        self.o.samples = (0..n)
            .map(|i| {
                let label = (i % 10) as u8;
                if i < right {
                    SampleLoss {
                        label,
                        loss: 0.05,
                        predicted: label,
                        confidence: 0.95,
                    }
                } else if i < right + cwn {
                    SampleLoss {
                        label,
                        loss: 3.0,
                        predicted: (label + 1) % 10,
                        confidence: 0.8,
                    }
                } else {
                    SampleLoss {
                        label,
                        loss: 1.2,
                        predicted: (label + 1) % 10,
                        confidence: 0.4,
                    }
                }
            })
            .collect();
        self
    }

    fn input(mut self, min: f32, max: f32, mean: f32, std: f32) -> Self {
        self.o.input = Some(InputStats {
            min,
            max,
            mean,
            std,
        });
        self
    }

    fn counts(mut self, c: Vec<u32>) -> Self {
        self.o.class_counts = c;
        self
    }

    fn optimizer(mut self, f: OptimizerFamily) -> Self {
        self.o.optimizer = Some(f);
        self
    }

    fn initial(mut self, l: f32) -> Self {
        self.o.initial_loss = Some(l);
        if self.o.first_step == 0 && !self.o.step_loss.is_empty() {
            self.o.step_loss[0] = l;
        }
        self
    }

    fn run(&self) -> Vec<Finding> {
        let f = diagnose(&self.o);
        check_invariants(&f);
        f
    }
}

/// What every diagnosis must satisfy, whatever it found.
fn check_invariants(f: &[Finding]) {
    assert!(!f.is_empty(), "diagnose always says something");
    for w in f.windows(2) {
        assert!(w[0].severity >= w[1].severity, "sorted by severity: {f:#?}");
    }
    for (i, a) in f.iter().enumerate() {
        assert!(
            f[i + 1..].iter().all(|b| b.symptom != a.symptom),
            "one finding per symptom: {f:#?}"
        );
        assert!(!a.title.is_empty() && !a.experiment.is_empty());
        for (j, c) in a.causes.iter().enumerate() {
            assert!(CauseId::ALL.contains(&c.id), "unknown cause id {}", c.id);
            assert!(
                a.causes[j + 1..].iter().all(|d| d.id != c.id),
                "cause twice: {a:#?}"
            );
        }
        if a.symptom != SymptomId::Healthy {
            assert!(!a.causes.is_empty(), "{} names no cause", a.symptom);
        }
    }
    let alarming = f.iter().any(|x| x.severity >= Severity::Warn);
    assert_eq!(
        f.iter().any(|x| x.symptom == SymptomId::Healthy),
        !alarming,
        "healthy exactly when nothing at warn or alarm: {f:#?}"
    );
}

fn get(f: &[Finding], symptom: SymptomId) -> Option<&Finding> {
    f.iter().find(|x| x.symptom == symptom)
}

fn sev(f: &[Finding], symptom: SymptomId) -> Option<Severity> {
    get(f, symptom).map(|x| x.severity)
}

fn causes(f: &[Finding], symptom: SymptomId) -> Vec<CauseId> {
    get(f, symptom)
        .map(|x| x.causes.iter().map(|c| c.id).collect())
        .unwrap_or_default()
}

fn warnings(f: &[Finding]) -> Vec<SymptomId> {
    f.iter()
        .filter(|x| x.severity >= Severity::Warn)
        .map(|x| x.symptom)
        .collect()
}

fn at_chance(loss: f32, acc: f32) -> impl Fn(u64) -> (f32, f32) {
    move |i| (loss + 0.02 * noise(i), acc)
}

/// Three epochs whose last 100 steps show training accuracy `ta`, validation accuracy `va`.
fn gap_run(ta: f32, va: f32, tl: f32, vl: f32) -> Run {
    Run::healthy()
        .restep(600, move |i| (tl + 0.01 * noise(i), ta))
        .epochs(&[(tl, ta, vl, va), (tl, ta, vl, va), (tl, ta, vl, va)])
        .confusion_diag(va as f64)
}
