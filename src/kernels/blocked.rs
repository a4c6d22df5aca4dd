//! Register-blocked GEMMs for the convolution's three products, in portable Rust that LLVM turns
//! into f32x4 code under `+simd128` (and SSE natively): fixed-size array accumulators, no packing.
//!
//! Why not ndarray's `general_mat_mul` here: the convolution's matrices are very wide and very flat
//! (e.g. 8 × 25 times 25 × 25,088 for conv1 of a batch of 32). matrixmultiply packs both operands on
//! every call, and in the browser its packing cost more than its multiplying (measured in Chromium:
//! 2.0k training samples/s with it, see the commit that introduced this file for the figure after).

/// Rows of C per micro-tile.
const MR: usize = 4;
/// Columns of C per micro-tile (two f32x4 vectors).
const NR: usize = 8;

/// Columns of C per cache block: the k×JB slice of b it reads stays in L1/L2 while every row tile of
/// a passes over it (without the block, conv2's 200×6,272 b was streamed from memory once per row tile).
const JB: usize = 256;

/// c (m×n) = beta·c + op(a)·b. b is (k×n) row-major. op(a) is (m×k): `a` holds (m×k) row-major,
/// or (k×m) row-major when `a_t` (then op(a) = aᵀ). beta is 0 (overwrite) or 1 (accumulate).
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
    let mut jb = 0;
    while jb < n {
        let je = (jb + JB).min(n);
        let j_full = jb + (je - jb) / NR * NR;
        for t in 0..tiles {
            let i0 = t * MR;
            let mr = MR.min(m - i0);
            let panel = &panels[t * k * MR..(t + 1) * k * MR];
            let mut j0 = jb;
            while j0 < j_full {
                let mut acc = [[0.0f32; NR]; MR];
                for (p, ap) in panel.chunks_exact(MR).enumerate() {
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
                j0 += NR;
            }
            // Leftover columns of the block, one at a time.
            for j in j_full..je {
                for r in 0..mr {
                    let mut s = 0.0f32;
                    for p in 0..k {
                        s += panel[p * MR + r] * b[p * n + j];
                    }
                    let x = &mut c[(i0 + r) * n + j];
                    *x = if beta == 0.0 { s } else { *x + s };
                }
            }
        }
        jb = je;
    }
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
