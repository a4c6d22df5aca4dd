//! Every fast kernel against its plain-loop twin on odd sizes. A function rather than only a unit
//! test so that the browser and node suites (tests/web.rs, tests/node.rs) run the very same checks
//! on the simd128 build that the page uses.

use super::{col2im, gemm, gemm_nn, gemm_nt_acc, im2col, maxpool, reference, wgrad, ConvGeom};
use crate::rng::Rng;
use crate::tensor::conv_out_size;
use crate::tensor::Shape3;

fn rand_vec(r: &mut Rng, n: usize) -> Vec<f32> {
    (0..n).map(|_| r.uniform(-1.0, 1.0)).collect()
}

/// Largest |fast − slow| / (1 + |slow|); Err names the kernel and case when it exceeds `tol`.
fn compare(what: &str, fast: &[f32], slow: &[f32], tol: f32) -> Result<f32, String> {
    if fast.len() != slow.len() {
        return Err(format!("{what}: length {} vs {}", fast.len(), slow.len()));
    }
    let mut worst = 0.0f32;
    for (i, (x, y)) in fast.iter().zip(slow).enumerate() {
        let e = (x - y).abs() / (1.0 + y.abs());
        if e.is_nan() || e > tol {
            return Err(format!(
                "{what}: element {i} is {x}, the plain twin says {y}"
            ));
        }
        worst = worst.max(e);
    }
    Ok(worst)
}

