//! Two kernels used only to measure the peak f32 throughput of one thread (bench/ reports every
//! contender as a percentage of each): the GEMM micro-kernel the convolution runs on, and a bare
//! multiply/add loop that measures what the hardware can issue (`hw_run`, at the end). It is the inner block of a packed GEMM:
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

/// The worse of `gemm_self_check` and `hw_self_check`: one figure for both peak kernels, so the
/// benchmark checks both through one export.
pub fn self_check() -> f32 {
    gemm_self_check().max(hw_self_check())
}

/// Largest |kernel − plain three-loop product| over one call from C = 0, relative to the largest
/// |C|: about 1e-7 when the kernel is right.
pub fn gemm_self_check() -> f32 {
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

// ---- The hardware peak: independent multiply and add chains, no loads ----
//
// The GEMM tile above is what this engine's convolution can reach; it also loads, broadcasts and
// loops, so a percentage of it is partly a percentage of our own code. This loop does nothing but
// f32x4 multiplies and adds on registers, enough of them independent that it is limited by how many
// the core issues per cycle (throughput), not by how long one takes (latency): a multiply or add
// takes 3–4 cycles and a core has 2 pipes for each (Zen: 2 FMUL + 2 FADD) or 2 shared FMA pipes
// (Intel since Skylake), so 6 multiply chains and 6 add chains keep up to 2 × 2 × 3 = 12 in flight.
// 12 accumulators + 3 constants = 15 vector registers, all V8 allocates on x64 (the 16th is its
// scratch register), so nothing spills. GFLOP/s = 4 lanes × vector operations per second.

/// Independent multiply chains (x ← x·m, then x ← x·m').
pub const HW_MUL_CHAINS: usize = 6;
/// Independent add chains (y ← y + a).
pub const HW_ADD_CHAINS: usize = 6;
/// Steps per kernel call (each step: one operation on every chain).
pub const HW_STEPS: usize = 256;
/// FLOP of one hardware-peak kernel call: every lane of every chain, one operation per step.
pub const HW_FLOPS_PER_CALL: usize = (HW_MUL_CHAINS + HW_ADD_CHAINS) * 4 * HW_STEPS;

/// Multipliers, alternating step by step with their rounded inverses m': m·m' is within 2⁻²³ of 1,
/// so the products neither die out into slow subnormals nor overflow within any one call of
/// `hw_run`, yet depend on every step (each one rounds).
const HW_M: [f32; 4] = [
    1.0 + 1.0 / 1024.0,
    1.0 + 1.0 / 512.0,
    1.0 + 3.0 / 1024.0,
    1.0 + 1.0 / 256.0,
];
/// Addends: multiples of 2⁻¹⁰, so the sums are exact (and count every step) for millions of steps.
const HW_A: [f32; 4] = [1.0 / 1024.0, 2.0 / 1024.0, 3.0 / 1024.0, 5.0 / 1024.0];

fn hw_m_inv() -> [f32; 4] {
    HW_M.map(|m| 1.0 / m)
}

/// Chain state: HW_MUL_CHAINS multiply chains then HW_ADD_CHAINS add chains, 4 lanes each.
type HwState = [[f32; 4]; HW_MUL_CHAINS + HW_ADD_CHAINS];

fn hw_start() -> HwState {
    core::array::from_fn(|c| core::array::from_fn(|l| 0.5 + (c * 4 + l) as f32 / 64.0))
}

/// HW_STEPS steps of every chain, in place: a multiply chain does x·m on even steps and x·m' on odd
/// ones, an add chain y + a. Portable version (native builds: only its result is checked).
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(never)]
fn hw_kernel(s: &mut HwState) {
    let mi = hw_m_inv();
    for step in 0..HW_STEPS {
        let m = if step % 2 == 0 { HW_M } else { mi };
        for x in &mut s[..HW_MUL_CHAINS] {
            for l in 0..4 {
                x[l] *= m[l];
            }
        }
        for y in &mut s[HW_MUL_CHAINS..] {
            for l in 0..4 {
                y[l] += HW_A[l];
            }
        }
    }
}

