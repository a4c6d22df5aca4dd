//! 2-D convolution by im2col + GEMM over the whole batch at once.

use super::{Layer, Param};
use crate::init::Initializer;
use crate::kernels::{col2im, gemm_nn, gemm_nt_acc, im2col, ConvGeom};
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
            cols: Vec::new(),
            scratch: Vec::new(),
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
    /// im2col of the last forward pass, the batch side by side: (C·KH·KW, N·OH·OW).
    cols: Vec<f32>,
    /// Reused buffer for the (OC, N·OH·OW) products, so a step allocates less.
    scratch: Vec<f32>,
    n: usize,
}

impl Conv2d {
    // dy: (N, OC, OH, OW) -> dx: (N, C, H, W) when `want_dx`;
    // dw += dy (OC × N·OH·OW) · colsᵀ, db += Σ dy, dcols = Wᵀ · dy, dx = col2im(dcols).
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
        let ld = n * ohw;
        // (N, OC, OH·OW) -> (OC, N·OH·OW), the layout the batch GEMMs use.
        let mut dyt = std::mem::take(&mut self.scratch);
        dyt.resize(oc * ld, 0.0);
        for s in 0..n {
            for o in 0..oc {
                let src = &dy[(s * oc + o) * ohw..(s * oc + o + 1) * ohw];
                dyt[o * ld + s * ohw..o * ld + (s + 1) * ohw].copy_from_slice(src);
            }
        }
        for (o, row) in dyt.chunks_exact(ld).enumerate() {
            self.bias.grad[o] += row.iter().sum::<f32>();
        }
        gemm_nt_acc(oc, rows, ld, &dyt, &self.cols, &mut self.weight.grad);
        let dx = if want_dx {
            let mut dcols = std::mem::take(&mut self.cols);
            // The forward columns are no longer needed: their buffer takes dcols (every value is
            // overwritten since beta = 0).
            gemm_nn(
                rows,
                ld,
                oc,
                &self.weight.value,
                true,
                &dyt,
                0.0,
                &mut dcols,
            );
            let mut dx = vec![0.0; n * in_len];
            for s in 0..n {
                col2im(
                    &g,
                    &dcols,
                    ld,
                    s * ohw,
                    &mut dx[s * in_len..(s + 1) * in_len],
                );
            }
            self.cols = dcols;
            Some(dx)
        } else {
            None
        };
        self.scratch = dyt;
        self.n = 0;
        dx
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
    // One GEMM for the batch: W (OC × C·K·K) · cols (C·K·K × N·OH·OW), then a transposing copy.
    fn forward(&mut self, x: &[f32], n: usize, train: bool) -> Vec<f32> {
        let g = self.geom;
        let (rows, ohw) = (g.col_rows(), g.col_cols());
        let (oc, ld, in_len) = (self.out.c, n * ohw, g.c * g.h * g.w);
        let mut cols = std::mem::take(&mut self.cols);
        cols.resize(rows * ld, 0.0);
        for s in 0..n {
            im2col(&g, &x[s * in_len..(s + 1) * in_len], &mut cols, ld, s * ohw);
        }
        let mut yt = std::mem::take(&mut self.scratch);
        yt.resize(oc * ld, 0.0);
        gemm_nn(oc, ld, rows, &self.weight.value, false, &cols, 0.0, &mut yt);
        let mut y = vec![0.0; n * oc * ohw];
        for (o, row) in yt.chunks_exact(ld).enumerate() {
            let b = self.bias.value[o];
            for s in 0..n {
                let dst = &mut y[(s * oc + o) * ohw..(s * oc + o + 1) * ohw];
                for (d, v) in dst.iter_mut().zip(&row[s * ohw..(s + 1) * ohw]) {
                    *d = v + b;
                }
            }
        }
        self.cols = cols;
        self.scratch = yt;
        self.n = if train { n } else { 0 };
        y
    }

    fn backward(&mut self, dy: &[f32]) -> Vec<f32> {
        self.grads(dy, true).expect("dx was asked for")
    }

    fn backward_params_only(&mut self, dy: &[f32]) {
        self.grads(dy, false);
    }

    fn params(&self) -> Vec<&Param> {
        vec![&self.weight, &self.bias]
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        vec![&mut self.weight, &mut self.bias]
    }
    fn window(&self) -> (usize, usize) {
        (self.geom.kh, self.geom.stride)
    }
}
