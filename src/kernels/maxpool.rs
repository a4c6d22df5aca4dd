//! Max pooling's forward pass, the one pooling loop that showed in a profile. Its plain twin is
//! `reference::max_pool`; `check` compares them bit for bit, winners included.

use crate::tensor::Shape3;

/// Max pooling, x: (N, C, H, W) -> y: (N, C, H/k, W/k), and each winner's flat index within its
/// sample into `argmax` when given. The window is scanned row by row and a later value wins only if
/// it is strictly greater (`>`): the first maximum wins ties, as in PyTorch, and a NaN never wins
/// (a NaN loss is caught by the trainer anyway). Each output row reads its k input rows as slices
/// and keeps the best value in a register instead of a bounds check and a reload of xs[best] per
/// comparison (max pooling was 5% of a training step natively). Measured in V8 against the indexed
/// loop (`reference::max_pool`), interleaved, medians of 7 runs: 1.5× for 3×3 windows on 16×14×14.
/// 2×2 windows go to `max_pool_2x2`.
pub fn max_pool(
    x: &[f32],
    n: usize,
    i: Shape3,
    o: Shape3,
    k: usize,
    y: &mut [f32],
    mut argmax: Option<&mut [u32]>,
) {
    if k == 2 {
        return max_pool_2x2(x, n, i, o, y, argmax);
    }
    for s in 0..n {
        let xs = &x[s * i.len()..(s + 1) * i.len()];
        for c in 0..o.c {
            for oy in 0..o.h {
                let row0 = (c * i.h + oy * k) * i.w;
                let out = s * o.len() + (c * o.h + oy) * o.w;
                let ys = &mut y[out..out + o.w];
                for (ox, yv) in ys.iter_mut().enumerate() {
                    let mut best = row0 + ox * k;
                    let mut bv = xs[best];
                    for dy in 0..k {
                        let at = row0 + dy * i.w + ox * k;
                        for (dx, &v) in xs[at..at + k].iter().enumerate() {
                            if v > bv {
                                bv = v;
                                best = at + dx;
                            }
                        }
                    }
                    *yv = bv;
                    if let Some(a) = argmax.as_deref_mut() {
                        a[out + ox] = best as u32;
                    }
                }
            }
        }
    }
}

/// `max_pool` for 2×2 windows: each output row reads its two input rows as pairs, with no index
/// arithmetic or bounds check per value, the comparisons in the same order (row by row, `>`) so the
/// values and winners are the same as the plain loop's. In V8 the plain indexed loop was 10% of an
/// inference pass of the default net (node's profile).
pub fn max_pool_2x2(
    x: &[f32],
    n: usize,
    i: Shape3,
    o: Shape3,
    y: &mut [f32],
    mut argmax: Option<&mut [u32]>,
) {
    let w = i.w;
    for s in 0..n {
        let xs = &x[s * i.len()..(s + 1) * i.len()];
        for c in 0..o.c {
            for oy in 0..o.h {
                let row0 = (c * i.h + oy * 2) * w;
                let r0 = &xs[row0..row0 + 2 * o.w];
                let r1 = &xs[row0 + w..row0 + w + 2 * o.w];
                let out = s * o.len() + (c * o.h + oy) * o.w;
                let ys = &mut y[out..out + o.w];
                let pairs = r0.chunks_exact(2).zip(r1.chunks_exact(2));
                match argmax.as_deref_mut() {
                    None => {
                        for (yv, (a, b)) in ys.iter_mut().zip(pairs) {
                            let mut v = a[0];
                            if a[1] > v {
                                v = a[1];
                            }
                            if b[0] > v {
                                v = b[0];
                            }
                            if b[1] > v {
                                v = b[1];
                            }
                            *yv = v;
                        }
                    }
                    Some(am) => {
                        let am = &mut am[out..out + o.w];
                        for (ox, ((yv, av), (a, b))) in
                            ys.iter_mut().zip(am.iter_mut()).zip(pairs).enumerate()
                        {
                            let (mut v, mut at) = (a[0], 0);
                            if a[1] > v {
                                (v, at) = (a[1], 1);
                            }
                            if b[0] > v {
                                (v, at) = (b[0], w);
                            }
                            if b[1] > v {
                                (v, at) = (b[1], w + 1);
                            }
                            *yv = v;
                            *av = (row0 + 2 * ox + at) as u32;
                        }
                    }
                }
            }
        }
    }
}
