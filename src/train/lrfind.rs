//! The learning-rate range test ("Find a learning rate"): Smith 2017, "Cyclical Learning Rates for
//! Training Neural Networks", §3.3, in the form of fastai's `Learner.lr_find`. From the current weights
//! or from a fresh net, the learning rate rises exponentially from `start` to `end` over `steps`
//! mini-batches with the run's own optimizer, loss, input scaling and gradient clipping; the loss is smoothed with a debiased exponential moving
//! average (β 0.98); the test stops early once the smoothed loss passes 4× its best value or is not
//! finite. Afterwards the weights and the optimizer state are put back exactly as they were, and the
//! training stream (batch order, augmentation draws, step count) was never touched: the test draws its
//! batches from a stream of its own.
//!
//! Suggestions (fastai's `minimum`, `steep` and `valley`) are read off the smoothed curve without its
//! first tenth and last five points (fastai's `lrs[num_it//10:-5]`), where the loss is either still
//! the untrained net's or already blowing up.

use super::step::{train_step, Rule, Source, StepEnd};
use super::{loss_weights, scale_inputs, Trainer, PIXELS};
use crate::data::fill_batch;
use crate::metrics::layer_stats;
use crate::model::Model;
use crate::optim::Optimizer;
use crate::rng::{streams, Rng};

/// Smoothing of the recorded loss (fastai's `Recorder` uses the same β).
pub const SMOOTHING: f32 = 0.98;
/// The test stops once the smoothed loss exceeds this multiple of its best value.
pub const STOP_FACTOR: f32 = 4.0;

/// What the learner chooses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LrFindOptions {
    /// First and last learning rate of the exponential ramp.
    pub start: f32,
    pub end: f32,
    /// Mini-batches over the ramp (the test may stop earlier).
    pub steps: usize,
    /// From a freshly initialised net (same seed and configuration) instead of the current weights.
    pub fresh: bool,
}

impl Default for LrFindOptions {
    fn default() -> LrFindOptions {
        LrFindOptions {
            start: 1e-6,
            end: 10.0,
            steps: 100,
            fresh: false,
        }
    }
}

impl LrFindOptions {
    /// Refuses options the test cannot run, with a message naming the option.
    pub fn check(&self) -> Result<(), String> {
        if !(self.start.is_finite() && self.start > 0.0) {
            return Err(format!(
                "the range test's start learning rate must be a positive number, not {}",
                self.start
            ));
        }
        if !(self.end.is_finite() && self.end > self.start) {
            return Err(format!(
                "the range test's end learning rate ({}) must be larger than its start ({})",
                self.end, self.start
            ));
        }
        if !(10..=1000).contains(&self.steps) {
            return Err(format!(
                "the range test takes 10 to 1000 mini-batches, not {}",
                self.steps
            ));
        }
        Ok(())
    }

    /// The learning rate of mini-batch `i` (0-based): start · (end/start)^(i/(steps−1)).
    pub fn lr_at(&self, i: usize) -> f32 {
        let pos = i as f64 / (self.steps - 1) as f64;
        (self.start as f64 * (self.end as f64 / self.start as f64).powf(pos)) as f32
    }
}

/// fastai's three suggestions; None where the curve is too short to say.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Suggestions {
    /// Halfway down the longest run of falling loss (fastai's default, `valley`).
    pub valley: Option<f32>,
    /// Where the loss falls fastest per decade of learning rate (`steep`).
    pub steep: Option<f32>,
    /// The learning rate of the lowest loss, divided by 10 (`minimum`).
    pub minimum: Option<f32>,
}

impl Suggestions {
    /// The one the page applies: valley, else steep, else minimum ÷ 10.
    pub fn best(&self) -> Option<f32> {
        self.valley.or(self.steep).or(self.minimum)
    }
}