/// The same steps with explicit simd128, twelve accumulators in registers for the whole call. A
/// separate, never-inlined function entered again on every call: V8 has no on-stack replacement for
/// wasm, so only a re-entered function runs its optimised code.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(never)]
fn hw_kernel(s: &mut HwState) {
    use core::arch::wasm32::*;
    let mi = hw_m_inv();
    // SAFETY: HwState is 12 × [f32; 4] = 12 v128; v128_load/store need no alignment.
    unsafe {
        let p = s.as_mut_ptr() as *mut v128;
        let (m, m2) = (
            v128_load(HW_M.as_ptr() as *const v128),
            v128_load(mi.as_ptr() as *const v128),
        );
        let a = v128_load(HW_A.as_ptr() as *const v128);
        let (mut x0, mut x1, mut x2) = (v128_load(p), v128_load(p.add(1)), v128_load(p.add(2)));
        let (mut x3, mut x4, mut x5) = (
            v128_load(p.add(3)),
            v128_load(p.add(4)),
            v128_load(p.add(5)),
        );
        let (mut y0, mut y1, mut y2) = (
            v128_load(p.add(6)),
            v128_load(p.add(7)),
            v128_load(p.add(8)),
        );
        let (mut y3, mut y4, mut y5) = (
            v128_load(p.add(9)),
            v128_load(p.add(10)),
            v128_load(p.add(11)),
        );
        for _ in 0..HW_STEPS / 2 {
            x0 = f32x4_mul(x0, m);
            y0 = f32x4_add(y0, a);
            x1 = f32x4_mul(x1, m);
            y1 = f32x4_add(y1, a);
            x2 = f32x4_mul(x2, m);
            y2 = f32x4_add(y2, a);
            x3 = f32x4_mul(x3, m);
            y3 = f32x4_add(y3, a);
            x4 = f32x4_mul(x4, m);
            y4 = f32x4_add(y4, a);
            x5 = f32x4_mul(x5, m);
            y5 = f32x4_add(y5, a);
            x0 = f32x4_mul(x0, m2);
            y0 = f32x4_add(y0, a);
            x1 = f32x4_mul(x1, m2);
            y1 = f32x4_add(y1, a);
            x2 = f32x4_mul(x2, m2);
            y2 = f32x4_add(y2, a);
            x3 = f32x4_mul(x3, m2);
            y3 = f32x4_add(y3, a);
            x4 = f32x4_mul(x4, m2);
            y4 = f32x4_add(y4, a);
            x5 = f32x4_mul(x5, m2);
            y5 = f32x4_add(y5, a);
        }
        for (i, v) in [x0, x1, x2, x3, x4, x5, y0, y1, y2, y3, y4, y5]
            .into_iter()
            .enumerate()
        {
            v128_store(p.add(i), v);
        }
    }
}

/// Calls the hardware-peak kernel `calls` times from a fresh state and returns the FLOP it executed
/// (`calls · HW_FLOPS_PER_CALL`); the state's sum goes through `black_box` so the work stays.
pub fn hw_run(calls: usize) -> f64 {
    let mut s = hw_start();
    for _ in 0..calls {
        hw_kernel(&mut s);
    }
    core::hint::black_box(s.iter().flatten().sum::<f32>());
    (calls * HW_FLOPS_PER_CALL) as f64
}

/// Largest |kernel − plain scalar loop| over 3 calls, relative to the value: 0 when the kernel is
/// right (the same IEEE operations in the same order, so the results agree bit for bit).
pub fn hw_self_check() -> f32 {
    const CALLS: usize = 3;
    let mut s = hw_start();
    for _ in 0..CALLS {
        hw_kernel(&mut s);
    }
    let (start, mi) = (hw_start(), hw_m_inv());
    let mut worst = 0.0f32;
    for (c, lanes) in s.iter().enumerate() {
        for (l, &got) in lanes.iter().enumerate() {
            let mut v = start[c][l];
            for step in 0..CALLS * HW_STEPS {
                v = if c >= HW_MUL_CHAINS {
                    v + HW_A[l]
                } else if step % 2 == 0 {
                    v * HW_M[l]
                } else {
                    v * mi[l]
                };
            }
            let e = (got - v).abs() / v.abs();
            worst = worst.max(if e.is_nan() { f32::INFINITY } else { e });
        }
    }
    worst
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_matches_the_plain_product() {
        assert!(
            gemm_self_check() < 1e-5,
            "relative error {}",
            gemm_self_check()
        );
    }

    #[test]
    fn hardware_kernel_matches_the_scalar_loop_bit_for_bit() {
        assert_eq!(hw_self_check(), 0.0);
        assert!(self_check() < 1e-5);
        assert_eq!(hw_run(5), 5.0 * HW_FLOPS_PER_CALL as f64);
    }

    #[test]
    fn hardware_check_sees_a_missing_step() {
        // One step more on one lane must show: the check is not blind to the step count.
        let mut s = hw_start();
        hw_kernel(&mut s);
        let mut t = hw_start();
        hw_kernel(&mut t);
        t[HW_MUL_CHAINS][0] += HW_A[0];
        t[0][0] *= HW_M[0];
        assert_ne!(s[HW_MUL_CHAINS][0], t[HW_MUL_CHAINS][0]);
        assert_ne!(s[0][0], t[0][0]);
    }

    #[test]
    fn run_accumulates_one_product_per_call() {
        let one = run(1);
        let three = run(3);
        assert!((three - 3.0 * one).abs() <= 1e-5 * three.abs().max(1.0));
    }
}
