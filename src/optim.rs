//! Optimizers as one flat loop over parameters. Every hyperparameter can change between any two steps.
//! SGD with momentum and Nesterov follow PyTorch's `torch.optim.SGD` (dampening 0):
//!   g ← g + wd·p;  b ← μ·b + g;  p ← p − lr·b   (Nesterov: p ← p − lr·(g + μ·b)).
//! Adam follows Kingma & Ba 2015, Algorithm 1, with L2 weight decay added to the gradient as in
//! `torch.optim.Adam`: m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  m̂ = m/(1−β1^t);  v̂ = v/(1−β2^t);
//!   p ← p − lr·m̂/(√v̂ + ε).
//! Weight decay is L2 (added to the gradient, as above) or decoupled (`WdKind::Decoupled`: p ← p·(1 − lr·wd)
//! before the step with the plain gradient, as `torch.optim.AdamW`; Loshchilov & Hutter 2019, "Decoupled
//! Weight Decay Regularization"). With Adam the two differ: L2's decay is divided by √v̂ like the gradient,
//! so weights with large gradients are hardly decayed. Biases (1-D parameters) are left out unless
//! `decay_bias` (the common practice, e.g. Goyal et al. 2017 §5.1; Tuning Playbook).

use crate::config::{with_blank, Switch};
use crate::layers::Param;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptKind {
    Sgd,
    Momentum,
    Nesterov,
    Adam,
}

with_blank! {
/// The live hyperparameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimSettings {
    pub kind: OptKind,
    pub lr: f32,
    /// μ for momentum and Nesterov.
    pub momentum: f32,
    pub beta1: f32,
    pub beta2: f32,
    pub eps: f32,
    /// Weight decay coefficient.
    pub weight_decay: f32,
    /// How it is applied: added to the gradient (L2) or to the weights directly (decoupled).
    pub wd_kind: WdKind,
    /// Decay the biases too (off: only the weights are decayed).
    pub decay_bias: Switch,
}
}

impl OptimSettings {
    /// The largest stable η·λ on a quadratic for this optimizer (each from the linear recurrence of one
    /// eigen-direction; a root of its characteristic polynomial reaches −1 there):
    /// - SGD: 2.
    /// - Momentum (heavy ball, PyTorch's b ← μb + g, w ← w − ηb): 2(1 + μ) (Goh 2017; Cohen et al. 2021,
    ///   Appendix "momentum").
    /// - Nesterov (PyTorch's w ← w − η(g + μb)): z² − (1+μ)(1−a)z + μ(1−a) with a = ηλ has a root at −1
    ///   when a = (2 + 2μ)/(1 + 2μ): between 1 and 2, stricter than plain SGD's 2 as μ grows.
    /// - Adam: (2 + 2β1)/(1 − β1), for the preconditioned sharpness λ(P⁻¹H) (Cohen et al. 2022, §2).
    ///
    /// The stability meter (src/train/sharpness.rs) and the 2-D sandbox (src/sandbox.rs) both draw it.
    pub fn stability_threshold(&self) -> f64 {
        let mu = self.momentum as f64;
        let b1 = self.beta1 as f64;
        match self.kind {
            OptKind::Sgd => 2.0,
            OptKind::Momentum => 2.0 * (1.0 + mu),
            OptKind::Nesterov => (2.0 + 2.0 * mu) / (1.0 + 2.0 * mu),
            OptKind::Adam => (2.0 + 2.0 * b1) / (1.0 - b1),
        }
    }
}

/// How weight decay is applied (`wd_kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WdKind {
    /// wd·p added to the gradient: the L2 penalty (wd/2)·‖p‖².
    L2,
    /// p ← p·(1 − lr·wd), apart from the gradient step (AdamW, SGDW).
    Decoupled,
}

#[derive(Default, Clone)]
struct State {
    /// Momentum buffer (SGD) or first moment m (Adam).
    m: Vec<f32>,
    /// Second moment v (Adam).
    v: Vec<f32>,
}

#[derive(Clone)]
pub struct Optimizer {
    pub settings: OptimSettings,
    /// Adam's step counter t (1-based after the first step).
    t: u64,
    state: Vec<State>,
}

impl Optimizer {
    pub fn new(settings: OptimSettings) -> Optimizer {
        Optimizer {
            settings,
            t: 0,
            state: Vec::new(),
        }
    }

    /// Change the hyperparameters between steps. Switching between the SGD family and Adam starts
    /// the new method afresh: Adam's moments and bias correction count from its own first step
    /// (kept across a switch, t would be large while m and v are still near zero, and the first
    /// "bias-corrected" steps would be far too big). Momentum and Nesterov share their buffer.
    pub fn set_settings(&mut self, settings: OptimSettings) {
        let adam = |k: OptKind| k == OptKind::Adam;
        let sgd_only = |k: OptKind| k == OptKind::Sgd;
        let (old, new) = (self.settings.kind, settings.kind);
        if adam(old) != adam(new) || sgd_only(old) != sgd_only(new) {
            self.t = 0;
            self.state.clear();
        }
        self.settings = settings;
    }

