//! Batch normalisation of a convolution's output (Ioffe & Szegedy 2015, "Batch Normalization:
//! Accelerating Deep Network Training by Reducing Internal Covariate Shift", Algorithms 1 and 2).
//!
//! In training each channel is normalised with the mean and variance of the current batch (over the
//! samples and every position), then scaled and shifted by the learned γ (`bnK.weight`, starts at 1)
//! and β (`bnK.bias`, starts at 0). Evaluation uses running estimates of the population statistics
//! instead, so that a prediction does not depend on which other images share its batch. The running
//! estimates follow PyTorch's `BatchNorm2d`: an exponential average with momentum 0.1 of the batch
//! mean and of the unbiased batch variance, starting from mean 0 and variance 1; ε = 1e-5.
//!
//! `BnEval` switches on the two classic evaluation bugs, for the lab to show: evaluating with the
//! batch's own statistics (a network left in training mode), and running statistics that were never
//! updated (mean 0, variance 1 whatever the layer really produces).

use super::{Layer, Param};
use crate::tensor::Shape3;

/// Added to the variance before its square root (PyTorch's default).
pub const EPS: f32 = 1e-5;
/// Weight of the newest batch in the running statistics (PyTorch's default).
pub const MOMENTUM: f32 = 0.1;

/// Which statistics evaluation normalises with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BnEval {
    /// The running estimates gathered in training: the correct evaluation mode.
    Running,
    /// The statistics of each evaluation batch, as in training (a network left in training mode):
    /// every prediction depends on the other images of its batch.
    Batch,
    /// Running statistics that training never updated: mean 0 and variance 1 for every channel.
    Stale,
}

pub struct BatchNorm2d {
    name: String,
    shape: Shape3,
    eval: BnEval,
    /// γ, one per channel.
    pub weight: Param,
    /// β, one per channel.
    pub bias: Param,
    pub running_mean: Vec<f32>,
    pub running_var: Vec<f32>,
    /// x̂ of the last training pass, (N, C, H, W).
    xhat: Vec<f32>,
    /// 1/√(σ²_B + ε) per channel of the last training pass.
    inv_std: Vec<f32>,
    n: usize,
}

impl BatchNorm2d {
    pub fn new(name: &str, shape: Shape3, eval: BnEval) -> BatchNorm2d {
        let c = shape.c;
        BatchNorm2d {
            name: name.to_string(),
            shape,
            eval,
            weight: Param::new(format!("{name}.weight"), vec![c], vec![1.0; c]),
            bias: Param::new(format!("{name}.bias"), vec![c], vec![0.0; c]),
            running_mean: vec![0.0; c],
            running_var: vec![1.0; c],
            xhat: Vec::new(),
            inv_std: Vec::new(),
            n: 0,
        }
    }

    /// Per-channel mean and biased variance of x: (N, C, H, W): each row of H·W values summed in f32
    /// (`row_sum`), the rows of a channel in f64 (a channel of a batch holds up to N·H·W = 25,088
    /// values in the default net).
    fn batch_stats(&self, x: &[f32], n: usize) -> (Vec<f32>, Vec<f32>) {
        let (c, hw) = (self.shape.c, self.shape.h * self.shape.w);
        let m = (n * hw) as f64;
        let mut mean = vec![0.0f32; c];
        let mut var = vec![0.0f32; c];
        for ch in 0..c {
            let rows = (0..n).map(|s| &x[(s * c + ch) * hw..(s * c + ch + 1) * hw]);
            let mu = (rows.clone().map(|r| row_sum(r, |v| v)).sum::<f64>() / m) as f32;
            let v = rows
                .map(|r| row_sum(r, |v| (v - mu) * (v - mu)))
                .sum::<f64>()
                / m;
            mean[ch] = mu;
            var[ch] = v as f32;
        }
        (mean, var)
    }

