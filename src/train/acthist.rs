//! Activations over training: for every layer followed by an activation, a histogram of the values that
//! activation gave the training batch, every `ACT_HIST_EVERY` steps, kept as columns of a heat map
//! (x: step, y: value, colour: share of the values). It is fastai's "colorful dimension" (Howard &
//! Gugger 2020, "Deep Learning for Coders", ch. 13, "Activation Statistics"): a layer whose values all
//! collapse to 0 passes nothing on (all weights zero, or ReLUs that are off for every input, CS231n
//! "Commonly used activation functions"); a sigmoid or tanh whose values pile at the ends of its range
//! is saturated, where its gradient is nearly 0 (Glorot & Bengio 2010, §3, who watched the top hidden
//! layer of a deep sigmoid net saturate this way); values that climb several powers of two per layer
//! are a scale that explodes (He et al. 2015, §2.2).
//!
//! The rows depend on the activation, so that each of those shapes has room:
//! - sigmoid and tanh: `LINEAR_ROWS` equal rows over the function's range (0 … 1, −1 … 1);
//! - ReLU: one row for |v| < 2^`LOG2_MIN` ("≈ 0": a unit that is off gives exactly 0), then one row per
//!   power of two up to 2^`LOG2_MAX`, the last row taking everything above;
//! - leaky ReLU and no activation: the same rows mirrored for negative values below the ≈ 0 row.
//!
//! Reading the values changes nothing: the histograms are taken from the activation layers' outputs
//! that the step's forward pass left (this worker's share of the batch on two cores), after the update,
//! and draw no random number. The history keeps at most `ACT_HIST_COLUMNS` columns: when it would hold
//! more, neighbouring columns are added in pairs and the cadence doubles, so a long run keeps its whole
//! span at a coarser step.

use crate::layers::activation::Activation;
use crate::layers::Layer;
use crate::model::Model;

/// A histogram column every this many steps (starting with the first step).
pub const ACT_HIST_EVERY: u64 = 10;
/// At most this many columns are kept (then pairs are merged and the cadence doubles).
pub const ACT_HIST_COLUMNS: usize = 400;
/// Rows of a sigmoid's or tanh's histogram over its range.
pub const LINEAR_ROWS: usize = 32;
/// |v| < 2^LOG2_MIN is the ≈ 0 row of a log-scaled histogram (2^-12 ≈ 0.00024).
pub const LOG2_MIN: i32 = -12;
/// The top row of a log-scaled histogram starts at 2^(LOG2_MAX − 1) and takes every larger value.
pub const LOG2_MAX: i32 = 12;

/// How a layer's values are sorted into rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Binning {
    /// `LINEAR_ROWS` equal rows from `lo` to `hi` (values outside go to the end rows).
    Linear { lo: f32, hi: f32 },
    /// A ≈ 0 row, then one row per power of two for positive values (and, `signed`, mirrored below
    /// the ≈ 0 row for negative values).
    Log2 { signed: bool },
}

const OCTAVES: usize = (LOG2_MAX - LOG2_MIN) as usize;

impl Binning {
    pub fn of(act: Activation) -> Binning {
        match act {
            Activation::Sigmoid => Binning::Linear { lo: 0.0, hi: 1.0 },
            Activation::Tanh => Binning::Linear { lo: -1.0, hi: 1.0 },
            Activation::Relu => Binning::Log2 { signed: false },
            Activation::LeakyRelu | Activation::Identity => Binning::Log2 { signed: true },
        }
    }

    pub fn rows(&self) -> usize {
        match self {
            Binning::Linear { .. } => LINEAR_ROWS,
            Binning::Log2 { signed: false } => 1 + OCTAVES,
            Binning::Log2 { signed: true } => 1 + 2 * OCTAVES,
        }
    }

    /// The row of a finite value, bottom (most negative) first.
    pub fn row(&self, v: f32) -> usize {
        match *self {
            Binning::Linear { lo, hi } => {
                let r = ((v - lo) / (hi - lo) * LINEAR_ROWS as f32).floor();
                r.clamp(0.0, (LINEAR_ROWS - 1) as f32) as usize
            }
            Binning::Log2 { signed } => {
                let zero = if signed { OCTAVES } else { 0 };
                // floor(log2 |v|) from the float's exponent field (subnormals and 0 are far below LOG2_MIN)
                let e = ((v.to_bits() >> 23) & 0xff) as i32 - 127;
                if e < LOG2_MIN {
                    return zero;
                }
                let k = ((e - LOG2_MIN) as usize).min(OCTAVES - 1);
                if v > 0.0 || !signed {
                    zero + 1 + k
                } else {
                    zero - 1 - k
                }
            }
        }
    }

