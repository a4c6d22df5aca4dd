#![cfg(not(target_arch = "wasm32"))]
//! The data layer against real MNIST (the committed 500-image test fixture) and against itself:
//! label noise, imbalance, augmentation geometry, IDX errors, and the synthetic generator.

use losslab::data::augment::{augment_into, hflip, rot180, vflip, warp_into, Augment, Warp};
use losslab::data::faults::{
    apply_label_noise, imbalance_indices, Imbalance, NoiseKind, PAIR_FLIP,
};
use losslab::data::idx::{
    dataset_from_idx, parse_idx_images, parse_idx_labels, DataError, IdxFile,
};
use losslab::data::synthetic::{centre_of_mass, synthetic_digits};
use losslab::data::{fill_batch, normalize_into, Dataset, CLASSES, MNIST_MEAN, MNIST_STD, PIXELS};
use losslab::rng::{streams, Rng};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (make it with `node scripts/make-fixture.mjs`)"))
}

fn mnist500() -> Dataset {
    dataset_from_idx(
        &fixture("mnist-test500-images.idx"),
        &fixture("mnist-test500-labels.idx"),
    )
    .unwrap()
}

fn labels_10k(seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed);
    (0..10_000).map(|_| r.below(CLASSES) as u8).collect()
}

// ---------------------------------------------------------------- IDX