    // x: (N, C, H, W) -> y: (N, C, H, W), y = γ·(x − mean)·inv_std + β per channel; also x̂ when asked.
    fn normalise(
        &self,
        x: &[f32],
        n: usize,
        mean: &[f32],
        inv_std: &[f32],
        xhat: Option<&mut Vec<f32>>,
    ) -> Vec<f32> {
        let (c, hw) = (self.shape.c, self.shape.h * self.shape.w);
        let mut y = vec![0.0; x.len()];
        let mut keep = xhat;
        if let Some(h) = keep.as_deref_mut() {
            h.resize(x.len(), 0.0);
        }
        for s in 0..n {
            for ch in 0..c {
                let at = (s * c + ch) * hw;
                let (mu, is, g, b) = (
                    mean[ch],
                    inv_std[ch],
                    self.weight.value[ch],
                    self.bias.value[ch],
                );
                for i in at..at + hw {
                    let h = (x[i] - mu) * is;
                    y[i] = g * h + b;
                    if let Some(k) = keep.as_deref_mut() {
                        k[i] = h;
                    }
                }
            }
        }
        y
    }
}

/// Σ f(v) over one row of a channel, in f32 with eight independent partial sums, as f64 for the sum
/// across rows. One f64 accumulator per channel made every element wait for the previous addition:
/// the default net with BatchNorm trained at 0.85× the plain net's speed, with row sums at 0.91×
/// (`npm run bench`, `losslab-bn`, one run of 5 interleaved rounds each).
#[inline]
fn row_sum(v: &[f32], f: impl Fn(f32) -> f32) -> f64 {
    let mut acc = [0.0f32; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for ch in chunks {
        for k in 0..8 {
            acc[k] += f(ch[k]);
        }
    }
    let tail: f32 = rest.iter().map(|&x| f(x)).sum();
    (acc.iter().sum::<f32>() + tail) as f64
}

/// Σ a·b over one row, as `row_sum`.
#[inline]
fn row_dot(a: &[f32], b: &[f32]) -> f64 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    (acc.iter().sum::<f32>() + tail) as f64
}

fn inv_std_of(var: &[f32]) -> Vec<f32> {
    var.iter().map(|&v| 1.0 / (v + EPS).sqrt()).collect()
}

impl Layer for BatchNorm2d {
    fn name(&self) -> &str {
        &self.name
    }
    fn in_shape(&self) -> Shape3 {
        self.shape
    }
    fn out_shape(&self) -> Shape3 {
        self.shape
    }

    // x: (N, C, H, W) -> y: (N, C, H, W)
    fn forward(&mut self, x: &[f32], n: usize, train: bool) -> Vec<f32> {
        if !train {
            let (mean, var) = match self.eval {
                BnEval::Running | BnEval::Stale => {
                    (self.running_mean.clone(), self.running_var.clone())
                }
                BnEval::Batch => self.batch_stats(x, n),
            };
            return self.normalise(x, n, &mean, &inv_std_of(&var), None);
        }
        let (mean, var) = self.batch_stats(x, n);
        if self.eval != BnEval::Stale {
            // The unbiased variance, as PyTorch keeps it (its normalisation uses the biased one).
            let m = (n * self.shape.h * self.shape.w) as f32;
            let unbias = if m > 1.0 { m / (m - 1.0) } else { 1.0 };
            for ch in 0..self.shape.c {
                self.running_mean[ch] =
                    (1.0 - MOMENTUM) * self.running_mean[ch] + MOMENTUM * mean[ch];
                self.running_var[ch] =
                    (1.0 - MOMENTUM) * self.running_var[ch] + MOMENTUM * var[ch] * unbias;
            }
        }
        self.inv_std = inv_std_of(&var);
        self.n = n;
        let mut xhat = std::mem::take(&mut self.xhat);
        let y = self.normalise(x, n, &mean, &self.inv_std, Some(&mut xhat));
        self.xhat = xhat;
        y
    }

    // dy: (N, C, H, W) -> dx: (N, C, H, W). With M = N·H·W values per channel (Ioffe & Szegedy 2015,
    // §3, the chain rule through the batch mean and variance):
    // dβ = Σ dy, dγ = Σ dy·x̂, dx = γ·inv_std/M · (M·dy − dβ − x̂·dγ).
    fn backward(&mut self, dy: &[f32]) -> Vec<f32> {
        let (c, hw, n) = (self.shape.c, self.shape.h * self.shape.w, self.n);
        assert_eq!(
            dy.len(),
            self.xhat.len(),
            "{}: backward without a training forward pass",
            self.name
        );
        let m = (n * hw) as f32;
        let mut dx = vec![0.0; dy.len()];
        for ch in 0..c {
            let (mut db, mut dg) = (0.0f64, 0.0f64);
            for s in 0..n {
                let at = (s * c + ch) * hw;
                db += row_sum(&dy[at..at + hw], |v| v);
                dg += row_dot(&dy[at..at + hw], &self.xhat[at..at + hw]);
            }
            self.bias.grad[ch] += db as f32;
            self.weight.grad[ch] += dg as f32;
            let k = self.weight.value[ch] * self.inv_std[ch] / m;
            let (db, dg) = (db as f32, dg as f32);
            for s in 0..n {
                let at = (s * c + ch) * hw;
                for i in at..at + hw {
                    dx[i] = k * (m * dy[i] - db - self.xhat[i] * dg);
                }
            }
        }
        dx
    }