    /// The rows' edges, bottom first (`rows() + 1` values; the log scale's ends are ±∞). A log row holds
    /// the magnitudes [2^k, 2^(k+1)) of its sign: a negative value on an edge is in the row above it.
    pub fn edges(&self) -> Vec<f32> {
        match *self {
            Binning::Linear { lo, hi } => (0..=LINEAR_ROWS)
                .map(|i| lo + (hi - lo) * i as f32 / LINEAR_ROWS as f32)
                .collect(),
            Binning::Log2 { signed } => {
                let pos: Vec<f32> = (LOG2_MIN..LOG2_MAX).map(|e| 2f32.powi(e)).collect();
                let mut out = Vec::new();
                if signed {
                    out.push(f32::NEG_INFINITY);
                    out.extend(pos[1..].iter().rev().map(|v| -v));
                    out.push(-pos[0]);
                } else {
                    out.push(0.0);
                }
                out.extend_from_slice(&pos);
                out.push(f32::INFINITY);
                out
            }
        }
    }
}

/// One layer's history.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerHistory {
    /// The activation layer's name in the plan ("relu1", "sig2", …).
    pub name: String,
    /// The parameterised layer it follows ("conv1", …).
    pub after: String,
    pub activation: Activation,
    pub binning: Binning,
    /// Column after column, `binning.rows()` counts each, bottom row first.
    pub counts: Vec<u32>,
    /// Per column, how many of its values were saturated as the diagnosis counts them
    /// (`Activation::saturated`: a sigmoid or tanh within 0.01 of an end of its range; 0 for others).
    pub saturated: Vec<u32>,
}

impl LayerHistory {
    /// The counts of column `c`.
    pub fn column(&self, c: usize) -> &[u32] {
        let r = self.binning.rows();
        &self.counts[c * r..(c + 1) * r]
    }
}

/// Every activation's histogram over training.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActHistory {
    /// The first step (1-based) each column covers; a column covers `every` steps once merged.
    pub steps: Vec<u64>,
    /// The current cadence in steps.
    pub every: u64,
    pub layers: Vec<LayerHistory>,
}

impl ActHistory {
    pub fn new() -> ActHistory {
        ActHistory {
            every: ACT_HIST_EVERY,
            ..ActHistory::default()
        }
    }

    /// Whether step `step_no` (1-based) is sampled (never with a cadence of 0).
    pub fn due(&self, step_no: u64) -> bool {
        self.every != 0 && (step_no - 1).is_multiple_of(self.every)
    }

    /// Adds a column for step `step_no` from the activation outputs the model holds (a training step's).
    pub fn record(&mut self, step_no: u64, model: &Model) {
        let names = model.param_layer_names();
        let acts: Vec<(usize, &dyn Layer)> = (0..names.len())
            .filter_map(|i| Some((i, model.activation_after(i)?)))
            .collect();
        if self.layers.is_empty() {
            self.layers = acts
                .iter()
                .map(|&(i, layer)| {
                    let act = layer.activation().expect("an activation layer");
                    LayerHistory {
                        name: layer.name().to_string(),
                        after: names[i].clone(),
                        activation: act,
                        binning: Binning::of(act),
                        counts: Vec::new(),
                        saturated: Vec::new(),
                    }
                })
                .collect();
        }
        for (h, &(_, layer)) in self.layers.iter_mut().zip(&acts) {
            let start = h.counts.len();
            h.counts.resize(start + h.binning.rows(), 0);
            let col = &mut h.counts[start..];
            let mut sat = 0;
            for &v in layer.last_output().unwrap_or(&[]) {
                if v.is_finite() {
                    col[h.binning.row(v)] += 1;
                    sat += h.activation.saturated(v) as u32;
                }
            }
            h.saturated.push(sat);
        }
        self.steps.push(step_no);
        if self.steps.len() > ACT_HIST_COLUMNS {
            self.merge_pairs();
        }
    }

