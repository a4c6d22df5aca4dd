//! Procedural MNIST-like digits: the offline fallback and a deterministic data set for tests.
//!
//! Recipe (docs: shared notes `datasets.md` section 5, itself after the `mnist-synthetic` idea): per-digit
//! pen strokes in a unit box with random proportions and variants, a smooth random warp (handwriting
//! wobble), a random affine map, a random pen width, anti-aliased rasterisation by distance to the
//! stroke segments, then MNIST's own normalisation (LeCun et al., MNIST page: "normalized to fit in a
//! 20x20 pixel box while preserving their aspect ratio ... centered in a 28x28 image by computing the
//! center of mass of the pixels"). It is a stand-in for real digits, not a substitute: the page labels it.

use super::{Dataset, CLASSES, PIXELS, SIDE};
use crate::rng::{streams, Rng};

type Pt = (f32, f32);

/// Where MNIST puts the centre of mass, in pixel-index coordinates: measured on the 10,000 test
/// images as (14.01, 13.99) (x, y); the MNIST page says the digits are centred at the mass centre.
const COM_TARGET: f32 = 14.0;
/// Side of the box the digit, ink included, is fitted into.
const FIT_BOX: f32 = 20.0;

/// `n` synthetic digits with balanced labels (each class n/10 times, ±1), shuffled; same seed, same images.
pub fn synthetic_digits(n: usize, seed: u64) -> Dataset {
    let mut rng = Rng::stream(seed, streams::SYNTHETIC);
    let mut labels: Vec<u8> = (0..n).map(|i| (i % CLASSES) as u8).collect();
    rng.shuffle(&mut labels);
    let mut images = vec![0u8; n * PIXELS];
    let mut pen = Pen::default();
    for (img, &label) in images.chunks_exact_mut(PIXELS).zip(&labels) {
        pen.draw_digit(label, &mut rng, img);
    }
    Dataset {
        images,
        labels,
        synthetic: true,
    }
}

/// Scratch buffers reused from one digit to the next.
#[derive(Default)]
struct Pen {
    strokes: Vec<Vec<Pt>>,
    dist2: Vec<f32>,
    ink: Vec<f32>,
}

fn u(rng: &mut Rng, lo: f32, hi: f32) -> f32 {
    rng.uniform(lo, hi)
}

/// Appends an elliptic arc from angle a0 to a1 (degrees; 0 = right, 90 = down because y points down).
fn arc(s: &mut Vec<Pt>, c: Pt, r: Pt, a0: f32, a1: f32) {
    let steps = ((a1 - a0).abs() / 10.0).ceil().max(2.0) as usize;
    for k in 0..=steps {
        let a = (a0 + (a1 - a0) * k as f32 / steps as f32).to_radians();
        s.push((c.0 + r.0 * a.cos(), c.1 + r.1 * a.sin()));
    }
}

fn arc_point(c: Pt, r: Pt, a: f32) -> Pt {
    let a = a.to_radians();
    (c.0 + r.0 * a.cos(), c.1 + r.1 * a.sin())
}

/// Appends a quadratic Bézier from the stroke's last point through control `c` to `p`.
fn bezier(s: &mut Vec<Pt>, c: Pt, p: Pt) {
    let p0 = *s.last().expect("a Bézier continues a stroke");
    for k in 1..=12 {
        let t = k as f32 / 12.0;
        let (a, b, d) = ((1.0 - t) * (1.0 - t), 2.0 * (1.0 - t) * t, t * t);
        s.push((a * p0.0 + b * c.0 + d * p.0, a * p0.1 + b * c.1 + d * p.1));
    }
}

