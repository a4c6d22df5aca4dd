//! Config -> a checked plan of layers -> a Model. The plan is computed without allocating weights, so
//! the page can show shapes, receptive fields and parameter counts (or the error) as the learner types.

use crate::config::{Bn, Config, ConfigError, PoolPlace, Switch};
use crate::data::{CLASSES, SIDE};
use crate::layers::activation::{Activation, ActivationLayer};
use crate::layers::batchnorm::BatchNorm2d;
use crate::layers::conv2d::Conv2dConfig;
use crate::layers::dense::{Dense, Flatten};
use crate::layers::pool::{Pool2d, PoolKind};
use crate::layers::{Layer, Param};
use crate::rng::{streams, Rng};
use crate::tensor::Shape3;

/// Parameters beyond this are refused: a classroom laptop should not be asked to hold them.
pub const MAX_PARAMS: usize = 2_000_000;
/// Memory the layer caches of one training batch may use (f32 values): 96 M values = 384 MB.
pub const MAX_CACHE_VALUES: usize = 96 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq)]
pub enum LayerKind {
    Conv {
        out_channels: usize,
        kernel: usize,
        stride: usize,
        pad: usize,
    },
    Pool {
        kind: PoolKind,
        size: usize,
    },
    Act(Activation),
    /// BatchNorm of a convolution's output, before its activation (Ioffe & Szegedy 2015, §3.2).
    BatchNorm,
    Flatten,
    Dense {
        out: usize,
    },
}

/// One planned layer: what the page's architecture table shows.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerInfo {
    pub name: String,
    pub kind: LayerKind,
    pub input: Shape3,
    pub output: Shape3,
    /// Receptive field side in input pixels (Araujo et al. 2019, Distill: r ← r + (k−1)·j, j ← j·s).
    pub rf: usize,
    pub params: usize,
}

impl LayerInfo {
    /// Short description, e.g. "conv 8@5×5 stride 1 pad 2".
    pub fn describe(&self) -> String {
        match &self.kind {
            LayerKind::Conv {
                out_channels,
                kernel,
                stride,
                pad,
            } => {
                format!("conv {out_channels}@{kernel}×{kernel} stride {stride} pad {pad}")
            }
            LayerKind::Pool { kind, size } => {
                format!(
                    "{} pool {size}×{size}",
                    if *kind == PoolKind::Max { "max" } else { "avg" }
                )
            }
            LayerKind::Act(a) => a.key().to_string(),
            LayerKind::BatchNorm => "batch norm".to_string(),
            LayerKind::Flatten => format!("flatten to {}", self.output.c),
            LayerKind::Dense { out } => format!("dense {out}"),
        }
    }
}