#[test]
fn fixture_parses_to_the_known_mnist_test_labels() {
    let ds = mnist500();
    assert_eq!(ds.len(), 500);
    assert_eq!(ds.images.len(), 500 * PIXELS);
    assert_eq!(&ds.labels[..10], &[7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    // Every MNIST image is centred by its centre of mass (MNIST page); a decoding slip would break that.
    for i in 0..ds.len() {
        let (x, y) = centre_of_mass(ds.image(i));
        assert!(
            (x - 14.0).abs() < 1.5 && (y - 14.0).abs() < 1.5,
            "image {i}: ({x}, {y})"
        );
    }
}

#[test]
fn truncated_garbled_and_gzipped_files_give_the_right_error() {
    let images = fixture("mnist-test500-images.idx");
    let labels = fixture("mnist-test500-labels.idx");

    let e = parse_idx_images(&images[..512]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the image file is truncated: header says 500 images of 28x28 (392016 bytes) but the file has \
         512 bytes — re-run `npm run prepare-data`"
    );
    let e = parse_idx_labels(&labels[..100]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the label file is truncated: header says 500 labels (508 bytes)"),
        "{e}"
    );

    let mut garbled = images.clone();
    garbled[2] = 0x0d; // type code 0x0d (f32) instead of 0x08 (u8)
    let e = parse_idx_images(&garbled).unwrap_err();
    assert_eq!(
        e,
        DataError::BadMagic {
            file: IdxFile::Images,
            magic: 0x0000_0d03
        }
    );
    assert!(
        e.to_string()
            .starts_with("not an IDX image file (magic 0x00000d03"),
        "{e}"
    );

    let e = dataset_from_idx(&labels, &images).unwrap_err();
    assert!(e.to_string().contains("swapped"), "{e}");

    // What a browser hands over when nobody inflated the .gz (RFC 1952 member header).
    let mut gz = vec![0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x02, 0x03];
    gz.extend_from_slice(&images[..100]);
    let e = dataset_from_idx(&gz, &labels).unwrap_err();
    assert!(e.to_string().contains("still gzip-compressed"), "{e}");

    let mut bad_label = labels.clone();
    bad_label[8 + 17] = 42;
    let e = dataset_from_idx(&images, &bad_label).unwrap_err();
    assert_eq!(
        e,
        DataError::BadLabel {
            index: 17,
            value: 42
        }
    );

    let mut short = labels[..8 + 499].to_vec();
    short[4..8].copy_from_slice(&499u32.to_be_bytes());
    assert_eq!(
        dataset_from_idx(&images, &short).unwrap_err(),
        DataError::CountMismatch {
            images: 500,
            labels: 499
        }
    );
}

// ---------------------------------------------------------------- label noise

#[test]
fn label_noise_flips_the_requested_fraction_and_never_to_the_own_class() {
    let clean = labels_10k(1);
    for (fraction, kind) in [
        (0.0, NoiseKind::Uniform),
        (0.1, NoiseKind::Uniform),
        (0.4, NoiseKind::Uniform),
        (1.0, NoiseKind::Uniform),
        (0.4, NoiseKind::Pairs),
        (1.0, NoiseKind::Pairs),
    ] {
        let mut noisy = clean.clone();
        let mask = apply_label_noise(
            &mut noisy,
            fraction,
            kind,
            &mut Rng::stream(3, streams::NOISE),
        );
        let changed = (0..clean.len()).filter(|&i| noisy[i] != clean[i]).count();
        let flagged = mask.iter().filter(|&&m| m).count();
        let got = changed as f32 / clean.len() as f32;
        assert!(
            (got - fraction).abs() <= 0.01,
            "{kind:?} {fraction}: flipped {got}"
        );
        assert_eq!(
            changed, flagged,
            "{kind:?} {fraction}: every flagged label changed, no other did"
        );
        for i in 0..clean.len() {
            assert!(noisy[i] < 10);
            assert_eq!(
                mask[i],
                noisy[i] != clean[i],
                "{kind:?} {fraction}: sample {i}"
            );
        }
    }
}

#[test]
fn uniform_noise_spreads_over_the_other_nine_classes() {
    let clean = vec![3u8; 9000];
    let mut noisy = clean.clone();
    apply_label_noise(&mut noisy, 1.0, NoiseKind::Uniform, &mut Rng::new(8));
    let mut counts = [0usize; CLASSES];
    for &l in &noisy {
        counts[l as usize] += 1;
    }
    assert_eq!(counts[3], 0);
    for (c, &n) in counts.iter().enumerate().filter(|&(c, _)| c != 3) {
        // 1000 expected; 5 binomial standard deviations is about ±150.
        assert!((850..1150).contains(&n), "class {c}: {n} ({counts:?})");
    }
}

#[test]
fn pair_noise_goes_to_the_partner_class() {
    let clean = labels_10k(2);
    let mut noisy = clean.clone();
    let mask = apply_label_noise(&mut noisy, 0.3, NoiseKind::Pairs, &mut Rng::new(4));
    for i in 0..clean.len() {
        let want = if mask[i] {
            PAIR_FLIP[clean[i] as usize]
        } else {
            clean[i]
        };
        assert_eq!(noisy[i], want, "sample {i}");
    }
    assert_eq!(&PAIR_FLIP[..], &[6, 7, 7, 8, 9, 6, 5, 1, 3, 4]);
}

// ---------------------------------------------------------------- imbalance

fn counts_of(labels: &[u8], idx: &[usize]) -> [usize; CLASSES] {
    let mut c = [0usize; CLASSES];
    for &i in idx {
        c[labels[i] as usize] += 1;
    }
    c
}

#[test]
fn imbalance_keeps_the_requested_counts_in_original_order() {
    let labels = labels_10k(5);
    let full = counts_of(&labels, &(0..labels.len()).collect::<Vec<_>>());

    let none = imbalance_indices(&labels, &Imbalance::None, &mut Rng::new(1));
    assert_eq!(none, (0..labels.len()).collect::<Vec<_>>());

    let imb = Imbalance::Classes {
        classes: vec![0, 1, 2, 3, 4],
        keep: 0.1,
    };
    let idx = imbalance_indices(&labels, &imb, &mut Rng::stream(1, streams::IMBALANCE));
    assert!(idx.windows(2).all(|w| w[0] < w[1]), "sorted and distinct");
    let got = counts_of(&labels, &idx);
    for c in 0..CLASSES {
        let want = if c < 5 {
            ((full[c] as f64 * 0.1).round() as usize).max(1)
        } else {
            full[c]
        };
        assert_eq!(got[c], want, "class {c}");
    }

    let idx = imbalance_indices(
        &labels,
        &Imbalance::LongTail { ratio: 100.0 },
        &mut Rng::new(2),
    );
    assert!(idx.windows(2).all(|w| w[0] < w[1]));
    let got = counts_of(&labels, &idx);
    for c in 0..CLASSES {
        let want = ((full[c] as f64 * 100f64.powf(-(c as f64) / 9.0)).round() as usize).max(1);
        assert_eq!(got[c], want, "class {c}");
    }
    // Class 9 is 100 times rarer than class 0, give or take the class sizes of the draw.
    let ratio = (got[0] as f64 / full[0] as f64) / (got[9] as f64 / full[9] as f64);
    assert!((ratio - 100.0).abs() < 5.0, "{ratio}");

    // A class thinned to almost nothing still keeps one sample.
    let tiny = imbalance_indices(
        &labels,
        &Imbalance::Classes {
            classes: vec![7],
            keep: 0.001,
        },
        &mut Rng::new(3),
    );
    assert_eq!(counts_of(&labels, &tiny)[7], 1);
}

// ---------------------------------------------------------------- augmentation

#[test]
fn flips_and_half_turns_are_exact_permutations() {
    let ds = mnist500();
    for i in 0..20 {
        let img = ds.image(i);
        assert_eq!(hflip(&hflip(img)), img, "hflip twice, image {i}");
        assert_eq!(rot180(&rot180(img)), img, "rot180 twice, image {i}");
        assert_eq!(
            rot180(img),
            vflip(&hflip(img)),
            "rot180 = hflip + vflip, image {i}"
        );
        assert_ne!(hflip(img), img, "image {i} is not mirror-symmetric");
        // Pixel (x, y) lands on (27 - x, y).
        assert_eq!(hflip(img)[5 * 28 + 27 - 9], img[5 * 28 + 9]);
    }
}

#[test]
fn zero_strength_augmentation_equals_plain_normalisation() {
    let ds = mnist500();
    let idx: Vec<usize> = (0..64).collect();
    let mut plain = vec![0.0; 64 * PIXELS];
    for (k, &i) in idx.iter().enumerate() {
        normalize_into(ds.image(i), &mut plain[k * PIXELS..(k + 1) * PIXELS]);
    }
    let mut x = vec![0.0; 64 * PIXELS];
    let mut y = vec![0; 64];
    fill_batch(
        &ds,
        &idx,
        &Augment::default(),
        &mut Rng::new(1),
        &mut x,
        &mut y,
    );
    assert_eq!(x, plain);
    // The augmenting path with every strength at zero is bit-identical too.
    for (k, &i) in idx.iter().enumerate() {
        let mut out = vec![0.0; PIXELS];
        augment_into(
            ds.image(i),
            &mut out,
            &Augment::default(),
            &mut Rng::new(k as u64),
        );
        assert_eq!(out, plain[k * PIXELS..(k + 1) * PIXELS]);
    }
    // And the first pixel of a blank corner is exactly -mean/std.
    assert_eq!(x[0], (0.0 - MNIST_MEAN) / MNIST_STD);
}

#[test]
fn augmentation_keeps_shapes_and_labels_and_is_reproducible() {
    let ds = mnist500();
    let aug = Augment {
        shift: 3.0,
        rotate: 30.0,
        scale: 0.2,
        shear: 0.3,
        hflip: 0.5,
        rot180: 0.5,
        jitter: 0.5,
        noise: 0.1,
    };
    assert!(!aug.is_identity());
    let idx: Vec<usize> = (0..ds.len()).rev().step_by(3).collect();
    let n = idx.len();
    let (mut x, mut y) = (vec![f32::NAN; n * PIXELS], vec![255u8; n]);
    fill_batch(
        &ds,
        &idx,
        &aug,
        &mut Rng::stream(1, streams::AUGMENT),
        &mut x,
        &mut y,
    );
    let want: Vec<u8> = idx.iter().map(|&i| ds.labels[i]).collect();
    assert_eq!(y, want, "augmentation never changes labels");
    let (lo, hi) = (
        -MNIST_MEAN / MNIST_STD - 1e-5,
        (1.0 - MNIST_MEAN) / MNIST_STD + 1e-5,
    );
    assert!(x.iter().all(|v| v.is_finite() && (lo..=hi).contains(v)));

    let (mut x2, mut y2) = (vec![0.0; n * PIXELS], vec![0u8; n]);
    fill_batch(
        &ds,
        &idx,
        &aug,
        &mut Rng::stream(1, streams::AUGMENT),
        &mut x2,
        &mut y2,
    );
    assert_eq!(x, x2, "same seed, same batch");
    let mut plain = vec![0.0; PIXELS];
    normalize_into(ds.image(idx[0]), &mut plain);
    assert_ne!(&x[..PIXELS], &plain[..], "augmentation changed the image");
}

#[test]
fn certain_half_turn_in_augment_matches_rot180() {
    let ds = mnist500();
    let aug = Augment {
        rot180: 1.0,
        ..Augment::default()
    };
    let mut out = vec![0.0; PIXELS];
    let mut want = vec![0.0; PIXELS];
    augment_into(ds.image(6), &mut out, &aug, &mut Rng::new(1));
    normalize_into(&rot180(ds.image(6)), &mut want);
    assert_eq!(out, want);
}

/// Ink bounding box (x0, y0, x1, y1), inclusive, of the pixels above zero.
fn ink_box(img: &[u8]) -> (usize, usize, usize, usize) {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for (i, _) in img.iter().enumerate().filter(|(_, &p)| p > 0) {
        let (x, y) = (i % 28, i / 28);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    (x0, y0, x1, y1)
}

#[test]
fn an_integer_shift_moves_the_centre_of_mass_by_that_amount() {
    let ds = mnist500();
    let mut checked = 0;
    for i in 0..100 {
        let img = ds.image(i);
        let (x0, y0) = centre_of_mass(img);
        let (bx0, by0, bx1, by1) = ink_box(img);
        for (dx, dy) in [(3isize, -2isize), (-4, 4), (1, 0), (0, -3)] {
            // Only shifts that lose no ink off the edge keep the mass centre exact.
            let inside =
                |lo: usize, hi: usize, d: isize| lo as isize + d >= 0 && hi as isize + d <= 27;
            if !(inside(bx0, bx1, dx) && inside(by0, by1, dy)) {
                continue;
            }
            let mut out = vec![0.0; PIXELS];
            warp_into(
                img,
                &mut out,
                &Warp {
                    dx: dx as f32,
                    dy: dy as f32,
                    ..Warp::default()
                },
            );
            let (x1, y1) = centre_of_mass(&out);
            assert!(
                (x1 - x0 - dx as f32).abs() < 1e-3 && (y1 - y0 - dy as f32).abs() < 1e-3,
                "image {i} by ({dx}, {dy}): ({x0}, {y0}) -> ({x1}, {y1})"
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} of 400 shifts stayed inside");
}

#[test]
fn the_warp_moves_a_blob_where_the_forward_affine_map_says() {
    // Independent check of the map's composition: a smooth blob's mass centre must land on
    // p' = c + t + R Sh S (p - c), computed here step by step (bilinear resampling of a smooth
    // blob preserves its mass centre to a few hundredths of a pixel).
    let (bx, by, sigma) = (19.0f32, 9.0f32, 1.6f32);
    let blob: Vec<u8> = (0..PIXELS)
        .map(|i| {
            let (x, y) = ((i % 28) as f32 - bx, (i / 28) as f32 - by);
            (255.0 * (-(x * x + y * y) / (2.0 * sigma * sigma)).exp()).round() as u8
        })
        .collect();
    let (px, py) = centre_of_mass(&blob);
    let c = 13.5f32;
    for w in [
        Warp {
            scale: 0.8,
            ..Warp::default()
        },
        Warp {
            scale: 1.25,
            dx: -2.0,
            ..Warp::default()
        },
        Warp {
            rotate_deg: 90.0,
            ..Warp::default()
        },
        Warp {
            rotate_deg: 30.0,
            shear: 0.3,
            scale: 0.9,
            dx: 1.5,
            dy: -0.5,
        },
    ] {
        let (mut x, mut y) = (px - c, py - c);
        (x, y) = (x * w.scale, y * w.scale);
        x += w.shear * y;
        let (s, co) = w.rotate_deg.to_radians().sin_cos();
        (x, y) = (x * co + y * s, -x * s + y * co); // counter-clockwise on screen (y points down)
        let (wx, wy) = (c + w.dx + x, c + w.dy + y);
        let mut out = vec![0.0; PIXELS];
        warp_into(&blob, &mut out, &w);
        let (gx, gy) = centre_of_mass(&out);
        assert!(
            (gx - wx).abs() < 0.05 && (gy - wy).abs() < 0.05,
            "{w:?}: got ({gx}, {gy}), want ({wx}, {wy})"
        );
    }
}

// ---------------------------------------------------------------- synthetic digits

#[test]
fn synthetic_digits_are_deterministic_balanced_centred_and_inked_like_mnist() {
    let t = std::time::Instant::now();
    let ds = synthetic_digits(10_000, 7);
    eprintln!("10,000 synthetic digits in {:?}", t.elapsed());
    assert!(ds.synthetic);
    assert_eq!(ds.len(), 10_000);
    assert_eq!(ds.class_counts(), [1000; 10]);
    let again = synthetic_digits(10_000, 7);
    assert_eq!(ds.images, again.images);
    assert_eq!(ds.labels, again.labels);
    assert_ne!(ds.images, synthetic_digits(10_000, 8).images);

    let real = mnist500();
    let stats = |d: &Dataset| {
        let n = d.len() as f64;
        let (mut cx, mut cy, mut mean, mut ink) = (0.0, 0.0, 0.0, 0.0);
        for i in 0..d.len() {
            let (x, y) = centre_of_mass(d.image(i));
            cx += x as f64 / n;
            cy += y as f64 / n;
            mean += d.image(i).iter().map(|&p| p as f64).sum::<f64>() / 255.0 / PIXELS as f64 / n;
            ink += d.image(i).iter().filter(|&&p| p > 127).count() as f64 / PIXELS as f64 / n;
        }
        (cx, cy, mean, ink)
    };
    let (cx, cy, mean, ink) = stats(&ds);
    let (_, _, real_mean, real_ink) = stats(&real);
    eprintln!("synthetic: com ({cx:.3}, {cy:.3}) mean {mean:.4} ink {ink:.4}; MNIST: mean {real_mean:.4} ink {real_ink:.4}");
    assert!((cx - 14.0).abs() < 0.1 && (cy - 14.0).abs() < 0.1);
    // Ink like MNIST's (mean pixel 0.13, 13% of pixels above half intensity), within a quarter.
    assert!(
        (mean / real_mean - 1.0).abs() < 0.25,
        "mean {mean} vs {real_mean}"
    );
    assert!(
        (ink / real_ink - 1.0).abs() < 0.25,
        "ink {ink} vs {real_ink}"
    );
    for i in 0..ds.len() {
        let img = ds.image(i);
        let (x, y) = centre_of_mass(img);
        assert!(
            (x - 14.0).abs() < 1.0 && (y - 14.0).abs() < 1.0,
            "sample {i}: ({x}, {y})"
        );
        // The 500 fixture digits have 22..=225 pixels above half intensity; a thin-pen 1 may have fewer.
        let inked = img.iter().filter(|&&p| p > 127).count();
        assert!(
            (15..300).contains(&inked),
            "sample {i} ({}) has {inked} inked pixels",
            ds.labels[i]
        );
        // MNIST normalisation: the ink is fitted into a 20x20 box (its faint anti-aliased rim may
        // spill half a pixel further), so the longer side of the ink box spans 18..=21 pixels.
        let (x0, y0, x1, y1) = ink_box(img);
        let side = (x1 - x0).max(y1 - y0) + 1;
        assert!(
            (18..=21).contains(&side),
            "sample {i} ({}): ink box {side} pixels",
            ds.labels[i]
        );
    }
}

/// Nearest class mean, in pixel space: a weak classifier, so whatever it separates, a CNN separates easily.
fn nearest_centroid_accuracy(train: &Dataset, test: &Dataset) -> f64 {
    let mut means = vec![[0.0f64; PIXELS]; CLASSES];
    let counts = train.class_counts();
    for i in 0..train.len() {
        let c = train.labels[i] as usize;
        for (m, &p) in means[c].iter_mut().zip(train.image(i)) {
            *m += p as f64 / counts[c] as f64;
        }
    }
    let correct = (0..test.len())
        .filter(|&i| {
            let d = |c: usize| {
                means[c]
                    .iter()
                    .zip(test.image(i))
                    .map(|(m, &p)| (m - p as f64).powi(2))
                    .sum::<f64>()
            };
            let best = (0..CLASSES).min_by(|&a, &b| d(a).total_cmp(&d(b))).unwrap();
            best == test.labels[i] as usize
        })
        .count();
    correct as f64 / test.len() as f64
}

#[test]
fn synthetic_classes_are_distinct_like_real_digits() {
    let train = synthetic_digits(5000, 1);
    let test = synthetic_digits(1000, 2);
    let synth = nearest_centroid_accuracy(&train, &test);
    let to_real = nearest_centroid_accuracy(&train, &mnist500());
    eprintln!(
        "nearest centroid: synthetic -> synthetic {synth:.3}, synthetic -> real MNIST {to_real:.3}"
    );
    // Nearest centroid reaches about 0.82 on real MNIST; the synthetic classes must be as separable.
    assert!(synth > 0.7, "{synth}");
    // Learnt on synthetic strokes, it still reads real digits far above chance (0.1).
    assert!(to_real > 0.4, "{to_real}");
}
