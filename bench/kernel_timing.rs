//! Side-by-side timing on the default model's shapes (batch 32): the weight-gradient kernels, max
//! pooling, the two peak kernels, and the blocked GEMM's GFLOP/s on each convolution product; A and B interleaved in rounds, medians printed, in V8:
//!   wasm-pack test --node --release --mode no-install -- --test kernel_timing --features bench
//! (the simd128 build). It asserts nothing about speed: it is wasm-only, needs the `bench` feature, and runs only when selected
//! by name: `npm test` never runs it (native shapes are timed by `cargo run --release --example kernel_bench`).
#![cfg(target_arch = "wasm32")]

use losslab::kernels::wgrad::{pack_dyt, wgrad_acc};
use losslab::kernels::{gemm_nt_acc, maxpool, peak, reference};
use losslab::tensor::Shape3;

mod clock {
    use wasm_bindgen::prelude::*;
    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        pub fn now() -> f64;
        #[wasm_bindgen(js_namespace = console)]
        pub fn log(s: &str);
    }
}
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Milliseconds per call of each variant, medians over interleaved rounds.
fn interleaved(rounds: usize, reps: usize, variants: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut times = vec![Vec::new(); variants.len()];
    for f in variants.iter_mut() {
        f(); // warm-up (and V8's tier-up)
    }
    for _ in 0..rounds {
        for (i, f) in variants.iter_mut().enumerate() {
            let t = clock::now();
            for _ in 0..reps {
                f();
            }
            times[i].push((clock::now() - t) / reps as f64);
        }
    }
    times.into_iter().map(median).collect()
}

/// Two operands of `n` and `m` values, small and of both signs, in patterns that do not line up with the
/// kernels' tiles (the same for every timing, so that the kernels compared see the same numbers).
fn operands(n: usize, m: usize) -> (Vec<f32>, Vec<f32>) {
    let a = (0..n).map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.01).collect();
    let b = (0..m).map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.01).collect();
    (a, b)
}

fn wgrad_timing() {
    // (name, OC, R = C·K·K, L = 32·OH·OW)
    for (name, oc, r, l) in [
        ("conv1 dW", 8, 25, 32 * 784),
        ("conv2 dW", 16, 200, 32 * 196),
    ] {
        let hw = l / 32;
        let (dy, cols) = operands(oc * l, r * l);
        let (mut dw_a, mut dw_b) = (vec![0.0f32; oc * r], vec![0.0f32; oc * r]);
        let (mut db_a, mut db_b) = (vec![0.0f32; oc], vec![0.0f32; oc]);
        let (mut prod, mut dyt) = (vec![0.0f32; oc * l], Vec::new());
        // A: the (S, OC, HW) -> (OC, S·HW) copy, bias sums and dot-product GEMM.
        let mut a = || {
            for s in 0..32 {
                for o in 0..oc {
                    prod[o * l + s * hw..o * l + (s + 1) * hw]
                        .copy_from_slice(&dy[(s * oc + o) * hw..(s * oc + o + 1) * hw]);
                }
            }
            for (o, row) in prod.chunks_exact(l).enumerate() {
                db_a[o] += row.iter().sum::<f32>();
            }
            gemm_nt_acc(oc, r, l, &prod, &cols, &mut dw_a);
        };
        // B: packing dyᵀ (with the bias sums) and the outer-product GEMM.
        let mut b = || {
            pack_dyt(&dy, 32, oc, hw, &mut dyt, &mut db_b);
            wgrad_acc(oc, r, l, &dyt, &cols, &mut dw_b);
        };
        let t = interleaved(9, 10, &mut [&mut a, &mut b]);
        let gf = 2.0 * (oc * r * l) as f64 / 1e6;
        clock::log(&format!(
            "{name}: dot products {:.3} ms ({:.1} GFLOP/s), outer products {:.3} ms ({:.1} GFLOP/s), {:.2}x",
            t[0],
            gf / t[0],
            t[1],
            gf / t[1],
            t[0] / t[1]
        ));
        let diff = dw_a
            .iter()
            .zip(&dw_b)
            .map(|(x, y)| (x - y).abs() / (1.0 + x.abs()))
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-3, "the two kernels disagree: {diff}");
    }
}

