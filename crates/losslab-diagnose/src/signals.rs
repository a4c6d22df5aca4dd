//! Derived facts shared by the rules, computed once per `diagnose` call.

use crate::observe::*;
use crate::pipeline::Pipeline;
use crate::stats::*;
use crate::thresholds::*;
use crate::Severity;

pub(crate) struct Ctx<'a> {
    pub(crate) o: &'a Observations,
    /// Number of classes.
    pub(crate) k: usize,
    /// Entropy of the training-label frequencies (ln K when unknown or balanced).
    pub(crate) prior_entropy: f64,
    /// Largest class share of the training labels.
    pub(crate) max_share: f64,
    /// The first snapshot, if it shows the network as initialised.
    pub(crate) early: Option<&'a LayerSnapshot>,
    /// The last `PERSIST` snapshots.
    pub(crate) latest: &'a [LayerSnapshot],
    /// Steps scanned by the step-level rules (the most recent `SCAN_STEPS`).
    pub(crate) scan: &'a [f32],
    pub(crate) input_flag: Option<InputProblem>,
    pub(crate) spikes: Spikes,
    /// Batch-to-batch noise σ of the scanned losses (see `OSC_NOISE_SIGMAS`).
    pub(crate) noise_sigma: f64,
    pub(crate) reversals: usize,
    /// A layer whose weights keep moving while no gradient reaches it, and the per-step decay factor
    /// of its update norm (the momentum coefficient, see `MOMENTUM_HIGH`).
    /// A layer being pulled towards the origin by weight decay (see `DRIFT_ALIGN`) is not coasting.
    pub(crate) coasting: Option<(usize, f64)>,
    /// Layer with the largest weight-norm growth since the first snapshot, and the factor.
    pub(crate) growth: Option<(usize, f64)>,
    pub(crate) probe: Option<Probe>,
    /// Severity of the initial-loss finding, if any.
    pub(crate) init: Option<Severity>,
    /// The labels are heavily skewed (imbalance ratio above `IMBALANCE_RATIO`).
    pub(crate) skewed: bool,
    /// What points at a bug in the data pipeline or the loss (`pipeline.rs`).
    pub(crate) pipe: Pipeline,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum InputProblem {
    OutOfScale,
    Tiny,
}

#[derive(Default)]
pub(crate) struct Spikes {
    pub(crate) count: usize,
    /// Spikes at least `SHARP_FACTOR` × both neighbouring batch losses.
    pub(crate) sharp: usize,
    /// Largest loss / running median, and at which step.
    pub(crate) worst: f64,
    pub(crate) worst_step: u64,
}

