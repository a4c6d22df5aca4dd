//! The stability meter and the loss along the last step: the step size against the curvature.
//!
//! **The meter.** A gradient step on a quadratic with top Hessian eigenvalue λ_max is stable while
//! η·λ_max < 2; the heavy ball (PyTorch's momentum) while η·λ_max < 2(1 + μ) (Goh 2017, "Why Momentum
//! Really Works", §"The Dynamics of Momentum"); and training a network tends to run at that edge (Cohen et
//! al. 2021, "Gradient Descent on Neural Networks Typically Occurs at the Edge of Stability"). The meter
//! estimates λ_max of the training loss on a fixed batch (`SHARPNESS_IMAGES` training images, chosen once
//! per run, clean and un-augmented, the network in training mode as a step sees it) by power iteration on
//! Hessian-vector products, each a central difference of two gradients:
//!   H·u ≈ (∇L(w + h·u) − ∇L(w − h·u)) / 2h,  h = `FD_STEP`·max(‖w‖, 1)/‖u‖
//! (error O(h²) on a smooth loss; Pearlmutter 1994, "Fast Exact Multiplication by the Hessian", §2 gives the
//! same product exactly at twice the code). L2 weight decay is in the gradient, so its wd·I is in H too.
//! It is shown as `ratio` = η·λ_max / threshold, with η the rate of the next step and the threshold of the
//! optimizer in use (`stability_threshold`): below 1 the step is stable along the sharpest direction of the
//! batch's loss, above 1 a step along it overshoots and grows.
//!
//! For Adam the plain Hessian says little (every coordinate has its own step); the meter then shows the
//! *preconditioned* sharpness of Cohen et al. 2022 ("Adaptive Gradient Methods at the Edge of Stability",
//! §2): λ_max of P⁻¹H with P = (1 − β1^t)·diag(√v̂ + ε) from the optimizer's last step
//! (`Optimizer::adam_preconditioner`), computed as the top eigenvalue of the symmetric P^{-½}·H·P^{-½}, against
//! their threshold (2 + 2β1)/(1 − β1) (38 for β1 = 0.9): the stability limit of the heavy ball with the
//! EMA momentum Adam uses, for a frozen preconditioner. Before Adam's first step there is no P, so its first
//! estimate comes after step 1.
//!
//! Not modelled: gradient clipping (it shortens a step the meter reads as unstable) and decoupled weight
//! decay (a contraction outside the gradient). The meter measures the batch's loss, not the full training
//! loss: a mini-batch's Hessian is sharper than the whole set's, and SGD's noise moves the edge (Cohen et
//! al. 2021 measure full-batch runs), so the line is a reading of the step size against the curvature the
//! steps meet, not a sharp boundary between training and diverging.
//!
//! **The loss along the last step.** With w₀ the weights before the last update and w₁ after it, the loss
//! on the last training batch (as that step computed it) at w(t) = w₁ + t·(w₁ − w₀), t from −1 (the weights
//! before the step) through 0 (now) to 3 (three more equal steps). Its lowest point t* says whether the
//! step went past the valley floor along its own direction: the step covered 1 where the floor was t* + 1
//! away, so it went ×1/(t* + 1) as far as the floor (above 1: past it; below 1: short of it).
//!
//! Both draw no random number from the training streams (the meter's first vector comes from its own
//! stream, `streams::SHARPNESS`), take the weights and BatchNorm's running statistics back bit for bit, put
//! the gradients back, and keep the last step's layer statistics readable (`forward_eval_hold`): training
//! goes on exactly as it would have without them (tests/sharpness.rs).

use super::{loss_weights, lr_at, scale_inputs, Status, Trainer};
use crate::config::Switch;
use crate::data::CLASSES;
use crate::layers::loss::batch_loss;
use crate::model::Model;
use crate::optim::{OptKind, OptimSettings, WdKind};
use crate::rng::{streams, Rng};

