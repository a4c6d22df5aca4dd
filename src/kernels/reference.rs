//! Plain-loop reference kernels: the specification of every fast kernel and the fallback.

use super::ConvGeom;
use crate::tensor::Shape3;

/// Same contract as `kernels::gemm`, in three loops with an f64 accumulator.
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
    for i in 0..m {
        for j in 0..n {
            let mut s = 0.0f64;
            for p in 0..k {
                let av = if a_t { a[p * m + i] } else { a[i * k + p] };
                let bv = if b_t { b[j * k + p] } else { b[p * n + j] };
                s += av as f64 * bv as f64;
            }
            let cv = if beta == 0.0 {
                0.0
            } else {
                beta * c[i * n + j]
            };
            c[i * n + j] = cv + s as f32;
        }
    }
}

/// Direct convolution without bias. x: (C, H, W), w: (OC, C, KH, KW) -> y: (OC, OH, OW).
pub fn conv2d_forward(g: &ConvGeom, oc: usize, x: &[f32], w: &[f32], y: &mut [f32]) {
    for o in 0..oc {
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let mut s = 0.0f64;
                for c in 0..g.c {
                    for i in 0..g.kh {
                        for j in 0..g.kw {
                            let iy = (oy * g.stride + i) as isize - g.pad as isize;
                            let ix = (ox * g.stride + j) as isize - g.pad as isize;
                            if iy < 0 || ix < 0 || iy >= g.h as isize || ix >= g.w as isize {
                                continue;
                            }
                            let xv = x[(c * g.h + iy as usize) * g.w + ix as usize];
                            let wv = w[((o * g.c + c) * g.kh + i) * g.kw + j];
                            s += xv as f64 * wv as f64;
                        }
                    }
                }
                y[(o * g.oh + oy) * g.ow + ox] = s as f32;
            }
        }
    }
}

/// Same contract as `kernels::im2col`, one bounds check per element.
pub fn im2col(g: &ConvGeom, x: &[f32], cols: &mut [f32], ld: usize, off: usize) {
    for c in 0..g.c {
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = ((c * g.kh + i) * g.kw + j) * ld + off;
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let iy = (oy * g.stride + i) as isize - g.pad as isize;
                        let ix = (ox * g.stride + j) as isize - g.pad as isize;
                        let inside = iy >= 0 && ix >= 0 && iy < g.h as isize && ix < g.w as isize;
                        cols[row + oy * g.ow + ox] = if inside {
                            x[(c * g.h + iy as usize) * g.w + ix as usize]
                        } else {
                            0.0
                        };
                    }
                }
            }
        }
    }
}

/// Same contract as `kernels::col2im`, one bounds check per element.
pub fn col2im(g: &ConvGeom, cols: &[f32], ld: usize, off: usize, dx: &mut [f32]) {
    for c in 0..g.c {
        for i in 0..g.kh {
            for j in 0..g.kw {
                let row = ((c * g.kh + i) * g.kw + j) * ld + off;
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let iy = (oy * g.stride + i) as isize - g.pad as isize;
                        let ix = (ox * g.stride + j) as isize - g.pad as isize;
                        if iy >= 0 && ix >= 0 && iy < g.h as isize && ix < g.w as isize {
                            dx[(c * g.h + iy as usize) * g.w + ix as usize] +=
                                cols[row + oy * g.ow + ox];
                        }
                    }
                }
            }
        }
    }
}

/// Same contract as `kernels::maxpool::max_pool`: the window scanned row by row, `>` against the
/// value at the best index so far (the first maximum wins ties), one bounds check per element.
pub fn max_pool(
    x: &[f32],
    n: usize,
    i: Shape3,
    o: Shape3,
    k: usize,
    y: &mut [f32],
    mut argmax: Option<&mut [u32]>,
) {
    for s in 0..n {
        let xs = &x[s * i.len()..(s + 1) * i.len()];
        for c in 0..o.c {
            for oy in 0..o.h {
                for ox in 0..o.w {
                    let oi = (c * o.h + oy) * o.w + ox;
                    let base = (c * i.h + oy * k) * i.w + ox * k;
                    let mut best = base;
                    for dy in 0..k {
                        for dx in 0..k {
                            let idx = base + dy * i.w + dx;
                            if xs[idx] > xs[best] {
                                best = idx;
                            }
                        }
                    }
                    y[s * o.len() + oi] = xs[best];
                    if let Some(a) = argmax.as_deref_mut() {
                        a[s * o.len() + oi] = best as u32;
                    }
                }
            }
        }
    }
}
