//! 2-D convolution by im2col + GEMM, a cache-sized chunk of samples at a time.

use super::{Layer, Param};
use crate::init::Initializer;
use crate::kernels::wgrad::{pack_dyt, wgrad_acc};
use crate::kernels::{col2im, gemm_nn, im2col, ConvGeom};
use crate::rng::Rng;
use crate::tensor::{conv_out_size, Shape3};

/// Configuration of a `Conv2d` layer.
#[derive(Clone, Debug)]
pub struct Conv2dConfig {
    /// Input shape per sample.
    pub input: Shape3,
    /// Output channels.
    pub out_channels: usize,
    /// Square kernel side.
    pub kernel: usize,
    /// Step between windows, both axes.
    pub stride: usize,
    /// Zero padding on every side.
    pub pad: usize,
}

impl Conv2dConfig {
    /// Output shape, or None when the kernel does not fit the padded input.
    pub fn output(&self) -> Option<Shape3> {
        let oh = conv_out_size(self.input.h, self.kernel, self.stride, self.pad)?;
        let ow = conv_out_size(self.input.w, self.kernel, self.stride, self.pad)?;
        Some(Shape3::new(self.out_channels, oh, ow))
    }

    pub fn init(&self, name: &str, init: &Initializer, bias: f32, rng: &mut Rng) -> Conv2d {
        let out = self
            .output()
            .expect("Conv2dConfig::init on a configuration that does not fit");
        let fan_in = self.input.c * self.kernel * self.kernel;
        let fan_out = self.out_channels * self.kernel * self.kernel;
        let n = self.out_channels * fan_in;
        let w = init.sample(n, fan_in, fan_out, rng);
        let geom = ConvGeom {
            c: self.input.c,
            h: self.input.h,
            w: self.input.w,
            kh: self.kernel,
            kw: self.kernel,
            stride: self.stride,
            pad: self.pad,
            oh: out.h,
            ow: out.w,
        };
        Conv2d {
            name: name.to_string(),
            geom,
            out,
            weight: Param::new(
                format!("{name}.weight"),
                vec![self.out_channels, self.input.c, self.kernel, self.kernel],
                w,
            ),
            bias: Param::new(
                format!("{name}.bias"),
                vec![self.out_channels],
                vec![bias; self.out_channels],
            ),
            has_bias: true,
            x: Vec::new(),
            cols: Vec::new(),
            cols_hold_batch: false,
            prod: Vec::new(),
            dyt: Vec::new(),
            dcols: Vec::new(),
            n: 0,
        }
    }
}

pub struct Conv2d {
    name: String,
    geom: ConvGeom,
    out: Shape3,
    pub weight: Param,
    pub bias: Param,
    /// False before a BatchNorm: its mean subtraction cancels any bias, whose role β takes over
    /// (Ioffe & Szegedy 2015, §3.2), so the bias stays 0 and is not a parameter.
    has_bias: bool,
    /// The input of the last training pass (N, C, H, W); backward rebuilds its columns from it.
    x: Vec<f32>,
    /// im2col of one chunk of samples: (C·KH·KW, S·OH·OW).
    cols: Vec<f32>,
    /// True when `cols` holds the whole batch of the last training pass.
    cols_hold_batch: bool,
    /// (OC, S·OH·OW) products of one chunk.
    prod: Vec<f32>,
    /// dyᵀ of one chunk in backward, (S·OH·OW, OC padded to the weight-gradient tile): kernels/wgrad.rs.
    dyt: Vec<f32>,
    /// Wᵀ·dy of one chunk, kept between steps: allocating and zeroing it every step cost 7%.
    dcols: Vec<f32>,
    n: usize,
}

/// Values of im2col per chunk in evaluation: the batch is processed a few samples at a time so that a
/// chunk's columns (≤ 1 MB) are still in cache when the GEMM reads them. Unrolling a validation batch
/// of 256 at once made conv2's columns 40 MB, and inference ran at half this speed (measured in node,
/// interleaved: 3.6k vs 7.4k samples/s). Training unrolls its whole batch in one chunk instead and
/// keeps the columns for backward: re-unrolling them there cost 8% of a step (2.55k vs 2.76k samples/s).
const CHUNK_VALUES: usize = 256 * 1024;

impl Conv2d {
    /// The same layer without a learned bias (see `has_bias`).
    pub fn without_bias(mut self) -> Conv2d {
        self.has_bias = false;
        self.bias.value.iter_mut().for_each(|b| *b = 0.0);
        self
    }

