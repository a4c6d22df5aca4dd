//! Data faults a learner switches on to break training: label noise and class imbalance.
//! Both act on labels only and are decided once, from their own seeded streams, when the trainer is built.

use super::CLASSES;
use crate::rng::Rng;

/// How corrupted labels are chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoiseKind {
    /// Symmetric noise: the new label is uniform over the 9 other classes.
    Uniform,
    /// Class-dependent noise: every corrupted label becomes its look-alike partner, `PAIR_FLIP[label]`.
    Pairs,
    /// Random labels: each chosen label is redrawn from all ten classes, so about one in ten stays
    /// right, and at 100% the labels carry no information about the images (the "random labels" of
    /// Zhang et al. 2017, "Understanding deep learning requires rethinking generalization", ICLR).
    /// Uniform noise at 100% is different: every label is wrong, which is information (the net can
    /// learn which digit an image is not).
    Random,
}

/// Partner class of each digit for `NoiseKind::Pairs` (index = true class, value = noisy class).
///
/// | class | 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 |
/// |-------|---|---|---|---|---|---|---|---|---|---|
/// | flips to | 6 | 7 | 7 | 8 | 9 | 6 | 5 | 1 | 3 | 4 |
///
/// The look-alike flips 2→7, 3→8, 5↔6, 7→1 are the MNIST class-dependent noise of Patrini et al.
/// 2017 ("Making deep neural networks robust to label noise: a loss correction approach", CVPR);
/// 1→7, 4↔9 and 8→3 complete the common confusions, and 0→6 (a 6 is a 0 with a hook) gives 0 a
/// partner. Ten classes cannot all pair off with a look-alike, so the table is not an involution:
/// 7 receives flips from 1 and 2, 6 from 0 and 5. No class maps to itself.
pub const PAIR_FLIP: [u8; CLASSES] = [6, 7, 7, 8, 9, 6, 5, 1, 3, 4];

/// Corrupts exactly round(fraction * N) labels, chosen at random, and returns the corrupted mask
/// (for `Random`, the chosen labels are redrawn and the mask marks those that changed).
///
/// A random subset rather than a coin flip per label, so the corrupted fraction is exact: the
/// lesson compares "40% noise" with its curve, and a binomial draw would blur that on small sets.
/// `fraction` is clamped to [0, 1] (NaN counts as 0). Every label the mask marks differs from its old one.
pub fn apply_label_noise(
    labels: &mut [u8],
    fraction: f32,
    kind: NoiseKind,
    rng: &mut Rng,
) -> Vec<bool> {
    let n = labels.len();
    let fraction = if fraction > 0.0 {
        fraction.min(1.0)
    } else {
        0.0
    };
    let k = ((fraction as f64) * n as f64).round() as usize;
    let mut mask = vec![false; n];
    for i in choose(n, k, rng) {
        let old = labels[i];
        debug_assert!((old as usize) < CLASSES, "label {old} at {i}");
        labels[i] = match kind {
            // Adding 1..=9 modulo 10 reaches each other class exactly once.
            NoiseKind::Uniform => ((old as usize + 1 + rng.below(CLASSES - 1)) % CLASSES) as u8,
            NoiseKind::Pairs => PAIR_FLIP[old as usize],
            NoiseKind::Random => rng.below(CLASSES) as u8,
        };
        mask[i] = labels[i] != old;
    }
    mask
}

/// k distinct indices out of 0..n, uniformly at random (a partial Fisher–Yates shuffle).
fn choose(n: usize, k: usize, rng: &mut Rng) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + rng.below(n - i);
        idx.swap(i, j);
    }
    idx.truncate(k);
    idx
}

/// Which samples to drop so that some classes become rare.
#[derive(Clone, Debug, PartialEq)]
pub enum Imbalance {
    /// Keep everything.
    None,
    /// Each listed class keeps round(keep * count) of its samples (at least 1); the others keep all.
    Classes { classes: Vec<u8>, keep: f32 },
    /// Class c keeps round(count_c * ratio^(-c/9)) (at least 1): class 0 keeps all, class 9 keeps 1/ratio.
    LongTail { ratio: f32 },
}

/// How many of `count` samples of `class` survive `imb` (0 only when `count` is 0).
pub fn kept_count(count: usize, class: u8, imb: &Imbalance) -> usize {
    let share = match imb {
        Imbalance::None => 1.0,
        Imbalance::Classes { classes, keep } => {
            if classes.contains(&class) {
                keep.clamp(0.0, 1.0) as f64
            } else {
                1.0
            }
        }
        // The long-tail profile of Cui et al. 2019 ("Class-balanced loss based on effective number of
        // samples", CVPR: n_c = n_max * mu^c with imbalance factor n_max / n_min = ratio).
        Imbalance::LongTail { ratio } => (ratio.max(1.0) as f64).powf(-(class as f64) / 9.0),
    };
    if count == 0 {
        0
    } else {
        ((count as f64 * share).round() as usize).clamp(1, count)
    }
}

