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

/// Gradient norm of every parameterised layer.
pub fn grad_norms(model: &Model) -> Vec<f32> {
    (0..model.param_layer_names().len())
        .map(|i| {
            let ps = model.layer_params(i);
            let gs: Vec<&[f32]> = ps.iter().map(|p| p.grad.as_slice()).collect();
            l2_of(&gs)
        })
        .collect()
}

/// Per-layer statistics. `update_norms` are ‖Δp‖ per parameter tensor from the optimizer,
/// `batch` the size of the last training batch.
pub fn layer_stats(model: &Model, update_norms: &[f32], batch: usize) -> Vec<LayerStats> {
    let names = model.param_layer_names();
    let gn = grad_norms(model);
    let mut tensor = 0;
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let ps = model.layer_params(i);
            let ws: Vec<&[f32]> = ps.iter().map(|p| p.value.as_slice()).collect();
            let weight_norm = l2_of(&ws);
            let upd: f64 = ps
                .iter()
                .map(|_| {
                    let u = update_norms.get(tensor).copied().unwrap_or(0.0) as f64;
                    tensor += 1;
                    u * u
                })
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
                    sat_frac = (y.iter().filter(|&&v| act.saturated(v)).count() as f64 / n) as f32;
                    if act == crate::layers::activation::Activation::Relu
                        && batch > 0
                        && y.len() % batch == 0
                    {
                        let units = y.len() / batch;
                        let dead = (0..units)
                            .filter(|&u| (0..batch).all(|s| y[s * units + u] <= 0.0))
                            .count();
                        dead_frac = dead as f32 / units as f32;
                    }
                }
            }
            LayerStats {
                name: name.clone(),
                grad_norm: gn[i],
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
