//! Training data: MNIST IDX decoding, the synthetic fallback, data faults and augmentation, batching.
//! Images stay `u8` (10k MNIST images are 7.8 MB; f32 would be four times that) and are normalised per batch.

pub mod augment;
pub mod faults;
pub mod idx;
pub mod prepare;
pub mod synthetic;

pub use augment::{augment_into, Applied, Augment};
pub use prepare::{duplicates_in, prepare, Prepared};

use crate::rng::Rng;

/// Mean and standard deviation of MNIST training pixels on [0, 1] (the usual normalisation constants).
pub const MNIST_MEAN: f32 = 0.1307;
pub const MNIST_STD: f32 = 0.3081;
/// Image side in pixels.
pub const SIDE: usize = 28;
/// Pixels per image (28 * 28).
pub const PIXELS: usize = SIDE * SIDE;
/// Number of digit classes.
pub const CLASSES: usize = 10;

/// A set of 28x28 grey images with labels 0..9.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// N * 784 pixels, row-major, 0 = background.
    pub images: Vec<u8>,
    /// N labels in 0..10.
    pub labels: Vec<u8>,
    /// True for generated digits: the page labels such data "synthetic".
    pub synthetic: bool,
}

impl Dataset {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// image i: 784 pixels
    pub fn image(&self, i: usize) -> &[u8] {
        &self.images[i * PIXELS..(i + 1) * PIXELS]
    }

    /// A new dataset holding the samples at `idx`, in that order.
    pub fn select(&self, idx: &[usize]) -> Dataset {
        let mut images = Vec::with_capacity(idx.len() * PIXELS);
        let mut labels = Vec::with_capacity(idx.len());
        for &i in idx {
            images.extend_from_slice(self.image(i));
            labels.push(self.labels[i]);
        }
        Dataset {
            images,
            labels,
            synthetic: self.synthetic,
        }
    }

    /// The first n samples (n is capped at the length).
    pub fn take(&self, n: usize) -> Dataset {
        let n = n.min(self.len());
        Dataset {
            images: self.images[..n * PIXELS].to_vec(),
            labels: self.labels[..n].to_vec(),
            synthetic: self.synthetic,
        }
    }

    /// Samples per class.
    pub fn class_counts(&self) -> [u32; CLASSES] {
        let mut c = [0u32; CLASSES];
        for &l in &self.labels {
            c[l as usize] += 1;
        }
        c
    }
}

/// Normalise one u8 image into `out` (784 values): (p/255 - mean) / std.
pub fn normalize_into(img: &[u8], out: &mut [f32]) {
    for (o, &p) in out.iter_mut().zip(img) {
        *o = (p as f32 * (1.0 / 255.0) - MNIST_MEAN) / MNIST_STD;
    }
}

/// Maps one normalised network input back to a grey level 0..=255 for display (the inverse of
/// `normalize_into`, clamped: augmentation noise and jitter can leave [0, 1]).
pub fn to_grey(v: f32) -> u8 {
    ((v * MNIST_STD + MNIST_MEAN) * 255.0)
        .round()
        .clamp(0.0, 255.0) as u8
}

/// Maps standardised network inputs back to raw grey levels in place: v ← (v·std + mean)·255
/// (augmentation noise and jitter can leave 0 … 255 a little, and are kept).
pub fn to_raw_pixels(x: &mut [f32]) {
    for v in x {
        *v = (*v * MNIST_STD + MNIST_MEAN) * 255.0;
    }
}

/// Fills one mini-batch: `x` gets idx.len() normalised (and, unless `aug` is off, augmented) images,
/// NCHW with C = 1 (idx.len() * 784 values); `y` gets their labels, which augmentation never changes.
pub fn fill_batch(
    ds: &Dataset,
    idx: &[usize],
    aug: &Augment,
    rng: &mut Rng,
    x: &mut [f32],
    y: &mut [u8],
) {
    assert_eq!(
        x.len(),
        idx.len() * PIXELS,
        "x must hold idx.len() * 784 values"
    );
    assert_eq!(y.len(), idx.len(), "y must hold idx.len() labels");
    let identity = aug.is_identity();
    for ((&i, xi), yi) in idx.iter().zip(x.chunks_exact_mut(PIXELS)).zip(y.iter_mut()) {
        if identity {
            normalize_into(ds.image(i), xi);
        } else {
            augment_into(ds.image(i), xi, aug, rng);
        }
        *yi = ds.labels[i];
    }
}
