//! Register-blocked GEMMs for the convolution's three products.
//! - `gemm_nn` (forward: W·cols; input gradient: Wᵀ·dY) packs the small operand op(a), the weights,
//!   once per call into 4-row k-major panels, and reads the wide operand b (the im2col columns or
//!   dY) in place, 8 columns at a time. Its 4×8 micro-tile `tile` is explicit `core::arch::wasm32`
//!   simd128 in the browser builds (fused multiply-adds in the relaxed-simd one: kernels/simd.rs)
//!   and a portable array loop natively (SSE after LLVM).
//! - `gemm_nt_acc` (weight gradient: dY·colsᵀ) is portable Rust, 2×2 tiles of 8-lane dot products
//!   with array accumulators, which LLVM turns into f32x4 code under `+simd128`.
//!
//! Why not ndarray's `general_mat_mul` here: the convolution's matrices are very wide and very flat
//! (e.g. 8 × 25 times 25 × 25,088 for conv1 of a batch of 32). matrixmultiply packs both operands on
//! every call, and in the browser packing the wide one cost more than its multiplying (measured in
//! Chromium: 2.0k training samples/s with it). Here only the weights are packed, which is cheap.

/// Rows of C per micro-tile.
const MR: usize = 4;
/// Columns of C per micro-tile (two f32x4 vectors).
const NR: usize = 8;

/// c (m×n) = beta·c + op(a)·b. b is (k×n) row-major. op(a) is (m×k): `a` holds (m×k) row-major,
/// or (k×m) row-major when `a_t` (then op(a) = aᵀ). beta is 0 (overwrite) or 1 (accumulate).
///
/// Loop order: for each 8-column strip of b, every row tile of a passes over it while the strip
/// (k×8 values, ≤ 6.4 KB for the default model) is in L1, and all of a's panels (≤ 13 KB) stay there
/// too. Row tiles outside the strip loop re-read b from L2 for every tile instead.
#[allow(clippy::too_many_arguments)]
pub fn gemm_nn(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    a_t: bool,
    b: &[f32],
    beta: f32,
    c: &mut [f32],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n);
    // op(a) gathered into row tiles of MR rows, each stored as k rows of MR values (zero-padded),
    // so the inner loop reads one contiguous [f32; MR] per p.
    let tiles = m.div_ceil(MR);
    let mut panels = vec![0.0f32; tiles * k * MR];
    for t in 0..tiles {
        for p in 0..k {
            for r in 0..MR.min(m - t * MR) {
                let i = t * MR + r;
                panels[(t * k + p) * MR + r] = if a_t { a[p * m + i] } else { a[i * k + p] };
            }
        }
    }
    let n_full = n / NR * NR;
    let mut j0 = 0;
    while j0 < n_full {
        for t in 0..tiles {
            let i0 = t * MR;
            let mr = MR.min(m - i0);
            let panel = &panels[t * k * MR..(t + 1) * k * MR];
            let acc = tile(panel, b, n, j0, k);
            for (r, row) in acc.iter().enumerate().take(mr) {
                let cr = &mut c[(i0 + r) * n + j0..(i0 + r) * n + j0 + NR];
                if beta == 0.0 {
                    cr.copy_from_slice(row);
                } else {
                    for (x, v) in cr.iter_mut().zip(row) {
                        *x += v;
                    }
                }
            }
        }
        j0 += NR;
    }
    // Leftover columns, one at a time.
    for j in n_full..n {
        for t in 0..tiles {
            let panel = &panels[t * k * MR..(t + 1) * k * MR];
            for r in 0..MR.min(m - t * MR) {
                let mut s = 0.0f32;
                for p in 0..k {
                    s += panel[p * MR + r] * b[p * n + j];
                }
                let x = &mut c[(t * MR + r) * n + j];
                *x = if beta == 0.0 { s } else { *x + s };
            }
        }
    }
}

/// One 4×8 tile of op(a)·b: Σ_p panel[p] ⊗ b[p, j0..j0+8]. Portable version (native builds other
/// than x86-64).
#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
#[inline(always)]
pub(crate) fn tile(panel: &[f32], b: &[f32], n: usize, j0: usize, k: usize) -> [[f32; NR]; MR] {
    let mut acc = [[0.0f32; NR]; MR];
    for (p, ap) in panel[..k * MR].chunks_exact(MR).enumerate() {
        let bp: &[f32; NR] = b[p * n + j0..p * n + j0 + NR]
            .try_into()
            .expect("NR values");
        let ap: &[f32; MR] = ap.try_into().expect("MR values");
        for r in 0..MR {
            for l in 0..NR {
                acc[r][l] += ap[r] * bp[l];
            }
        }
    }
    acc
}

