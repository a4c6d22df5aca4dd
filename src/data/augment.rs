//! Per-sample augmentation, drawn fresh every time a sample enters a batch.
//!
//! Labels are never touched: a flipped or half-turned 6 looks like a 9 but keeps label 6. That is the
//! lesson of `hflip` and `rot180` on digits — augmentations must preserve the class.

use super::{MNIST_MEAN, MNIST_STD, PIXELS, SIDE};
use crate::rng::Rng;

/// Augmentation strengths; all zero (the default) means off.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Augment {
    /// Maximum shift in pixels, drawn independently for x and y from [-shift, shift].
    pub shift: f32,
    /// Maximum rotation in degrees, drawn from [-rotate, rotate].
    pub rotate: f32,
    /// Scale drawn from [1 - scale, 1 + scale] (same factor for x and y).
    pub scale: f32,
    /// Horizontal shear factor drawn from [-shear, shear] (x' = x + k y).
    pub shear: f32,
    /// Probability of a left-right mirror.
    pub hflip: f32,
    /// Probability of a half turn.
    pub rot180: f32,
    /// Intensity jitter strength 0..1: contrast in [2^-s, 2^s], brightness offset in [-0.4 s, 0.4 s].
    pub jitter: f32,
    /// Standard deviation of additive Gaussian noise on [0, 1] pixels.
    pub noise: f32,
}

impl Augment {
    /// True when every strength is zero, so augmentation would return the plain normalised image.
    pub fn is_identity(&self) -> bool {
        !(self.shift > 0.0
            || self.rotate > 0.0
            || self.scale > 0.0
            || self.shear > 0.0
            || self.hflip > 0.0
            || self.rot180 > 0.0
            || self.jitter > 0.0
            || self.noise > 0.0)
    }
}

/// One geometric transform about the image centre, applied as a single resampling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Warp {
    /// Shift right, in pixels.
    pub dx: f32,
    /// Shift down, in pixels.
    pub dy: f32,
    /// Rotation in degrees, counter-clockwise as seen on screen.
    pub rotate_deg: f32,
    /// Scale factor (1 = unchanged).
    pub scale: f32,
    /// Horizontal shear factor k: x' = x + k y about the centre.
    pub shear: f32,
}

impl Default for Warp {
    fn default() -> Warp {
        Warp {
            dx: 0.0,
            dy: 0.0,
            rotate_deg: 0.0,
            scale: 1.0,
            shear: 0.0,
        }
    }
}

/// Pixel centres run 0..27, so the image centre is 13.5 and a half turn about it is an exact permutation.
const CENTRE: f32 = (SIDE as f32 - 1.0) * 0.5;

/// Resamples `src` (784 u8) through `w` into `out` (784 values on [0, 1]); bilinear, zero outside.
///
/// Forward map p' = c + t + R S_h S (p - c). Each output pixel is pulled from the source through the
/// inverse, p = c + (R S_h S)^-1 (p' - c - t), so there are no holes (the usual inverse-mapping warp,
/// e.g. Szeliski, "Computer Vision: Algorithms and Applications", 2nd ed., section 3.6.1).
pub fn warp_into(src: &[u8], out: &mut [f32], w: &Warp) {
    let (s, c) = w.rotate_deg.to_radians().sin_cos();
    // Screen coordinates have y pointing down, so a counter-clockwise turn on screen is
    // (x, y) -> (x cos + y sin, -x sin + y cos).
    let r = [[c, s], [-s, c]];
    let sh = [[1.0, w.shear], [0.0, 1.0]];
    // m = R * Sh * scale
    let m = [
        [
            (r[0][0] * sh[0][0] + r[0][1] * sh[1][0]) * w.scale,
            (r[0][0] * sh[0][1] + r[0][1] * sh[1][1]) * w.scale,
        ],
        [
            (r[1][0] * sh[0][0] + r[1][1] * sh[1][0]) * w.scale,
            (r[1][0] * sh[0][1] + r[1][1] * sh[1][1]) * w.scale,
        ],
    ];
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    if det.abs() < 1e-12 || !det.is_finite() {
        out[..PIXELS].fill(0.0);
        return;
    }
    let inv = [
        [m[1][1] / det, -m[0][1] / det],
        [-m[1][0] / det, m[0][0] / det],
    ];
    let px = |x: isize, y: isize| -> f32 {
        if x < 0 || y < 0 || x >= SIDE as isize || y >= SIDE as isize {
            0.0
        } else {
            src[y as usize * SIDE + x as usize] as f32
        }
    };
    for oy in 0..SIDE {
        let qy = oy as f32 - CENTRE - w.dy;
        for ox in 0..SIDE {
            let qx = ox as f32 - CENTRE - w.dx;
            let sx = CENTRE + inv[0][0] * qx + inv[0][1] * qy;
            let sy = CENTRE + inv[1][0] * qx + inv[1][1] * qy;
            let x0 = sx.floor();
            let y0 = sy.floor();
            let (fx, fy) = (sx - x0, sy - y0);
            let (x0, y0) = (x0 as isize, y0 as isize);
            let top = px(x0, y0) * (1.0 - fx) + px(x0 + 1, y0) * fx;
            let bottom = px(x0, y0 + 1) * (1.0 - fx) + px(x0 + 1, y0 + 1) * fx;
            out[oy * SIDE + ox] = (top * (1.0 - fy) + bottom * fy) * (1.0 / 255.0);
        }
    }
}

