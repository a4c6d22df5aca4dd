//! Side-by-side timing of the convolution's GEMM shapes: ndarray's general_mat_mul vs the blocked
//! kernels, interleaved in one run (`cargo run --release --example kernel_bench`). Asserts nothing.

use losslab::kernels::{gemm, gemm_nn, gemm_nt_acc};
use std::time::Instant;

fn time(f: &mut dyn FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..5 {
        f();
    }
    t.elapsed().as_secs_f64() / 5.0
}

fn main() {
    // (name, m, n, k) of the default model at batch 32.
    let shapes = [
        ("conv1 fwd", 8, 25088, 25),
        ("conv2 fwd", 16, 6272, 200),
        ("conv2 dcols", 200, 6272, 16),
        ("conv1 dcols", 25, 25088, 8),
    ];
    for (name, m, n, k) in shapes {
        let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
        let mut c = vec![0.0; m * n];
        let mut best = [f64::MAX; 2];
        for _ in 0..3 {
            best[0] = best[0].min(time(&mut || {
                gemm(m, n, k, &a, false, &b, false, 0.0, &mut c)
            }));
            best[1] = best[1].min(time(&mut || gemm_nn(m, n, k, &a, false, &b, 0.0, &mut c)));
        }
        let gf = 2.0 * (m * n * k) as f64 / 1e9;
        println!(
            "{name:12} ndarray {:6.1} GFLOP/s   blocked {:6.1} GFLOP/s",
            gf / best[0],
            gf / best[1]
        );
    }
    // dW: (oc × rows) += dy (oc × ld) · colsᵀ (rows × ld)
    for (name, m, n, k) in [("conv1 dW", 8, 25, 25088), ("conv2 dW", 16, 200, 6272)] {
        let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..n * k).map(|i| (i % 5) as f32 * 0.1).collect();
        let mut c = vec![0.0; m * n];
        let mut best = [f64::MAX; 2];
        for _ in 0..3 {
            best[0] = best[0].min(time(&mut || {
                gemm(m, n, k, &a, false, &b, true, 1.0, &mut c)
            }));
            best[1] = best[1].min(time(&mut || gemm_nt_acc(m, n, k, &a, &b, &mut c)));
        }
        let gf = 2.0 * (m * n * k) as f64 / 1e9;
        println!(
            "{name:12} ndarray {:6.1} GFLOP/s   blocked {:6.1} GFLOP/s",
            gf / best[0],
            gf / best[1]
        );
    }
}