/// The meter's default cadence: an estimate before the first step, then at the first step boundary
/// `SHARPNESS_EVERY` steps after the last one (`Trainer::set_sharpness_every`; 0 switches it off).
pub const SHARPNESS_EVERY: u64 = 250;
/// Training images in the meter's fixed batch (spread evenly over the training set).
pub const SHARPNESS_IMAGES: usize = 32;
/// Power iterations of the first estimate (from a random vector) and of the later ones, which start from
/// the previous estimate's vector (the top direction moves slowly between estimates).
pub const FIRST_ITERATIONS: usize = 10;
pub const WARM_ITERATIONS: usize = 4;
/// Power iteration stops early when two successive estimates differ by less than this share.
pub const SHARPNESS_TOL: f64 = 1e-3;
/// The finite-difference step relative to ‖w‖ (see the module notes).
pub const FD_STEP: f64 = 1e-3;
/// The loss along the last step is taken at t = −1, −0.9, …, 3.
pub const LINE_FROM: f32 = -1.0;
pub const LINE_TO: f32 = 3.0;
pub const LINE_POINTS: usize = 41;

/// One estimate of the meter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SharpnessPoint {
    /// Steps trained when it was taken (0: the untrained net).
    pub step: u64,
    /// Top eigenvalue of the batch loss's Hessian (Adam: of P⁻¹H, see the module notes).
    pub lambda_max: f32,
    /// The learning rate of the next step.
    pub lr: f32,
    /// The optimizer's threshold for η·λ_max (`stability_threshold`).
    pub threshold: f32,
    /// η·λ_max / threshold: above 1, a step along the sharpest direction overshoots and grows.
    pub ratio: f32,
    /// Power iterations it took.
    pub iterations: u32,
    /// True for Adam's preconditioned sharpness.
    pub preconditioned: bool,
}

/// The optimizer's threshold for η·λ_max (`OptimSettings::stability_threshold`, in src/optim.rs with its
/// derivations and sources).
pub fn stability_threshold(s: &OptimSettings) -> f32 {
    s.stability_threshold() as f32
}

/// Power iteration (Golub & Van Loan, "Matrix Computations", §7.3.1) for the eigenvalue of largest size
/// of the symmetric operator `apply`, from `v0`: at most `max_iter` products, stopping when two successive
/// Rayleigh quotients differ by less than `tol` of the last. Returns the last Rayleigh quotient vᵀAv, the
/// unit vector it was taken at and the products made.
pub fn power_iteration(
    mut apply: impl FnMut(&[f64]) -> Vec<f64>,
    v0: Vec<f64>,
    max_iter: usize,
    tol: f64,
) -> (f64, Vec<f64>, usize) {
    let mut v = v0;
    let norm = |x: &[f64]| x.iter().map(|a| a * a).sum::<f64>().sqrt();
    let n0 = norm(&v);
    v.iter_mut().for_each(|a| *a /= n0);
    let mut lambda = f64::NAN;
    for k in 1..=max_iter.max(1) {
        let u = apply(&v);
        let q: f64 = v.iter().zip(&u).map(|(a, b)| a * b).sum();
        let nu = norm(&u);
        let done = (q - lambda).abs() <= tol * q.abs();
        lambda = q;
        if !(nu > 0.0 && nu.is_finite()) {
            return (lambda, v, k);
        }
        if done || k == max_iter {
            return (lambda, v, k);
        }
        v = u.into_iter().map(|a| a / nu).collect();
    }
    (lambda, v, max_iter)
}