    /// Adam's divisor √v̂ + ε of each weight of parameter tensor `i`, as the last step used it: what makes its
    /// steps per-coordinate (src/sandbox.rs reads it). None for the SGD family and before Adam's first step.
    pub fn adam_divisor(&self, i: usize) -> Option<Vec<f32>> {
        let st = self.state.get(i)?;
        if self.settings.kind != OptKind::Adam || self.t == 0 || st.v.is_empty() {
            return None;
        }
        let c2 =
            (1.0 - (self.settings.beta2 as f64).powi(self.t as i32)).max(f64::MIN_POSITIVE) as f32;
        Some(
            st.v.iter()
                .map(|v| (v / c2).sqrt() + self.settings.eps)
                .collect(),
        )
    }

    /// Adam's preconditioner as Cohen et al. 2022 ("Adaptive Gradient Methods at the Edge of
    /// Stability", §2) write the update, w ← w − η·P⁻¹·m: P = (1 − β1^t)·(√v̂ + ε) for every parameter in
    /// `params()` order, flat, with the bias corrections of the last step t (`adam_divisor` times the first
    /// correction). None before Adam's first step (v is still 0) or for the SGD family.
    pub fn adam_preconditioner(&self) -> Option<Vec<f32>> {
        if self.settings.kind != OptKind::Adam || self.t == 0 || self.state.is_empty() {
            return None;
        }
        let c1 =
            (1.0 - (self.settings.beta1 as f64).powi(self.t as i32)).max(f64::MIN_POSITIVE) as f32;
        let mut p = Vec::new();
        for i in 0..self.state.len() {
            p.extend(self.adam_divisor(i)?.into_iter().map(|d| c1 * d));
        }
        Some(p)
    }