/// Check a configuration and lay out its layers. Errors name the layer and the sizes.
pub fn plan(cfg: &Config) -> Result<Vec<LayerInfo>, ConfigError> {
    let mut layers = Vec::new();
    let mut shape = Shape3::new(1, SIDE, SIDE);
    let (mut rf, mut jump) = (1usize, 1usize);
    let mut cache = 0usize;
    let pool = |name: String, size: usize, shape: Shape3, rf: &mut usize, jump: &mut usize| {
        if size > shape.h || size > shape.w {
            return Err(ConfigError(format!(
                "{name}: a {size}×{size} pool does not fit its {}×{} input — use a smaller pool, fewer pools, or less stride",
                shape.h, shape.w
            )));
        }
        let output = Shape3::new(shape.c, shape.h / size, shape.w / size);
        *rf += (size - 1) * *jump;
        *jump *= size;
        Ok(LayerInfo {
            name,
            kind: LayerKind::Pool {
                kind: cfg.pool_type,
                size,
            },
            input: shape,
            output,
            rf: *rf,
            params: 0,
        })
    };
    if cfg.pool == PoolPlace::First {
        let l = pool(
            "pool0".into(),
            Config::block(&cfg.pool_size, 0),
            shape,
            &mut rf,
            &mut jump,
        )?;
        shape = l.output;
        layers.push(l);
    }
    for i in 0..cfg.depth {
        let name = format!("conv{}", i + 1);
        let (oc, k, s, p) = (
            Config::block(&cfg.ch, i),
            Config::block(&cfg.k, i),
            Config::block(&cfg.stride, i),
            Config::block(&cfg.pad, i),
        );
        if p >= k {
            return Err(ConfigError(format!(
                "{name}: padding {p} is not smaller than the {k}×{k} kernel, so some outputs would see only zeros — use padding ≤ {}",
                k - 1
            )));
        }
        let conv = Conv2dConfig {
            input: shape,
            out_channels: oc,
            kernel: k,
            stride: s,
            pad: p,
        };
        let out = conv.output().ok_or_else(|| {
            ConfigError(format!(
                "{name}: the {k}×{k} kernel does not fit its {}×{} input (padding {p}) — the image has shrunk too much; \
                 use fewer blocks, less stride or pooling, or more padding",
                shape.h, shape.w
            ))
        })?;
        rf += (k - 1) * jump;
        jump *= s;
        cache += cfg.batch * shape.c * k * k * out.h * out.w + 2 * cfg.batch * out.len();
        layers.push(LayerInfo {
            name,
            kind: LayerKind::Conv {
                out_channels: oc,
                kernel: k,
                stride: s,
                pad: p,
            },
            input: shape,
            output: out,
            rf,
            // No bias before a BatchNorm (Conv2d::without_bias).
            params: oc * shape.c * k * k + if cfg.bn == Bn::On { 0 } else { oc },
        });
        if cfg.bn == Bn::On {
            // x̂ of the batch, kept for backward.
            cache += cfg.batch * out.len();
            layers.push(LayerInfo {
                name: format!("bn{}", i + 1),
                kind: LayerKind::BatchNorm,
                input: out,
                output: out,
                rf,
                params: 2 * oc,
            });
        }
        layers.push(LayerInfo {
            name: format!("{}{}", cfg.act.key(), i + 1),
            kind: LayerKind::Act(cfg.act),
            input: out,
            output: out,
            rf,
            params: 0,
        });
        shape = out;
        let pool_here = match cfg.pool {
            PoolPlace::Every => true,
            PoolPlace::Last => i + 1 == cfg.depth,
            PoolPlace::None | PoolPlace::First => false,
        };
        if pool_here {
            let l = pool(
                format!("pool{}", i + 1),
                Config::block(&cfg.pool_size, i),
                shape,
                &mut rf,
                &mut jump,
            )?;
            shape = l.output;
            layers.push(l);
        }
    }
    let flat = Shape3::new(shape.len(), 1, 1);
    layers.push(LayerInfo {
        name: "flatten".into(),
        kind: LayerKind::Flatten,
        input: shape,
        output: flat,
        rf,
        params: 0,
    });
    shape = flat;
    if cfg.hidden > 0 {
        let out = Shape3::new(cfg.hidden, 1, 1);
        layers.push(LayerInfo {
            name: "hidden".into(),
            kind: LayerKind::Dense { out: cfg.hidden },
            input: shape,
            output: out,
            rf,
            params: cfg.hidden * shape.len() + cfg.hidden,
        });
        layers.push(LayerInfo {
            name: format!("{}_hidden", cfg.act.key()),
            kind: LayerKind::Act(cfg.act),
            input: out,
            output: out,
            rf,
            params: 0,
        });
        cache += cfg.batch * shape.len();
        shape = out;
    }
    layers.push(LayerInfo {
        name: "dense".into(),
        kind: LayerKind::Dense { out: CLASSES },
        input: shape,
        output: Shape3::new(CLASSES, 1, 1),
        rf,
        params: CLASSES * shape.len() + CLASSES,
    });
    cache += cfg.batch * shape.len();
    let total: usize = layers.iter().map(|l| l.params).sum();
    if total > MAX_PARAMS {
        let big = layers
            .iter()
            .max_by_key(|l| l.params)
            .expect("a plan has layers");
        return Err(ConfigError(format!(
            "the network has {total} parameters ({} in {}), more than the {MAX_PARAMS} this lab allows — \
             use fewer channels, more pooling, or a smaller hidden layer",
            big.params, big.name
        )));
    }
    if cache > MAX_CACHE_VALUES {
        return Err(ConfigError(format!(
            "a batch of {} would need {} MB of layer buffers, more than the {} MB this lab allows — \
             use a smaller batch, fewer channels or smaller kernels",
            cfg.batch,
            cache * 4 / (1024 * 1024),
            MAX_CACHE_VALUES * 4 / (1024 * 1024)
        )));
    }
    Ok(layers)
}

/// The network: a stack of layers ending in 10 logits.
pub struct Model {
    layers: Vec<Box<dyn Layer>>,
    pub info: Vec<LayerInfo>,
    /// Indices (into `layers`) of the layers with weights: conv1.., hidden, dense. BatchNorm layers
    /// have parameters (γ, β) too but are not among them: the layer views and the diagnosis read a
    /// BatchNorm as part of the convolution it follows.
    param_layers: Vec<usize>,
}