/// The largest (algebraic) eigenvalue of the symmetric operator `apply`: the one that bounds a stable
/// step (along a direction of negative curvature a step does not oscillate, it slides downhill). Power
/// iteration finds the eigenvalue of largest size; when that is negative, a second power iteration on
/// A − λI (whose eigenvalues are all ≥ 0, its largest λ_max − λ) finds the top one. Every vector either
/// stage multiplies gives a Rayleigh quotient xᵀAx ≤ λ_max, so the answer is the largest of them all: a
/// lower bound that is the top eigenvalue once converged, and never worse than the start vector's (a warm
/// start from the last estimate's direction). Returns it, its unit vector and the products made in all.
pub fn top_eigenvalue(
    mut apply: impl FnMut(&[f64]) -> Vec<f64>,
    v0: Vec<f64>,
    max_iter: usize,
    tol: f64,
) -> (f64, Vec<f64>, usize) {
    let mut best = (f64::NEG_INFINITY, v0.clone());
    let mut seen = |x: &[f64], ax: &[f64]| {
        let q: f64 = x.iter().zip(ax).map(|(a, b)| a * b).sum();
        if q > best.0 {
            best = (q, x.to_vec());
        }
    };
    let (lambda, v, k) = power_iteration(
        |x: &[f64]| {
            let ax = apply(x);
            seen(x, &ax);
            ax
        },
        v0.clone(),
        max_iter,
        tol,
    );
    if lambda >= 0.0 || lambda.is_nan() {
        return (lambda, v, k);
    }
    let shifted = |x: &[f64]| -> Vec<f64> {
        let ax = apply(x);
        seen(x, &ax);
        ax.iter().zip(x).map(|(a, b)| a - lambda * b).collect()
    };
    let (_, _, k2) = power_iteration(shifted, v0, max_iter, tol);
    (best.0, best.1, k + k2)
}

/// H·u by a central difference of `grad` around `w` (see the module notes). The displacement actually
/// applied is what the f32 weights hold, (w + h·u) − (w − h·u), not 2h·u: the quotient divides by the
/// step taken along u.
pub fn fd_hvp(grad: &mut impl FnMut(&[f32]) -> Vec<f32>, w: &[f32], u: &[f64], h: f64) -> Vec<f64> {
    let plus: Vec<f32> = w
        .iter()
        .zip(u)
        .map(|(&a, &b)| (a as f64 + h * b) as f32)
        .collect();
    let minus: Vec<f32> = w
        .iter()
        .zip(u)
        .map(|(&a, &b)| (a as f64 - h * b) as f32)
        .collect();
    // The length of the displacement along u, as the f32 weights hold it.
    let (mut along, mut uu) = (0.0f64, 0.0f64);
    for ((&p, &m), &b) in plus.iter().zip(&minus).zip(u) {
        along += (p as f64 - m as f64) * b;
        uu += b * b;
    }
    let step = if uu > 0.0 { along / uu } else { 2.0 * h };
    let gp = grad(&plus);
    let gm = grad(&minus);
    gp.iter()
        .zip(&gm)
        .map(|(&a, &b)| (a as f64 - b as f64) / step)
        .collect()
}

/// The lowest point of a sampled curve: the sample with the lowest loss (a non-finite loss counts as the
/// highest), refined by the parabola through it and its two neighbours when it is inside the range.
pub fn line_minimum(t: &[f32], loss: &[f32]) -> f32 {
    let key = |l: f32| if l.is_finite() { l } else { f32::INFINITY };
    let mut best = 0;
    for i in 1..loss.len() {
        if key(loss[i]) < key(loss[best]) {
            best = i;
        }
    }
    if best == 0 || best + 1 >= loss.len() {
        return t[best];
    }
    let (l0, l1, l2) = (
        loss[best - 1] as f64,
        loss[best] as f64,
        loss[best + 1] as f64,
    );
    let (t0, t1, t2) = (t[best - 1] as f64, t[best] as f64, t[best + 1] as f64);
    if ![l0, l2].iter().all(|l| l.is_finite()) {
        return t[best];
    }
    // Vertex of the parabola through the three points (evenly spaced or not).
    let num = (t1 - t0).powi(2) * (l1 - l2) - (t1 - t2).powi(2) * (l1 - l0);
    let den = (t1 - t0) * (l1 - l2) - (t1 - t2) * (l1 - l0);
    if den == 0.0 {
        return t[best];
    }
    let v = t1 - 0.5 * num / den;
    v.clamp(t0, t2) as f32
}