#[derive(Clone, Copy)]
pub(crate) struct Probe {
    pub(crate) acc: f64,
    pub(crate) confident_wrong: f64,
    /// Confidently wrong and with a loss above ln K (the given label gets less than a blind guess).
    pub(crate) high_loss: f64,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(o: &'a Observations) -> Ctx<'a> {
        let k = if !o.class_counts.is_empty() {
            o.class_counts.len()
        } else if !o.confusion.is_empty() {
            o.confusion.len()
        } else {
            10
        }
        .max(2);
        let total: f64 = o.class_counts.iter().map(|&c| c as f64).sum();
        let (prior_entropy, max_share) = if total > 0.0 {
            let h = label_entropy(&o.class_counts).unwrap_or(0.0);
            let m = o.class_counts.iter().copied().max().unwrap_or(0) as f64 / total;
            (h, m)
        } else {
            ((k as f64).ln(), 1.0 / k as f64)
        };
        let max_c = o.class_counts.iter().copied().max().unwrap_or(0) as f64;
        let min_c = o.class_counts.iter().copied().min().unwrap_or(0) as f64;
        let skewed = max_c > 0.0 && (min_c == 0.0 || max_c / min_c > IMBALANCE_RATIO);

        let early = o.layer_history.first().filter(|s| s.step <= EARLY_STEP);
        // The network as initialised is not "recent" once later snapshots exist.
        let h = &o.layer_history;
        let from = h
            .len()
            .saturating_sub(PERSIST)
            .max(usize::from(h.len() > 1));
        let latest = &h[from..];
        let scan = &o.step_loss[o.step_loss.len().saturating_sub(SCAN_STEPS)..];
        let mut c = Ctx {
            o,
            k,
            prior_entropy,
            max_share,
            early,
            latest,
            scan,
            input_flag: input_problem(o.input),
            spikes: Spikes::default(),
            noise_sigma: 0.0,
            reversals: 0,
            coasting: None,
            growth: None,
            probe: None,
            init: None,
            skewed,
            pipe: Pipeline::default(),
        };
        c.spikes = c.find_spikes();
        c.noise_sigma = noise_sigma(c.scan);
        let floor = OSC_ABS_NATS.max(OSC_NOISE_SIGMAS * c.noise_sigma);
        c.reversals = reversals(&median_filter(c.scan, OSC_FILTER), floor);
        c.coasting = c.find_coasting();
        c.growth = c.find_growth();
        c.probe = c.find_probe();
        c.init = c.init_severity();
        c.pipe = c.find_pipeline();
        c
    }

    pub(crate) fn find_spikes(&self) -> Spikes {
        let mut s = Spikes::default();
        let all = &self.o.step_loss;
        let start = all.len() - self.scan.len();
        let mut window = Vec::with_capacity(SPIKE_WINDOW);
        for i in start.max(SPIKE_WINDOW)..all.len() {
            let v = all[i] as f64;
            if !finite(v) {
                continue;
            }
            window.clear();
            window.extend(
                all[i - SPIKE_WINDOW..i]
                    .iter()
                    .map(|&x| x as f64)
                    .filter(|x| x.is_finite()),
            );
            if window.len() < SPIKE_WINDOW / 2 {
                continue;
            }
            let med = median(&window);
            let limit = (SPIKE_FACTOR * med).max(med + self.spike_margin());
            if v > limit {
                s.count += 1;
                let neighbour = |j: Option<usize>| {
                    j.and_then(|j| all.get(j))
                        .map(|&x| x as f64)
                        .filter(|x| x.is_finite())
                };
                let around = [neighbour(i.checked_sub(1)), neighbour(Some(i + 1))];
                // The last step has no successor yet: judge it by its predecessor alone.
                if around
                    .iter()
                    .flatten()
                    .all(|&x| v >= SHARP_FACTOR * x.max(1e-12))
                {
                    s.sharp += 1;
                }
                let r = v / med.max(1e-12);
                if r > s.worst {
                    s.worst = r;
                    s.worst_step = self.o.first_step + i as u64;
                }
            }
        }
        s
    }

    /// The absolute part of the spike threshold, scaled to the batch size.
    pub(crate) fn spike_margin(&self) -> f64 {
        let b = if self.o.batch_size == 0 {
            32.0
        } else {
            self.o.batch_size as f64
        };
        SPIKE_MIN_NATS.max(SPIKE_BATCH_NATS / b)
    }

    /// Does `f` hold for the majority of the last snapshots?
    pub(crate) fn persists(&self, f: impl Fn(&LayerSnapshot) -> bool) -> bool {
        let n = self.latest.len();
        n > 0 && self.latest.iter().filter(|s| f(s)).count() * 2 > n
    }

    pub(crate) fn last(&self) -> Option<&'a LayerSnapshot> {
        self.latest.last()
    }

    pub(crate) fn stat(s: &LayerSnapshot, i: usize) -> Option<&LayerStats> {
        s.stats.get(i)
    }

    pub(crate) fn act(&self, i: usize) -> Option<ActKind> {
        self.o.layers.get(i).and_then(|l| l.act)
    }

    pub(crate) fn name(&self, i: usize) -> String {
        self.o
            .layers
            .get(i)
            .map(|l| l.name.clone())
            .or_else(|| {
                self.last()
                    .and_then(|s| s.stats.get(i))
                    .map(|s| s.name.clone())
            })
            .unwrap_or_else(|| format!("layer {}", i + 1))
    }