/// Indices (in original order) of the samples that survive `imb`; the survivors of a thinned class are random.
pub fn imbalance_indices(labels: &[u8], imb: &Imbalance, rng: &mut Rng) -> Vec<usize> {
    if *imb == Imbalance::None {
        return (0..labels.len()).collect();
    }
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); CLASSES];
    for (i, &l) in labels.iter().enumerate() {
        by_class[l as usize].push(i);
    }
    let mut keep = vec![false; labels.len()];
    for (c, members) in by_class.iter().enumerate() {
        let k = kept_count(members.len(), c as u8, imb);
        for j in choose(members.len(), k, rng) {
            keep[members[j]] = true;
        }
    }
    (0..labels.len()).filter(|&i| keep[i]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::streams;

    #[test]
    fn pair_table_has_no_fixed_point_and_contains_the_named_pairs() {
        for (c, &p) in PAIR_FLIP.iter().enumerate() {
            assert_ne!(c as u8, p, "class {c} flips to itself");
        }
        for (a, b) in [
            (1, 7),
            (4, 9),
            (9, 4),
            (3, 8),
            (8, 3),
            (5, 6),
            (6, 5),
            (2, 7),
            (7, 1),
        ] {
            assert_eq!(PAIR_FLIP[a], b, "{a}");
        }
    }

    #[test]
    fn noise_count_is_exact_and_deterministic() {
        let base: Vec<u8> = (0..1001).map(|i| (i % 10) as u8).collect();
        let mut a = base.clone();
        let mut b = base.clone();
        let ma = apply_label_noise(
            &mut a,
            0.25,
            NoiseKind::Uniform,
            &mut Rng::stream(5, streams::NOISE),
        );
        let mb = apply_label_noise(
            &mut b,
            0.25,
            NoiseKind::Uniform,
            &mut Rng::stream(5, streams::NOISE),
        );
        assert_eq!(a, b);
        assert_eq!(ma, mb);
        assert_eq!(ma.iter().filter(|&&m| m).count(), 250); // round(250.25)
        for i in 0..base.len() {
            assert_eq!(ma[i], a[i] != base[i], "sample {i}");
        }
    }

    #[test]
    fn random_labels_at_100_keep_about_one_in_ten() {
        let base: Vec<u8> = (0..10_000).map(|i| (i % 10) as u8).collect();
        let mut l = base.clone();
        let m = apply_label_noise(&mut l, 1.0, NoiseKind::Random, &mut Rng::new(3));
        let kept = m.iter().filter(|&&c| !c).count();
        // Binomial(10000, 0.1): mean 1000, σ 30.
        assert!((880..=1120).contains(&kept), "{kept} labels stayed right");
        for i in 0..base.len() {
            assert_eq!(m[i], l[i] != base[i], "sample {i}");
        }
        let mut counts = [0usize; CLASSES];
        l.iter().for_each(|&y| counts[y as usize] += 1);
        assert!(
            counts.iter().all(|&c| (850..=1150).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn out_of_range_fractions_are_clamped() {
        let mut l = vec![3u8; 20];
        let m = apply_label_noise(&mut l, f32::NAN, NoiseKind::Pairs, &mut Rng::new(1));
        assert!(m.iter().all(|&x| !x));
        let m = apply_label_noise(&mut l, 7.0, NoiseKind::Pairs, &mut Rng::new(1));
        assert!(m.iter().all(|&x| x));
        assert!(l.iter().all(|&x| x == 8));
    }

    #[test]
    fn kept_counts_follow_the_formulas() {
        let lt = Imbalance::LongTail { ratio: 100.0 };
        assert_eq!(kept_count(1000, 0, &lt), 1000);
        assert_eq!(kept_count(1000, 9, &lt), 10);
        assert_eq!(
            kept_count(1000, 3, &lt),
            (1000.0 * 100f64.powf(-3.0 / 9.0)).round() as usize
        );
        assert_eq!(kept_count(5, 9, &Imbalance::LongTail { ratio: 1000.0 }), 1);
        let cl = Imbalance::Classes {
            classes: vec![2],
            keep: 0.001,
        };
        assert_eq!(kept_count(900, 2, &cl), 1);
        assert_eq!(kept_count(900, 3, &cl), 900);
        assert_eq!(kept_count(0, 2, &cl), 0);
    }
}