/// The loss along the last step (see the module notes).
#[derive(Clone, Debug, PartialEq)]
pub struct StepLine {
    /// Steps trained: the line runs through the update of step `step`.
    pub step: u64,
    /// Positions t (−1: before the step, 0: now) and the batch's loss there.
    pub t: Vec<f32>,
    pub loss: Vec<f32>,
    /// The lowest point along the line (`line_minimum`).
    pub t_min: f32,
}

impl StepLine {
    /// How far the step went relative to the lowest point along its direction, 1/(t* + 1): above 1 it
    /// went past it, below 1 short of it; infinite when the loss rose from the weights before the step.
    pub fn overshoot(&self) -> f32 {
        1.0 / (self.t_min + 1.0)
    }
}

/// The meter's state in a run.
pub(super) struct Meter {
    /// Estimate every this many steps (0: off).
    every: u64,
    history: Vec<SharpnessPoint>,
    /// The fixed batch, built at the first estimate: network inputs and labels.
    batch: Option<(Vec<f32>, Vec<u8>)>,
    /// The last estimate's unit vector, the next one's start.
    vector: Option<Vec<f64>>,
    /// The parameters before the last applied update (`params()` order, flat), its step number and its
    /// batch as the network received it: the loss along the last step. A refused step (divergence) keeps
    /// the last applied one's.
    before: Vec<f32>,
    before_step: u64,
    x: Vec<f32>,
    y: Vec<u8>,
    /// The parameters before the step under way, swapped into `before` once it is applied.
    pub pending: Vec<f32>,
}

