//! Layers. Contract: `forward(x, n, train) -> y` caches only what `backward` needs;
//! `backward(dy) -> dx` accumulates parameter gradients into `Param::grad`.
//! All activations are flat NCHW slices with a per-sample `Shape3`.

pub mod activation;
pub mod batchnorm;
pub mod conv2d;
pub mod dense;
pub mod loss;
pub mod pool;

use crate::tensor::Shape3;

/// One learnable tensor and its gradient, flat, in PyTorch's layout.
#[derive(Clone, Debug)]
pub struct Param {
    /// State-dict style name, e.g. "conv1.weight".
    pub name: String,
    /// PyTorch layout: conv (OC, C, KH, KW), dense (OUT, IN), bias (OUT).
    pub shape: Vec<usize>,
    pub value: Vec<f32>,
    pub grad: Vec<f32>,
}

impl Param {
    pub fn new(name: String, shape: Vec<usize>, value: Vec<f32>) -> Param {
        let grad = vec![0.0; value.len()];
        Param {
            name,
            shape,
            value,
            grad,
        }
    }
}

/// What every layer does.
pub trait Layer {
    /// Name shown in the page, e.g. "conv1", "pool1", "relu1".
    fn name(&self) -> &str;
    /// Per-sample input shape.
    fn in_shape(&self) -> Shape3;
    /// Per-sample output shape.
    fn out_shape(&self) -> Shape3;
    /// x: (n, in_shape) -> y: (n, out_shape).
    fn forward(&mut self, x: &[f32], n: usize, train: bool) -> Vec<f32>;
    /// dy: (n, out_shape) -> dx: (n, in_shape); adds to parameter gradients.
    fn backward(&mut self, dy: &[f32]) -> Vec<f32>;
    /// `backward` for the first layer of a network, whose input gradient nobody needs: layers that
    /// can skip computing dx override this.
    fn backward_params_only(&mut self, dy: &[f32]) {
        self.backward(dy);
    }
    /// Learnable tensors, weight first (empty for parameter-free layers).
    fn params(&self) -> Vec<&Param> {
        Vec::new()
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        Vec::new()
    }
    /// State that is not learned but belongs to the trained network (BatchNorm's running mean and
    /// variance): saved, restored and shared with the weights.
    fn buffers(&self) -> Vec<&Vec<f32>> {
        Vec::new()
    }
    fn buffers_mut(&mut self) -> Vec<&mut Vec<f32>> {
        Vec::new()
    }
    /// (kernel, stride) as seen by the receptive-field recursion; (1, 1) for element-wise layers.
    fn window(&self) -> (usize, usize) {
        (1, 1)
    }
    /// The activation kind when this is an activation layer (for dead/saturated statistics).
    fn activation(&self) -> Option<activation::Activation> {
        None
    }
    /// The output cached by the last forward pass, when the layer keeps it.
    fn last_output(&self) -> Option<&[f32]> {
        None
    }
}
