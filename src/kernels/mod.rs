//! The only place allowed to be clever. Every hot kernel has a plain-loop twin in `reference` with the
//! same signature, and `check` runs both on odd sizes (natively and in the browser). The convolution
//! uses the register-blocked GEMMs of `blocked` (weights packed into panels, the wide im2col matrix
//! read in place); the dense layer uses ndarray's `general_mat_mul` (matrixmultiply), which
//! autovectorises to f32x4 under `+simd128`.

pub mod blocked;
pub mod check;
pub mod maxpool;
/// Benchmark-only kernels (bench/ measures this browser's peak with them): not in the page's build.
#[cfg(feature = "bench")]
pub mod peak;
pub mod reference;
pub mod simd;
pub mod wgrad;

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
    if s == 1 && g.oh == g.h && g.ow == g.w {
        return im2col_same(g, x, cols, ld, off);
    }
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

/// Where row (c, i, j) of a "same" convolution's im2col matrix (stride 1, output as large as the
/// input) meets its channel: the row is the channel shifted by (di, dj) = (i − p, j − p), so
/// row[q] = channel[q + shift] with shift = di·w + dj, for the output rows [y_lo, y_hi) whose input row
/// lies inside the image and the output columns [lo, hi) whose input column does. [q_lo, q_hi) is the
/// block of q inside those rows whose q + shift lies inside the channel; the values of it outside
/// [lo, hi) wrapped across a row edge. `im2col_same` and its adjoint `col2im_same` share this.
struct SameShift {
    y_lo: usize,
    y_hi: usize,
    lo: usize,
    hi: usize,
    shift: isize,
    q_lo: usize,
    q_hi: usize,
}

impl SameShift {
    fn new(g: &ConvGeom, i: usize, j: usize) -> SameShift {
        let (h, w, p) = (g.h as isize, g.w as isize, g.pad as isize);
        let (di, dj) = (i as isize - p, j as isize - p);
        let y_lo = (-di).clamp(0, h) as usize;
        let y_hi = (h - di).clamp(0, h) as usize;
        let (lo, hi) = valid_cols(g, j);
        let shift = di * w + dj;
        let q_lo = ((y_lo * g.w) as isize).max(-shift) as usize;
        let q_hi = ((y_hi * g.w) as isize).min(h * w - shift) as usize;
        SameShift {
            y_lo,
            y_hi,
            lo,
            hi,
            shift,
            q_lo,
            q_hi,
        }
    }

    /// Zeroes the columns outside [lo, hi) of the rows [y_lo, y_hi) of `row` (w wide): column by
    /// column down the rows, not `fill` per row. A fill of one or two values is a `memory.fill` call in
    /// wasm, and those calls were most of im2col's time in V8 (21% of inference, 16% of training in
    /// node's profile).
    fn zero_outside_columns(&self, row: &mut [f32], w: usize) {
        for x in (0..self.lo).chain(self.hi..w) {
            for oy in self.y_lo..self.y_hi {
                row[oy * w + x] = 0.0;
            }
        }
    }

    /// The channel's index of q_lo (meaningful when q_lo < q_hi).
    fn src(&self) -> usize {
        (self.q_lo as isize + self.shift) as usize
    }
}

/// `im2col` for the common "same" convolution: each row of cols is the whole channel shifted
/// (`SameShift`), so it is one block copy plus zeroing of the rows and columns that fall in the
/// padding. Row by row copies of 28 values spent more time in call overhead than in copying (im2col
/// was 27% of inference in node's profile).
fn im2col_same(g: &ConvGeom, x: &[f32], cols: &mut [f32], ld: usize, off: usize) {
    let (h, w) = (g.h, g.w);
    let hw = h * w;
    for c in 0..g.c {
        let xc = &x[c * hw..(c + 1) * hw];
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = ((c * g.kh + i) * g.kw + j) * ld + off;
                let dst = &mut cols[row..row + hw];
                let sh = SameShift::new(g, i, j);
                dst[..sh.y_lo * w].fill(0.0);
                dst[sh.y_hi.max(sh.y_lo) * w..].fill(0.0);
                if sh.y_lo >= sh.y_hi {
                    continue;
                }
                // The block copy, clipped to the image; the few values that wrapped across a row edge
                // are zeroed after it.
                dst[sh.y_lo * w..sh.q_lo].fill(0.0);
                dst[sh.q_hi..sh.y_hi * w].fill(0.0);
                if sh.q_lo < sh.q_hi {
                    let n = sh.q_hi - sh.q_lo;
                    dst[sh.q_lo..sh.q_hi].copy_from_slice(&xc[sh.src()..sh.src() + n]);
                }
                sh.zero_outside_columns(dst, w);
            }
        }
    }
}

/// The adjoint of `im2col`: columns [off, off + OH·OW) of cols (C·KH·KW, ld) scattered and summed
/// into dx (C, H, W). dx must be zeroed by the caller. cols is scratch: for a "same" convolution the
/// values that fall in the padding are zeroed in it on the way.
pub fn col2im(g: &ConvGeom, cols: &mut [f32], ld: usize, off: usize, dx: &mut [f32]) {
    let (ohw, s) = (g.oh * g.ow, g.stride);
    if s == 1 && g.oh == g.h && g.ow == g.w {
        return col2im_same(g, cols, ld, off, dx);
    }
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

/// `col2im` for the "same" convolution, the adjoint of `im2col_same`: each row of cols, its padding
/// columns zeroed first, is added to the whole channel shifted back (`SameShift`) in one pass instead
/// of one short slice per output row (those short loops were 7% of a training step in V8). Every dx
/// value gets the same additions in the same order as row by row, plus zeros.
fn col2im_same(g: &ConvGeom, cols: &mut [f32], ld: usize, off: usize, dx: &mut [f32]) {
    let (h, w) = (g.h, g.w);
    let hw = h * w;
    for c in 0..g.c {
        let dxc = &mut dx[c * hw..(c + 1) * hw];
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = ((c * g.kh + i) * g.kw + j) * ld + off;
                let src = &mut cols[row..row + hw];
                let sh = SameShift::new(g, i, j);
                if sh.y_lo >= sh.y_hi {
                    continue;
                }
                sh.zero_outside_columns(src, w);
                if sh.q_lo < sh.q_hi {
                    let n = sh.q_hi - sh.q_lo;
                    let dst = &mut dxc[sh.src()..sh.src() + n];
                    for (d, v) in dst.iter_mut().zip(&src[sh.q_lo..sh.q_hi]) {
                        *d += v;
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

    #[test]
    fn fast_kernels_match_their_plain_twins() {
        let worst = check::fast_kernels_match_reference().unwrap();
        assert!(worst < 1e-5, "{worst}");
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
        let x: Vec<f32> = (0..g.c * g.h * g.w).map(|_| r.uniform(-1.0, 1.0)).collect();
        let c: Vec<f32> = (0..g.col_rows() * g.col_cols())
            .map(|_| r.uniform(-1.0, 1.0))
            .collect();
        let mut cols = vec![0.0; c.len()];
        im2col(&g, &x, &mut cols, g.col_cols(), 0);
        let mut back = vec![0.0; x.len()];
        col2im(&g, &mut c.clone(), g.col_cols(), 0, &mut back);
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