/// Pen strokes of one digit in a unit box (x right, y down), with random proportions and variants.
fn template(d: u8, rng: &mut Rng, out: &mut Vec<Vec<Pt>>) {
    out.clear();
    let mut s: Vec<Pt> = Vec::with_capacity(64);
    let v = rng.next_f32();
    match d {
        0 => {
            // An oval started near the top, often closed with a little overlap.
            let a0 = u(rng, -125.0, -55.0);
            let sweep = 360.0 + u(rng, -20.0, 35.0);
            arc(&mut s, (0.5, 0.5), (u(rng, 0.3, 0.5), 0.5), a0, a0 + sweep);
        }
        1 => {
            let (top, bottom) = (
                (0.5 + u(rng, -0.04, 0.04), 0.0),
                (0.5 + u(rng, -0.04, 0.04), 1.0),
            );
            if v < 0.55 {
                s.extend([top, bottom]);
            } else {
                // A flag at the top, sometimes a foot as well.
                s.extend([(top.0 - u(rng, 0.12, 0.28), u(rng, 0.1, 0.28)), top, bottom]);
                if v > 0.85 {
                    out.push(std::mem::take(&mut s));
                    let w = u(rng, 0.14, 0.25);
                    s.extend([(bottom.0 - w, 1.0), (bottom.0 + w, 1.0)]);
                }
            }
        }
        2 => {
            let bottom_left = (u(rng, 0.02, 0.15), 1.0 + u(rng, -0.03, 0.0));
            let base_end = (u(rng, 0.82, 1.0), 1.0 + u(rng, -0.04, 0.03));
            if v < 0.8 {
                let c = (0.5, u(rng, 0.25, 0.32));
                let r = (u(rng, 0.3, 0.4), u(rng, 0.23, 0.3));
                arc(&mut s, c, r, u(rng, -205.0, -165.0), u(rng, 5.0, 40.0));
                if v < 0.5 {
                    s.push(bottom_left);
                } else {
                    // A swan neck: the diagonal bows out to the lower right.
                    bezier(&mut s, (u(rng, 0.5, 0.7), u(rng, 0.6, 0.78)), bottom_left);
                }
            } else {
                // An angular 2.
                s.extend([
                    (u(rng, 0.1, 0.2), u(rng, 0.1, 0.2)),
                    (0.5, 0.0),
                    (u(rng, 0.78, 0.88), u(rng, 0.12, 0.22)),
                    (u(rng, 0.75, 0.85), u(rng, 0.35, 0.45)),
                    bottom_left,
                ]);
            }
            s.push(base_end);
        }
        3 => {
            if v < 0.75 {
                // Two bowls that meet in the middle.
                let mid = u(rng, 0.44, 0.52);
                let cu = (0.5 + u(rng, -0.04, 0.03), mid * 0.5);
                let ru = (u(rng, 0.24, 0.33), mid * 0.5);
                arc(&mut s, cu, ru, u(rng, -175.0, -140.0), 90.0);
                let rl = (u(rng, 0.3, 0.4), (1.0 - mid) * 0.5);
                let cl = (cu.0 + u(rng, -0.02, 0.06), mid + rl.1);
                s.push((cl.0 - u(rng, 0.0, 0.12), mid));
                arc(&mut s, cl, rl, -90.0, u(rng, 135.0, 170.0));
            } else {
                // A flat-topped 3: bar, diagonal, bowl.
                let mid = u(rng, 0.35, 0.45);
                s.extend([
                    (u(rng, 0.1, 0.2), 0.0),
                    (u(rng, 0.75, 0.88), u(rng, -0.02, 0.04)),
                ]);
                let rl = (u(rng, 0.32, 0.4), (1.0 - mid) * 0.5);
                let cl = (0.5, mid + rl.1);
                s.push(arc_point(cl, rl, -115.0));
                arc(&mut s, cl, rl, -115.0, u(rng, 135.0, 165.0));
            }
        }
        4 => {
            let bar_y = u(rng, 0.55, 0.7);
            let stem_x = u(rng, 0.58, 0.72);
            if v < 0.5 {
                // Closed 4: a diagonal from the top of the stem, then the crossbar.
                s.extend([
                    (stem_x + u(rng, -0.08, 0.02), 0.0),
                    (u(rng, 0.0, 0.12), bar_y),
                    (u(rng, 0.85, 1.0), bar_y + u(rng, -0.04, 0.04)),
                ]);
                out.push(std::mem::take(&mut s));
                s.extend([
                    (stem_x, u(rng, 0.1, 0.35)),
                    (stem_x + u(rng, -0.06, 0.04), 1.0),
                ]);
            } else {
                // Open 4: a left upright, the crossbar, a separate stem.
                s.extend([
                    (u(rng, 0.08, 0.22), 0.0),
                    (u(rng, 0.05, 0.15), bar_y),
                    (u(rng, 0.85, 1.0), bar_y + u(rng, -0.05, 0.03)),
                ]);
                out.push(std::mem::take(&mut s));
                s.extend([
                    (stem_x, u(rng, 0.0, 0.05)),
                    (stem_x + u(rng, -0.06, 0.04), 1.0),
                ]);
            }
        }
        5 => {
            let corner = (u(rng, 0.15, 0.3), u(rng, -0.02, 0.03));
            let c = (u(rng, 0.45, 0.52), u(rng, 0.66, 0.72));
            let r = (u(rng, 0.3, 0.38), u(rng, 0.26, 0.32));
            let a0 = u(rng, -150.0, -125.0);
            // Stem down from the corner, then the belly; the flag is a separate stroke, as usually written.
            s.push(corner);
            arc(&mut s, c, r, a0, u(rng, 125.0, 165.0));
            out.push(std::mem::take(&mut s));
            s.extend([corner, (u(rng, 0.75, 0.95), corner.1 + u(rng, -0.04, 0.02))]);
        }
        6 => {
            let c = (0.5, u(rng, 0.66, 0.72));
            let r = (u(rng, 0.27, 0.36), u(rng, 0.24, 0.3));
            s.push((u(rng, 0.55, 0.85), u(rng, 0.0, 0.05)));
            let left = arc_point(c, r, 180.0);
            bezier(&mut s, (u(rng, 0.1, 0.3), u(rng, 0.15, 0.35)), left);
            arc(&mut s, c, r, 180.0, 180.0 - u(rng, 320.0, 370.0));
        }
        7 => {
            let start = (u(rng, 0.02, 0.18), u(rng, 0.0, 0.08));
            let corner = (u(rng, 0.82, 0.98), u(rng, -0.02, 0.04));
            let foot = (u(rng, 0.28, 0.5), 1.0);
            if v < 0.15 {
                s.push((start.0, start.1 + u(rng, 0.1, 0.18)));
            }
            s.extend([start, corner]);
            if v < 0.6 {
                s.push(foot);
            } else {
                bezier(&mut s, (u(rng, 0.55, 0.75), u(rng, 0.4, 0.6)), foot);
            }
            if v > 0.85 {
                // A crossed 7.
                out.push(std::mem::take(&mut s));
                let y = u(rng, 0.45, 0.55);
                let x = corner.0 + (foot.0 - corner.0) * (y - corner.1) / (foot.1 - corner.1);
                s.extend([(x - u(rng, 0.18, 0.26), y), (x + u(rng, 0.12, 0.2), y)]);
            }
        }
        8 => {
            if v < 0.6 {
                // One continuous figure-of-eight: x = 0.5 + a sin 2t, y = 0.5 - 0.5 cos t, with
                // a smaller upper lobe and the crossing moved to `mid`.
                let (au, al) = (u(rng, 0.22, 0.3), u(rng, 0.28, 0.38));
                let mid = u(rng, 0.4, 0.5);
                let t0 = u(rng, -0.3, 0.1);
                let steps = 48;
                for k in 0..=steps {
                    let t =
                        t0 + (std::f32::consts::TAU + u(rng, 0.0, 0.02)) * k as f32 / steps as f32;
                    let yc = 0.5 - 0.5 * t.cos();
                    let a = if yc < 0.5 { au } else { al };
                    let y = if yc < 0.5 {
                        yc * 2.0 * mid
                    } else {
                        mid + (yc - 0.5) * 2.0 * (1.0 - mid)
                    };
                    s.push((0.5 + a * (2.0 * t).sin(), y));
                }
            } else {
                // Two stacked loops.
                let mid = u(rng, 0.42, 0.5);
                let a = u(rng, -120.0, -60.0);
                arc(
                    &mut s,
                    (0.5, mid * 0.5),
                    (u(rng, 0.2, 0.28), mid * 0.5),
                    a,
                    a + 365.0,
                );
                out.push(std::mem::take(&mut s));
                let b = u(rng, -120.0, -60.0);
                let rl = (u(rng, 0.28, 0.36), (1.0 - mid) * 0.5);
                arc(
                    &mut s,
                    (0.5 + u(rng, -0.03, 0.03), mid + rl.1),
                    rl,
                    b,
                    b + 365.0,
                );
            }
        }
        _ => {
            // 9: a loop drawn anticlockwise from its right side, then the tail.
            let c = (u(rng, 0.4, 0.48), u(rng, 0.25, 0.32));
            let r = (u(rng, 0.27, 0.36), u(rng, 0.22, 0.3));
            let a0 = u(rng, -25.0, 10.0);
            arc(&mut s, c, r, a0, a0 - u(rng, 340.0, 375.0));
            let right = arc_point(c, r, 0.0);
            s.push(right);
            if v < 0.65 {
                s.push((right.0 + u(rng, -0.15, 0.02), 1.0));
            } else {
                bezier(
                    &mut s,
                    (right.0 + u(rng, -0.02, 0.05), 0.85),
                    (right.0 - u(rng, 0.12, 0.3), 1.0),
                );
            }
        }
    }
    out.push(s);
}