/// The result of a finished range test.
#[derive(Clone, Debug, PartialEq)]
pub struct LrFindReport {
    /// The learning rate of each mini-batch, its smoothed loss and its own loss.
    pub lrs: Vec<f32>,
    pub losses: Vec<f32>,
    pub raw: Vec<f32>,
    pub suggestions: Suggestions,
    /// The learning rate at which the smoothed loss passed 4× its best or became NaN/∞, if it did.
    pub blew_up_at: Option<f32>,
    pub options: LrFindOptions,
}

/// A range test under way (`Trainer::lr_find_start` … `lr_find_chunk`).
pub(super) struct LrFind {
    opts: LrFindOptions,
    /// The weights and optimizer the run had before the test, put back when it ends.
    saved: Vec<Vec<f32>>,
    saved_opt: Optimizer,
    /// The test's own batch order and augmentation stream.
    rng: Rng,
    order: Vec<usize>,
    pos: usize,
    avg: f64,
    best: f32,
    lrs: Vec<f32>,
    losses: Vec<f32>,
    raw: Vec<f32>,
    blew_up_at: Option<f32>,
}

impl LrFind {
    /// Records the loss of the test's next mini-batch, at learning rate `lr`; true when the test stops
    /// there (the smoothed loss passed `STOP_FACTOR` times its best, or is not finite).
    fn record(&mut self, lr: f32, loss: f32) -> bool {
        let i = self.lrs.len();
        // Debiased exponential moving average (fastai's `AvgSmoothLoss`).
        self.avg = SMOOTHING as f64 * self.avg + (1.0 - SMOOTHING as f64) * loss as f64;
        let smooth = (self.avg / (1.0 - (SMOOTHING as f64).powi(i as i32 + 1))) as f32;
        self.lrs.push(lr);
        self.losses.push(smooth);
        self.raw.push(loss);
        if !smooth.is_finite() || smooth > STOP_FACTOR * self.best {
            self.blew_up_at = Some(lr);
            return true;
        }
        self.best = self.best.min(smooth);
        false
    }
}

impl Trainer {
    /// Begin a range test. Training must not step until `lr_find_chunk` reports the end.
    pub fn lr_find_start(&mut self, opts: LrFindOptions) -> Result<(), String> {
        opts.check()?;
        // The test's forward passes replace the layers' activations: keep the last training step's
        // statistics first, as a clean pass does.
        if self.held_stats.is_none() {
            self.held_stats = Some(layer_stats(&self.model, &self.last_update, self.last_batch));
        }
        let saved = self
            .model
            .params()
            .iter()
            .map(|p| p.value.clone())
            .collect();
        let saved_opt = self.opt.clone();
        if opts.fresh {
            let fresh = Model::from_config(&self.cfg).map_err(|e| e.0)?;
            for (p, f) in self.model.params_mut().into_iter().zip(fresh.params()) {
                p.value.copy_from_slice(&f.value);
            }
            self.opt = Optimizer::new(self.cfg.optim);
        }
        let mut rng = Rng::stream(self.cfg.seed, streams::LR_FIND);
        let mut order: Vec<usize> = (0..self.train.len()).collect();
        rng.shuffle(&mut order);
        self.lr_find = Some(LrFind {
            opts,
            saved,
            saved_opt,
            rng,
            order,
            pos: 0,
            avg: 0.0,
            best: f32::INFINITY,
            lrs: Vec::new(),
            losses: Vec::new(),
            raw: Vec::new(),
            blew_up_at: None,
        });
        self.lr_found = None;
        Ok(())
    }