    pub(crate) fn has_saturating(&self) -> bool {
        self.o
            .layers
            .iter()
            .any(|l| l.act == Some(ActKind::Saturating))
    }

    /// First-layer / last-layer ratio of the weights' gradient norms of a snapshot, and the first
    /// layer's norm (None when undefined). Kernels only, as AUTOTRAINER's `norm_kernel[0] /
    /// norm_kernel[-1]`: the output bias's gradient does not shrink with the layers below.
    pub(crate) fn grad_ratio(s: &LayerSnapshot) -> Option<(f64, f64)> {
        let first = s.stats.first()?.kernel_grad_norm as f64;
        let last = s.stats.last()?.kernel_grad_norm as f64;
        if s.stats.len() < 2 || !finite(first) || !finite(last) || last <= 0.0 {
            return None;
        }
        Some((first / last, first))
    }

    pub(crate) fn vanishing(s: &LayerSnapshot) -> bool {
        Self::grad_ratio(s).is_some_and(|(r, first)| r < VANISH_RATIO && first < VANISH_FIRST_NORM)
            && !s.stats.last().is_some_and(started_from_zero)
    }

    pub(crate) fn exploding(s: &LayerSnapshot) -> bool {
        Self::grad_ratio(s).is_some_and(|(r, _)| r > EXPLODE_RATIO)
    }

    /// ReLU layers whose dead fraction is measurable in this snapshot.
    pub(crate) fn dead_frac(&self, s: &LayerSnapshot, i: usize) -> Option<f64> {
        if self.act(i) != Some(ActKind::ReluLike) || s.samples < DEAD_MIN_SAMPLES {
            return None;
        }
        Self::stat(s, i)
            .map(|x| x.dead_frac as f64)
            .filter(|v| v.is_finite())
    }

    /// Every non-output layer gets (practically) no gradient.
    pub(crate) fn no_hidden_gradient(s: &LayerSnapshot) -> bool {
        let n = s.stats.len();
        n >= 2
            && s.stats[..n - 1]
                .iter()
                .all(|x| (x.grad_norm as f64) < VANISH_FIRST_NORM)
    }

    pub(crate) fn tiny_weights(s: &LayerSnapshot, i: usize) -> bool {
        Self::stat(s, i).is_some_and(|x| (x.weight_norm as f64) < WEIGHT_TINY)
    }

    /// Median update ratio over the layers that receive a gradient and have weights of normal size
    /// (a layer without gradient is not moved by the step size; a tiny layer's ratio is meaningless).
    pub(crate) fn median_update_ratio(s: &LayerSnapshot) -> Option<f64> {
        let v: Vec<f64> = s
            .stats
            .iter()
            .filter(|x| {
                (x.grad_norm as f64) >= VANISH_FIRST_NORM && (x.weight_norm as f64) >= WEIGHT_TINY
            })
            .map(|x| x.update_ratio as f64)
            .filter(|r| r.is_finite())
            .collect();
        (!v.is_empty()).then(|| median(&v))
    }