impl Pen {
    /// Draws one digit of class `d` into `img` (784 u8).
    fn draw_digit(&mut self, d: u8, rng: &mut Rng, img: &mut [u8]) {
        let mut strokes = std::mem::take(&mut self.strokes);
        template(d, rng, &mut strokes);

        // Handwriting wobble: a smooth random displacement field, two plane waves per axis.
        let mut waves = [(0.0f32, 0.0f32, 0.0f32, 0.0f32); 4];
        for w in &mut waves {
            *w = (
                u(rng, 0.0, 0.045),
                u(rng, -6.0, 6.0),
                u(rng, -6.0, 6.0),
                u(rng, 0.0, std::f32::consts::TAU),
            );
        }
        // Affine map about the box centre, ranges from datasets.md section 5; the shear leans right more
        // often than left, like most MNIST writers (negative k moves the top of a glyph right).
        let (sn, cs) = u(rng, -15.0, 15.0).to_radians().sin_cos();
        let shear = u(rng, -0.38, 0.15);
        let (sx, sy) = (u(rng, 0.7, 1.15), u(rng, 0.85, 1.1));
        let half_width = u(rng, 0.85, 1.7);

        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in strokes.iter_mut().flatten() {
            let (mut x, mut y) = *p;
            let mut dx = 0.0;
            let mut dy = 0.0;
            for (k, &(a, fx, fy, ph)) in waves.iter().enumerate() {
                let v = a * (fx * x + fy * y + ph).sin();
                if k < 2 {
                    dx += v;
                } else {
                    dy += v;
                }
            }
            x += dx - 0.5;
            y += dy - 0.5;
            let (xs, ys) = (x * sx, y * sy);
            let xh = xs + shear * ys;
            let (xr, yr) = (cs * xh - sn * ys, sn * xh + cs * ys);
            *p = (xr, yr);
            x0 = x0.min(xr);
            x1 = x1.max(xr);
            y0 = y0.min(yr);
            y1 = y1.max(yr);
        }

        // Fit the ink into the 20x20 box, keeping the aspect ratio. The strokes are geometry, so they
        // are scaled here and rendered straight into 28x28 rather than rasterised large and resampled
        // (the notes' 56x56 step): one pass, and no resampling blur beyond the anti-aliased edge.
        let extent = (x1 - x0).max(y1 - y0).max(1e-3);
        let scale = (FIT_BOX - 2.0 * half_width - 0.5) / extent;
        let (bx, by) = ((x0 + x1) * 0.5, (y0 + y1) * 0.5);
        for p in strokes.iter_mut().flatten() {
            *p = ((p.0 - bx) * scale, (p.1 - by) * scale);
        }

        // Render once centred on the box, then again moved so the centre of mass lands on (14, 14).
        self.render(&strokes, half_width, (COM_TARGET, COM_TARGET));
        let (mx, my) = centre_of_mass(&self.ink);
        let offset = (2.0 * COM_TARGET - mx, 2.0 * COM_TARGET - my);
        self.render(&strokes, half_width, offset);
        for (o, &v) in img.iter_mut().zip(&self.ink) {
            *o = (v * 255.0).round() as u8;
        }
        self.strokes = strokes;
    }

