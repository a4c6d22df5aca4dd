//! The data a run trains and validates on: the loaded splits cut to the configured sizes, with the
//! configured data faults (class imbalance, then label noise) applied to the training split, and the
//! pipeline bugs that change the data: training sorted by class when it is not shuffled, validation
//! labels shifted, validation images copied from the training set. Each fault draws from its own
//! seeded stream, so the same seed gives the same data.

use super::faults::{apply_label_noise, imbalance_indices, Imbalance};
use super::Dataset;
use crate::config::{Config, ConfigError, ImbKind, Switch};
use crate::data::{CLASSES, PIXELS};
use crate::rng::{streams, Rng};

/// The splits of one run after the data faults.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Training samples after imbalance, with the labels trained on (after label noise).
    pub train: Dataset,
    /// Validation samples: the first `val_n` of the validation split, never corrupted unless a
    /// pipeline bug (`label_offset`, `leak`) is on.
    pub val: Dataset,
    /// Training labels before label noise.
    pub true_labels: Vec<u8>,
    /// The injected label-noise mask: true where a training label was corrupted.
    pub corrupted: Vec<bool>,
}

/// The imbalance the settings `imb`, `imb_classes`, `imb_keep` and `imb_ratio` describe.
pub fn imbalance_of(cfg: &Config) -> Imbalance {
    match cfg.imb {
        ImbKind::None => Imbalance::None,
        ImbKind::Classes => Imbalance::Classes {
            classes: cfg.imb_classes.clone(),
            keep: cfg.imb_keep,
        },
        ImbKind::LongTail => Imbalance::LongTail {
            ratio: cfg.imb_ratio,
        },
    }
}

/// Cuts `train` and `test` to `train_n` and `val_n` (capped at their sizes) and applies the faults of
/// `cfg` to the training split: imbalance first, then label noise on what is left. Refuses empty
/// splits.
pub fn prepare(cfg: &Config, train: &Dataset, test: &Dataset) -> Result<Prepared, ConfigError> {
    if train.is_empty() || test.is_empty() {
        return Err(ConfigError(
            "no data is loaded: the training or validation split is empty".into(),
        ));
    }
    let base = train.take(cfg.train_n);
    let imbalance = imbalance_of(cfg);
    let mut data = match imbalance {
        Imbalance::None => base,
        _ => {
            let idx = imbalance_indices(
                &base.labels,
                &imbalance,
                &mut Rng::stream(cfg.seed, streams::IMBALANCE),
            );
            base.select(&idx)
        }
    };
    if cfg.shuffle == Switch::Off {
        // Unshuffled data as it often comes, sorted by class (a stable sort: the original order
        // within a class); the batch stream then keeps this order every epoch.
        let keys: Vec<f64> = data.labels.iter().map(|&l| l as f64).collect();
        let idx = losslab_diagnose::order_by(&keys);
        data = data.select(&idx);
    }
    let true_labels = data.labels.clone();
    let corrupted = apply_label_noise(
        &mut data.labels,
        cfg.noise / 100.0,
        cfg.noise_kind,
        &mut Rng::stream(cfg.seed, streams::NOISE),
    );
    let mut val = test.take(cfg.val_n);
    leak_into(&mut val, &data, cfg.leak / 100.0, cfg.seed);
    let offset = (cfg.label_offset % CLASSES) as u8;
    val.labels
        .iter_mut()
        .for_each(|y| *y = (*y + offset) % CLASSES as u8);
    Ok(Prepared {
        train: data,
        val,
        true_labels,
        corrupted,
    })
}