    pub(crate) fn find_coasting(&self) -> Option<(usize, f64)> {
        let n = self.latest.len();
        if n < 2 {
            return None;
        }
        let (a, b) = (&self.latest[n - 2], &self.latest[n - 1]);
        let dt = b.step.checked_sub(a.step).filter(|&d| d > 0)? as f64;
        let norm = |x: &LayerStats| x.update_ratio as f64 * x.weight_norm as f64;
        (0..b.stats.len())
            .filter_map(|i| {
                let (x, y) = (a.stats.get(i)?, b.stats.get(i)?);
                let free = |z: &LayerStats| {
                    (z.grad_norm as f64) < VANISH_FIRST_NORM
                        && (z.weight_norm as f64) >= WEIGHT_TINY
                };
                let (u0, u1) = (norm(x), norm(y));
                // Steps that shrink the norm by (nearly) their whole length point at the origin:
                // weight decay's pull, not a velocity (`DRIFT_ALIGN`). Trapezoid path length.
                let path = dt * (u0 + u1) / 2.0;
                let shrink = x.weight_norm as f64 - y.weight_norm as f64;
                let decay_drift = path > 0.0 && shrink >= DRIFT_ALIGN * path;
                (free(x)
                    && free(y)
                    && !decay_drift
                    && (y.update_ratio as f64) >= UPDATE_RATIO_LOW_LIMIT
                    && u0 > 0.0
                    && u1 > 0.0
                    && u0.is_finite()
                    && u1.is_finite())
                .then(|| (i, (u1 / u0).powf(1.0 / dt)))
            })
            .max_by(|p, q| p.1.total_cmp(&q.1))
    }

    pub(crate) fn find_growth(&self) -> Option<(usize, f64)> {
        let first = self.o.layer_history.first()?;
        let last = self.last()?;
        if last.step <= first.step {
            return None;
        }
        let mut best: Option<(usize, f64)> = None;
        for (i, (a, b)) in first.stats.iter().zip(&last.stats).enumerate() {
            let (w0, w1) = (a.weight_norm as f64, b.weight_norm as f64);
            if w0 >= WEIGHT_TINY && finite(w1) && !started_from_zero(a) {
                let g = w1 / w0.max(WEIGHT_UNIT);
                if best.is_none_or(|(_, bg)| g > bg) {
                    best = Some((i, g));
                }
            }
        }
        best
    }

    pub(crate) fn find_probe(&self) -> Option<Probe> {
        let s = &self.o.samples;
        if s.len() < PROBE_MIN {
            return None;
        }
        let n = s.len() as f64;
        let lnk = (self.k as f64).ln();
        let right = s.iter().filter(|x| x.predicted == x.label).count() as f64;
        let cw: Vec<&SampleLoss> = s
            .iter()
            .filter(|x| x.predicted != x.label && x.confidence as f64 >= CONFIDENT)
            .collect();
        let hl = cw.iter().filter(|x| x.loss as f64 > lnk).count() as f64;
        Some(Probe {
            acc: right / n,
            confident_wrong: cw.len() as f64 / n,
            high_loss: hl / n,
        })
    }

    pub(crate) fn init_severity(&self) -> Option<Severity> {
        let l0 = self.o.initial_loss? as f64;
        if !finite(l0) {
            return Some(Severity::Alarm);
        }
        let lnk = (self.k as f64).ln();
        if l0 > INIT_LOSS_ALARM_FACTOR * lnk {
            Some(Severity::Alarm)
        } else if l0 > INIT_LOSS_WARN_FACTOR * lnk {
            // A warning is for a start that hurts: a net that brings its loss below chance within
            // its first `STUCK_MIN_STEPS` steps by itself got only a note.
            let first = if self.o.first_step == 0 {
                &self.o.step_loss[..self.o.step_loss.len().min(STUCK_MIN_STEPS)]
            } else {
                &[]
            };
            // … and before `STUCK_MIN_STEPS` steps were seen it is too early to say.
            let recovered = first.len() < STUCK_MIN_STEPS
                || first
                    .iter()
                    .any(|&l| (l as f64) < (1.0 - CHANCE_LOSS_BAND) * self.prior_entropy);
            Some(if recovered {
                Severity::Info
            } else {
                Severity::Warn
            })
        } else if l0 > INIT_LOSS_NOTE_FACTOR * self.prior_entropy {
            Some(Severity::Info)
        } else {
            None
        }
    }

