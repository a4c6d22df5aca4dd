//! Fully connected layer, y = x·Wᵀ + b with W stored (OUT, IN) as in PyTorch's `nn.Linear`.

use super::{Layer, Param};
use crate::init::Initializer;
use crate::kernels::gemm;
use crate::rng::Rng;
use crate::tensor::Shape3;

pub struct Dense {
    name: String,
    input: Shape3,
    out: usize,
    pub weight: Param,
    pub bias: Param,
    x: Vec<f32>,
    n: usize,
}

impl Dense {
    pub fn new(
        name: &str,
        input: Shape3,
        out: usize,
        init: &Initializer,
        bias: f32,
        rng: &mut Rng,
    ) -> Dense {
        let fan_in = input.len();
        let w = init.sample(out * fan_in, fan_in, out, rng);
        Dense {
            name: name.to_string(),
            input,
            out,
            weight: Param::new(format!("{name}.weight"), vec![out, fan_in], w),
            bias: Param::new(format!("{name}.bias"), vec![out], vec![bias; out]),
            x: Vec::new(),
            n: 0,
        }
    }
}

impl Layer for Dense {
    fn name(&self) -> &str {
        &self.name
    }
    fn in_shape(&self) -> Shape3 {
        self.input
    }
    fn out_shape(&self) -> Shape3 {
        Shape3::new(self.out, 1, 1)
    }

    // x: (N, IN), w: (OUT, IN) -> y: (N, OUT)
    fn forward(&mut self, x: &[f32], n: usize, train: bool) -> Vec<f32> {
        let k = self.input.len();
        let mut y = Vec::with_capacity(n * self.out);
        for _ in 0..n {
            y.extend_from_slice(&self.bias.value);
        }
        gemm(
            n,
            self.out,
            k,
            x,
            false,
            &self.weight.value,
            true,
            1.0,
            &mut y,
        );
        if train {
            self.x.clear();
            self.x.extend_from_slice(x);
            self.n = n;
        } else {
            self.n = 0;
        }
        y
    }

    // dy: (N, OUT) -> dx: (N, IN); dw += dyᵀ·x, db += Σ_n dy
    fn backward(&mut self, dy: &[f32]) -> Vec<f32> {
        let (n, k, o) = (self.n, self.input.len(), self.out);
        assert_eq!(
            dy.len(),
            n * o,
            "{}: backward without a training forward pass",
            self.name
        );
        gemm(
            o,
            k,
            n,
            dy,
            true,
            &self.x,
            false,
            1.0,
            &mut self.weight.grad,
        );
        for row in dy.chunks_exact(o) {
            for (b, g) in self.bias.grad.iter_mut().zip(row) {
                *b += g;
            }
        }
        let mut dx = vec![0.0; n * k];
        gemm(n, k, o, dy, false, &self.weight.value, false, 0.0, &mut dx);
        dx
    }

    fn params(&self) -> Vec<&Param> {
        vec![&self.weight, &self.bias]
    }
    fn params_mut(&mut self) -> Vec<&mut Param> {
        vec![&mut self.weight, &mut self.bias]
    }
}

/// (N, C, H, W) -> (N, C·H·W). NCHW storage is already flat, so this only changes the shape the next
/// layer sees; it is a layer so that the architecture table shows where the image becomes a vector.
pub struct Flatten {
    input: Shape3,
}

impl Flatten {
    pub fn new(input: Shape3) -> Flatten {
        Flatten { input }
    }
}

impl Layer for Flatten {
    fn name(&self) -> &str {
        "flatten"
    }
    fn in_shape(&self) -> Shape3 {
        self.input
    }
    fn out_shape(&self) -> Shape3 {
        Shape3::new(self.input.len(), 1, 1)
    }
    fn forward(&mut self, x: &[f32], _n: usize, _train: bool) -> Vec<f32> {
        x.to_vec()
    }
    fn backward(&mut self, dy: &[f32]) -> Vec<f32> {
        dy.to_vec()
    }
}
