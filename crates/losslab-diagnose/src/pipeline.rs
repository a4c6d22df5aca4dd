//! Derived facts about the data pipeline and the loss, computed once per `diagnose` call: validation
//! below chance, inputs preprocessed differently, leaked validation images, unshuffled batches, and
//! what a cross-entropy could have read. The pipeline rules report them; the other rules rank
//! `pipeline_bug` by them.

use crate::observe::*;
use crate::signals::Ctx;
use crate::stats::*;
use crate::thresholds::*;

/// The latest validation pass scored below what a guess that ignores the image would.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BelowChance {
    /// Accuracy of the validation pass (its confusion matrix).
    pub(crate) acc: f64,
    /// Accuracy of an image-blind guess with the same answers (Cohen's chance agreement).
    pub(crate) chance: f64,
    /// `chance` less `CHANCE_SIGMAS` standard errors: the accuracy fell below it.
    pub(crate) limit: f64,
    /// Share of the true classes that are mostly called one other class (`MAPPED_SHARE`).
    pub(crate) mapped: f64,
    /// Predicted − true class, the same for every mapped class (signed, |shift| ≤ K/2), when more
    /// than half of the classes are mapped.
    pub(crate) shift: Option<i64>,
}

/// Validation and clean training inputs, as the network receives them, differ beyond what drawing other
/// images explains.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mismatch {
    pub(crate) val: InputStats,
    pub(crate) probe: InputStats,
    /// |mean_val − mean_probe| / std_probe.
    pub(crate) mean_shift: f64,
    /// std_val / std_probe.
    pub(crate) std_ratio: f64,
    /// Gap between the two ranges / std_probe; 0 when they overlap.
    pub(crate) range_gap: f64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Leak {
    pub(crate) found: u32,
    pub(crate) checked: u32,
    pub(crate) share: f64,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Unshuffled {
    /// Mean distinct classes of the recent batches.
    pub(crate) observed: f64,
    /// Expected for batches drawn at random from the training labels.
    pub(crate) expected: f64,
    pub(crate) steps: usize,
}

/// The network scores its own training images far worse in evaluation mode than in training mode.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EvalGap {
    /// Mean accuracy of the last `STUCK_WINDOW` training batches (training mode).
    pub(crate) train_acc: f64,
    /// The probe's accuracy: clean training images in evaluation mode.
    pub(crate) probe_acc: f64,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Pipeline {
    pub(crate) below_chance: Option<BelowChance>,
    pub(crate) mismatch: Option<Mismatch>,
    pub(crate) leak: Option<Leak>,
    pub(crate) unshuffled: Option<Unshuffled>,
    pub(crate) wiring: Option<WiringGap>,
    pub(crate) eval_gap: Option<EvalGap>,
}

/// The run's own loss against the cross-entropy of the same logits, on the probe samples the net gets
/// right (medians): apart by at least `LOSS_WIRING_GAP` when the loss is wired to something else.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WiringGap {
    pub(crate) trained: f64,
    pub(crate) ce: f64,
}

/// `WiringGap` from `probe_trained` and `samples`, if the two are apart.
fn find_wiring(o: &Observations) -> Option<WiringGap> {
    if o.probe_trained.len() != o.samples.len() {
        return None;
    }
    let (gaps, trained): (Vec<f64>, Vec<f64>) = o
        .samples
        .iter()
        .zip(&o.probe_trained)
        .filter(|(s, t)| s.predicted == s.label && t.is_finite() && s.loss.is_finite())
        .map(|(s, &t)| (t as f64 - s.loss as f64, t as f64))
        .unzip();
    if gaps.len() < WIRING_MIN_RIGHT {
        return None;
    }
    let gap = median(&gaps);
    let trained = median(&trained);
    (gap >= LOSS_WIRING_GAP).then_some(WiringGap {
        trained,
        ce: trained - gap,
    })
}

