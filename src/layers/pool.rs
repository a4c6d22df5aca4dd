//! Max and average pooling with a square window, stride = window, no padding, floor
//! (PyTorch's `MaxPool2d(k)` / `AvgPool2d(k)` defaults).

use super::Layer;
use crate::kernels::maxpool::max_pool;
use crate::tensor::Shape3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Avg,
}

pub struct Pool2d {
    name: String,
    kind: PoolKind,
    size: usize,
    input: Shape3,
    out: Shape3,
    /// Max: flat input index (within the sample) of each output's winner, for every sample.
    argmax: Vec<u32>,
    n: usize,
}

impl Pool2d {
    /// None when the window is larger than the input.
    pub fn new(name: &str, kind: PoolKind, size: usize, input: Shape3) -> Option<Pool2d> {
        if size == 0 || size > input.h || size > input.w {
            return None;
        }
        let out = Shape3::new(input.c, input.h / size, input.w / size);
        Some(Pool2d {
            name: name.to_string(),
            kind,
            size,
            input,
            out,
            argmax: Vec::new(),
            n: 0,
        })
    }
}

impl Layer for Pool2d {
    fn name(&self) -> &str {
        &self.name
    }
    fn in_shape(&self) -> Shape3 {
        self.input
    }
    fn out_shape(&self) -> Shape3 {
        self.out
    }

    // x: (N, C, H, W) -> y: (N, C, H/k, W/k)
    fn forward(&mut self, x: &[f32], n: usize, train: bool) -> Vec<f32> {
        let (i, o, k) = (self.input, self.out, self.size);
        let mut y = vec![0.0; n * o.len()];
        if self.kind == PoolKind::Max {
            if train {
                self.argmax.resize(n * o.len(), 0);
            }
            let argmax = if train {
                Some(&mut self.argmax[..])
            } else {
                None
            };
            max_pool(x, n, i, o, k, &mut y, argmax);
            self.n = if train { n } else { 0 };
            return y;
        }
        let inv = 1.0 / (k * k) as f32;
        for s in 0..n {
            let xs = &x[s * i.len()..(s + 1) * i.len()];
            for c in 0..o.c {
                for oy in 0..o.h {
                    for ox in 0..o.w {
                        let oi = (c * o.h + oy) * o.w + ox;
                        let base = (c * i.h + oy * k) * i.w + ox * k;
                        match self.kind {
                            PoolKind::Max => unreachable!("max pooling returned above"),
                            PoolKind::Avg => {
                                let mut sum = 0.0;
                                for dy in 0..k {
                                    for dx in 0..k {
                                        sum += xs[base + dy * i.w + dx];
                                    }
                                }
                                y[s * o.len() + oi] = sum * inv;
                            }
                        }
                    }
                }
            }
        }
        self.n = if train { n } else { 0 };
        y
    }

    fn backward(&mut self, dy: &[f32]) -> Vec<f32> {
        let (i, o, k, n) = (self.input, self.out, self.size, self.n);
        assert_eq!(
            dy.len(),
            n * o.len(),
            "{}: backward without a training forward pass",
            self.name
        );
        let mut dx = vec![0.0; n * i.len()];
        let inv = 1.0 / (k * k) as f32;
        for s in 0..n {
            let dxs = &mut dx[s * i.len()..(s + 1) * i.len()];
            let dys = &dy[s * o.len()..(s + 1) * o.len()];
            match self.kind {
                PoolKind::Max => {
                    for (oi, &g) in dys.iter().enumerate() {
                        dxs[self.argmax[s * o.len() + oi] as usize] += g;
                    }
                }
                PoolKind::Avg => {
                    for c in 0..o.c {
                        for oy in 0..o.h {
                            for ox in 0..o.w {
                                let g = dys[(c * o.h + oy) * o.w + ox] * inv;
                                let base = (c * i.h + oy * k) * i.w + ox * k;
                                for ddy in 0..k {
                                    for ddx in 0..k {
                                        dxs[base + ddy * i.w + ddx] += g;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        dx
    }

    fn window(&self) -> (usize, usize) {
        (self.size, self.size)
    }
}