    /// Run up to `count` mini-batches of the test; true once it has ended (the report is ready and
    /// the weights are restored) or when no test is under way.
    pub fn lr_find_chunk(&mut self, count: usize) -> bool {
        let Some(mut f) = self.lr_find.take() else {
            return true;
        };
        let mut ended = false;
        for _ in 0..count {
            let i = f.lrs.len();
            if i >= f.opts.steps {
                ended = true;
                break;
            }
            let lr = f.opts.lr_at(i);
            let bs = self.cfg.batch.min(f.order.len());
            if f.pos + bs > f.order.len() {
                f.rng.shuffle(&mut f.order);
                f.pos = 0;
            }
            let idx = &f.order[f.pos..f.pos + bs];
            f.pos += bs;
            let mut x = vec![0.0; bs * PIXELS];
            let mut y = vec![0; bs];
            fill_batch(&self.train, idx, &self.aug, &mut f.rng, &mut x, &mut y);
            scale_inputs(self.cfg.pixels, &mut x);
            // Gradient clipping stays on, as in training (fastai keeps a learner's callbacks on too);
            // warm-up does not apply: the ramp is the schedule.
            let rule = Rule {
                wiring: self.cfg.loss_wiring,
                weights: loss_weights(&self.cfg, &self.class_weights),
                clip: self.cfg.clip,
                lr,
                stop_on_bad_gradient: false,
            };
            let out = train_step(
                &mut self.model,
                &mut self.opt,
                Source::Batch { x: &x, y: &y },
                &rule,
                |_, loss, _| f.record(lr, loss),
            );
            if matches!(out.end, StepEnd::Refused) {
                ended = true;
                break;
            }
        }
        if !ended && f.lrs.len() < f.opts.steps {
            self.lr_find = Some(f);
            return false;
        }
        for (p, v) in self.model.params_mut().into_iter().zip(&f.saved) {
            p.value.copy_from_slice(v);
        }
        self.model.zero_grad();
        self.opt = f.saved_opt;
        self.lr_found = Some(LrFindReport {
            suggestions: suggest(&f.lrs, &f.losses),
            lrs: f.lrs,
            losses: f.losses,
            raw: f.raw,
            blew_up_at: f.blew_up_at,
            options: f.opts,
        });
        true
    }

    /// Is a range test under way?
    pub fn lr_find_running(&self) -> bool {
        self.lr_find.is_some()
    }

    /// The last finished range test of this build.
    pub fn lr_find_report(&self) -> Option<&LrFindReport> {
        self.lr_found.as_ref()
    }
}

/// fastai's suggestions on the smoothed curve, without its first tenth and last five points.
pub fn suggest(lrs: &[f32], losses: &[f32]) -> Suggestions {
    // A curve that ended in NaN or ∞ is read up to its last finite point.
    let n = losses
        .iter()
        .position(|l| !l.is_finite())
        .unwrap_or(losses.len())
        .min(lrs.len());
    let (a, b) = (n / 10, n.saturating_sub(5));
    if b < a + 3 {
        return Suggestions::default();
    }
    let (lrs, losses) = (&lrs[a..b], &losses[a..b]);
    let low = (0..losses.len())
        .min_by(|&i, &j| losses[i].total_cmp(&losses[j]))
        .expect("at least three points");
    // Slope of the loss per unit of ln(lr); the steepest descent is its most negative value.
    let steep = (1..losses.len())
        .map(|i| {
            let d = (losses[i] - losses[i - 1]) as f64 / (lrs[i] as f64 / lrs[i - 1] as f64).ln();
            (i - 1, d)
        })
        .min_by(|x, y| x.1.total_cmp(&y.1))
        .map(|(i, _)| lrs[i]);
    Suggestions {
        valley: Some(lrs[valley_index(losses)]),
        steep,
        minimum: Some(lrs[low] / 10.0),
    }
}