    /// Mean training loss and accuracy over the last steps of epoch `e` (1-based), or the epoch mean if
    /// those steps are no longer kept.
    pub(crate) fn train_tail(&self, e: usize) -> (f64, f64) {
        let fig = self.o.epochs[e - 1];
        let spe = self.o.steps_per_epoch;
        if spe > 0 {
            let end = (e * spe) as u64;
            let w = spe.div_ceil(2).min(TRAIN_TAIL_STEPS) as u64;
            let start = end - w;
            let kept_end = self.o.next_step();
            if start >= self.o.first_step && end <= kept_end {
                let a = (start - self.o.first_step) as usize;
                let b = (end - self.o.first_step) as usize;
                let l = mean(self.o.step_loss[a..b].iter().map(|&x| x as f64));
                let c = mean(
                    self.o
                        .step_acc
                        .get(a..b)
                        .unwrap_or(&[])
                        .iter()
                        .map(|&x| x as f64),
                );
                if let (Some(l), Some(c)) = (l, c) {
                    return (l, c);
                }
            }
        }
        (fig.train_loss as f64, fig.train_acc as f64)
    }

    /// The latest epoch with validation figures: (1-based epoch, tail train loss, tail train acc,
    /// val loss, val acc).
    pub(crate) fn latest_eval(&self) -> Option<(usize, f64, f64, f64, f64)> {
        let e = self
            .o
            .epochs
            .iter()
            .rposition(|f| f.val_acc.is_finite() && f.val_loss.is_finite())?
            + 1;
        let (tl, ta) = self.train_tail(e);
        let f = self.o.epochs[e - 1];
        Some((e, tl, ta, f.val_loss as f64, f.val_acc as f64))
    }

    /// Is some class below `RARE_SHARE` of the mean class count?
    pub(crate) fn has_rare_classes(&self) -> bool {
        let counts = &self.o.class_counts;
        let mean_c = counts.iter().map(|&x| x as f64).sum::<f64>() / counts.len().max(1) as f64;
        mean_c > 0.0 && counts.iter().any(|&x| (x as f64) < RARE_SHARE * mean_c)
    }

    /// Per-class validation recall from the confusion matrix (NaN for a class with no samples).
    pub(crate) fn recall(&self) -> Vec<f64> {
        self.o
            .confusion
            .iter()
            .enumerate()
            .map(|(c, row)| {
                let total: u64 = row.iter().map(|&x| x as u64).sum();
                if total == 0 {
                    f64::NAN
                } else {
                    row.get(c).copied().unwrap_or(0) as f64 / total as f64
                }
            })
            .collect()
    }

    /// Pairs of classes confused with each other both ways: (a, b, share of a called b, of b called a).
    pub(crate) fn lookalikes(&self) -> Vec<(usize, usize, f64, f64)> {
        let m = &self.o.confusion;
        let rows: Vec<f64> = m
            .iter()
            .map(|r| r.iter().map(|&x| x as f64).sum())
            .collect();
        let mut out = Vec::new();
        for a in 0..m.len() {
            for b in a + 1..m.len() {
                if rows[a] == 0.0 || rows[b] == 0.0 {
                    continue;
                }
                let ab = m[a].get(b).copied().unwrap_or(0) as f64 / rows[a];
                let ba = m[b].get(a).copied().unwrap_or(0) as f64 / rows[b];
                if ab.min(ba) >= LOOKALIKE_BOTH && ab.max(ba) >= LOOKALIKE_ONE {
                    out.push((a, b, ab, ba));
                }
            }
        }
        let keys: Vec<f64> = out.iter().map(|x| -(x.2 + x.3)).collect();
        order_by(&keys).into_iter().map(|i| out[i]).collect()
    }

    /// Did the loss blow up (non-finite or ≥ `LOSS_EXPLODED_NATS`) only after training had gone well:
    /// at least `SPIKE_WINDOW` steps in, with the median of the `SPIKE_WINDOW` batch losses before it
    /// below the chance band (`CHANCE_LOSS_BAND`)? A step size that is simply too large shows from the
    /// first steps; a sudden blow-up after real progress points at an optimizer that occasionally
    /// takes a huge step.
    pub(crate) fn late_blowup(&self) -> bool {
        let v = &self.o.step_loss;
        let Some(i) = v
            .iter()
            .position(|&l| !l.is_finite() || l as f64 >= LOSS_EXPLODED_NATS)
        else {
            return false;
        };
        if (self.o.first_step as usize + i) < SPIKE_WINDOW || i < SPIKE_WINDOW {
            return false;
        }
        let before: Vec<f64> = v[i - SPIKE_WINDOW..i].iter().map(|&l| l as f64).collect();
        median(&before) < (1.0 - CHANCE_LOSS_BAND) * self.prior_entropy
    }

