#![cfg(not(target_arch = "wasm32"))]
//! Central finite-difference gradient checks of every layer, activation and the loss.
//! Layers in the middle are checked through L = Σ y ⊙ r with a fixed random r. Inputs are kept off
//! ReLU kinks (|x| ≥ 0.05 where a kink could be crossed) and max-pool ties (distinct random values).

use losslab::config::{Bn, Config};
use losslab::init::{InitKind, Initializer};
use losslab::layers::activation::{Activation, ActivationLayer};
use losslab::layers::batchnorm::{BatchNorm2d, BnEval};
use losslab::layers::conv2d::Conv2dConfig;
use losslab::layers::dense::Dense;
use losslab::layers::loss::{softmax_cross_entropy, weighted_softmax_cross_entropy};
use losslab::layers::pool::{Pool2d, PoolKind};
use losslab::layers::Layer;
use losslab::model::Model;
use losslab::rng::Rng;
use losslab::tensor::Shape3;

const H: f32 = 1e-2;

fn rand_vec(r: &mut Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| r.uniform(lo, hi)).collect()
}

/// Values away from zero so that h-perturbations never cross a ReLU kink.
fn off_kink(r: &mut Rng, n: usize) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let v = r.uniform(0.05, 1.0);
            if r.chance(0.5) {
                v
            } else {
                -v
            }
        })
        .collect()
}

fn dot(a: &[f32], b: &[f32]) -> f64 {
    a.iter().zip(b).map(|(x, y)| *x as f64 * *y as f64).sum()
}

/// |a − n| / max(|a| + |n|, 1e-2): relative, but tolerant of gradients that are tiny in absolute terms.
fn rel_err(a: f64, n: f64) -> f64 {
    (a - n).abs() / (a.abs() + n.abs()).max(1e-2)
}

/// Check dx and every parameter gradient of `layer` at x (batch n). Returns the worst relative error.
fn check_layer(layer: &mut dyn Layer, x: &[f32], n: usize, seed: u64) -> f64 {
    check_layer_in(layer, x, n, seed, false)
}

/// `check_layer`, with the finite differences taken in training mode when `train` (BatchNorm: the
/// function whose gradient backward gives is the one with the batch's own statistics).
fn check_layer_in(layer: &mut dyn Layer, x: &[f32], n: usize, seed: u64, train: bool) -> f64 {
    let mut r = Rng::new(seed);
    let y = layer.forward(x, n, true);
    let w = rand_vec(&mut r, y.len(), -1.0, 1.0);
    for p in layer.params_mut() {
        p.grad.iter_mut().for_each(|g| *g = 0.0);
    }
    let dx = layer.backward(&w);
    let mut worst = 0.0f64;
    let mut xp = x.to_vec();
    for i in 0..x.len() {
        let orig = xp[i];
        xp[i] = orig + H;
        let lp = dot(&layer.forward(&xp, n, train), &w);
        xp[i] = orig - H;
        let lm = dot(&layer.forward(&xp, n, train), &w);
        xp[i] = orig;
        let num = (lp - lm) / (2.0 * H as f64);
        worst = worst.max(rel_err(dx[i] as f64, num));
    }
    let grads: Vec<Vec<f32>> = layer.params().iter().map(|p| p.grad.clone()).collect();
    for (pi, g) in grads.iter().enumerate() {
        for (i, &gi) in g.iter().enumerate() {
            let orig = layer.params_mut()[pi].value[i];
            layer.params_mut()[pi].value[i] = orig + H;
            let lp = dot(&layer.forward(x, n, train), &w);
            layer.params_mut()[pi].value[i] = orig - H;
            let lm = dot(&layer.forward(x, n, train), &w);
            layer.params_mut()[pi].value[i] = orig;
            let num = (lp - lm) / (2.0 * H as f64);
            worst = worst.max(rel_err(gi as f64, num));
        }
    }
    worst
}

const TOL: f64 = 5e-3;

#[test]
fn conv2d_gradients_for_strides_paddings_odd_and_non_square_shapes() {
    let init = Initializer {
        kind: InitKind::HeNormal,
        gain: 1.0,
    };
    let mut worst = 0.0f64;
    // (C, H, W, OC, K, stride, pad)
    for (i, &(c, h, w, oc, k, s, p)) in [
        (1, 6, 6, 2, 3, 1, 1),
        (2, 7, 5, 3, 3, 2, 0),
        (3, 9, 6, 2, 4, 3, 2),
        (1, 8, 11, 2, 5, 4, 2),
        (2, 5, 5, 1, 1, 1, 0),
        (1, 15, 15, 1, 15, 1, 7),
    ]
    .iter()
    .enumerate()
    {
        let mut r = Rng::new(100 + i as u64);
        let cfg = Conv2dConfig {
            input: Shape3::new(c, h, w),
            out_channels: oc,
            kernel: k,
            stride: s,
            pad: p,
        };
        let mut layer = cfg.init("conv", &init, 0.1, &mut r);
        let n = 2;
        let x = rand_vec(&mut r, n * c * h * w, -1.0, 1.0);
        let e = check_layer(&mut layer, &x, n, 7);
        eprintln!("conv C{c} {h}x{w} OC{oc} k{k} s{s} p{p}: worst relative error {e:.2e}");
        worst = worst.max(e);
    }
    assert!(worst < TOL, "conv2d worst relative error {worst:.2e}");
}

