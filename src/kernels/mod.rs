//! The only place allowed to be clever. Every hot kernel has a plain-loop twin in `reference` with the
//! same signature; the tests run both on odd sizes. The fast GEMM is ndarray's `general_mat_mul`
//! (matrixmultiply), which autovectorises to f32x4 under `+simd128`.

pub mod blocked;
pub mod peak;
pub mod reference;

pub use blocked::{gemm_nn, gemm_nt_acc};

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2, ShapeBuilder};

/// c (m×n) = op(a) · op(b) + beta · c, row-major.
/// op(a) is (m×k): `a` holds (m×k), or (k×m) when `a_t`. op(b) is (k×n): `b` holds (k×n), or (n×k) when `b_t`.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    m: usize,
    n: usize,
    k: usize,
    a: &[f32],
    a_t: bool,
    b: &[f32],
    b_t: bool,
    beta: f32,
    c: &mut [f32],
) {
    debug_assert_eq!(a.len(), m * k);
    debug_assert_eq!(b.len(), k * n);
    debug_assert_eq!(c.len(), m * n);
    // A transposed operand is the same memory read as column-major: no copy.
    let av = if a_t {
        ArrayView2::from_shape((m, k).f(), a)
    } else {
        ArrayView2::from_shape((m, k), a)
    }
    .expect("gemm: a has the wrong length");
    let bv = if b_t {
        ArrayView2::from_shape((k, n).f(), b)
    } else {
        ArrayView2::from_shape((k, n), b)
    }
    .expect("gemm: b has the wrong length");
    let mut cv = ArrayViewMut2::from_shape((m, n), c).expect("gemm: c has the wrong length");
    general_mat_mul(1.0, &av, &bv, beta, &mut cv);
}

/// Geometry of one 2-D convolution, per sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeom {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub stride: usize,
    pub pad: usize,
    pub oh: usize,
    pub ow: usize,
}

impl ConvGeom {
    /// Rows of the im2col matrix: C·KH·KW.
    pub fn col_rows(&self) -> usize {
        self.c * self.kh * self.kw
    }
    /// Columns of the im2col matrix: OH·OW.
    pub fn col_cols(&self) -> usize {
        self.oh * self.ow
    }
}

/// Output columns [lo, hi) whose input column ox·stride + j − pad lies inside 0..w.
#[inline]
fn valid_cols(g: &ConvGeom, j: usize) -> (usize, usize) {
    let lo = if g.pad > j {
        (g.pad - j).div_ceil(g.stride)
    } else {
        0
    };
    let hi = if g.w + g.pad > j {
        ((g.w - 1 + g.pad - j) / g.stride + 1).min(g.ow)
    } else {
        0
    };
    (lo.min(hi), hi)
}

/// x: (C, H, W) -> columns [off, off + OH·OW) of cols: (C·KH·KW, ld); zero padding.
/// Row r = (c, i, j) holds x[c, oy·s + i − p, ox·s + j − p] for every output position (oy, ox).
/// With ld = N·OH·OW and off = s·OH·OW the whole batch shares one matrix, so each layer needs one
/// GEMM per pass instead of one per sample: measured natively, per-sample GEMMs spent more time
/// packing operands than multiplying.
pub fn im2col(g: &ConvGeom, x: &[f32], cols: &mut [f32], ld: usize, off: usize) {
    let (ohw, s) = (g.oh * g.ow, g.stride);
    for c in 0..g.c {
        let xc = &x[c * g.h * g.w..(c + 1) * g.h * g.w];
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = ((c * g.kh + i) * g.kw + j) * ld + off;
                let out = &mut cols[row..row + ohw];
                let (lo, hi) = valid_cols(g, j);
                for oy in 0..g.oh {
                    let iy = (oy * s + i) as isize - g.pad as isize;
                    let dst = &mut out[oy * g.ow..(oy + 1) * g.ow];
                    if iy < 0 || iy >= g.h as isize || lo >= hi {
                        dst.fill(0.0);
                        continue;
                    }
                    let src = &xc[iy as usize * g.w..(iy as usize + 1) * g.w];
                    dst[..lo].fill(0.0);
                    dst[hi..].fill(0.0);
                    let x0 = lo * s + j - g.pad;
                    if s == 1 {
                        dst[lo..hi].copy_from_slice(&src[x0..x0 + (hi - lo)]);
                    } else {
                        for (k, d) in dst[lo..hi].iter_mut().enumerate() {
                            *d = src[x0 + k * s];
                        }
                    }
                }
            }
        }
    }
}