impl Model {
    /// Build and initialise the model of `cfg` from its seed.
    pub fn from_config(cfg: &Config) -> Result<Model, ConfigError> {
        let info = plan(cfg)?;
        let mut rng = Rng::stream(cfg.seed, streams::INIT);
        let mut layers: Vec<Box<dyn Layer>> = Vec::with_capacity(info.len());
        let mut param_layers = Vec::new();
        for (i, l) in info.iter().enumerate() {
            // The initial bias goes to every layer an activation follows (the convolutions and the
            // hidden dense layer): there it shifts the pre-activations, so a negative value switches
            // ReLUs off before the first step and a positive one keeps them on. The output layer
            // starts at 0 whatever the setting: one value added to all ten logits is cancelled by
            // the softmax (softmax(z + c) = softmax(z)), so it could only mislead; a useful output
            // bias differs per class (the log of each class's frequency, Karpathy 2019, "A Recipe
            // for Training Neural Networks").
            let output = i + 1 == info.len();
            let bias = if output { 0.0 } else { cfg.bias };
            // No ReLU follows the output layer, so it is drawn at the scale for a linear layer
            // (Initializer::for_output: He becomes LeCun, every deliberate fault is kept).
            let init = if output {
                cfg.init.for_output()
            } else {
                cfg.init
            };
            let layer: Box<dyn Layer> = match l.kind {
                LayerKind::Conv {
                    out_channels,
                    kernel,
                    stride,
                    pad,
                } => {
                    param_layers.push(layers.len());
                    let conv = Conv2dConfig {
                        input: l.input,
                        out_channels,
                        kernel,
                        stride,
                        pad,
                    }
                    .init(&l.name, &init, bias, &mut rng);
                    Box::new(if cfg.bn == Bn::On {
                        conv.without_bias()
                    } else {
                        conv
                    })
                }
                LayerKind::Pool { kind, size } => Box::new(
                    Pool2d::new(&l.name, kind, size, l.input)
                        .expect("the plan checked the pool fits"),
                ),
                LayerKind::Act(a) => Box::new(ActivationLayer::new(&l.name, a, l.input)),
                LayerKind::BatchNorm => Box::new(BatchNorm2d::new(&l.name, l.input, cfg.bn_eval)),
                LayerKind::Flatten => Box::new(Flatten::new(l.input)),
                LayerKind::Dense { out } => {
                    param_layers.push(layers.len());
                    Box::new(Dense::new(&l.name, l.input, out, &init, bias, &mut rng))
                }
            };
            layers.push(layer);
        }
        if cfg.calibrated == Switch::On {
            // "Init well" (Karpathy 2019, "A Recipe for Training Neural Networks"): a zero output
            // layer makes every logit 0, so the untrained net predicts 1/10 for each digit and its
            // first loss is exactly ln 10. Zeroed after drawing, so every other layer keeps the
            // weights the same seed gives without it. The hidden layers still learn: the output
            // weights move at the first step and pass gradient back from the second.
            let out = layers.last_mut().expect("a plan ends in the output layer");
            for p in out.params_mut() {
                p.value.iter_mut().for_each(|v| *v = 0.0);
            }
        }
        Ok(Model {
            layers,
            info,
            param_layers,
        })
    }

    /// x: (N, 1, 28, 28) -> logits (N, 10)
    pub fn forward(&mut self, x: &[f32], n: usize, train: bool) -> Vec<f32> {
        let mut h = self.layers[0].forward(x, n, train);
        for l in &mut self.layers[1..] {
            h = l.forward(&h, n, train);
        }
        h
    }

    /// x: (N, 1, 28, 28) -> every layer's output in order, (N, out_shape) each; the last is the logits
    /// (N, 10), the same values `forward` returns. `train` as in `forward`; the layers keep the caches
    /// of this pass, as after `forward`.
    pub fn forward_layers(&mut self, x: &[f32], n: usize, train: bool) -> Vec<Vec<f32>> {
        let mut out: Vec<Vec<f32>> = Vec::with_capacity(self.layers.len());
        for l in &mut self.layers {
            let h = l.forward(out.last().map_or(x, |h| &h[..]), n, train);
            out.push(h);
        }
        out
    }