#[test]
fn pool_gradients_max_and_avg_with_leftover_rows() {
    let mut worst = 0.0f64;
    for kind in [PoolKind::Max, PoolKind::Avg] {
        for &(c, h, w, k) in &[(2, 6, 6, 2), (1, 7, 5, 3), (3, 5, 9, 2)] {
            let mut r = Rng::new(3);
            let mut layer = Pool2d::new("pool", kind, k, Shape3::new(c, h, w)).unwrap();
            // Distinct values spaced ≥ 4h apart: no ties, and no perturbation changes a winner.
            let len = 2 * c * h * w;
            let mut x: Vec<f32> = (0..len).map(|i| i as f32 * 5.0 * H).collect();
            r.shuffle(&mut x);
            let e = check_layer(&mut layer, &x, 2, 11);
            eprintln!("{kind:?} pool {c}x{h}x{w} k{k}: worst relative error {e:.2e}");
            worst = worst.max(e);
        }
    }
    assert!(worst < TOL, "pool worst relative error {worst:.2e}");
}

#[test]
fn dense_gradients() {
    let mut r = Rng::new(5);
    let init = Initializer {
        kind: InitKind::GlorotUniform,
        gain: 1.0,
    };
    let mut layer = Dense::new("dense", Shape3::new(3, 2, 2), 5, &init, 0.2, &mut r);
    let x = rand_vec(&mut r, 3 * 12, -1.0, 1.0);
    let e = check_layer(&mut layer, &x, 3, 13);
    eprintln!("dense 12->5: worst relative error {e:.2e}");
    assert!(e < TOL, "dense worst relative error {e:.2e}");
}

#[test]
fn batchnorm_gradients_through_the_batch_statistics() {
    let mut worst = 0.0f64;
    // (N, C, H, W): one position per channel, odd sizes, and a batch of one image.
    for (i, &(n, c, h, w)) in [(3, 2, 3, 4), (4, 3, 1, 1), (1, 2, 5, 3)]
        .iter()
        .enumerate()
    {
        let mut r = Rng::new(40 + i as u64);
        let mut layer = BatchNorm2d::new("bn1", Shape3::new(c, h, w), BnEval::Running);
        // Learned γ and β away from their start, so both enter the check.
        layer.weight.value = rand_vec(&mut r, c, 0.5, 2.0);
        layer.bias.value = rand_vec(&mut r, c, -1.0, 1.0);
        let x = rand_vec(&mut r, n * c * h * w, -2.0, 3.0);
        let e = check_layer_in(&mut layer, &x, n, 23, true);
        eprintln!("batchnorm N{n} C{c} {h}x{w}: worst relative error {e:.2e}");
        worst = worst.max(e);
    }
    assert!(worst < TOL, "batchnorm worst relative error {worst:.2e}");
}

#[test]
fn activation_gradients() {
    for act in [
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Identity,
    ] {
        let mut r = Rng::new(9);
        let mut layer = ActivationLayer::new("act", act, Shape3::new(2, 3, 4));
        let x: Vec<f32> = off_kink(&mut r, 2 * 24).iter().map(|v| v * 3.0).collect();
        let e = check_layer(&mut layer, &x, 2, 17);
        eprintln!("{act:?}: worst relative error {e:.2e}");
        assert!(e < TOL, "{act:?} worst relative error {e:.2e}");
    }
}

#[test]
fn softmax_cross_entropy_gradient() {
    let mut r = Rng::new(21);
    // Logits up to ±8: beyond that the f32 loss (≈ the largest logit) leaves too few digits for a
    // finite difference; huge logits are covered by the loss's own unit test.
    for scale in [1.0f32, 8.0] {
        let n = 4;
        let z = rand_vec(&mut r, n * 10, -scale, scale);
        let labels = [3u8, 0, 9, 5];
        let (_, g, _) = softmax_cross_entropy(&z, &labels, 10);
        let mut worst = 0.0f64;
        let mut zp = z.clone();
        for i in 0..z.len() {
            zp[i] = z[i] + H;
            let lp = softmax_cross_entropy(&zp, &labels, 10).0 as f64;
            zp[i] = z[i] - H;
            let lm = softmax_cross_entropy(&zp, &labels, 10).0 as f64;
            zp[i] = z[i];
            worst = worst.max(rel_err(g[i] as f64, (lp - lm) / (2.0 * H as f64)));
        }
        eprintln!("softmax cross-entropy, logits ±{scale}: worst relative error {worst:.2e}");
        assert!(worst < TOL, "loss worst relative error {worst:.2e}");
    }
}

