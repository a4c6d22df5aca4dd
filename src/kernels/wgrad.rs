//! The convolution's weight gradient as an outer-product GEMM instead of dot products.
//!
//! dW (OC × R) += dY (OC × L) · colsᵀ (L × R), with L = S·OH·OW very long (25,088 for conv1 of a batch
//! of 32) and OC small (8, 16). `blocked::gemm_nt_acc` computes it as dot products along L: each
//! 2×2 tile loads 4 vectors per 4 vector multiply-adds, and every 512-long slice of cols is read once per
//! pair of output channels, from L2: the profile showed it bandwidth-bound. Here the transposed product
//! dWᵀ (R × OC) = cols (R × L) · dYᵀ (L × OC) runs on the forward's 4×8 register tile: 4 rows of cols
//! (read in place, one scalar per row and step, broadcast) times 8 output channels of dYᵀ (two vectors,
//! packed once per pass, a k-slice of it stays in L1). Each value of cols is read once per 8 output
//! channels, and the 32 sums stay in registers for a whole k-slice.
//!
//! Measured in V8 (node, simd128 build, `bench/kernel_timing.rs`, interleaved, medians; the last step of
//! `npm run bench`): conv2's weight gradient 1.42–1.54× faster than `gemm_nt_acc`, conv1's 1.06–1.09×
//! (three runs on a 2-core machine of the development kind). `Conv2d::grads` uses it: `pack_dyt`
//! (which also sums the bias gradient, bit for bit as before) then `wgrad_acc`. It sums in another order
//! than the dot products did, like the page's other builds (two cores, fused multiply-add), so no test
//! may depend on one order: the diagnosis's detection test runs both orders (tests/lessons.rs).

/// Rows of cols (R) per register tile.
const MR: usize = 4;
/// Output channels per register tile (two f32x4 vectors); dYᵀ is padded to a multiple of it.
pub const NR: usize = 8;
/// Depth (columns of cols) per cache block: dYᵀ's block, KB × 16 channels × 4 bytes = 16 KiB, stays
/// in L1 while every row tile of cols passes over it, and a row tile's block (4 KiB) stays there for
/// the second strip of 8 channels.
const KB: usize = 256;

/// Width of the packed dYᵀ for `oc` output channels: `oc` rounded up to a multiple of `NR`.
pub fn packed_width(oc: usize) -> usize {
    oc.div_ceil(NR) * NR
}

/// dw (oc × r) += dyt[.., ..oc]ᵀ · colsᵀ, i.e. dw[o, i] += Σ_p dyt[p, o] · cols[i, p].
/// cols: (r × l) row-major; dyt: (l × packed_width(oc)) row-major, zero beyond column oc (those
/// columns are computed and dropped); dw: (oc × r) row-major.
pub fn wgrad_acc(oc: usize, r: usize, l: usize, dyt: &[f32], cols: &[f32], dw: &mut [f32]) {
    let ocp = packed_width(oc);
    assert!(dyt.len() >= l * ocp && cols.len() >= r * l && dw.len() >= oc * r);
    if r == 0 || oc == 0 {
        return;
    }
    let mut kb = 0;
    while kb < l {
        let ke = (kb + KB).min(l);
        for i0 in (0..r).step_by(MR) {
            // A partial last tile repeats the last row of cols and drops its sums.
            let rows: [usize; MR] = core::array::from_fn(|q| (i0 + q).min(r - 1));
            for j0 in (0..oc).step_by(NR) {
                let acc = tile(cols, l, rows, dyt, ocp, j0, kb, ke);
                for (q, row) in acc.iter().enumerate().take(MR.min(r - i0)) {
                    for (o, v) in row.iter().enumerate().take(NR.min(oc - j0)) {
                        dw[(j0 + o) * r + i0 + q] += v;
                    }
                }
            }
        }
        kb = ke;
    }
}

/// One 4×8 tile: Σ_{p in kb..ke} cols[rows[q], p] · dyt[p, j0..j0+8]. Portable version (native builds
/// other than x86-64).
#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn tile(
    cols: &[f32],
    l: usize,
    rows: [usize; MR],
    dyt: &[f32],
    ocp: usize,
    j0: usize,
    kb: usize,
    ke: usize,
) -> [[f32; NR]; MR] {
    let mut acc = [[0.0f32; NR]; MR];
    let a = |q: usize| &cols[rows[q] * l + kb..rows[q] * l + ke];
    // Zipped iterators, so that no index is bounds-checked inside the loop.
    let steps = dyt[kb * ocp..ke * ocp]
        .chunks_exact(ocp)
        .zip(a(0))
        .zip(a(1))
        .zip(a(2))
        .zip(a(3));
    for ((((bp, &x0), &x1), &x2), &x3) in steps {
        let bp: &[f32; NR] = bp[j0..j0 + NR].try_into().expect("NR values");
        for (q, x) in [x0, x1, x2, x3].into_iter().enumerate() {
            for o in 0..NR {
                acc[q][o] += x * bp[o];
            }
        }
    }
    acc
}