    /// Whether the network holds BatchNorm layers (state beyond its parameters).
    pub fn has_batchnorm(&self) -> bool {
        self.layers.iter().any(|l| !l.buffers().is_empty())
    }

    /// x: (N, 1, 28, 28) -> logits (N, 10) with every BatchNorm normalising by the statistics of `x`
    /// itself, as a training step does, and its running statistics left as they were.
    pub fn forward_batch_stats(&mut self, x: &[f32], n: usize) -> Vec<f32> {
        let saved: Vec<Vec<f32>> = self
            .layers
            .iter()
            .flat_map(|l| l.buffers())
            .cloned()
            .collect();
        let z = self.forward(x, n, true);
        for (b, s) in self
            .layers
            .iter_mut()
            .flat_map(|l| l.buffers_mut())
            .zip(saved)
        {
            *b = s;
        }
        z
    }

    /// Forward `x` again layer by layer and name the first layer whose output holds a NaN or an
    /// infinity (None when every output is finite). Used once, when training meets a non-finite loss,
    /// to say where the trouble started; `train` as in `forward`.
    pub fn first_non_finite_output(&mut self, x: &[f32], n: usize, train: bool) -> Option<String> {
        if x.iter().any(|v| !v.is_finite()) {
            return Some("input".into());
        }
        let mut h = x.to_vec();
        for l in &mut self.layers {
            h = l.forward(&h, n, train);
            if h.iter().any(|v| !v.is_finite()) {
                return Some(l.name().to_string());
            }
        }
        None
    }

    /// dlogits: (N, 10) -> dx: (N, 1, 28, 28); adds to every parameter gradient.
    pub fn backward(&mut self, dlogits: &[f32]) -> Vec<f32> {
        let mut g = dlogits.to_vec();
        for l in self.layers.iter_mut().rev() {
            g = l.backward(&g);
        }
        g
    }

    /// Training's backward pass: every parameter gradient, without the unused gradient of the image.
    pub fn backward_params(&mut self, dlogits: &[f32]) {
        let mut g = dlogits.to_vec();
        let (first, rest) = self.layers.split_first_mut().expect("a model has layers");
        for l in rest.iter_mut().rev() {
            g = l.backward(&g);
        }
        first.backward_params_only(&g);
    }

    pub fn zero_grad(&mut self) {
        for p in self.params_mut() {
            p.grad.iter_mut().for_each(|g| *g = 0.0);
        }
    }