/// Replaces round(share · n) validation samples, chosen at random, by copies of random training
/// samples with the labels they are trained on: leakage, where the validation figures partly measure
/// memory. `share` is clamped to [0, 1].
fn leak_into(val: &mut Dataset, train: &Dataset, share: f32, seed: u64) {
    let share = if share > 0.0 { share.min(1.0) } else { 0.0 };
    let k = (share as f64 * val.len() as f64).round() as usize;
    if k == 0 || train.is_empty() {
        return;
    }
    let mut rng = Rng::stream(seed, streams::LEAK);
    let mut slots: Vec<usize> = (0..val.len()).collect();
    for i in 0..k {
        let j = i + rng.below(slots.len() - i);
        slots.swap(i, j);
        let (v, t) = (slots[i], rng.below(train.len()));
        val.images[v * PIXELS..(v + 1) * PIXELS].copy_from_slice(train.image(t));
        val.labels[v] = train.labels[t];
    }
}

/// How many validation images are byte-identical to some training image: the leakage check a
/// practitioner runs before trusting a validation figure (Barz & Denzler 2020, "Do we train on test
/// data? Purging CIFAR of near-duplicates"). MNIST's own held-out images have none. Each training
/// image is keyed by a 64-bit FNV-1a hash of its bytes and a hit is confirmed byte for byte, so a
/// page reset stays quick even on 50,000 images.
pub fn duplicates_in(val: &Dataset, train: &Dataset) -> usize {
    let mut seen: std::collections::HashMap<u64, usize> =
        std::collections::HashMap::with_capacity(train.len());
    for i in 0..train.len() {
        seen.entry(fnv1a(train.image(i))).or_insert(i);
    }
    (0..val.len())
        .filter(|&i| {
            let img = val.image(i);
            seen.get(&fnv1a(img))
                .is_some_and(|&t| train.image(t) == img)
        })
        .count()
}

/// 64-bit FNV-1a (Fowler, Noll and Vo) over the bytes of one image.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// n distinct images (each its index written into its first bytes), labels i mod 10.
    fn set(n: usize, salt: u8) -> Dataset {
        let mut images = vec![0u8; n * PIXELS];
        for i in 0..n {
            images[i * PIXELS] = (i % 256) as u8;
            images[i * PIXELS + 1] = (i / 256) as u8;
            images[i * PIXELS + 2] = salt;
        }
        Dataset {
            images,
            labels: (0..n).map(|i| (i % CLASSES) as u8).collect(),
            synthetic: false,
        }
    }

    #[test]
    fn pipeline_bugs_change_what_they_name_and_nothing_else() {
        let (train, test) = (set(500, 1), set(300, 2));
        let mut cfg = Config {
            train_n: 500,
            val_n: 300,
            ..Config::default()
        };
        let clean = prepare(&cfg, &train, &test).unwrap();
        assert_eq!(duplicates_in(&clean.val, &clean.train), 0);

        cfg.shuffle = Switch::Off;
        let sorted = prepare(&cfg, &train, &test).unwrap();
        assert!(sorted.train.labels.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(sorted.val.labels, clean.val.labels);

        cfg.shuffle = Switch::On;
        cfg.label_offset = 3;
        let shifted = prepare(&cfg, &train, &test).unwrap();
        for (a, b) in shifted.val.labels.iter().zip(&clean.val.labels) {
            assert_eq!(*a, (b + 3) % 10);
        }
        assert_eq!(shifted.val.images, clean.val.images);

        cfg.label_offset = 0;
        cfg.leak = 20.0;
        let leaked = prepare(&cfg, &train, &test).unwrap();
        // 60 slots, each a random training image: the copies are training images with their labels.
        let dup = duplicates_in(&leaked.val, &leaked.train);
        assert_eq!(dup, 60);
        let changed = (0..300)
            .filter(|&i| leaked.val.image(i) != clean.val.image(i))
            .count();
        assert_eq!(changed, 60);
        for i in 0..300 {
            if leaked.val.image(i) != clean.val.image(i) {
                let t = (0..500)
                    .find(|&t| leaked.train.image(t) == leaked.val.image(i))
                    .unwrap();
                assert_eq!(leaked.val.labels[i], leaked.train.labels[t]);
            }
        }
    }
}
