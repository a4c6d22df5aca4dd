//! "What every layer sees": one validation digit through the network, every layer's output kept, so the
//! page can show the maps channel by channel (the view of Wang et al. 2020, "CNN Explainer"), and the
//! logits and softmax at the end. A channel that is zero at every position is black in the picture
//! (for a ReLU: switched off on this digit; one that stays off on every digit is "dead", CS231n,
//! "Commonly used activation functions"); a sigmoid or tanh channel that barely varies is flat (a
//! saturated unit, or a constant input).
//!
//! The digit goes through the validation side's preprocessing (`val_inputs`) and the network in
//! evaluation mode, exactly as the validation pass computes it: the last layer's output is bit for bit
//! the logits `val_logits` gives. Taking it draws no random number and changes no weight; the layers'
//! caches are overwritten as by any evaluation pass, and the last step's statistics stay readable
//! (`forward_eval`).

use super::Trainer;
use crate::data::CLASSES;
use crate::layers::activation::Activation;
use crate::layers::loss::softmax;
use crate::model::LayerKind;
use crate::tensor::Shape3;

/// A flat channel spreads less than this share of its activation's output range (sigmoid 0 … 1,
/// tanh −1 … 1): on the page's per-layer grey scale it is one even grey.
pub const FLAT_SHARE: f32 = 0.01;

/// One layer's output for the digit.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerMaps {
    /// The plan's name, e.g. "conv1", "relu1", "pool1", "dense".
    pub name: String,
    /// "conv", "batchnorm", "pool", "dense", or the activation's key ("relu", "sigmoid", …).
    pub kind: &'static str,
    /// Per-sample output shape (C, H, W); a dense layer's is (units, 1, 1).
    pub shape: Shape3,
    /// C × H × W values, channel by channel.
    pub values: Vec<f32>,
    /// Every channel's state (`channel_states`).
    pub channels: Vec<ChannelState>,
}

impl LayerMaps {
    /// Channels that are 0 at every position.
    pub fn dead(&self) -> usize {
        self.count(ChannelState::Dead)
    }
    /// Sigmoid or tanh channels that are not dead and spread less than `FLAT_SHARE` of the range.
    pub fn flat(&self) -> usize {
        self.count(ChannelState::Flat)
    }
    fn count(&self, s: ChannelState) -> usize {
        self.channels.iter().filter(|&&c| c == s).count()
    }
}

/// Every layer's output for one validation digit, with its label and the network's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Activations {
    /// The validation sample.
    pub index: usize,
    /// Its validation label.
    pub label: u8,
    /// Every layer in plan order except the flatten (the same values as the layer before it).
    pub layers: Vec<LayerMaps>,
    /// The ten logits (the last layer's values).
    pub logits: Vec<f32>,
    /// Their softmax (NaN where the logits are not finite).
    pub probs: Vec<f32>,
}

impl Activations {
    /// The digit with the largest probability (None when the probabilities are not finite).
    pub fn predicted(&self) -> Option<u8> {
        if self.probs.iter().any(|p| !p.is_finite()) {
            return None;
        }
        let mut best = 0;
        for (i, &p) in self.probs.iter().enumerate() {
            if p > self.probs[best] {
                best = i;
            }
        }
        Some(best as u8)
    }
}

/// The kind of a planned layer in one word.
pub fn kind_key(kind: &LayerKind) -> &'static str {
    match kind {
        LayerKind::Conv { .. } => "conv",
        LayerKind::Pool { .. } => "pool",
        LayerKind::Act(a) => a.key(),
        LayerKind::BatchNorm => "batchnorm",
        LayerKind::Flatten => "flatten",
        LayerKind::Dense { .. } => "dense",
    }
}

/// What one channel of a layer's output looks like on the digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChannelState {
    Live = 0,
    /// 0 at every position. After a ReLU: every input of the channel was ≤ 0 here.
    Dead = 1,
    /// A sigmoid's or tanh's channel, not dead, that spreads (max − min) less than `FLAT_SHARE` of the
    /// function's output range.
    Flat = 2,
}

/// The state of every channel of `values` (C × H × W for `shape`), output of a layer whose activation
/// is `act` (None for a layer that is not an activation).
pub fn channel_states(values: &[f32], shape: Shape3, act: Option<Activation>) -> Vec<ChannelState> {
    let range = match act {
        Some(Activation::Sigmoid) => Some(1.0),
        Some(Activation::Tanh) => Some(2.0),
        _ => None,
    };
    values
        .chunks_exact((shape.h * shape.w).max(1))
        .map(|ch| {
            if ch.iter().all(|&v| v == 0.0) {
                return ChannelState::Dead;
            }
            let (lo, hi) = ch
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            match range {
                Some(r) if hi - lo < FLAT_SHARE * r => ChannelState::Flat,
                _ => ChannelState::Live,
            }
        })
        .collect()
}

impl Trainer {
    /// Every layer's output for validation sample `index` under the current weights (see the module
    /// notes); an index outside the validation split is refused with a message.
    pub fn activations(&mut self, index: usize) -> Result<Activations, String> {
        let n = self.val.len();
        if index >= n {
            return Err(format!(
                "validation image {index} does not exist: the validation split holds {n} images (0 … {})",
                n.saturating_sub(1)
            ));
        }
        let (x, y) = self.val_batch(&[index]);
        // As `forward_eval`: the last step's statistics are kept before the pass replaces the caches.
        self.forward_eval_hold();
        let outs = self.model.forward_layers(&x, 1, false);
        let logits = outs.last().cloned().unwrap_or_default();
        let layers = self
            .model
            .info
            .iter()
            .zip(outs)
            .filter(|(l, _)| l.kind != LayerKind::Flatten)
            .map(|(l, values)| {
                let act = match l.kind {
                    LayerKind::Act(a) => Some(a),
                    _ => None,
                };
                LayerMaps {
                    name: l.name.clone(),
                    kind: kind_key(&l.kind),
                    shape: l.output,
                    channels: channel_states(&values, l.output, act),
                    values,
                }
            })
            .collect();
        debug_assert_eq!(logits.len(), CLASSES);
        let probs = softmax(&logits);
        Ok(Activations {
            index,
            label: y[0],
            layers,
            logits,
            probs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_is_dead_when_every_value_is_zero_and_flat_when_it_barely_moves() {
        use ChannelState::{Dead, Flat, Live};
        let s = Shape3::new(3, 1, 2);
        let states = channel_states(&[0.0, 0.0, 0.0, 1e-9, -0.0, 0.0], s, None);
        assert_eq!(states, [Dead, Live, Dead]);
        let sig = Some(Activation::Sigmoid);
        // 0.999 … 0.9999: flat; 0.2 … 0.8: not; all zero: dead, not flat.
        let v = [0.999, 0.9999, 0.2, 0.8, 0.0, 0.0];
        assert_eq!(channel_states(&v, s, sig), [Flat, Live, Dead]);
        // A spread of 0.015 is flat for tanh (range 2), not for sigmoid (range 1) or a ReLU.
        let v = [0.5, 0.515, 0.5, 0.515, 0.5, 0.515];
        assert_eq!(channel_states(&v, s, sig), [Live; 3]);
        assert_eq!(channel_states(&v, s, Some(Activation::Tanh)), [Flat; 3]);
        assert_eq!(channel_states(&v, s, Some(Activation::Relu)), [Live; 3]);
    }
}