    fn params(&self) -> Vec<&Param> {
        vec![&self.weight, &self.bias]
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        vec![&mut self.weight, &mut self.bias]
    }
    fn buffers(&self) -> Vec<&Vec<f32>> {
        vec![&self.running_mean, &self.running_var]
    }
    fn buffers_mut(&mut self) -> Vec<&mut Vec<f32>> {
        vec![&mut self.running_mean, &mut self.running_var]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(c: usize, h: usize, w: usize) -> BatchNorm2d {
        BatchNorm2d::new("bn1", Shape3::new(c, h, w), BnEval::Running)
    }

    #[test]
    fn training_output_has_zero_mean_and_unit_variance_per_channel_before_gamma_and_beta() {
        let mut l = layer(2, 3, 2);
        let x: Vec<f32> = (0..3 * 12)
            .map(|i| ((i * 37) % 11) as f32 * 0.7 - 2.0 + (i / 6 % 2) as f32 * 5.0)
            .collect();
        let y = l.forward(&x, 3, true);
        for ch in 0..2 {
            let v: Vec<f64> = (0..3)
                .flat_map(|s| y[(s * 2 + ch) * 6..(s * 2 + ch + 1) * 6].to_vec())
                .map(|v| v as f64)
                .collect();
            let mean = v.iter().sum::<f64>() / v.len() as f64;
            let var = v.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / v.len() as f64;
            assert!(mean.abs() < 1e-6, "channel {ch}: mean {mean}");
            // ε = 1e-5 against variances of order 1 leaves the variance a hair under 1.
            assert!((var - 1.0).abs() < 1e-4, "channel {ch}: variance {var}");
        }
    }

    #[test]
    fn running_statistics_follow_pytorchs_update_with_the_unbiased_variance() {
        let mut l = layer(1, 1, 2);
        // One channel, 2 samples × 2 positions: values 1, 2, 3, 6 → mean 3, biased variance 3.5,
        // unbiased 14/3.
        l.forward(&[1.0, 2.0, 3.0, 6.0], 2, true);
        assert!((l.running_mean[0] - 0.3).abs() < 1e-6);
        assert!((l.running_var[0] - (0.9 + 0.1 * 14.0 / 3.0)).abs() < 1e-6);
        // Evaluation uses them: (x − 0.3)/√(var + ε).
        let y = l.forward(&[0.3, 1.3], 1, false);
        let sd = (l.running_var[0] + EPS).sqrt();
        assert!(y[0].abs() < 1e-6 && (y[1] - 1.0 / sd).abs() < 1e-6, "{y:?}");
    }

    #[test]
    fn the_evaluation_bugs_use_the_batch_or_the_initial_statistics() {
        let x = [10.0f32, 12.0, 14.0, 16.0];
        let mut stale = BatchNorm2d::new("bn1", Shape3::new(1, 1, 2), BnEval::Stale);
        stale.forward(&x, 2, true);
        assert_eq!((stale.running_mean[0], stale.running_var[0]), (0.0, 1.0));
        let y = stale.forward(&x, 2, false);
        assert!((y[0] - 10.0 / (1.0 + EPS).sqrt()).abs() < 1e-4, "{y:?}");
        let mut batch = BatchNorm2d::new("bn1", Shape3::new(1, 1, 2), BnEval::Batch);
        // Two evaluation batches of different content give the same image different outputs.
        let a = batch.forward(&[10.0, 12.0], 1, false);
        let b = batch.forward(&[10.0, 20.0], 1, false);
        assert!(a[0] != b[0], "{a:?} {b:?}");
    }
}