/// Mirror left-right (an exact pixel permutation).
pub fn hflip(img: &[u8]) -> Vec<u8> {
    let mut out = img[..PIXELS].to_vec();
    for row in out.chunks_exact_mut(SIDE) {
        row.reverse();
    }
    out
}

/// Mirror top-bottom (an exact pixel permutation).
pub fn vflip(img: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PIXELS);
    for row in img[..PIXELS].chunks_exact(SIDE).rev() {
        out.extend_from_slice(row);
    }
    out
}

/// Half turn about the centre: pixel i goes to 783 - i (an exact pixel permutation).
pub fn rot180(img: &[u8]) -> Vec<u8> {
    let mut out = img[..PIXELS].to_vec();
    out.reverse();
    out
}

/// Which transformations `augment_into` applied to one image (the page marks them on the images of
/// the batch it shows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Mirrored left-right.
    pub hflip: bool,
    /// Turned by 180°.
    pub rot180: bool,
    /// Resampled through a shift, small rotation, scale or shear.
    pub warp: bool,
    /// Contrast and brightness jittered.
    pub jitter: bool,
    /// Gaussian pixel noise added.
    pub noise: bool,
}

/// Writes one augmented image, normalised like `normalize_into`, to `out` (784 values), and says
/// which transformations it applied.
///
/// Order: exact flips, then one geometric resampling, then intensity jitter, then noise. Strengths of
/// zero draw no random numbers and leave the pixels bit-identical to `normalize_into`.
pub fn augment_into(src: &[u8], out: &mut [f32], aug: &Augment, rng: &mut Rng) -> Applied {
    let mut applied = Applied::default();
    let mut img = [0u8; PIXELS];
    img.copy_from_slice(&src[..PIXELS]);
    if aug.hflip > 0.0 && rng.chance(aug.hflip) {
        applied.hflip = true;
        for row in img.chunks_exact_mut(SIDE) {
            row.reverse();
        }
    }
    if aug.rot180 > 0.0 && rng.chance(aug.rot180) {
        applied.rot180 = true;
        img.reverse();
    }

    let out = &mut out[..PIXELS];
    if aug.shift > 0.0 || aug.rotate > 0.0 || aug.scale > 0.0 || aug.shear > 0.0 {
        applied.warp = true;
        let mut w = Warp::default();
        if aug.shift > 0.0 {
            w.dx = rng.uniform(-aug.shift, aug.shift);
            w.dy = rng.uniform(-aug.shift, aug.shift);
        }
        if aug.rotate > 0.0 {
            w.rotate_deg = rng.uniform(-aug.rotate, aug.rotate);
        }
        if aug.scale > 0.0 {
            w.scale = rng.uniform(1.0 - aug.scale, 1.0 + aug.scale);
        }
        if aug.shear > 0.0 {
            w.shear = rng.uniform(-aug.shear, aug.shear);
        }
        warp_into(&img, out, &w);
    } else {
        // The same expression as normalize_into's first half, so zero strengths are bit-identical.
        for (o, &p) in out.iter_mut().zip(img.iter()) {
            *o = p as f32 * (1.0 / 255.0);
        }
    }

    if aug.jitter > 0.0 {
        applied.jitter = true;
        let j = aug.jitter.min(1.0);
        let contrast = (rng.uniform(-j, j) * std::f32::consts::LN_2).exp();
        let brightness = rng.uniform(-0.4 * j, 0.4 * j);
        for o in out.iter_mut() {
            *o = (*o * contrast + brightness).clamp(0.0, 1.0);
        }
    }
    if aug.noise > 0.0 {
        applied.noise = true;
        for o in out.iter_mut() {
            *o = (*o + aug.noise * rng.normal()).clamp(0.0, 1.0);
        }
    }
    for o in out.iter_mut() {
        *o = (*o - MNIST_MEAN) / MNIST_STD;
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::normalize_into;

    fn test_image() -> Vec<u8> {
        // An asymmetric "L" so that every flip and turn is distinguishable.
        let mut img = vec![0u8; PIXELS];
        for y in 6..22 {
            img[y * SIDE + 9] = 255;
        }
        for x in 9..18 {
            img[21 * SIDE + x] = 200;
        }
        img
    }

    #[test]
    fn identity_warp_and_zero_augment_reproduce_the_input() {
        let img = test_image();
        let mut a = vec![0.0; PIXELS];
        warp_into(&img, &mut a, &Warp::default());
        for i in 0..PIXELS {
            assert!((a[i] * 255.0 - img[i] as f32).abs() < 1e-3);
        }
        let mut plain = vec![0.0; PIXELS];
        let mut aug = vec![0.0; PIXELS];
        normalize_into(&img, &mut plain);
        augment_into(&img, &mut aug, &Augment::default(), &mut Rng::new(1));
        assert_eq!(plain, aug);
        assert!(Augment::default().is_identity());
        assert!(!Augment {
            noise: 0.1,
            ..Augment::default()
        }
        .is_identity());
    }

    #[test]
    fn a_warped_half_turn_equals_the_exact_permutation() {
        let img = test_image();
        let mut a = vec![0.0; PIXELS];
        warp_into(
            &img,
            &mut a,
            &Warp {
                rotate_deg: 180.0,
                ..Warp::default()
            },
        );
        let r = rot180(&img);
        for i in 0..PIXELS {
            assert!(
                (a[i] * 255.0 - r[i] as f32).abs() < 0.05,
                "pixel {i}: {} vs {}",
                a[i] * 255.0,
                r[i]
            );
        }
    }

    #[test]
    fn quarter_turn_is_counter_clockwise_on_screen() {
        // A pixel right of centre must end up above it.
        let mut img = vec![0u8; PIXELS];
        img[13 * SIDE + 20] = 255; // (x, y) = (20, 13)
        let mut a = vec![0.0; PIXELS];
        warp_into(
            &img,
            &mut a,
            &Warp {
                rotate_deg: 90.0,
                ..Warp::default()
            },
        );
        // Offset from the centre (6.5, -0.5) turns into (-0.5, -6.5): pixel (13, 7).
        assert!(a[7 * SIDE + 13] > 0.99, "{}", a[7 * SIDE + 13]);
    }

    #[test]
    fn jitter_and_noise_stay_in_range_and_change_pixels() {
        let img = test_image();
        let aug = Augment {
            jitter: 1.0,
            noise: 0.3,
            ..Augment::default()
        };
        let mut out = vec![0.0; PIXELS];
        augment_into(&img, &mut out, &aug, &mut Rng::new(9));
        let lo = (0.0 - MNIST_MEAN) / MNIST_STD;
        let hi = (1.0 - MNIST_MEAN) / MNIST_STD;
        assert!(out.iter().all(|&v| v >= lo - 1e-6 && v <= hi + 1e-6));
        let mut plain = vec![0.0; PIXELS];
        normalize_into(&img, &mut plain);
        let changed = out.iter().zip(&plain).filter(|(a, b)| a != b).count();
        assert!(changed > PIXELS / 2, "{changed}");
    }
}
