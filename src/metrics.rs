//! What the charts show: confusion matrix, per-class recall, per-layer statistics.

use crate::data::CLASSES;
use crate::model::Model;

/// Confusion counts, row = true class, column = predicted class.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Confusion {
    pub counts: [[u32; CLASSES]; CLASSES],
}

impl Confusion {
    pub fn add(&mut self, truth: u8, predicted: u8) {
        self.counts[truth as usize][predicted as usize] += 1;
    }

    /// Recall of each class (correct / present); NaN for a class with no samples.
    pub fn recall(&self) -> [f32; CLASSES] {
        let mut r = [f32::NAN; CLASSES];
        for (c, row) in self.counts.iter().enumerate() {
            let total: u32 = row.iter().sum();
            if total > 0 {
                r[c] = row[c] as f32 / total as f32;
            }
        }
        r
    }

    /// Row-major 10×10.
    pub fn flat(&self) -> Vec<u32> {
        self.counts.iter().flatten().copied().collect()
    }
}

/// Statistics of one parameterised layer: part of the diagnosis's input contract, defined there.
pub use crate::diagnose::LayerStats;

/// L2 norm of a slice, accumulated in f64.
pub fn l2(v: &[f32]) -> f32 {
    v.iter()
        .map(|&x| (x as f64) * (x as f64))
        .sum::<f64>()
        .sqrt() as f32
}

fn l2_of(parts: &[&[f32]]) -> f32 {
    parts
        .iter()
        .map(|p| (l2(p) as f64).powi(2))
        .sum::<f64>()
        .sqrt() as f32
}

/// Gradient norm of every parameterised layer, over its weight and bias (what clipping by global norm
/// and the non-finite check need).
pub fn grad_norms(model: &Model) -> Vec<f32> {
    (0..model.param_layer_names().len())
        .map(|i| {
            let ps = model.layer_params(i);
            let gs: Vec<&[f32]> = ps.iter().map(|p| p.grad.as_slice()).collect();
            l2_of(&gs)
        })
        .collect()
}

/// Gradient norm of every parameterised layer's weights (its kernel, the first parameter tensor),
/// biases left out: the reading of vanishing and exploding gradients. The output bias's gradient,
/// p − y summed over the batch, does not shrink as the layers below stop learning, so a norm that
/// includes it hides a vanishing kernel gradient; AUTOTRAINER compares `norm_kernel` the same way
/// (Zhang et al. 2021, utils/monitor.py).
pub fn kernel_grad_norms(model: &Model) -> Vec<f32> {
    (0..model.param_layer_names().len())
        .map(|i| {
            model
                .layer_params(i)
                .first()
                .map_or(f32::NAN, |w| l2(&w.grad))
        })
        .collect()
}

/// Share of the channels of an activation output `y: (N, C, H, W)` (a dense layer's units are channels
/// with H = W = 1) for which `flat` holds at every position of every sample. CS231n's dead ReLU is
/// such a unit ("never activates across the entire training set"; here across the batch): a filter, not
/// one filter at one position, since positions that only see background are off for every image in a
/// healthy net.
pub fn flat_channel_frac(y: &[f32], n: usize, c: usize, flat: impl Fn(f32) -> bool) -> f32 {
    if n == 0 || c == 0 || !y.len().is_multiple_of(n * c) {
        return 0.0;
    }
    let hw = y.len() / (n * c);
    let dead = (0..c)
        .filter(|&ch| {
            (0..n).all(|s| {
                let at = (s * c + ch) * hw;
                y[at..at + hw].iter().all(|&v| flat(v))
            })
        })
        .count();
    dead as f32 / c as f32
}

/// Per-layer statistics. `update_norms` are ‖Δp‖ per parameter tensor from the optimizer,
/// `batch` the size of the last training batch.
pub fn layer_stats(model: &Model, update_norms: &[f32], batch: usize) -> Vec<LayerStats> {
    let names = model.param_layer_names();
    let gn = grad_norms(model);
    let kn = kernel_grad_norms(model);
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let ps = model.layer_params(i);
            let ws: Vec<&[f32]> = ps.iter().map(|p| p.value.as_slice()).collect();
            let weight_norm = l2_of(&ws);
            let upd: f64 = model
                .tensor_range(i)
                .map(|t| (update_norms.get(t).copied().unwrap_or(0.0) as f64).powi(2))
                .sum::<f64>()
                .sqrt();
            let update_ratio = if weight_norm > 0.0 {
                (upd / weight_norm as f64) as f32
            } else {
                f32::NAN
            };
            let (mut act_mean, mut act_std, mut dead_frac, mut sat_frac) =
                (f32::NAN, f32::NAN, 0.0, 0.0);
            if let Some(layer) = model.activation_after(i) {
                let act = layer.activation().expect("activation layer");
                let y = layer.last_output().unwrap_or(&[]);
                if !y.is_empty() {
                    let n = y.len() as f64;
                    let mean = y.iter().map(|&v| v as f64).sum::<f64>() / n;
                    let var = y.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
                    act_mean = mean as f32;
                    act_std = var.sqrt() as f32;
                    let ch = layer.out_shape().c;
                    sat_frac = flat_channel_frac(y, batch, ch, |v| act.saturated(v));
                    if act == crate::layers::activation::Activation::Relu {
                        dead_frac = flat_channel_frac(y, batch, ch, |v| v <= 0.0);
                    }
                }
            }
            LayerStats {
                name: name.clone(),
                grad_norm: gn[i],
                kernel_grad_norm: kn[i],
                weight_norm,
                update_ratio,
                act_mean,
                act_std,
                dead_frac,
                sat_frac,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::flat_channel_frac;

    // y: (N=2, C=3, H=1, W=2). Channel 0 is off everywhere; channel 1 fires at one position of one
    // sample only (a filter that sees its pattern once is alive); channel 2 fires everywhere.
    #[test]
    fn a_channel_is_dead_only_when_off_at_every_position_of_every_sample() {
        let y = [
            0.0, -1.0, 0.0, 0.0, 1.0, 2.0, // sample 0
            0.0, 0.0, 0.0, 0.5, 1.0, 1.0, // sample 1
        ];
        let d = flat_channel_frac(&y, 2, 3, |v| v <= 0.0);
        assert!((d - 1.0 / 3.0).abs() < 1e-6, "{d}");
        // sample 0 alone: channels 0 and 1 are off at both positions
        assert_eq!(flat_channel_frac(&y[..6], 1, 3, |v| v <= 0.0), 2.0 / 3.0);
        // a shape that does not divide is not measured
        assert_eq!(flat_channel_frac(&y[..5], 2, 3, |v| v <= 0.0), 0.0);
    }
}