/// Runs every comparison; returns the worst relative difference seen.
pub fn fast_kernels_match_reference() -> Result<f32, String> {
    let tol = 1e-5;
    let mut worst = 0.0f32;
    let mut r = Rng::new(23);
    let sizes = [
        (1, 1, 1),
        (3, 5, 7),
        (4, 8, 1),
        (5, 17, 9),
        (8, 200, 25),
        (16, 37, 200),
        (13, 9, 33),
        (33, 1, 65),
    ];
    for &(m, n, k) in &sizes {
        for a_t in [false, true] {
            for beta in [0.0f32, 1.0] {
                let a = rand_vec(&mut r, m * k);
                let b = rand_vec(&mut r, k * n);
                let c0 = rand_vec(&mut r, m * n);
                let (mut fast, mut slow) = (c0.clone(), c0.clone());
                gemm_nn(m, n, k, &a, a_t, &b, beta, &mut fast);
                reference::gemm(m, n, k, &a, a_t, &b, false, beta, &mut slow);
                let what = format!("gemm_nn {m}x{n}x{k} a_t={a_t} beta={beta}");
                worst = worst.max(compare(&what, &fast, &slow, tol)?);
                for b_t in [false, true] {
                    let (mut fast, mut slow) = (c0.clone(), c0.clone());
                    gemm(m, n, k, &a, a_t, &b, b_t, beta, &mut fast);
                    reference::gemm(m, n, k, &a, a_t, &b, b_t, beta, &mut slow);
                    let what = format!("gemm {m}x{n}x{k} a_t={a_t} b_t={b_t}");
                    worst = worst.max(compare(&what, &fast, &slow, tol)?);
                }
            }
        }
        let a = rand_vec(&mut r, m * k);
        let b = rand_vec(&mut r, n * k);
        let c0 = rand_vec(&mut r, m * n);
        let (mut fast, mut slow) = (c0.clone(), c0);
        gemm_nt_acc(m, n, k, &a, &b, &mut fast);
        reference::gemm(m, n, k, &a, false, &b, true, 1.0, &mut slow);
        worst = worst.max(compare(
            &format!("gemm_nt_acc {m}x{n}x{k}"),
            &fast,
            &slow,
            tol,
        )?);
    }
    // The weight gradient's outer-product GEMM and its packing (with the bias sums): output channels
    // around and across the 8-lane strips, rows around the 4-row tile, depths around the 256 block.
    for &(oc, rows, l) in &[
        (1, 1, 1),
        (3, 5, 7),
        (8, 25, 256),
        (9, 4, 257),
        (16, 200, 600),
        (17, 3, 255),
        (5, 13, 1),
    ] {
        let dy = rand_vec(&mut r, oc * l);
        let cols = rand_vec(&mut r, rows * l);
        let dw0 = rand_vec(&mut r, oc * rows);
        let db0 = rand_vec(&mut r, oc);
        let (mut fast, mut slow) = (dw0.clone(), dw0);
        let (mut db, mut dyt) = (db0.clone(), Vec::new());
        wgrad::pack_dyt(&dy, 1, oc, l, &mut dyt, &mut db);
        wgrad::wgrad_acc(oc, rows, l, &dyt, &cols, &mut fast);
        reference::gemm(oc, rows, l, &dy, false, &cols, true, 1.0, &mut slow);
        let what = format!("wgrad_acc {oc}x{rows}x{l}");
        worst = worst.max(compare(&what, &fast, &slow, tol)?);
        let sums: Vec<f32> = (0..oc)
            .map(|o| {
                db0[o]
                    + dy[o * l..(o + 1) * l]
                        .iter()
                        .map(|&v| v as f64)
                        .sum::<f64>() as f32
            })
            .collect();
        worst = worst.max(compare(&format!("pack_dyt bias {what}"), &db, &sums, tol)?);
    }
    // Max pooling, bit for bit (values and winners): window 2 and 3, leftover rows and columns,
    // and inputs rounded to a few levels with many zeros, as after a ReLU, so that windows hold ties.
    for &(c, h, w, k) in &[
        (8, 28, 28, 2),
        (16, 14, 14, 3),
        (3, 7, 9, 2),
        (2, 11, 5, 3),
        (1, 3, 3, 3),
    ] {
        let (i, o) = (Shape3::new(c, h, w), Shape3::new(c, h / k, w / k));
        let n = 3;
        let x: Vec<f32> = (0..n * i.len())
            .map(|_| (r.uniform(-2.0, 3.0).round() * 0.5).max(0.0))
            .collect();
        let (mut fast, mut slow) = (vec![f32::NAN; n * o.len()], vec![f32::NAN; n * o.len()]);
        let (mut af, mut asl) = (vec![u32::MAX; n * o.len()], vec![u32::MAX; n * o.len()]);
        maxpool::max_pool(&x, n, i, o, k, &mut fast, Some(&mut af));
        reference::max_pool(&x, n, i, o, k, &mut slow, Some(&mut asl));
        let what = format!("max_pool {c}x{h}x{w} k={k}");
        worst = worst.max(compare(&what, &fast, &slow, 0.0)?);
        if af != asl {
            return Err(format!("{what}: a different winner"));
        }
        let mut no_idx = vec![f32::NAN; n * o.len()];
        maxpool::max_pool(&x, n, i, o, k, &mut no_idx, None);
        worst = worst.max(compare(
            &format!("{what} (evaluation)"),
            &no_idx,
            &slow,
            0.0,
        )?);
    }
    // Both peak kernels against their plain loops, in the build bench/ measures them in.
    #[cfg(feature = "bench")]
    {
        let peak = super::peak::self_check();
        if peak.is_nan() || peak >= tol {
            return Err(format!("peak kernels: relative error {peak}"));
        }
    }
    // (C, H, W, K, stride, pad): "same" convolutions (the block-copy path, including a kernel larger
    // than the image), strides 1–4, paddings up to K−1, non-square inputs.
    let convs = [
        (1, 28, 28, 5, 1, 2),
        (3, 9, 11, 3, 1, 1),
        (2, 6, 5, 7, 1, 3),
        (1, 4, 4, 1, 1, 0),
        (3, 7, 9, 3, 2, 1),
        (2, 11, 6, 4, 3, 0),
        (1, 5, 5, 5, 4, 4),
        (2, 6, 7, 7, 1, 6),
    ];
    for &(c, h, w, kh, s, p) in &convs {
        let (oh, ow) = (
            conv_out_size(h, kh, s, p).unwrap(),
            conv_out_size(w, kh, s, p).unwrap(),
        );
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
        worst = worst.max(compare(&format!("im2col {g:?}"), &fast, &slow, 0.0)?);
        // The same columns through a GEMM equal a direct convolution.
        let oc = 4;
        let wt = rand_vec(&mut r, oc * g.col_rows());
        let mut y = vec![0.0; oc * ld];
        gemm_nn(oc, ld, g.col_rows(), &wt, false, &fast, 0.0, &mut y);
        let mut direct = vec![0.0; oc * oh * ow];
        reference::conv2d_forward(&g, oc, &x[..c * h * w], &wt, &mut direct);
        let first: Vec<f32> = y
            .chunks_exact(ld)
            .flat_map(|row| row[..oh * ow].to_vec())
            .collect();
        worst = worst.max(compare(
            &format!("conv via im2col {g:?}"),
            &first,
            &direct,
            tol,
        )?);
        let cols = rand_vec(&mut r, g.col_rows() * ld);
        for smp in 0..n {
            let mut a = vec![0.0; c * h * w];
            let mut b = vec![0.0; c * h * w];
            col2im(&g, &mut cols.clone(), ld, smp * oh * ow, &mut a);
            reference::col2im(&g, &cols, ld, smp * oh * ow, &mut b);
            worst = worst.max(compare(&format!("col2im {g:?}"), &a, &b, 1e-6)?);
        }
    }
    Ok(worst)
}
