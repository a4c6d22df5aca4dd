//! Shapes. Activations are NCHW and stored flat; a per-sample shape is (C, H, W).

/// Per-sample activation shape (channels, height, width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape3 {
    pub c: usize,
    pub h: usize,
    pub w: usize,
}

impl Shape3 {
    pub const fn new(c: usize, h: usize, w: usize) -> Shape3 {
        Shape3 { c, h, w }
    }

    /// Values per sample.
    pub const fn len(&self) -> usize {
        self.c * self.h * self.w
    }

    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Display for Shape3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}×{}×{}", self.c, self.h, self.w)
    }
}

/// Output size of a convolution or pooling window along one axis:
/// floor((input + 2·pad − kernel) / stride) + 1, or None when the window does not fit (PyTorch's formula).
pub fn conv_out_size(input: usize, kernel: usize, stride: usize, pad: usize) -> Option<usize> {
    let padded = input + 2 * pad;
    if stride == 0 || kernel == 0 || padded < kernel {
        return None;
    }
    Some((padded - kernel) / stride + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_size_matches_pytorch_formula() {
        assert_eq!(conv_out_size(28, 5, 1, 2), Some(28));
        assert_eq!(conv_out_size(14, 3, 3, 0), Some(4));
        assert_eq!(conv_out_size(28, 15, 4, 0), Some(4));
        assert_eq!(conv_out_size(3, 5, 1, 0), None);
        assert_eq!(conv_out_size(7, 2, 2, 0), Some(3));
    }
}