    /// Every parameter tensor in state-dict order (conv1.weight, conv1.bias, …, dense.bias).
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        self.layers
            .iter_mut()
            .flat_map(|l| l.params_mut())
            .collect()
    }

    pub fn params(&self) -> Vec<&Param> {
        self.layers.iter().flat_map(|l| l.params()).collect()
    }

    /// Names of the layers with parameters, in order.
    pub fn param_layer_names(&self) -> Vec<String> {
        self.param_layers
            .iter()
            .map(|&i| self.layers[i].name().to_string())
            .collect()
    }

    /// The plan of parameterised layer i (its kind and shapes).
    pub fn param_layer_info(&self, i: usize) -> &LayerInfo {
        &self.info[self.param_layers[i]]
    }

    /// The parameter tensors of parameterised layer i (weight, bias).
    pub fn layer_params(&self, i: usize) -> Vec<&Param> {
        self.layers[self.param_layers[i]].params()
    }

    /// The activation layer right after parameterised layer i (past its BatchNorm), if any.
    pub fn activation_after(&self, i: usize) -> Option<&dyn Layer> {
        let mut idx = self.param_layers[i] + 1;
        while self
            .info
            .get(idx)
            .is_some_and(|l| l.kind == LayerKind::BatchNorm)
        {
            idx += 1;
        }
        self.layers
            .get(idx)
            .filter(|l| l.activation().is_some())
            .map(|b| b.as_ref())
    }

    /// Where the tensors of parameterised layer i sit in `params()` order (BatchNorm's γ and β sit
    /// between two of them).
    pub fn tensor_range(&self, i: usize) -> std::ops::Range<usize> {
        let at = self.param_layers[i];
        let start: usize = self.layers[..at].iter().map(|l| l.params().len()).sum();
        start..start + self.layers[at].params().len()
    }

    /// Every parameter value in state-dict order, then every BatchNorm running statistic, as one
    /// vector: what a second worker needs to compute a gradient or evaluate under the same network,
    /// and what early stopping keeps of the best epoch.
    pub fn weights_flat(&self) -> Vec<f32> {
        // Slice by slice (one copy each), not value by value through a flattening iterator: the
        // leader of a two-core run copies its weights for every step's share.
        let mut out = Vec::new();
        self.params_into(&mut out);
        for b in self.layers.iter().flat_map(|l| l.buffers()) {
            out.extend_from_slice(b);
        }
        out
    }

    /// Every parameter value in `params()` order into `out` (cleared first, its allocation reused).
    pub fn params_into(&self, out: &mut Vec<f32>) {
        out.clear();
        for p in self.params() {
            out.extend_from_slice(&p.value);
        }
    }

    /// Sets every parameter value and running statistic from `weights_flat`'s layout; refuses a
    /// vector of another length.
    pub fn set_weights_flat(&mut self, w: &[f32]) -> Result<(), String> {
        let n: usize = self.params().iter().map(|p| p.value.len()).sum::<usize>()
            + self
                .layers
                .iter()
                .flat_map(|l| l.buffers())
                .map(|b| b.len())
                .sum::<usize>();
        if w.len() != n {
            return Err(format!(
                "{} weights were sent for a network with {n} parameters and running statistics",
                w.len()
            ));
        }
        let mut at = 0;
        let values = self
            .layers
            .iter_mut()
            .flat_map(|l| l.params_mut())
            .map(|p| &mut p.value)
            .collect::<Vec<_>>();
        for v in values {
            let k = v.len();
            v.copy_from_slice(&w[at..at + k]);
            at += k;
        }
        for v in self.layers.iter_mut().flat_map(|l| l.buffers_mut()) {
            let k = v.len();
            v.copy_from_slice(&w[at..at + k]);
            at += k;
        }
        Ok(())
    }

    /// Every parameter gradient in state-dict order, as one vector.
    pub fn grads_flat(&self) -> Vec<f32> {
        let mut out = Vec::new();
        for p in self.params() {
            out.extend_from_slice(&p.grad);
        }
        out
    }

    /// Adds a `grads_flat` vector to the gradients (`grad += g`, element by element, in that order).
    pub fn add_grads_flat(&mut self, g: &[f32]) {
        let mut at = 0;
        for p in self.params_mut() {
            let k = p.grad.len();
            for (a, b) in p.grad.iter_mut().zip(&g[at..at + k]) {
                *a += b;
            }
            at += k;
        }
    }

    pub fn param_count(&self) -> usize {
        self.info.iter().map(|l| l.params).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_plan_is_the_classic_small_mnist_net() {
        let p = plan(&Config::default()).unwrap();
        let summary: Vec<(String, String)> = p
            .iter()
            .map(|l| (l.name.clone(), l.output.to_string()))
            .collect();
        let want = [
            ("conv1", "8×28×28"),
            ("relu1", "8×28×28"),
            ("pool1", "8×14×14"),
            ("conv2", "16×14×14"),
            ("relu2", "16×14×14"),
            ("pool2", "16×4×4"),
            ("flatten", "256×1×1"),
            ("dense", "10×1×1"),
        ];
        assert_eq!(summary, want.map(|(a, b)| (a.to_string(), b.to_string())));
        let params: usize = p.iter().map(|l| l.params).sum();
        assert_eq!(params, (8 * 25 + 8) + (16 * 8 * 25 + 16) + (10 * 256 + 10));
        // Receptive field: conv 5 → 5, pool 2 → 6, conv 5 (jump 2) → 14, pool 3 → 18.
        assert_eq!(p.last().unwrap().rf, 18);
    }

    #[test]
    fn training_backward_gives_the_same_parameter_gradients() {
        let cfg = Config::default();
        let mut a = Model::from_config(&cfg).unwrap();
        let mut b = Model::from_config(&cfg).unwrap();
        let mut r = Rng::new(4);
        let x: Vec<f32> = (0..3 * 784).map(|_| r.uniform(-0.5, 2.5)).collect();
        let dl: Vec<f32> = (0..30).map(|_| r.uniform(-0.1, 0.1)).collect();
        a.forward(&x, 3, true);
        b.forward(&x, 3, true);
        a.backward(&dl);
        b.backward_params(&dl);
        for (p, q) in a.params().iter().zip(b.params()) {
            assert_eq!(p.grad, q.grad, "{}", p.name);
        }
    }

    #[test]
    fn initial_bias_reaches_every_layer_before_an_activation_but_not_the_output() {
        let mut c = Config::default();
        c.set("bias", "-0.5").unwrap();
        c.set("hidden", "12").unwrap();
        let m = Model::from_config(&c).unwrap();
        for p in m.params().iter().filter(|p| p.name.ends_with(".bias")) {
            let want = if p.name == "dense.bias" { 0.0 } else { -0.5 };
            assert!(
                p.value.iter().all(|&b| b == want),
                "{}: {:?}",
                p.name,
                p.value
            );
        }
        let names: Vec<&str> = m.params().iter().map(|p| p.name.as_str()).collect();
        assert!(names.contains(&"conv1.bias") && names.contains(&"hidden.bias"));
    }

    #[test]
    fn a_calibrated_start_zeroes_only_the_output_layer_and_gives_uniform_logits() {
        let plain = Model::from_config(&Config::default()).unwrap();
        let mut c = Config::default();
        c.set("calibrated", "on").unwrap();
        let mut m = Model::from_config(&c).unwrap();
        for (a, b) in m.params().iter().zip(plain.params()) {
            if a.name.starts_with("dense.") {
                assert!(a.value.iter().all(|&v| v == 0.0), "{}", a.name);
            } else {
                assert_eq!(a.value, b.value, "{} must keep its seeded weights", a.name);
            }
        }
        let x: Vec<f32> = (0..2 * 784).map(|i| (i % 7) as f32 * 0.3).collect();
        assert!(m.forward(&x, 2, false).iter().all(|&z| z == 0.0));
    }

    #[test]
    fn batchnorm_follows_each_convolution_which_loses_its_bias() {
        let mut c = Config::default();
        c.set("bn", "1").unwrap();
        let p = plan(&c).unwrap();
        let names: Vec<&str> = p.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2", "flatten",
                "dense"
            ]
        );
        let params: usize = p.iter().map(|l| l.params).sum();
        assert_eq!(
            params,
            8 * 25 + 2 * 8 + 16 * 8 * 25 + 2 * 16 + (10 * 256 + 10)
        );
        let mut m = Model::from_config(&c).unwrap();
        assert_eq!(
            m.params().iter().map(|p| p.value.len()).sum::<usize>(),
            params
        );
        let names: Vec<&str> = m.params().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "conv1.weight",
                "bn1.weight",
                "bn1.bias",
                "conv2.weight",
                "bn2.weight",
                "bn2.bias",
                "dense.weight",
                "dense.bias"
            ]
        );
        // The layer views and the diagnosis see conv1's activation through its BatchNorm.
        assert_eq!(
            m.activation_after(0).map(|l| l.name().to_string()),
            Some("relu1".into())
        );
        assert_eq!(m.tensor_range(1), 3..4);
        // The running statistics travel with the weights (two-core evaluation, early stopping's restore).
        let x: Vec<f32> = (0..2 * 784).map(|i| (i % 13) as f32 * 0.2 - 0.5).collect();
        let before = m.weights_flat();
        assert_eq!(before.len(), params + 2 * (8 + 16));
        m.forward(&x, 2, true);
        let after = m.weights_flat();
        assert_ne!(
            before[params..],
            after[params..],
            "a training pass updates the running statistics"
        );
        m.set_weights_flat(&before).unwrap();
        assert_eq!(m.weights_flat(), before);
    }

    #[test]
    fn impossible_designs_name_the_layer() {
        let mut c = Config::default();
        c.set("depth", "4").unwrap();
        c.set("pool_size", "2").unwrap();
        c.set("pad", "0").unwrap();
        let e = plan(&c).unwrap_err().0;
        assert!(e.starts_with("conv3:") && e.contains("4×4 input"), "{e}");
        let mut c = Config::default();
        c.set("depth", "8").unwrap();
        c.set("stride", "4").unwrap();
        let e = plan(&c).unwrap_err().0;
        assert!(
            e.starts_with("pool2:") && e.contains("does not fit its 1×1 input"),
            "{e}"
        );
        let mut c = Config::default();
        c.set("pad", "7").unwrap();
        c.set("k", "3").unwrap();
        assert!(plan(&c).unwrap_err().0.contains("padding"));
        let mut c = Config::default();
        c.set("pool", "none").unwrap();
        c.set("ch", "64").unwrap();
        c.set("depth", "3").unwrap();
        c.set("k", "15").unwrap();
        c.set("pad", "7").unwrap();
        c.set("batch", "512").unwrap();
        let e = plan(&c).unwrap_err().0;
        assert!(e.contains("MB") || e.contains("parameters"), "{e}");
    }
}