    /// Samples per chunk for this layer.
    fn chunk(&self, n: usize, train: bool) -> usize {
        if train {
            n.max(1)
        } else {
            (CHUNK_VALUES / (self.geom.col_rows() * self.geom.col_cols())).max(1)
        }
    }

    /// im2col of samples [s0, s0 + len) of x into self.cols, laid side by side.
    fn unroll(&mut self, x: &[f32], s0: usize, len: usize) {
        let g = self.geom;
        let (ohw, in_len) = (g.col_cols(), g.c * g.h * g.w);
        let ld = len * ohw;
        self.cols.resize(g.col_rows() * ld, 0.0);
        for s in 0..len {
            let xs = &x[(s0 + s) * in_len..(s0 + s + 1) * in_len];
            im2col(&g, xs, &mut self.cols, ld, s * ohw);
        }
    }

    // dy: (N, OC, OH, OW) -> dx: (N, C, H, W) when `want_dx`; per chunk of samples:
    // dw += dy (OC × S·OH·OW) · colsᵀ, db += Σ dy, dcols = Wᵀ · dy, dx = col2im(dcols).
    // The first layer of a network skips dcols and col2im: nobody needs the gradient of the image
    // (for the default model that is 7% of a training step's arithmetic).
    fn grads(&mut self, dy: &[f32], want_dx: bool) -> Option<Vec<f32>> {
        let g = self.geom;
        let (rows, ohw) = (g.col_rows(), g.col_cols());
        let (oc, n, in_len) = (self.out.c, self.n, g.c * g.h * g.w);
        assert_eq!(
            dy.len(),
            n * oc * ohw,
            "{}: backward without a training forward pass",
            self.name
        );
        let x = std::mem::take(&mut self.x);
        let mut dx = if want_dx {
            vec![0.0; n * in_len]
        } else {
            Vec::new()
        };
        let mut dcols = std::mem::take(&mut self.dcols);
        let chunk = self.chunk(n, true);
        let mut s0 = 0;
        while s0 < n {
            let len = chunk.min(n - s0);
            let ld = len * ohw;
            if !(self.cols_hold_batch && len == n) {
                self.unroll(&x, s0, len);
            }
            // dw as outer products on the forward's register tile (kernels/wgrad.rs: each value of
            // cols is read once per 8 output channels, not once per 2 as in dot products along S·OH·OW);
            // packing dyᵀ sums the bias gradient on the way.
            let dy_chunk = &dy[s0 * oc * ohw..(s0 + len) * oc * ohw];
            pack_dyt(dy_chunk, len, oc, ohw, &mut self.dyt, &mut self.bias.grad);
            wgrad_acc(oc, rows, ld, &self.dyt, &self.cols, &mut self.weight.grad);
            // dcols and col2im a few samples at a time (the evaluation chunk), so that col2im reads
            // dcols from cache: the whole batch's dcols of conv2 are 5 MB. Each column of dcols and
            // each sample's col2im are the same sums either way.
            let sub = self.chunk(len, false).min(len);
            let mut a = 0;
            while want_dx && a < len {
                let b = (a + sub).min(len);
                let ldb = (b - a) * ohw;
                // (S, OC, OH·OW) -> (OC, S·OH·OW), the layout of Wᵀ·dy.
                self.prod.resize(oc * ldb, 0.0);
                for s in a..b {
                    for o in 0..oc {
                        let src = &dy_chunk[(s * oc + o) * ohw..(s * oc + o + 1) * ohw];
                        let at = o * ldb + (s - a) * ohw;
                        self.prod[at..at + ohw].copy_from_slice(src);
                    }
                }
                dcols.resize(rows * ldb, 0.0);
                gemm_nn(
                    rows,
                    ldb,
                    oc,
                    &self.weight.value,
                    true,
                    &self.prod,
                    0.0,
                    &mut dcols,
                );
                for s in a..b {
                    col2im(
                        &g,
                        &mut dcols,
                        ldb,
                        (s - a) * ohw,
                        &mut dx[(s0 + s) * in_len..(s0 + s + 1) * in_len],
                    );
                }
                a = b;
            }
            s0 += len;
        }
        self.x = x;
        self.dcols = dcols;
        self.n = 0;
        self.cols_hold_batch = false;
        want_dx.then_some(dx)
    }
}

impl Layer for Conv2d {
    fn name(&self) -> &str {
        &self.name
    }
    fn in_shape(&self) -> Shape3 {
        Shape3::new(self.geom.c, self.geom.h, self.geom.w)
    }
    fn out_shape(&self) -> Shape3 {
        self.out
    }