/// The adjoint of `im2col`: columns [off, off + OH·OW) of cols (C·KH·KW, ld) scattered and summed
/// into dx (C, H, W). dx must be zeroed by the caller.
pub fn col2im(g: &ConvGeom, cols: &[f32], ld: usize, off: usize, dx: &mut [f32]) {
    let (ohw, s) = (g.oh * g.ow, g.stride);
    for c in 0..g.c {
        let dxc = &mut dx[c * g.h * g.w..(c + 1) * g.h * g.w];
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = ((c * g.kh + i) * g.kw + j) * ld + off;
                let src = &cols[row..row + ohw];
                let (lo, hi) = valid_cols(g, j);
                if lo >= hi {
                    continue;
                }
                let x0 = lo * s + j - g.pad;
                for oy in 0..g.oh {
                    let iy = (oy * s + i) as isize - g.pad as isize;
                    if iy < 0 || iy >= g.h as isize {
                        continue;
                    }
                    let dst = &mut dxc[iy as usize * g.w..(iy as usize + 1) * g.w];
                    let srow = &src[oy * g.ow + lo..oy * g.ow + hi];
                    if s == 1 {
                        for (d, v) in dst[x0..x0 + (hi - lo)].iter_mut().zip(srow) {
                            *d += v;
                        }
                    } else {
                        for (k, v) in srow.iter().enumerate() {
                            dst[x0 + k * s] += v;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn rand_vec(r: &mut Rng, n: usize) -> Vec<f32> {
        (0..n).map(|_| r.uniform(-1.0, 1.0)).collect()
    }

    fn close(a: &[f32], b: &[f32], tol: f32) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tol * (1.0 + y.abs()), "at {i}: {x} vs {y}");
        }
    }

    #[test]
    fn gemm_matches_reference_on_odd_sizes_and_transposes() {
        let mut r = Rng::new(11);
        for &(m, n, k) in &[
            (1, 1, 1),
            (3, 5, 7),
            (17, 13, 9),
            (8, 196, 200),
            (33, 1, 65),
        ] {
            for a_t in [false, true] {
                for b_t in [false, true] {
                    let a = rand_vec(&mut r, m * k);
                    let b = rand_vec(&mut r, k * n);
                    let c0 = rand_vec(&mut r, m * n);
                    let mut fast = c0.clone();
                    let mut slow = c0.clone();
                    gemm(m, n, k, &a, a_t, &b, b_t, 0.5, &mut fast);
                    reference::gemm(m, n, k, &a, a_t, &b, b_t, 0.5, &mut slow);
                    close(&fast, &slow, 1e-5);
                }
            }
        }
    }

    #[test]
    fn blocked_gemms_match_reference_on_odd_sizes() {
        let mut r = Rng::new(23);
        for &(m, n, k) in &[
            (1, 1, 1),
            (3, 5, 7),
            (4, 8, 1),
            (5, 17, 9),
            (8, 200, 25),
            (16, 37, 200),
            (13, 9, 33),
        ] {
            for a_t in [false, true] {
                for beta in [0.0f32, 1.0] {
                    let a = rand_vec(&mut r, m * k);
                    let b = rand_vec(&mut r, k * n);
                    let c0 = rand_vec(&mut r, m * n);
                    let (mut fast, mut slow) = (c0.clone(), c0.clone());
                    gemm_nn(m, n, k, &a, a_t, &b, beta, &mut fast);
                    reference::gemm(m, n, k, &a, a_t, &b, false, beta, &mut slow);
                    close(&fast, &slow, 1e-5);
                }
            }
            let a = rand_vec(&mut r, m * k);
            let b = rand_vec(&mut r, n * k);
            let c0 = rand_vec(&mut r, m * n);
            let (mut fast, mut slow) = (c0.clone(), c0.clone());
            gemm_nt_acc(m, n, k, &a, &b, &mut fast);
            reference::gemm(m, n, k, &a, false, &b, true, 1.0, &mut slow);
            close(&fast, &slow, 1e-5);
        }
    }

    #[test]
    fn im2col_gemm_equals_direct_convolution() {
        let mut r = Rng::new(5);
        for &(c, h, w, oc, kh, kw, s, p) in &[
            (1, 28, 28, 8, 5, 5, 1, 2),
            (3, 7, 9, 4, 3, 2, 2, 1),
            (2, 11, 6, 5, 4, 4, 3, 0),
            (1, 5, 5, 2, 5, 5, 4, 3),
        ] {
            let oh = crate::tensor::conv_out_size(h, kh, s, p).unwrap();
            let ow = crate::tensor::conv_out_size(w, kw, s, p).unwrap();
            let g = ConvGeom {
                c,
                h,
                w,
                kh,
                kw,
                stride: s,
                pad: p,
                oh,
                ow,
            };
            let x = rand_vec(&mut r, c * h * w);
            let wt = rand_vec(&mut r, oc * c * kh * kw);
            let mut cols = vec![0.0; g.col_rows() * g.col_cols()];
            im2col(&g, &x, &mut cols, g.col_cols(), 0);
            let mut y = vec![0.0; oc * oh * ow];
            gemm(
                oc,
                oh * ow,
                g.col_rows(),
                &wt,
                false,
                &cols,
                false,
                0.0,
                &mut y,
            );
            let mut y_ref = vec![0.0; oc * oh * ow];
            reference::conv2d_forward(&g, oc, &x, &wt, &mut y_ref);
            close(&y, &y_ref, 1e-5);
        }
    }

    #[test]
    fn im2col_and_col2im_match_their_plain_twins_in_a_shared_batch_matrix() {
        let mut r = Rng::new(17);
        for &(c, h, w, kh, s, p) in &[
            (1, 28, 28, 5, 1, 2),
            (3, 7, 9, 3, 2, 1),
            (2, 11, 6, 4, 3, 0),
            (1, 5, 5, 5, 4, 4),
            (2, 6, 7, 7, 1, 6),
        ] {
            let oh = crate::tensor::conv_out_size(h, kh, s, p).unwrap();
            let ow = crate::tensor::conv_out_size(w, kh, s, p).unwrap();
            let g = ConvGeom {
                c,
                h,
                w,
                kh,
                kw: kh,
                stride: s,
                pad: p,
                oh,
                ow,
            };
            let n = 3;
            let ld = n * oh * ow;
            let x = rand_vec(&mut r, n * c * h * w);
            let mut fast = vec![f32::NAN; g.col_rows() * ld];
            let mut slow = vec![f32::NAN; g.col_rows() * ld];
            for smp in 0..n {
                let xs = &x[smp * c * h * w..(smp + 1) * c * h * w];
                im2col(&g, xs, &mut fast, ld, smp * oh * ow);
                reference::im2col(&g, xs, &mut slow, ld, smp * oh * ow);
            }
            assert_eq!(fast, slow, "im2col {g:?}");
            let cols = rand_vec(&mut r, g.col_rows() * ld);
            for smp in 0..n {
                let mut a = vec![0.0; c * h * w];
                let mut b = vec![0.0; c * h * w];
                col2im(&g, &cols, ld, smp * oh * ow, &mut a);
                reference::col2im(&g, &cols, ld, smp * oh * ow, &mut b);
                close(&a, &b, 1e-6);
            }
        }
    }

    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        // <im2col(x), c> == <x, col2im(c)> for random x, c: the defining property of an adjoint.
        let mut r = Rng::new(9);
        let g = ConvGeom {
            c: 2,
            h: 9,
            w: 7,
            kh: 3,
            kw: 4,
            stride: 2,
            pad: 1,
            oh: 5,
            ow: 3,
        };
        let x = rand_vec(&mut r, g.c * g.h * g.w);
        let c = rand_vec(&mut r, g.col_rows() * g.col_cols());
        let mut cols = vec![0.0; c.len()];
        im2col(&g, &x, &mut cols, g.col_cols(), 0);
        let mut back = vec![0.0; x.len()];
        col2im(&g, &c, g.col_cols(), 0, &mut back);
        let lhs: f64 = cols
            .iter()
            .zip(&c)
            .map(|(a, b)| (*a as f64) * (*b as f64))
            .sum();
        let rhs: f64 = x
            .iter()
            .zip(&back)
            .map(|(a, b)| (*a as f64) * (*b as f64))
            .sum();
        assert!(
            (lhs - rhs).abs() < 1e-4 * (1.0 + lhs.abs()),
            "{lhs} vs {rhs}"
        );
    }
}