impl Meter {
    pub fn new() -> Meter {
        Meter {
            every: SHARPNESS_EVERY,
            history: Vec::new(),
            batch: None,
            vector: None,
            before: Vec::new(),
            before_step: 0,
            x: Vec::new(),
            y: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Step `step` applied its update, from the parameters in `pending`, on batch `x`, `y`: keep them for
    /// the loss along the last step (one copy of the parameters and the batch per step, a few hundred
    /// kilobytes at most: nothing next to the step itself).
    pub fn applied(&mut self, step: u64, x: &[f32], y: &[u8]) {
        std::mem::swap(&mut self.before, &mut self.pending);
        self.before_step = step;
        self.x.clear();
        self.x.extend_from_slice(x);
        self.y.clear();
        self.y.extend_from_slice(y);
    }

    fn due(&self, step: u64) -> bool {
        self.every > 0
            && self
                .history
                .last()
                .is_none_or(|p| step >= p.step + self.every)
    }
}

/// Sets every parameter value from a `Model::params_into` vector.
fn load_params(model: &mut Model, w: &[f32]) {
    let mut at = 0;
    for p in model.params_mut() {
        let k = p.value.len();
        p.value.copy_from_slice(&w[at..at + k]);
        at += k;
    }
}

/// What an L2 decay adds to each parameter's gradient per unit of weight (wd where the optimizer decays
/// it through the gradient, else 0), flat in `params()` order.
fn l2_decay(model: &Model, s: &OptimSettings) -> Vec<f32> {
    let mut d = Vec::new();
    for p in model.params() {
        let wd = if s.wd_kind != WdKind::L2 || (p.shape.len() == 1 && s.decay_bias == Switch::Off) {
            0.0
        } else {
            s.weight_decay
        };
        d.extend(std::iter::repeat_n(wd, p.value.len()));
    }
    d
}

impl Trainer {
    /// Estimate the meter every `every` steps (0: never). A run starts at `SHARPNESS_EVERY`.
    pub fn set_sharpness_every(&mut self, every: u64) {
        self.meter.every = every;
    }

    /// Adam's preconditioner P of the meter (`Optimizer::adam_preconditioner`).
    pub fn adam_preconditioner(&self) -> Option<Vec<f32>> {
        self.opt.adam_preconditioner()
    }

    /// The meter's estimates so far, oldest first.
    pub fn sharpness(&self) -> &[SharpnessPoint] {
        &self.meter.history
    }

    /// The estimate the first step would make before it (on the untrained net), made now: the page asks
    /// for it after the build, while the learner has not pressed Start, so that the first step does not
    /// wait for it. It is the first step's own estimate: the same weights, the same fixed batch and the
    /// first vector from the meter's own stream; a live setting changed before the first step drops it
    /// (`forget_start`), and the first step makes it again. Nothing once a step was taken.
    pub fn measure_before_start(&mut self) {
        if self.step == 0 && self.status == Status::Running {
            self.sharpness_tick();
        }
    }

    /// A live setting changed: an estimate made before the first step (`measure_before_start`) read the
    /// old settings (the L2 decay in H, the rate and the optimizer in the ratio), so the first step makes
    /// it again.
    pub(super) fn forget_start(&mut self) {
        if self.step == 0 {
            self.meter.history.clear();
            self.meter.vector = None;
        }
    }

    /// Before a step: an estimate when one is due.
    pub(super) fn sharpness_tick(&mut self) {
        if self.meter.due(self.step) {
            self.measure_sharpness();
        }
    }

    /// Estimate the meter now and add it to the history (see the module notes). None, and nothing added,
    /// when there is nothing to estimate: Adam before its first step, or weights or a loss that are not
    /// finite.
    pub fn measure_sharpness(&mut self) -> Option<SharpnessPoint> {
        let warm = self.meter.vector.take();
        let (iters, v0) = match warm {
            Some(v) => (WARM_ITERATIONS, Some(v)),
            None => (FIRST_ITERATIONS, None),
        };
        let (p, v) = self.estimate_sharpness(iters, SHARPNESS_TOL, v0)?;
        self.meter.vector = Some(v);
        self.meter.history.push(p);
        Some(p)
    }

    /// One estimate by at most `max_iter` power iterations (stopping at `tol`) from `v0`, or from the
    /// meter's own random start; with the unit vector it ended on. Records nothing.
    pub fn estimate_sharpness(
        &mut self,
        max_iter: usize,
        tol: f64,
        v0: Option<Vec<f64>>,
    ) -> Option<(SharpnessPoint, Vec<f64>)> {
        let s = self.opt.settings;
        let pre = match s.kind {
            OptKind::Adam => Some(self.opt.adam_preconditioner()?),
            _ => None,
        };
        let mut w = Vec::new();
        self.model.params_into(&mut w);
        if w.iter().any(|v| !v.is_finite()) {
            return None;
        }
        // The symmetric form P^{-½}·H·P^{-½} (P = I outside Adam): its eigenvalues are P⁻¹H's.
        let scale: Vec<f64> = match &pre {
            Some(p) => p.iter().map(|&d| 1.0 / (d as f64).sqrt()).collect(),
            None => vec![1.0; w.len()],
        };
        let wn = w.iter().map(|&a| a as f64 * a as f64).sum::<f64>().sqrt();
        let v0 = match v0 {
            Some(v) if v.len() == w.len() => v,
            _ => {
                let mut rng = Rng::stream(self.cfg.seed, streams::SHARPNESS);
                (0..w.len()).map(|_| rng.normal() as f64).collect()
            }
        };
        let mut finite = true;
        let (lambda, v, k) = self.with_meter_gradient(|grad| {
            let apply = |v: &[f64]| -> Vec<f64> {
                let u: Vec<f64> = v.iter().zip(&scale).map(|(a, s)| a * s).collect();
                let un = u.iter().map(|a| a * a).sum::<f64>().sqrt();
                let h = FD_STEP * wn.max(1.0) / un.max(f64::MIN_POSITIVE);
                let mut g = |at: &[f32]| {
                    let (g, ok) = grad(at);
                    finite &= ok;
                    g
                };
                let hu = fd_hvp(&mut g, &w, &u, h);
                hu.iter().zip(&scale).map(|(a, s)| a * s).collect()
            };
            top_eigenvalue(apply, v0, max_iter, tol)
        });
        if !finite || !lambda.is_finite() {
            return None;
        }
        let (_, spe) = self.epoch_progress();
        let lr = lr_at(&self.cfg, self.step + 1, spe);
        let threshold = stability_threshold(&s);
        let p = SharpnessPoint {
            step: self.step,
            lambda_max: lambda as f32,
            lr,
            threshold,
            ratio: (lr as f64 * lambda / threshold as f64) as f32,
            iterations: k as u32,
            preconditioned: pre.is_some(),
        };
        Some((p, v))
    }

    /// The gradient of the meter's batch loss (L2 decay included) at parameters `w` (`params()` order),
    /// with every training state put back: for checking the meter against a dense Hessian.
    pub fn sharpness_gradient(&mut self, w: &[f32]) -> Vec<f32> {
        self.with_meter_gradient(|grad| grad(w).0)
    }

    /// Runs `f` with the gradient of the meter's fixed batch loss at any parameters (and whether its
    /// loss was finite), then puts back everything the passes overwrote: weights and running
    /// statistics, gradients; the last step's layer statistics are kept before the caches change.
    fn with_meter_gradient<R>(
        &mut self,
        f: impl FnOnce(&mut dyn FnMut(&[f32]) -> (Vec<f32>, bool)) -> R,
    ) -> R {
        self.forward_eval_hold();
        let saved = self.model.weights_flat();
        let grads = self.model.grads_flat();
        let (x, y) = self.meter.batch.take().unwrap_or_else(|| {
            let n = self.train.len();
            let k = SHARPNESS_IMAGES.min(n);
            let idx: Vec<usize> = (0..k).map(|i| i * n / k).collect();
            let (mut x, y) = self.clean_batch(&self.train, &idx);
            scale_inputs(self.cfg.pixels, &mut x);
            (x, y)
        });
        let decay = l2_decay(&self.model, &self.opt.settings);
        let weights = loss_weights(&self.cfg, &self.class_weights).map(|w| w.to_vec());
        let wiring = self.cfg.loss_wiring;
        let model = &mut self.model;
        let bs = y.len();
        let mut grad = |at: &[f32]| -> (Vec<f32>, bool) {
            load_params(model, at);
            let logits = model.forward(&x, bs, true);
            let (loss, dlogits, _) = batch_loss(wiring, &logits, &y, CLASSES, weights.as_deref());
            model.zero_grad();
            model.backward_params(&dlogits);
            let mut g = model.grads_flat();
            for ((g, &d), &a) in g.iter_mut().zip(&decay).zip(at) {
                *g += d * a;
            }
            (g, loss.is_finite())
        };
        let r = f(&mut grad);
        self.model
            .set_weights_flat(&saved)
            .expect("the saved weights come from this model");
        self.model.zero_grad();
        self.model.add_grads_flat(&grads);
        self.meter.batch = Some((x, y));
        r
    }

    /// The loss along the last step (see the module notes), on the batch of the last applied update as
    /// its step computed it (training mode, the run's loss); None before the first update. After a
    /// refused step (divergence) it is the line of the last update that was applied.
    pub fn step_line(&mut self) -> Option<StepLine> {
        let bs = self.meter.y.len();
        let n = self
            .model
            .params()
            .iter()
            .map(|p| p.value.len())
            .sum::<usize>();
        if self.meter.before_step == 0 || self.meter.before.len() != n || bs == 0 {
            return None;
        }
        self.forward_eval_hold();
        let saved = self.model.weights_flat();
        let mut now = Vec::new();
        self.model.params_into(&mut now);
        let before = &self.meter.before;
        let weights = loss_weights(&self.cfg, &self.class_weights);
        let mut t = Vec::with_capacity(LINE_POINTS);
        let mut loss = Vec::with_capacity(LINE_POINTS);
        let mut at = vec![0.0f32; n];
        for i in 0..LINE_POINTS {
            let ti = LINE_FROM + (LINE_TO - LINE_FROM) * i as f32 / (LINE_POINTS - 1) as f32;
            // t = −1 and 0 are the weights themselves, bit for bit: the first point is the loss the
            // step reported.
            let src: &[f32] = match i {
                0 => before,
                _ if ti == 0.0 => &now,
                _ => {
                    for ((a, &w1), &w0) in at.iter_mut().zip(&now).zip(before) {
                        *a = w1 + ti * (w1 - w0);
                    }
                    &at
                }
            };
            load_params(&mut self.model, src);
            let logits = self.model.forward(&self.meter.x, bs, true);
            let (l, _, _) = batch_loss(
                self.cfg.loss_wiring,
                &logits,
                &self.meter.y,
                CLASSES,
                weights,
            );
            t.push(if i == 0 { LINE_FROM } else { ti });
            loss.push(l);
        }
        self.model
            .set_weights_flat(&saved)
            .expect("the saved weights come from this model");
        let t_min = line_minimum(&t, &loss);
        Some(StepLine {
            step: self.meter.before_step,
            t,
            loss,
            t_min,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_follow_their_recurrences() {
        let mut s = crate::config::Config::default().optim;
        s.kind = OptKind::Sgd;
        assert_eq!(stability_threshold(&s), 2.0);
        s.kind = OptKind::Momentum;
        s.momentum = 0.9;
        assert!((stability_threshold(&s) - 3.8).abs() < 1e-6);
        s.kind = OptKind::Nesterov;
        assert!((stability_threshold(&s) - 3.8 / 2.8).abs() < 1e-6);
        s.kind = OptKind::Adam;
        s.beta1 = 0.9;
        assert!((stability_threshold(&s) - 38.0).abs() < 1e-4);
    }

    /// Runs the optimizer's recurrence on f(w) = λw²/2 at η·λ just under and just over the threshold:
    /// the first shrinks, the second grows.
    #[test]
    fn the_thresholds_separate_shrinking_from_growing_runs_on_a_quadratic() {
        use crate::layers::Param;
        use crate::optim::Optimizer;
        for kind in [OptKind::Sgd, OptKind::Momentum, OptKind::Nesterov] {
            let mut s = crate::config::Config::default().optim;
            s.kind = kind;
            s.momentum = 0.8;
            s.weight_decay = 0.0;
            let th = stability_threshold(&s) as f64;
            for (factor, grows) in [(0.97, false), (1.03, true)] {
                let lambda = 10.0f64;
                s.lr = (factor * th / lambda) as f32;
                let mut o = Optimizer::new(s);
                let mut p = Param::new("p".into(), vec![1], vec![1.0]);
                for _ in 0..500 {
                    p.grad = vec![(lambda * p.value[0] as f64) as f32];
                    o.step(&mut [&mut p]);
                }
                let w = p.value[0].abs();
                assert_eq!(
                    w > 1.0 || !w.is_finite(),
                    grows,
                    "{kind:?} at {factor}×threshold: |w| = {w}"
                );
            }
        }
    }

    #[test]
    fn the_line_minimum_of_a_parabola_is_its_vertex() {
        let t: Vec<f32> = (0..41).map(|i| -1.0 + 0.1 * i as f32).collect();
        for t0 in [-0.57f32, 0.0, 0.33, 1.234] {
            let l: Vec<f32> = t.iter().map(|&x| 2.0 + 3.0 * (x - t0).powi(2)).collect();
            let m = line_minimum(&t, &l);
            assert!((m - t0).abs() < 1e-4, "{t0}: {m}");
        }
        // A rising line: the lowest point is the first; a NaN counts as the highest.
        let l: Vec<f32> = t.iter().map(|&x| x * x + 3.0 * x).collect();
        assert_eq!(line_minimum(&t, &l), -1.0);
        let mut l: Vec<f32> = t.iter().map(|&x| -x).collect();
        l[40] = f32::NAN;
        assert!((line_minimum(&t, &l) - 2.9).abs() < 1e-6);
    }
}
