//! Loss Lab benchmark peer: ConvNetJS's classic MNIST net trained with candle (CPU backend) on wasm32.
//!
//! Net: 1×28×28 → conv 8@5×5 pad 2 → ReLU → max-pool 2×2/2 → conv 16@5×5 pad 2 → ReLU → max-pool 3×3/3
//! → flatten 256 → linear 256→10 → softmax cross-entropy. SGD lr 0.01, heavy-ball momentum 0.9.

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{conv2d, linear, Conv2d, Conv2dConfig, Linear, Module, VarBuilder, VarMap};
use wasm_bindgen::prelude::*;

const LEARNING_RATE: f64 = 0.01;
const MOMENTUM: f64 = 0.9;
/// candle-core / candle-nn version pinned in Cargo.lock (kept in sync by hand).
const CANDLE_VERSION: &str = "0.11.1";

struct Net {
    conv1: Conv2d,
    conv2: Conv2d,
    fc: Linear,
}

impl Net {
    fn new(vb: VarBuilder) -> candle_core::Result<Self> {
        let cfg = Conv2dConfig {
            padding: 2,
            stride: 1,
            ..Default::default()
        };
        Ok(Self {
            conv1: conv2d(1, 8, 5, cfg, vb.pp("conv1"))?,
            conv2: conv2d(8, 16, 5, cfg, vb.pp("conv2"))?,
            fc: linear(256, 10, vb.pp("fc"))?,
        })
    }

    /// x: (n, 1, 28, 28) → logits (n, 10).
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let h = max_pool(&self.conv1.forward(x)?.relu()?, 2)?; // n×8×14×14
        let h = max_pool(&self.conv2.forward(&h)?.relu()?, 3)?; // n×16×4×4
        self.fc.forward(&h.flatten_from(1)?) // n×10
    }
}

/// k×k max-pool with stride k (trailing rows/columns that do not fill a window are dropped, like
/// `Tensor::max_pool2d_with_stride`), written with candle tensor ops because the backward of candle
/// 0.11.1's own `max_pool2d` is wrong: it scales the gradient of each window's max by 1/k² (0.25 for
/// 2×2, 1/9 for 3×3), and when the input size is not a multiple of k (14 → 4 with 3×3/3 here) its
/// nearest-neighbour upsampling sends gradients to the wrong windows (checked natively on a 7×7 example).
/// Forward values are identical; the gradient goes to the first maximum of each window (as in PyTorch
/// and ConvNetJS) through `gather`, whose backward is a scatter-add.
fn max_pool(x: &Tensor, k: usize) -> candle_core::Result<Tensor> {
    let (n, c, h, w) = x.dims4()?;
    let (ho, wo) = (h / k, w / k);
    let x = if ho * k != h || wo * k != w {
        x.narrow(2, 0, ho * k)?.narrow(3, 0, wo * k)?
    } else {
        x.clone()
    };
    // n×c×ho×k×wo×k → n×c×ho×wo×(k·k): each pooling window becomes one contiguous last axis.
    let windows = x
        .reshape((n, c, ho, k, wo, k))?
        .permute((0, 1, 2, 4, 3, 5))?
        .reshape((n, c, ho, wo, k * k))?;
    let argmax = windows.detach().argmax_keepdim(4)?;
    windows.gather(&argmax, 4)?.squeeze(4)
}

/// Classic heavy-ball SGD (PyTorch semantics with dampening 0, no Nesterov, no weight decay):
/// v = μ·v + g; w -= lr·v. candle_nn::SGD has no momentum, so this is written out over the VarMap's vars.
struct Momentum {
    vars: Vec<Var>,
    velocity: Vec<Option<Tensor>>,
}

impl Momentum {
    fn new(vars: Vec<Var>) -> Self {
        let velocity = vec![None; vars.len()];
        Self { vars, velocity }
    }

    fn step(&mut self, grads: &candle_core::backprop::GradStore) -> candle_core::Result<()> {
        for (var, vel) in self.vars.iter().zip(self.velocity.iter_mut()) {
            let Some(g) = grads.get(var) else { continue };
            // First step: v = g (same as zero-initialised v).
            let v = match vel.take() {
                Some(v) => ((v * MOMENTUM)? + g)?,
                None => g.clone(),
            };
            var.set(&var.as_tensor().sub(&(&v * LEARNING_RATE)?)?)?;
            *vel = Some(v.detach());
        }
        Ok(())
    }
}

#[wasm_bindgen]
pub struct Peer {
    #[allow(dead_code)]
    varmap: VarMap,
    net: Net,
    opt: Momentum,
    device: Device,
}

fn batch(device: &Device, x: &[f32], y: &[u8]) -> (Tensor, Tensor) {
    let n = y.len();
    assert_eq!(
        x.len(),
        n * 784,
        "x must hold n·784 floats for n = y.len() labels"
    );
    let xs = Tensor::from_slice(x, (n, 1, 28, 28), device).expect("input tensor");
    let labels: Vec<u32> = y.iter().map(|&l| l as u32).collect();
    let ys = Tensor::from_vec(labels, n, device).expect("label tensor");
    (xs, ys)
}

#[wasm_bindgen]
impl Peer {
    /// The net, initialised by candle_nn's own defaults (Kaiming-normal weights, uniform ±1/√fan_in biases).
    /// `seed` is ignored: candle's CPU device cannot be seeded (`Device::Cpu.set_seed` bails with
    /// "cannot seed the CPU rng with set_seed"; its initialisers draw from `rand::rng()`, seeded from getrandom).
    #[wasm_bindgen(constructor)]
    pub fn new(seed: u32) -> Peer {
        let _ = seed;
        let device = Device::Cpu;
        let varmap = VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &device);
        let net = Net::new(vb).expect("building the net");
        let opt = Momentum::new(varmap.all_vars());
        Peer {
            varmap,
            net,
            opt,
            device,
        }
    }

    /// One SGD-with-momentum step on n images (x = n·784 floats in [0,1], y = n labels).
    /// Returns the mean softmax cross-entropy of the batch before the update.
    #[wasm_bindgen(js_name = trainStep)]
    pub fn train_step(&mut self, x: &[f32], y: &[u8]) -> f32 {
        let (xs, ys) = batch(&self.device, x, y);
        let logits = self.net.forward(&xs).expect("forward");
        let loss = candle_nn::loss::cross_entropy(&logits, &ys).expect("loss");
        let grads = loss.backward().expect("backward");
        self.opt.step(&grads).expect("optimizer step");
        loss.to_scalar::<f32>().expect("loss value")
    }

    /// Inference on n images; returns how many are classified as their label.
    pub fn infer(&mut self, x: &[f32], y: &[u8]) -> u32 {
        let (xs, _) = batch(&self.device, x, y);
        let logits = self.net.forward(&xs).expect("forward").detach();
        let pred: Vec<u32> = logits
            .argmax(1)
            .expect("argmax")
            .to_vec1()
            .expect("predictions");
        pred.iter().zip(y).filter(|(&p, &l)| p == l as u32).count() as u32
    }

    pub fn name() -> String {
        format!("candle {CANDLE_VERSION} (CPU)")
    }
}