/// The same tile with explicit vectors (`simd::F4`: simd128 in the browser, SSE natively on x86-64),
/// the register budget of `blocked::tile`: eight four-lane accumulators, two dYᵀ vectors and one
/// broadcast. A multiply, then an add, in every build (never fused), as the portable loop does.
#[cfg(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
))]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn tile(
    cols: &[f32],
    l: usize,
    rows: [usize; MR],
    dyt: &[f32],
    ocp: usize,
    j0: usize,
    kb: usize,
    ke: usize,
) -> [[f32; NR]; MR] {
    use super::simd::{add, load, mul, splat, store};
    assert!(kb <= ke && ke <= l && j0 + NR <= ocp && dyt.len() >= ke * ocp);
    assert!(rows.iter().all(|&q| (q + 1) * l <= cols.len()));
    let mut acc = [[0.0f32; NR]; MR];
    // SAFETY: the asserts bound every read: p < ke ≤ l, so rows[q]·l + p < cols.len() and
    // p·ocp + j0 + 7 < ke·ocp ≤ dyt.len(); acc holds the eight stores.
    unsafe {
        let (a0p, a1p) = (
            cols.as_ptr().add(rows[0] * l),
            cols.as_ptr().add(rows[1] * l),
        );
        let (a2p, a3p) = (
            cols.as_ptr().add(rows[2] * l),
            cols.as_ptr().add(rows[3] * l),
        );
        let bp = dyt.as_ptr().add(j0);
        let z = splat(0.0);
        let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
        let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
        for p in kb..ke {
            let b0 = load(bp.add(p * ocp));
            let b1 = load(bp.add(p * ocp + 4));
            let a0 = splat(*a0p.add(p));
            c00 = add(c00, mul(a0, b0));
            c01 = add(c01, mul(a0, b1));
            let a1 = splat(*a1p.add(p));
            c10 = add(c10, mul(a1, b0));
            c11 = add(c11, mul(a1, b1));
            let a2 = splat(*a2p.add(p));
            c20 = add(c20, mul(a2, b0));
            c21 = add(c21, mul(a2, b1));
            let a3 = splat(*a3p.add(p));
            c30 = add(c30, mul(a3, b0));
            c31 = add(c31, mul(a3, b1));
        }
        let out = acc.as_mut_ptr() as *mut f32;
        for (i, v) in [c00, c01, c10, c11, c20, c21, c30, c31]
            .into_iter()
            .enumerate()
        {
            store(out.add(4 * i), v);
        }
    }
    acc
}

/// dy: (S, OC, HW) -> dyt: (S·HW, packed_width(OC)) zero-padded, and db[o] += Σ dy[.., o, ..].
/// Each channel's sum runs in sample order from -0.0, as `Iterator::sum` over the channel's
/// (OC, S·HW) row did before, so the bias gradient is unchanged bit for bit. The sums are taken from
/// the packed rows, every channel a lane of one vector add per position: summed channel by channel,
/// each a chain of dependent adds, they were most of this function's time (5% of a training step).
pub fn pack_dyt(dy: &[f32], s: usize, oc: usize, hw: usize, dyt: &mut Vec<f32>, db: &mut [f32]) {
    let ocp = packed_width(oc);
    assert!(dy.len() >= s * oc * hw && db.len() >= oc);
    dyt.clear();
    dyt.resize(s * hw * ocp, 0.0);
    let mut sums = vec![-0.0f32; ocp];
    for smp in 0..s {
        let out = &mut dyt[smp * hw * ocp..(smp + 1) * hw * ocp];
        for o in 0..oc {
            let src = &dy[(smp * oc + o) * hw..(smp * oc + o + 1) * hw];
            for (row, v) in out.chunks_exact_mut(ocp).zip(src) {
                row[o] = *v;
            }
        }
        for row in out.chunks_exact(ocp) {
            for (sum, v) in sums.iter_mut().zip(row) {
                *sum += v;
            }
        }
    }
    for (b, sum) in db.iter_mut().zip(sums) {
        *b += sum;
    }
}
