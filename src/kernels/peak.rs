//! A GEMM micro-kernel used only to measure the peak f32 throughput of one thread of this engine
//! (bench/ reports every contender as a percentage of it). It is the inner block of a packed GEMM:
//! C (MR×NR) += A (MR×KC) · B (KC×NR), with A and B packed k-major so both stay in L1.
//!
//! 4×8 is the tile to use with 128-bit vectors: 8 f32x4 accumulators + 2 B vectors + 1 broadcast fit
//! in the 16 XMM registers V8 allocates from; larger tiles spill and measured slower (4×8: ~36 GFLOP/s,
//! 6×8 / 8×8 / 4×16: 21–23 GFLOP/s in headless Chromium on a Zen3-class core).

/// Rows of the register tile.
pub const MR: usize = 4;
/// Columns of the register tile (two f32x4 vectors).
pub const NR: usize = 8;
/// Depth of one packed panel pair: (4 + 8) · 256 · 4 bytes = 12 KiB, well inside L1.
pub const KC: usize = 256;
/// FLOP of one kernel call, counting a multiply-add as 2.
pub const FLOPS_PER_CALL: usize = 2 * MR * NR * KC;

/// a: (KC, MR) k-major packed A panel, b: (KC, NR) k-major packed B panel -> c: (MR, NR) += Aᵀ-packed · B.
/// Explicit f32x4 mul + add (no FMA in plain simd128); one broadcast of A per row per k.
#[inline(never)]
pub fn kernel_4x8(a: &[f32], b: &[f32], c: &mut [f32; MR * NR]) {
    assert!(a.len() >= KC * MR && b.len() >= KC * NR);
    // The convolution's own tile (simd128 in the browser, portable natively), on packed panels:
    // b's row stride is NR, so the peak is measured on the very code that trains the network.
    let acc = super::blocked::tile(a, b, NR, 0, KC);
    for (i, row) in acc.iter().enumerate() {
        for (x, v) in c[i * NR..(i + 1) * NR].iter_mut().zip(row) {
            *x += v;
        }
    }
}

fn panels() -> (Vec<f32>, Vec<f32>) {
    let a = (0..KC * MR)
        .map(|i| ((i * 7 % 13) as f32 - 6.0) * 1e-3)
        .collect();
    let b = (0..KC * NR)
        .map(|i| ((i * 5 % 11) as f32 - 5.0) * 1e-3)
        .collect();
    (a, b)
}

/// Calls the micro-kernel `calls` times on the same L1-resident panels (`calls · FLOPS_PER_CALL`
/// FLOP) and returns the sum of C, so the work cannot be optimised away. The kernel is a separate
/// function called many times: V8 has no on-stack replacement for wasm, so only a function that is
/// entered again after its tier-up runs the optimised code.
pub fn run(calls: usize) -> f32 {
    let (a, b) = panels();
    let mut c = [0.0f32; MR * NR];
    for _ in 0..calls {
        kernel_4x8(&a, &b, &mut c);
    }
    c.iter().sum()
}

/// Largest |kernel − plain three-loop product| over one call from C = 0, relative to the largest
/// |C|: about 1e-7 when the kernel is right.
pub fn self_check() -> f32 {
    let (a, b) = panels();
    let mut c = [0.0f32; MR * NR];
    kernel_4x8(&a, &b, &mut c);
    let mut worst = 0.0f32;
    let mut scale = 0.0f32;
    for i in 0..MR {
        for j in 0..NR {
            let want: f64 = (0..KC)
                .map(|k| a[k * MR + i] as f64 * b[k * NR + j] as f64)
                .sum();
            worst = worst.max((c[i * NR + j] as f64 - want).abs() as f32);
            scale = scale.max(want.abs() as f32);
        }
    }
    worst / scale.max(f32::MIN_POSITIVE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_matches_the_plain_product() {
        assert!(self_check() < 1e-5, "relative error {}", self_check());
    }

    #[test]
    fn run_accumulates_one_product_per_call() {
        let one = run(1);
        let three = run(3);
        assert!((three - 3.0 * one).abs() <= 1e-5 * three.abs().max(1.0));
    }
}