impl Ctx<'_> {
    pub(crate) fn find_pipeline(&self) -> Pipeline {
        Pipeline {
            below_chance: self.find_below_chance(),
            mismatch: find_mismatch(self.o.val_input, self.o.probe_input),
            leak: find_leak(self.o.val_duplicates),
            unshuffled: self.find_unshuffled(),
            wiring: if self.diverged() {
                None
            } else {
                find_wiring(self.o)
            },
            eval_gap: self.find_eval_gap(),
        }
    }

    /// `EvalGap` beyond `EVAL_MODE_GAP`, on a run without spikes, divergence or unshuffled batches.
    fn find_eval_gap(&self) -> Option<EvalGap> {
        if self.diverged() || self.spikes.count > 0 || self.find_unshuffled().is_some() {
            return None;
        }
        let probe_acc = self.probe?.acc;
        let (_, train_acc) = recent_loss_acc(self.o)?;
        (train_acc - probe_acc >= EVAL_MODE_GAP).then_some(EvalGap {
            train_acc,
            probe_acc,
        })
    }

    /// A NaN/∞ or an exploded loss anywhere in the kept record: the divergence findings explain
    /// whatever a broken net answers.
    pub(crate) fn diverged(&self) -> bool {
        self.o.non_finite.is_some()
            || self
                .o
                .step_loss
                .iter()
                .any(|&l| !l.is_finite() || l as f64 >= LOSS_EXPLODED_NATS)
    }

    fn find_below_chance(&self) -> Option<BelowChance> {
        self.latest_eval()?;
        if self.diverged() {
            return None;
        }
        let m = &self.o.confusion;
        let k = m.len();
        if k < 2 || m.iter().any(|r| r.len() != k) {
            return None;
        }
        let rows: Vec<f64> = m
            .iter()
            .map(|r| r.iter().map(|&x| x as f64).sum())
            .collect();
        let cols: Vec<f64> = (0..k)
            .map(|j| m.iter().map(|r| r[j] as f64).sum())
            .collect();
        let n: f64 = rows.iter().sum();
        if n <= 0.0 {
            return None;
        }
        let acc = (0..k).map(|c| m[c][c] as f64).sum::<f64>() / n;
        let chance = rows.iter().zip(&cols).map(|(r, c)| r * c).sum::<f64>() / (n * n);
        let limit = chance - CHANCE_SIGMAS * (chance * (1.0 - chance) / n).sqrt();
        if acc >= limit {
            return None;
        }
        // Each true class's most frequent answer, when it takes more than half of the class.
        let mapped: Vec<(usize, usize)> = (0..k)
            .filter(|&c| rows[c] > 0.0)
            .filter_map(|c| {
                let (j, &top) = m[c].iter().enumerate().max_by_key(|&(j, &v)| (v, k - j))?;
                (j != c && top as f64 > MAPPED_SHARE * rows[c]).then_some((c, j))
            })
            .collect();
        let classes = rows.iter().filter(|&&r| r > 0.0).count();
        let offset = |&(c, j): &(usize, usize)| (j + k - c) % k;
        let shift = mapped
            .first()
            .map(offset)
            .filter(|&d| mapped.len() * 2 > classes && mapped.iter().all(|p| offset(p) == d));
        Some(BelowChance {
            acc,
            chance,
            limit,
            mapped: mapped.len() as f64 / classes.max(1) as f64,
            shift: shift.map(|d| {
                let d = d as i64;
                if d > k as i64 / 2 {
                    d - k as i64
                } else {
                    d
                }
            }),
        })
    }

    fn find_unshuffled(&self) -> Option<Unshuffled> {
        let b = self.o.batch_size;
        if b < SHUFFLE_MIN_BATCH {
            return None;
        }
        // Known counts (0 = not measured) of the most recent batches.
        let recent: Vec<f64> = self
            .o
            .step_classes
            .iter()
            .rev()
            .filter(|&&x| x > 0)
            .take(STUCK_WINDOW)
            .map(|&x| x as f64)
            .collect();
        if recent.len() < SHUFFLE_MIN_STEPS {
            return None;
        }
        let observed = mean(recent.iter().copied())?;
        let expected = expected_classes(&self.o.class_counts, self.k, b);
        (observed < SHUFFLE_SHARE * expected).then_some(Unshuffled {
            observed,
            expected,
            steps: recent.len(),
        })
    }
}

/// Expected number of distinct classes in a batch of `b` labels drawn at random with the shares of
/// `counts` (K equal shares when unknown): Σ_c [1 − (1 − p_c)^b].
pub(crate) fn expected_classes(counts: &[u32], k: usize, b: usize) -> f64 {
    let total: f64 = counts.iter().map(|&x| x as f64).sum();
    let shares: Vec<f64> = if total > 0.0 {
        counts.iter().map(|&x| x as f64 / total).collect()
    } else {
        vec![1.0 / k as f64; k]
    };
    shares
        .iter()
        .map(|p| 1.0 - (1.0 - p).powi(b.min(i32::MAX as usize) as i32))
        .sum()
}

fn find_mismatch(val: Option<InputStats>, probe: Option<InputStats>) -> Option<Mismatch> {
    let (v, p) = (val?, probe?);
    let all = [v.min, v.max, v.mean, v.std, p.min, p.max, p.mean, p.std];
    if !all.iter().all(|x| x.is_finite()) || p.std <= 0.0 {
        return None;
    }
    let sp = p.std as f64;
    let mean_shift = (v.mean as f64 - p.mean as f64).abs() / sp;
    let std_ratio = v.std as f64 / sp;
    let gap = (v.min as f64 - p.max as f64).max(p.min as f64 - v.max as f64);
    let range_gap = gap.max(0.0) / sp;
    let differs = mean_shift > MISMATCH_MEAN_STDS
        || !(MISMATCH_STD_LOW..=MISMATCH_STD_HIGH).contains(&std_ratio)
        || gap > 0.0;
    differs.then_some(Mismatch {
        val: v,
        probe: p,
        mean_shift,
        std_ratio,
        range_gap,
    })
}

fn find_leak(d: Option<Duplicates>) -> Option<Leak> {
    let d = d?;
    if d.checked == 0 {
        return None;
    }
    let share = d.found as f64 / d.checked as f64;
    (share > LEAK_SHARE && d.found >= LEAK_MIN).then_some(Leak {
        found: d.found,
        checked: d.checked,
        share,
    })
}

/// Mean loss and accuracy of the last `STUCK_WINDOW` training batches.
pub(crate) fn recent_loss_acc(o: &Observations) -> Option<(f64, f64)> {
    let n = o.step_loss.len().min(o.step_acc.len());
    let from = n.checked_sub(STUCK_WINDOW)?;
    let l = mean(o.step_loss[from..n].iter().map(|&x| x as f64))?;
    let a = mean(o.step_acc[from..n].iter().map(|&x| x as f64))?;
    Some((l, a))
}

/// Mean cross-entropy of the probe's samples (None below `PROBE_MIN`).
pub(crate) fn probe_loss(o: &Observations) -> Option<f64> {
    if o.samples.len() < PROBE_MIN {
        return None;
    }
    mean(o.samples.iter().map(|s| s.loss as f64))
}