    // x: (N, C, H, W), w: (OC, C, KH, KW) -> y: (N, OC, OH, OW)
    // Per chunk of S samples: W (OC × C·K·K) · cols (C·K·K × S·OH·OW), then a transposing copy + bias.
    fn forward(&mut self, x: &[f32], n: usize, train: bool) -> Vec<f32> {
        let g = self.geom;
        let (rows, ohw) = (g.col_rows(), g.col_cols());
        let oc = self.out.c;
        let mut y = vec![0.0; n * oc * ohw];
        let chunk = self.chunk(n, train);
        let mut s0 = 0;
        while s0 < n {
            let len = chunk.min(n - s0);
            let ld = len * ohw;
            self.unroll(x, s0, len);
            self.prod.resize(oc * ld, 0.0);
            gemm_nn(
                oc,
                ld,
                rows,
                &self.weight.value,
                false,
                &self.cols,
                0.0,
                &mut self.prod,
            );
            for (o, row) in self.prod.chunks_exact(ld).enumerate() {
                let b = self.bias.value[o];
                for s in 0..len {
                    let at = ((s0 + s) * oc + o) * ohw;
                    for (d, v) in y[at..at + ohw].iter_mut().zip(&row[s * ohw..(s + 1) * ohw]) {
                        *d = v + b;
                    }
                }
            }
            s0 += len;
        }
        self.cols_hold_batch = train && chunk >= n;
        if train {
            self.x.clear();
            self.x.extend_from_slice(x);
            self.n = n;
        } else {
            self.n = 0;
        }
        y
    }

    fn backward(&mut self, dy: &[f32]) -> Vec<f32> {
        self.grads(dy, true).expect("dx was asked for")
    }

    fn backward_params_only(&mut self, dy: &[f32]) {
        self.grads(dy, false);
    }

    fn params(&self) -> Vec<&Param> {
        if self.has_bias {
            vec![&self.weight, &self.bias]
        } else {
            vec![&self.weight]
        }
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        if self.has_bias {
            vec![&mut self.weight, &mut self.bias]
        } else {
            vec![&mut self.weight]
        }
    }
    fn window(&self) -> (usize, usize) {
        (self.geom.kh, self.geom.stride)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::InitKind;

    #[test]
    fn chunked_batch_equals_one_sample_at_a_time() {
        // Evaluation chunks conv2 of the default model 6 samples at a time and conv1 13 at a time;
        // training does the batch in one chunk. Both must equal one sample at a time.
        for (c, h, oc, k, p) in [(8, 14, 16, 5, 2), (1, 28, 8, 5, 2)] {
            let mut r = Rng::new(2);
            let cfg = Conv2dConfig {
                input: Shape3::new(c, h, h),
                out_channels: oc,
                kernel: k,
                stride: 1,
                pad: p,
            };
            let init = Initializer {
                kind: InitKind::HeNormal,
                gain: 1.0,
            };
            let mut layer = cfg.init("conv", &init, 0.1, &mut r);
            let n = 15;
            let in_len = c * h * h;
            let x: Vec<f32> = (0..n * in_len).map(|_| r.uniform(-1.0, 1.0)).collect();
            let y = layer.forward(&x, n, true);
            let y_eval = layer.forward(&x, n, false);
            assert_eq!(y, y_eval);
            let y = layer.forward(&x, n, true);
            let dy: Vec<f32> = (0..y.len()).map(|_| r.uniform(-1.0, 1.0)).collect();
            let dx = layer.backward(&dy);
            let batch_dw = layer.weight.grad.clone();
            layer.weight.grad.iter_mut().for_each(|g| *g = 0.0);
            let out_len = y.len() / n;
            let mut dw = vec![0.0f32; batch_dw.len()];
            for s in 0..n {
                let ys = layer.forward(&x[s * in_len..(s + 1) * in_len], 1, true);
                assert_eq!(ys, y[s * out_len..(s + 1) * out_len]);
                let dxs = layer.backward(&dy[s * out_len..(s + 1) * out_len]);
                for (a, b) in dxs.iter().zip(&dx[s * in_len..(s + 1) * in_len]) {
                    assert!((a - b).abs() < 1e-5, "{a} vs {b}");
                }
                for (acc, g) in dw.iter_mut().zip(&layer.weight.grad) {
                    *acc += g;
                }
                layer.weight.grad.iter_mut().for_each(|g| *g = 0.0);
            }
            for (a, b) in dw.iter().zip(&batch_dw) {
                assert!((a - b).abs() < 1e-3 * (1.0 + b.abs()), "{a} vs {b}");
            }
        }
    }
}