#[test]
fn weighted_softmax_cross_entropy_gradient() {
    let mut r = Rng::new(22);
    // Uneven weights, a repeated class and a class of weight 0 absent from the batch.
    let w = [0.5f32, 3.0, 1.0, 0.0, 2.0, 1.0, 1.0, 0.25, 1.0, 4.0];
    for scale in [1.0f32, 8.0] {
        let n = 5;
        let z = rand_vec(&mut r, n * 10, -scale, scale);
        let labels = [1u8, 0, 9, 1, 7];
        let loss = |z: &[f32]| weighted_softmax_cross_entropy(z, &labels, 10, &w).0 as f64;
        let (_, g, _) = weighted_softmax_cross_entropy(&z, &labels, 10, &w);
        let mut worst = 0.0f64;
        let mut zp = z.clone();
        for i in 0..z.len() {
            zp[i] = z[i] + H;
            let lp = loss(&zp);
            zp[i] = z[i] - H;
            let lm = loss(&zp);
            zp[i] = z[i];
            worst = worst.max(rel_err(g[i] as f64, (lp - lm) / (2.0 * H as f64)));
        }
        eprintln!(
            "weighted softmax cross-entropy, logits ±{scale}: worst relative error {worst:.2e}"
        );
        assert!(
            worst < TOL,
            "weighted loss worst relative error {worst:.2e}"
        );
    }
}

/// The whole network, end to end through the loss, for a few configurations (smooth activations and
/// average pooling, so no kink or max-pool winner can change; ReLU and max pooling are covered layer
/// by layer above).
#[test]
fn whole_model_gradients_through_the_loss() {
    let configs: [&[(&str, &str)]; 4] = [
        &[
            ("ch", "2,3"),
            ("k", "3,5"),
            ("stride", "1,2"),
            ("pad", "1,2"),
            ("act", "tanh"),
            ("pool_type", "avg"),
        ],
        &[
            ("depth", "1"),
            ("ch", "2"),
            ("k", "7"),
            ("stride", "3"),
            ("pad", "3"),
            ("act", "sigmoid"),
            ("pool", "first"),
            ("hidden", "5"),
        ],
        &[
            ("depth", "3"),
            ("ch", "2"),
            ("k", "3"),
            ("pad", "1"),
            ("act", "identity"),
            ("pool", "last"),
            ("pool_type", "avg"),
            ("pool_size", "4"),
        ],
        // BatchNorm: the loss of a training-mode pass, with the batch's own statistics.
        &[
            ("ch", "2,3"),
            ("k", "3"),
            ("pad", "1"),
            ("act", "tanh"),
            ("pool_type", "avg"),
            ("bn", "1"),
        ],
    ];
    for (ci, pairs) in configs.iter().enumerate() {
        let mut cfg = Config::from_pairs(pairs.iter().copied()).unwrap();
        cfg.seed = 3 + ci as u64;
        let mut model = Model::from_config(&cfg).unwrap();
        let mut r = Rng::new(ci as u64);
        let n = 2;
        let x = rand_vec(&mut r, n * 784, -0.5, 2.5);
        let labels = [4u8, 7];
        let train = cfg.bn == Bn::On;
        let loss_at = |m: &mut Model, x: &[f32]| {
            softmax_cross_entropy(&m.forward(x, n, train), &labels, 10).0 as f64
        };
        let logits = model.forward(&x, n, true);
        let (_, dl, _) = softmax_cross_entropy(&logits, &labels, 10);
        model.zero_grad();
        let dx = model.backward(&dl);
        let grads: Vec<Vec<f32>> = model.params().iter().map(|p| p.grad.clone()).collect();
        let mut worst = 0.0f64;
        // A spread of parameter entries of every tensor (every entry would take minutes in the 784-wide input).
        for (pi, g) in grads.iter().enumerate() {
            let step = (g.len() / 25).max(1);
            for i in (0..g.len()).step_by(step) {
                let orig = model.params_mut()[pi].value[i];
                model.params_mut()[pi].value[i] = orig + H;
                let lp = loss_at(&mut model, &x);
                model.params_mut()[pi].value[i] = orig - H;
                let lm = loss_at(&mut model, &x);
                model.params_mut()[pi].value[i] = orig;
                worst = worst.max(rel_err(g[i] as f64, (lp - lm) / (2.0 * H as f64)));
            }
        }
        let mut xp = x.clone();
        for i in (0..x.len()).step_by(37) {
            xp[i] = x[i] + H;
            let lp = loss_at(&mut model, &xp);
            xp[i] = x[i] - H;
            let lm = loss_at(&mut model, &xp);
            xp[i] = x[i];
            worst = worst.max(rel_err(dx[i] as f64, (lp - lm) / (2.0 * H as f64)));
        }
        eprintln!("model {ci}: worst relative error {worst:.2e}");
        assert!(worst < TOL, "model {ci} worst relative error {worst:.2e}");
    }
}