fn pool_timing() {
    for (c, h, k) in [(8, 28, 2), (16, 14, 3)] {
        let (i, o) = (Shape3::new(c, h, h), Shape3::new(c, h / k, h / k));
        let n = 32;
        let x: Vec<f32> = (0..n * i.len())
            .map(|j| (((j * 7919) % 23) as f32 - 8.0).max(0.0))
            .collect();
        let (mut ya, mut yb) = (vec![0.0f32; n * o.len()], vec![0.0f32; n * o.len()]);
        let (mut aa, mut ab) = (vec![0u32; n * o.len()], vec![0u32; n * o.len()]);
        let mut a = || reference::max_pool(&x, n, i, o, k, &mut ya, Some(&mut aa));
        let mut b = || maxpool::max_pool(&x, n, i, o, k, &mut yb, Some(&mut ab));
        let t = interleaved(9, 20, &mut [&mut a, &mut b]);
        clock::log(&format!(
            "max pool {c}x{h}x{h} k={k}, 32 samples, winners kept: indexed {:.3} ms, kernels::maxpool {:.3} ms, {:.2}x",
            t[0],
            t[1],
            t[0] / t[1]
        ));
        assert_eq!(aa, ab);
    }
}

fn peak_timing() {
    let (gemm_calls, hw_calls) = (20_000, 20_000);
    let mut a = || {
        std::hint::black_box(peak::run(gemm_calls));
    };
    let mut b = || {
        std::hint::black_box(peak::hw_run(hw_calls));
    };
    let t = interleaved(7, 1, &mut [&mut a, &mut b]);
    let g = (gemm_calls * peak::FLOPS_PER_CALL) as f64 / 1e6 / t[0];
    let h = (hw_calls * peak::HW_FLOPS_PER_CALL) as f64 / 1e6 / t[1];
    clock::log(&format!(
        "peak: GEMM tile {g:.1} GFLOP/s, hardware (mul/add chains) {h:.1} GFLOP/s = {:.2} G f32x4 ops/s",
        h / 4.0
    ));
}

/// GFLOP/s of the convolution's blocked GEMM (`gemm_nn`) on the default model's products, batch 32
/// in training, the evaluation chunks (13 and 6 samples) in inference.
fn gemm_timing() {
    // (name, m, n, k, a transposed)
    for (name, m, n, k, a_t) in [
        ("conv1 forward, batch 32", 8, 32 * 784, 25, false),
        ("conv2 forward, batch 32", 16, 32 * 196, 200, false),
        (
            "conv2 input gradient (Wᵀ·dY), batch 32",
            200,
            32 * 196,
            16,
            true,
        ),
        ("conv1 forward, evaluation chunk", 8, 13 * 784, 25, false),
        ("conv2 forward, evaluation chunk", 16, 6 * 196, 200, false),
    ] {
        let (a, b) = operands(m * k, k * n);
        let mut c = vec![0.0f32; m * n];
        let mut f = || losslab::kernels::gemm_nn(m, n, k, &a, a_t, &b, 0.0, &mut c);
        let t = interleaved(7, 5, &mut [&mut f]);
        let gf = (2 * m * n * k) as f64 / 1e6 / t[0];
        clock::log(&format!(
            "gemm_nn {name} ({m}×{k} · {k}×{n}): {:.3} ms, {gf:.1} GFLOP/s",
            t[0]
        ));
    }
}

fn all() {
    peak_timing();
    gemm_timing();
    wgrad_timing();
    pool_timing();
}

// The wasm suites only run when selected by name (--test kernel_timing).
#[wasm_bindgen_test::wasm_bindgen_test]
fn kernels_side_by_side() {
    all();
}