    /// Adds neighbouring columns in pairs and doubles the cadence.
    fn merge_pairs(&mut self) {
        let n = self.steps.len();
        self.steps = self.steps.iter().step_by(2).copied().collect();
        for h in &mut self.layers {
            let r = h.binning.rows();
            let mut merged = Vec::with_capacity(n.div_ceil(2) * r);
            for c in (0..n).step_by(2) {
                for row in 0..r {
                    let b = if c + 1 < n {
                        h.counts[(c + 1) * r + row]
                    } else {
                        0
                    };
                    merged.push(h.counts[c * r + row] + b);
                }
            }
            h.counts = merged;
            h.saturated = h.saturated.chunks(2).map(|p| p.iter().sum()).collect();
        }
        self.every *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row a value belongs in, computed the long way (f64 logarithm, edges from `edges()`). A log row
    /// holds the magnitudes [2^k, 2^(k+1)), so a negative value on an edge belongs to the row above it.
    fn reference_row(b: &Binning, v: f32) -> usize {
        let e = b.edges();
        let rows = b.rows();
        let inside = |r: usize| match b {
            Binning::Log2 { .. } if v < 0.0 => v > e[r] && v <= e[r + 1],
            _ => v >= e[r] && v < e[r + 1],
        };
        if let Binning::Log2 { .. } = b {
            if (v.abs() as f64).log2().floor() < LOG2_MIN as f64 {
                return e.iter().position(|&x| x > 0.0).unwrap() - 1;
            }
        }
        (0..rows)
            .find(|&r| inside(r))
            .unwrap_or(if v < e[0] { 0 } else { rows - 1 })
    }

    #[test]
    fn every_value_falls_in_the_row_its_edges_give() {
        let mut x: u64 = 7;
        for b in [
            Binning::of(Activation::Relu),
            Binning::of(Activation::LeakyRelu),
            Binning::of(Activation::Sigmoid),
            Binning::of(Activation::Tanh),
        ] {
            assert_eq!(b.edges().len(), b.rows() + 1);
            assert!(b.edges().windows(2).all(|w| w[0] < w[1]), "{b:?}");
            let mut vals: Vec<f32> =
                vec![0.0, -0.0, 1.0, -1.0, 0.5, 2f32.powi(LOG2_MIN), 1e-30, 5e4];
            vals.extend((0..2000).map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (x >> 11) as f64 / (1u64 << 53) as f64;
                let mag = 2f64.powf(u * 36.0 - 18.0);
                (if x & 1 == 0 { mag } else { -mag }) as f32
            }));
            for v in vals {
                if b == (Binning::Log2 { signed: false }) && v < 0.0 {
                    continue; // a ReLU gives no negative value
                }
                assert_eq!(b.row(v), reference_row(&b, v), "{b:?} at {v}");
            }
        }
    }

    #[test]
    fn merging_keeps_every_count_and_the_first_step_of_each_pair() {
        let mut h = ActHistory::new();
        h.layers.push(LayerHistory {
            name: "relu1".into(),
            after: "conv1".into(),
            activation: Activation::Relu,
            binning: Binning::of(Activation::Relu),
            counts: Vec::new(),
            saturated: Vec::new(),
        });
        let rows = h.layers[0].binning.rows();
        let mut step = 1;
        let mut total = 0u64;
        for c in 0..=ACT_HIST_COLUMNS {
            assert!(h.due(step));
            h.layers[0].counts.extend((0..rows).map(|r| (c + r) as u32));
            h.layers[0].saturated.push(c as u32);
            total += (0..rows).map(|r| (c + r) as u64).sum::<u64>();
            h.steps.push(step);
            if h.steps.len() > ACT_HIST_COLUMNS {
                h.merge_pairs();
            }
            step += h.every;
        }
        assert_eq!(h.every, 2 * ACT_HIST_EVERY);
        assert_eq!(h.steps.len(), ACT_HIST_COLUMNS / 2 + 1);
        assert_eq!(h.steps[1], 1 + 2 * ACT_HIST_EVERY);
        assert_eq!(h.layers[0].counts.len(), h.steps.len() * rows);
        let sum: u64 = h.layers[0].counts.iter().map(|&v| v as u64).sum();
        assert_eq!(sum, total);
        assert_eq!(h.layers[0].saturated.len(), h.steps.len());
        let sat: u64 = h.layers[0].saturated.iter().map(|&v| v as u64).sum();
        assert_eq!(sat, (0..=ACT_HIST_COLUMNS as u64).sum::<u64>());
        assert!(!h.due(h.steps.last().unwrap() + ACT_HIST_EVERY));
    }
}
