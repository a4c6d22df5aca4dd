//! Element-wise non-linearities. `Identity` is there on purpose: without a non-linearity a deep
//! stack collapses to one linear map, which the lab lets a learner see.

use super::Layer;
use crate::tensor::Shape3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Relu,
    /// Slope 0.01 for negative inputs (PyTorch's default).
    LeakyRelu,
    Tanh,
    Sigmoid,
    Identity,
}

pub const LEAKY_SLOPE: f32 = 0.01;

impl Activation {
    pub fn key(&self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Identity => "identity",
        }
    }

    #[inline]
    pub fn apply(&self, x: f32) -> f32 {
        match self {
            // Not `x.max(0.0)`: on wasm32 that is a call to fmaxf (NaN rules), measured at 3% of a step.
            Activation::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if x > 0.0 {
                    x
                } else {
                    LEAKY_SLOPE * x
                }
            }
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Identity => x,
        }
    }

    /// Derivative expressed through the output y (all five allow it).
    #[inline]
    pub fn grad_from_output(&self, y: f32) -> f32 {
        match self {
            Activation::Relu => (y > 0.0) as u8 as f32,
            Activation::LeakyRelu => {
                if y > 0.0 {
                    1.0
                } else {
                    LEAKY_SLOPE
                }
            }
            Activation::Tanh => 1.0 - y * y,
            Activation::Sigmoid => y * (1.0 - y),
            Activation::Identity => 1.0,
        }
    }

    /// Is this output in the flat part of the curve, where almost no gradient passes?
    pub fn saturated(&self, y: f32) -> bool {
        match self {
            Activation::Tanh => y.abs() > 0.99,
            Activation::Sigmoid => !(0.01..=0.99).contains(&y),
            _ => false,
        }
    }
}

pub struct ActivationLayer {
    name: String,
    act: Activation,
    shape: Shape3,
    y: Vec<f32>,
}

impl ActivationLayer {
    pub fn new(name: &str, act: Activation, shape: Shape3) -> ActivationLayer {
        ActivationLayer {
            name: name.to_string(),
            act,
            shape,
            y: Vec::new(),
        }
    }
}

impl Layer for ActivationLayer {
    fn name(&self) -> &str {
        &self.name
    }
    fn in_shape(&self) -> Shape3 {
        self.shape
    }
    fn out_shape(&self) -> Shape3 {
        self.shape
    }
    fn forward(&mut self, x: &[f32], _n: usize, train: bool) -> Vec<f32> {
        let y: Vec<f32> = match self.act {
            // One loop per kind: with the match inside the loop it did not vectorise (ReLU forward and
            // backward were 7% of a training step in node's profile).
            Activation::Relu => x.iter().map(|&v| Activation::Relu.apply(v)).collect(),
            act => x.iter().map(|&v| act.apply(v)).collect(),
        };
        // Only a training pass replaces the cache, so the layer statistics always describe the
        // last training batch, even after a validation pass.
        if train {
            self.y.clear();
            self.y.extend_from_slice(&y);
        }
        y
    }
    fn backward(&mut self, dy: &[f32]) -> Vec<f32> {
        assert_eq!(
            dy.len(),
            self.y.len(),
            "{}: backward without a forward pass",
            self.name
        );
        match self.act {
            Activation::Relu => dy
                .iter()
                .zip(&self.y)
                .map(|(&g, &y)| if y > 0.0 { g } else { 0.0 })
                .collect(),
            act => dy
                .iter()
                .zip(&self.y)
                .map(|(&g, &y)| g * act.grad_from_output(y))
                .collect(),
        }
    }
    fn activation(&self) -> Option<Activation> {
        Some(self.act)
    }
    fn last_output(&self) -> Option<&[f32]> {
        Some(&self.y)
    }
}