    /// Mean accuracy of the last `STUCK_WINDOW` training batches (None before there are that many).
    pub(crate) fn recent_acc(&self) -> Option<f64> {
        let a = &self.o.step_acc;
        let from = a.len().checked_sub(STUCK_WINDOW)?;
        mean(a[from..].iter().map(|&x| x as f64))
    }

    /// Does the clean probe contradict few of the training labels (fewer than `CONFIDENT_WRONG`)?
    /// Swapped labels leave that trace on clean images; augmentation and look-alike digits do not.
    pub(crate) fn probe_clears_labels(&self) -> bool {
        self.probe
            .is_some_and(|p| p.confident_wrong < CONFIDENT_WRONG)
    }

    /// Does the clean-image probe show a training-accuracy shortfall against validation accuracy
    /// `val_acc` that the augmented training batches (`train_acc`) show too? Some(share) if measurable.
    pub(crate) fn noise_share(&self, train_acc: f64, val_acc: f64) -> Option<f64> {
        let p = self.probe?;
        let gap = val_acc - train_acc;
        (gap > 0.0).then(|| (val_acc - p.acc) / gap)
    }
}

/// See `FROM_ZERO_TOL`.
pub(crate) fn started_from_zero(x: &LayerStats) -> bool {
    ((x.update_ratio as f64) - 1.0).abs() <= FROM_ZERO_TOL
}

pub(crate) fn input_problem(i: Option<InputStats>) -> Option<InputProblem> {
    let i = i?;
    let (lo, hi, m, s) = (i.min as f64, i.max as f64, i.mean as f64, i.std as f64);
    if ![lo, hi, m, s].iter().all(|v| v.is_finite()) {
        return None;
    }
    let in_range = lo >= -INPUT_RANGE && hi <= INPUT_RANGE;
    let standardised =
        m.abs() <= STANDARD_MEAN && (STANDARD_STD_LOW..=STANDARD_STD_HIGH).contains(&s);
    if !in_range && !standardised {
        Some(InputProblem::OutOfScale)
    } else if (m * m + s * s).sqrt() < INPUT_RMS_TINY {
        Some(InputProblem::Tiny)
    } else {
        None
    }
}

/// The most-dead ReLU layer, if one is dead in the majority of the last snapshots.
pub(crate) fn worst_dead(c: &Ctx, s: &LayerSnapshot) -> Option<(usize, f64)> {
    (0..s.stats.len())
        .filter_map(|i| c.dead_frac(s, i).map(|d| (i, d)))
        .filter(|&(i, _)| c.persists(|t| c.dead_frac(t, i).is_some_and(|d| d >= DEAD_FRAC)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

pub(crate) fn worst_saturated(c: &Ctx, s: &LayerSnapshot) -> Option<(usize, f64)> {
    (0..s.stats.len())
        .filter(|&i| c.act(i) == Some(ActKind::Saturating))
        .filter_map(|i| Ctx::stat(s, i).map(|x| (i, x.sat_frac as f64)))
        .filter(|&(i, _)| {
            c.persists(|t| Ctx::stat(t, i).is_some_and(|x| x.sat_frac as f64 >= SAT_FRAC))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

/// Gap a training/validation accuracy difference must reach (AUTOTRAINER).
pub(crate) fn acc_gap_limit(acc: f64) -> f64 {
    if acc > HIGH_ACC {
        GAP_HIGH_ACC
    } else {
        GAP
    }
}
