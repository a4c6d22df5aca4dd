//! The data a run trains and validates on: the loaded splits cut to the configured sizes, with the
//! configured faults (class imbalance, then label noise) applied to the training split only. Each
//! fault draws from its own seeded stream, so the same seed gives the same data.

use super::faults::{apply_label_noise, imbalance_indices, Imbalance};
use super::Dataset;
use crate::config::{Config, ConfigError, ImbKind};
use crate::rng::{streams, Rng};

/// The splits of one run after the data faults.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Training samples after imbalance, with the labels trained on (after label noise).
    pub train: Dataset,
    /// Validation samples: the first `val_n` of the test split, never corrupted.
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
    let true_labels = data.labels.clone();
    let corrupted = apply_label_noise(
        &mut data.labels,
        cfg.noise / 100.0,
        cfg.noise_kind,
        &mut Rng::stream(cfg.seed, streams::NOISE),
    );
    Ok(Prepared {
        train: data,
        val: test.take(cfg.val_n),
        true_labels,
        corrupted,
    })
}