/// fastai's `valley` (fastai 2.5, after Zachary Mueller): the longest strictly falling subsequence
/// of the loss, and the point a third plus a sixth (so about half) of the way along it.
pub fn valley_index(losses: &[f32]) -> usize {
    let n = losses.len();
    let mut lds = vec![1usize; n];
    // `start` is one before the run's first point, as in fastai (−1 for a run from the first point).
    let (mut start, mut end) = (0i64, 0usize);
    for i in 1..n {
        for j in 0..i {
            if losses[i] < losses[j] && lds[i] < lds[j] + 1 {
                lds[i] = lds[j] + 1;
            }
            if lds[end] < lds[i] {
                end = i;
                start = end as i64 - lds[end] as i64;
            }
        }
    }
    let sections = (end as i64 - start) as f64 / 3.0;
    let idx = start + sections as i64 + (sections / 2.0) as i64;
    idx.clamp(0, n as i64 - 1) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ramp_runs_from_start_to_end_exponentially() {
        let o = LrFindOptions::default();
        assert!((o.lr_at(0) - 1e-6).abs() < 1e-12);
        assert!((o.lr_at(99) - 10.0).abs() < 1e-4);
        // Equal ratios between neighbours: 7 decades over 99 steps.
        let r = o.lr_at(51) / o.lr_at(50);
        assert!((r - 10f32.powf(7.0 / 99.0)).abs() < 1e-4, "{r}");
    }

    #[test]
    fn bad_options_are_refused_by_name() {
        for (o, want) in [
            (
                LrFindOptions {
                    start: 0.0,
                    ..Default::default()
                },
                "start",
            ),
            (
                LrFindOptions {
                    end: 1e-7,
                    ..Default::default()
                },
                "end",
            ),
            (
                LrFindOptions {
                    steps: 3,
                    ..Default::default()
                },
                "mini-batches",
            ),
            (
                LrFindOptions {
                    start: f32::NAN,
                    ..Default::default()
                },
                "start",
            ),
        ] {
            let e = o.check().unwrap_err();
            assert!(e.contains(want), "{e}");
        }
    }

    /// A curve flat at 2.3, falling steadily from lr 1e-3 to 1e-1, then climbing.
    fn textbook() -> (Vec<f32>, Vec<f32>) {
        let o = LrFindOptions::default();
        let lrs: Vec<f32> = (0..100).map(|i| o.lr_at(i)).collect();
        let losses = lrs
            .iter()
            .map(|&lr| {
                let d = lr.log10();
                if d < -3.0 {
                    2.3
                } else if d < -1.0 {
                    2.3 - 1.0 * (d + 3.0)
                } else {
                    0.3 + 3.0 * (d + 1.0)
                }
            })
            .collect();
        (lrs, losses)
    }

    #[test]
    fn suggestions_fall_inside_the_descent_of_a_textbook_curve() {
        let (lrs, losses) = textbook();
        let s = suggest(&lrs, &losses);
        for (name, v) in [
            ("valley", s.valley),
            ("steep", s.steep),
            ("minimum", s.minimum),
        ] {
            let v = v.unwrap_or_else(|| panic!("{name} missing"));
            assert!(
                (1e-3..=1e-1).contains(&v) || name == "minimum",
                "{name} = {v}"
            );
        }
        // The lowest point is at lr 0.1, so minimum ÷ 10 is about 0.01.
        let m = s.minimum.unwrap();
        assert!((0.008..0.013).contains(&m), "{m}");
        // Valley: about halfway down the descent (10^-3 … 10^-1).
        let v = s.valley.unwrap().log10();
        assert!((-2.4..=-1.6).contains(&v), "valley at 10^{v}");
        assert_eq!(s.best(), s.valley);
    }

    #[test]
    fn a_curve_too_short_gives_no_suggestion() {
        let s = suggest(&[1e-6, 1e-5, 1e-4, 1e-3], &[2.3, 2.3, 2.2, 9.0]);
        assert_eq!(s, Suggestions::default());
        assert_eq!(s.best(), None);
    }

    #[test]
    fn valley_of_a_monotone_fall_is_two_thirds_along() {
        let l: Vec<f32> = (0..31).map(|i| 10.0 - i as f32 * 0.1).collect();
        // The longest falling run is the whole curve: start −1, end 30; 31/3 = 10.3 → −1 + 10 + 5.
        assert_eq!(valley_index(&l), 14);
    }
}