    /// One update of every parameter from its gradient. Returns ‖Δp‖₂ for each parameter tensor.
    pub fn step(&mut self, params: &mut [&mut Param]) -> Vec<f32> {
        if self.state.len() != params.len() {
            self.state = vec![State::default(); params.len()];
        }
        let s = self.settings;
        self.t += 1;
        let mut norms = Vec::with_capacity(params.len());
        for (p, st) in params.iter_mut().zip(self.state.iter_mut()) {
            let n = p.value.len();
            let mut sq = 0.0f64;
            let wd = if p.shape.len() == 1 && s.decay_bias == Switch::Off {
                0.0
            } else {
                s.weight_decay
            };
            // L2 puts the decay into the gradient; decoupled decay shrinks the weights first.
            let (l2, shrink) = match s.wd_kind {
                WdKind::L2 => (wd, 0.0),
                WdKind::Decoupled => (0.0, s.lr * wd),
            };
            if shrink != 0.0 {
                for w in p.value.iter_mut() {
                    let d = shrink * *w;
                    *w -= d;
                    sq += (d * d) as f64;
                }
            }
            match s.kind {
                OptKind::Sgd => {
                    for (w, &g) in p.value.iter_mut().zip(&p.grad) {
                        let d = s.lr * (g + l2 * *w);
                        *w -= d;
                        sq += (d * d) as f64;
                    }
                }
                OptKind::Momentum | OptKind::Nesterov => {
                    if st.m.len() != n {
                        st.m = vec![0.0; n];
                    }
                    let nesterov = s.kind == OptKind::Nesterov;
                    for ((w, &g0), b) in p.value.iter_mut().zip(&p.grad).zip(st.m.iter_mut()) {
                        let g = g0 + l2 * *w;
                        *b = s.momentum * *b + g;
                        let d = if nesterov {
                            s.lr * (g + s.momentum * *b)
                        } else {
                            s.lr * *b
                        };
                        *w -= d;
                        sq += (d * d) as f64;
                    }
                }
                OptKind::Adam => {
                    if st.m.len() != n {
                        st.m = vec![0.0; n];
                    }
                    if st.v.len() != n {
                        st.v = vec![0.0; n];
                    }
                    let t = self.t as i32;
                    let c1 = 1.0 - (s.beta1 as f64).powi(t);
                    let c2 = 1.0 - (s.beta2 as f64).powi(t);
                    // A β of exactly 1 would make the correction 0; the config caps β below 1.
                    let (c1, c2) = (
                        c1.max(f64::MIN_POSITIVE) as f32,
                        c2.max(f64::MIN_POSITIVE) as f32,
                    );
                    for (((w, &g0), m), v) in p
                        .value
                        .iter_mut()
                        .zip(&p.grad)
                        .zip(st.m.iter_mut())
                        .zip(st.v.iter_mut())
                    {
                        let g = g0 + l2 * *w;
                        *m = s.beta1 * *m + (1.0 - s.beta1) * g;
                        *v = s.beta2 * *v + (1.0 - s.beta2) * g * g;
                        let d = s.lr * (*m / c1) / ((*v / c2).sqrt() + s.eps);
                        *w -= d;
                        sq += (d * d) as f64;
                    }
                }
            }
            norms.push(sq.sqrt() as f32);
        }
        norms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(v: &[f32], g: &[f32]) -> Param {
        let mut p = Param::new("p".into(), vec![v.len()], v.to_vec());
        p.grad = g.to_vec();
        p
    }

    fn settings(kind: OptKind) -> OptimSettings {
        OptimSettings {
            kind,
            lr: 0.1,
            momentum: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            wd_kind: WdKind::L2,
            decay_bias: Switch::On,
        }
    }

    #[test]
    fn first_adam_step_moves_every_weight_by_lr() {
        // With bias correction, m̂ = g and v̂ = g² at t = 1, so each step is lr·sign(g) (Kingma & Ba §2).
        let mut p = param(&[1.0, -2.0, 3.0], &[0.5, -4.0, 1e-3]);
        let mut o = Optimizer::new(settings(OptKind::Adam));
        o.step(&mut [&mut p]);
        let want = [0.9, -1.9, 2.9];
        for (a, b) in p.value.iter().zip(want) {
            assert!((a - b).abs() < 1e-4, "{:?}", p.value);
        }
    }

    #[test]
    fn momentum_and_nesterov_follow_their_recurrences() {
        // Constant gradient 1: momentum buffer 1, 1.9, 2.71; Nesterov steps g + μ·b = 1.9, 2.71, 3.439.
        for (kind, want) in [
            (OptKind::Momentum, 1.0 + 1.9 + 2.71),
            (OptKind::Nesterov, 1.9 + 2.71 + 3.439),
        ] {
            let mut p = param(&[0.0], &[1.0]);
            let mut o = Optimizer::new(settings(kind));
            for _ in 0..3 {
                o.step(&mut [&mut p]);
            }
            assert!(
                (p.value[0] + 0.1 * want).abs() < 1e-5,
                "{kind:?}: {}",
                p.value[0]
            );
        }
    }

    #[test]
    fn switching_to_adam_mid_run_starts_adam_afresh() {
        // After 100 momentum steps, the first Adam step must again move each weight by lr (t = 1).
        let mut p = param(&[1.0, -1.0], &[0.5, -0.25]);
        let mut o = Optimizer::new(settings(OptKind::Momentum));
        for _ in 0..100 {
            o.step(&mut [&mut p]);
        }
        let before = p.value.clone();
        o.set_settings(settings(OptKind::Adam));
        o.step(&mut [&mut p]);
        for (a, b) in p.value.iter().zip(&before) {
            assert!(((a - b).abs() - 0.1).abs() < 1e-4, "{a} vs {b}");
        }
    }

    #[test]
    fn weight_decay_shrinks_weights_without_gradient() {
        let mut p = param(&[2.0], &[0.0]);
        let mut s = settings(OptKind::Sgd);
        s.weight_decay = 0.1;
        let mut o = Optimizer::new(s);
        let d = o.step(&mut [&mut p]);
        assert!((p.value[0] - (2.0 - 0.1 * 0.1 * 2.0)).abs() < 1e-6);
        assert!((d[0] - 0.02).abs() < 1e-6);
    }

    #[test]
    fn decoupled_decay_is_adamw_and_biases_are_left_out_by_default() {
        // AdamW (torch.optim.AdamW): p ← p·(1 − lr·wd), then the Adam step with the plain gradient, whose
        // first step is lr·sign(g): 1.0·(1 − 0.1·0.5) − 0.1 = 0.85. L2 instead feeds wd·p into Adam's
        // normalised step, which stays lr·sign(g + wd·p) = 0.1 at t = 1: 0.9.
        for (kind, want) in [(WdKind::Decoupled, 0.85), (WdKind::L2, 0.9)] {
            let mut w = Param::new("w".into(), vec![1, 1], vec![1.0]);
            w.grad = vec![0.5];
            let mut s = settings(OptKind::Adam);
            s.weight_decay = 0.5;
            s.wd_kind = kind;
            Optimizer::new(s).step(&mut [&mut w]);
            assert!((w.value[0] - want).abs() < 1e-5, "{kind:?}: {}", w.value[0]);
        }
        // A bias (1-D) is decayed only with decay_bias on.
        for (decay_bias, want) in [(Switch::Off, 2.0), (Switch::On, 2.0 - 0.1 * 0.1 * 2.0)] {
            let mut b = param(&[2.0], &[0.0]);
            let mut s = settings(OptKind::Sgd);
            s.weight_decay = 0.1;
            s.decay_bias = decay_bias;
            Optimizer::new(s).step(&mut [&mut b]);
            assert!(
                (b.value[0] - want).abs() < 1e-6,
                "{decay_bias:?}: {}",
                b.value[0]
            );
        }
    }
}