    /// Anti-aliased strokes: ink = clamp(half_width + 0.5 - distance to the nearest segment, 0, 1),
    /// a one-pixel linear ramp at the edge, the box-filter coverage of a straight edge.
    fn render(&mut self, strokes: &[Vec<Pt>], half_width: f32, offset: Pt) {
        self.dist2.clear();
        self.dist2.resize(PIXELS, f32::MAX);
        let reach = half_width + 0.5;
        let last = (SIDE - 1) as f32;
        for s in strokes {
            let pts = s.iter().map(|p| (p.0 + offset.0, p.1 + offset.1));
            let segs = pts.clone().zip(pts.skip(1));
            for (a, b) in segs {
                let lo_x = (a.0.min(b.0) - reach).ceil().clamp(0.0, last) as usize;
                let hi_x = (a.0.max(b.0) + reach).floor().clamp(0.0, last) as usize;
                let lo_y = (a.1.min(b.1) - reach).ceil().clamp(0.0, last) as usize;
                let hi_y = (a.1.max(b.1) + reach).floor().clamp(0.0, last) as usize;
                let (ex, ey) = (b.0 - a.0, b.1 - a.1);
                let len2 = ex * ex + ey * ey;
                let inv = if len2 > 1e-12 { 1.0 / len2 } else { 0.0 };
                for y in lo_y..=hi_y {
                    for x in lo_x..=hi_x {
                        let (px, py) = (x as f32 - a.0, y as f32 - a.1);
                        let t = ((px * ex + py * ey) * inv).clamp(0.0, 1.0);
                        let (qx, qy) = (px - t * ex, py - t * ey);
                        let d2 = &mut self.dist2[y * SIDE + x];
                        *d2 = d2.min(qx * qx + qy * qy);
                    }
                }
            }
        }
        self.ink.clear();
        self.ink.extend(
            self.dist2
                .iter()
                .map(|&d2| (reach - d2.sqrt()).clamp(0.0, 1.0)),
        );
    }
}

/// Intensity-weighted mean (x, y) of pixel indices; the image centre (13.5, 13.5) if there is no ink.
pub fn centre_of_mass<T: Copy + Into<f64>>(img: &[T]) -> (f32, f32) {
    let (mut m, mut mx, mut my) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in img[..PIXELS].iter().enumerate() {
        let v: f64 = v.into();
        m += v;
        mx += v * (i % SIDE) as f64;
        my += v * (i / SIDE) as f64;
    }
    if m <= 0.0 {
        let c = (SIDE as f32 - 1.0) * 0.5;
        return (c, c);
    }
    ((mx / m) as f32, (my / m) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_balanced_and_centred() {
        let a = synthetic_digits(200, 11);
        let b = synthetic_digits(200, 11);
        assert_eq!(a.images, b.images);
        assert_eq!(a.labels, b.labels);
        assert_ne!(a.images, synthetic_digits(200, 12).images);
        assert!(a.synthetic);
        assert_eq!(a.class_counts(), [20; 10]);
        for i in 0..a.len() {
            let (x, y) = centre_of_mass(a.image(i));
            assert!(
                (x - 14.0).abs() < 0.6 && (y - 14.0).abs() < 0.6,
                "sample {i}: ({x}, {y})"
            );
        }
    }
}