/// The same tile with explicit vectors (`simd::F4`: simd128 in the browser, SSE natively on x86-64):
/// eight four-lane accumulators, two b vectors and one broadcast live at a time, which fits V8's 16
/// XMM registers (larger tiles spill: see kernels/peak.rs for the measured tile sizes). The portable
/// loop above compiles to vectors too, but keeps a bounds check per p and measured at about half of
/// this kernel's speed in node. Each multiply-add is `simd::madd`: fused in the relaxed-simd build, a
/// multiply then an add in the others.
#[cfg(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
))]
#[inline(always)]
pub(crate) fn tile(panel: &[f32], b: &[f32], n: usize, j0: usize, k: usize) -> [[f32; NR]; MR] {
    use super::simd::{load, madd, splat, store};
    assert!(panel.len() >= k * MR && (k == 0 || b.len() >= (k - 1) * n + j0 + NR));
    let mut acc = [[0.0f32; NR]; MR];
    // SAFETY: the assert above bounds every read: p < k, so p·MR + 3 < panel.len() and
    // p·n + j0 + 7 < b.len(); acc holds the eight stores.
    unsafe {
        let (ap, bp) = (panel.as_ptr(), b.as_ptr().add(j0));
        let z = splat(0.0);
        let (mut c00, mut c01, mut c10, mut c11) = (z, z, z, z);
        let (mut c20, mut c21, mut c30, mut c31) = (z, z, z, z);
        for p in 0..k {
            let b0 = load(bp.add(p * n));
            let b1 = load(bp.add(p * n + 4));
            let a0 = splat(*ap.add(p * MR));
            c00 = madd(a0, b0, c00);
            c01 = madd(a0, b1, c01);
            let a1 = splat(*ap.add(p * MR + 1));
            c10 = madd(a1, b0, c10);
            c11 = madd(a1, b1, c11);
            let a2 = splat(*ap.add(p * MR + 2));
            c20 = madd(a2, b0, c20);
            c21 = madd(a2, b1, c21);
            let a3 = splat(*ap.add(p * MR + 3));
            c30 = madd(a3, b0, c30);
            c31 = madd(a3, b1, c31);
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

/// Lanes per dot-product accumulator.
const LANES: usize = 8;

/// Depth per cache block of the dot-product kernel: a k-slice of every row of a and b stays in L2.
const KB: usize = 512;

/// c (m×n) += a·bᵀ with a (m×k) and b (n×k) both row-major: dot products along long rows.
pub fn gemm_nt_acc(m: usize, n: usize, k: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(a.len() >= m * k && b.len() >= n * k && c.len() >= m * n);
    let mut kb = 0;
    while kb < k {
        let ke = (kb + KB).min(k);
        let k_full = kb + (ke - kb) / LANES * LANES;
        let mut i0 = 0;
        while i0 < m {
            let mr = 2.min(m - i0);
            let mut j0 = 0;
            while j0 < n {
                let nr = 2.min(n - j0);
                // 2×2 tile of C, each an 8-lane partial sum: 4 accumulators of two f32x4 each.
                let mut acc = [[[0.0f32; LANES]; 2]; 2];
                let rows_a = [
                    &a[i0 * k..i0 * k + k],
                    &a[(i0 + mr - 1) * k..(i0 + mr - 1) * k + k],
                ];
                let rows_b = [
                    &b[j0 * k..j0 * k + k],
                    &b[(j0 + nr - 1) * k..(j0 + nr - 1) * k + k],
                ];
                let mut p = kb;
                while p < k_full {
                    let a0: &[f32; LANES] = rows_a[0][p..p + LANES].try_into().expect("lanes");
                    let a1: &[f32; LANES] = rows_a[1][p..p + LANES].try_into().expect("lanes");
                    let b0: &[f32; LANES] = rows_b[0][p..p + LANES].try_into().expect("lanes");
                    let b1: &[f32; LANES] = rows_b[1][p..p + LANES].try_into().expect("lanes");
                    for l in 0..LANES {
                        acc[0][0][l] += a0[l] * b0[l];
                        acc[0][1][l] += a0[l] * b1[l];
                        acc[1][0][l] += a1[l] * b0[l];
                        acc[1][1][l] += a1[l] * b1[l];
                    }
                    p += LANES;
                }
                for r in 0..mr {
                    for q in 0..nr {
                        let mut s: f32 = acc[r][q].iter().sum();
                        for t in k_full..ke {
                            s += rows_a[r][t] * rows_b[q][t];
                        }
                        c[(i0 + r) * n + j0 + q] += s;
                    }
                }
                j0 += 2;
            }
            i0 += 2;
        }
        kb = ke;
    }
}
