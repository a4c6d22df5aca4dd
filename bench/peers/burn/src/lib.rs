//! Benchmark contender: ConvNetJS's MNIST demo net trained with burn 0.22.1 on its Flex backend
//! (pure-Rust CPU, SIMD128 kernels) plus autodiff, exported to a browser worker through wasm-bindgen.
//!
//! Net: 1×28×28 → conv 8@5×5 pad 2 → ReLU → max-pool 2/2 → conv 16@5×5 pad 2 → ReLU → max-pool 3/3
//! → flatten 256 → linear 10 → softmax cross-entropy. SGD lr 0.01, heavy-ball momentum 0.9 (no
//! dampening, no Nesterov), no weight decay. Weights use burn's own default initialisers.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d, Relu};
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use wasm_bindgen::prelude::*;

const LR: f64 = 0.01;
const PIXELS: usize = 28 * 28;

#[derive(Module, Debug)]
struct Net {
    conv1: Conv2d,
    pool1: MaxPool2d,
    conv2: Conv2d,
    pool2: MaxPool2d,
    fc: Linear,
    relu: Relu,
}

impl Net {
    fn new(device: &Device) -> Self {
        Net {
            conv1: Conv2dConfig::new([1, 8], [5, 5])
                .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
                .init(device),
            pool1: max_pool(2),
            conv2: Conv2dConfig::new([8, 16], [5, 5])
                .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
                .init(device),
            pool2: max_pool(3),
            fc: LinearConfig::new(256, 10).init(device),
            relu: Relu::new(),
        }
    }

    /// x: [n, 1, 28, 28] → logits [n, 10].
    fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = self.pool1.forward(self.relu.forward(self.conv1.forward(x))); // [n, 8, 14, 14]
        let x = self.pool2.forward(self.relu.forward(self.conv2.forward(x))); // [n, 16, 4, 4]
        self.fc.forward(x.flatten::<2>(1, 3)) // [n, 256] → [n, 10]
    }
}

fn max_pool(k: usize) -> MaxPool2d {
    MaxPool2dConfig::new([k, k]).with_strides([k, k]).init()
}

fn images(x: &[f32], device: &Device) -> Tensor<4> {
    let n = x.len() / PIXELS;
    assert_eq!(n * PIXELS, x.len(), "x must hold n·784 floats");
    Tensor::<4>::from_data(TensorData::new(x.to_vec(), [n, 1, 28, 28]), device)
}

#[wasm_bindgen]
pub struct Peer {
    /// Kept in an Option only so that `train_step` can move it through the optimizer.
    model: Option<Net>,
    optim: ModuleOptimizer,
    loss: CrossEntropyLoss,
    /// Flex device with autodiff (training).
    device: Device,
    /// Plain Flex device (inference).
    inner: Device,
}

#[wasm_bindgen]
impl Peer {
    /// The net, initialised by burn's own defaults from `seed`.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: u32) -> Peer {
        let inner = Device::flex();
        inner.seed(seed as u64);
        let device = inner.clone().autodiff();
        device.seed(seed as u64);
        let model = Net::new(&device);
        let optim = SgdConfig::new()
            .with_momentum(Some(
                MomentumConfig::new()
                    .with_momentum(0.9)
                    .with_dampening(0.0)
                    .with_nesterov(false),
            ))
            .init();
        let loss = CrossEntropyLossConfig::new().init(&device);
        Peer {
            model: Some(model),
            optim,
            loss,
            device,
            inner,
        }
    }

    /// One SGD step on a batch: x = n·784 floats in [0,1] (NCHW 1×28×28), y = n labels.
    /// Returns the mean softmax cross-entropy of the batch before the update.
    #[wasm_bindgen(js_name = trainStep)]
    pub fn train_step(&mut self, x: &[f32], y: &[u8]) -> f32 {
        let n = y.len();
        let input = images(x, &self.device);
        assert_eq!(input.dims()[0], n, "x and y disagree on n");
        let targets = Tensor::<1, Int>::from_data(
            TensorData::new(y.iter().map(|&l| l as i64).collect::<Vec<_>>(), [n]),
            &self.device,
        );
        let model = self.model.take().expect("model");
        let logits = model.forward(input);
        let loss = self.loss.forward(logits, targets);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        let value = loss.into_scalar::<f32>();
        self.model = Some(self.optim.step(LR, model, grads));
        value
    }

    /// Inference without an autodiff graph; returns how many of the n images are classified as
    /// their label.
    pub fn infer(&mut self, x: &[f32], y: &[u8]) -> u32 {
        let model = self.model.as_ref().expect("model").valid();
        let input = images(x, &self.inner);
        let pred = model.forward(input).argmax(1).into_data();
        pred.iter::<i64>()
            .zip(y)
            .filter(|&(p, &l)| p == l as i64)
            .count() as u32
    }

    /// Framework and backend name.
    pub fn name() -> String {
        "burn 0.22.1 (Flex backend)".to_string()
    }
}
