//! Real MNIST for the native tests: the very files the page loads, www/data/*.idx.gz, written by
//! `npm run prepare-data`. Every test that needs them is marked
//! `#[ignore = "needs MNIST in www/data: npm run prepare-data"]`, so a plain `cargo test` lists it as
//! ignored with that reason; run with `--include-ignored` (`npm test` does), a missing or damaged
//! file fails with a message that says what to run — it never passes silently.

use flate2::read::GzDecoder;
use losslab::data::idx::dataset_from_idx;
use losslab::data::Dataset;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The splits as the page's worker builds them: training images, the validation split held out from
/// the training images (MNIST training images 50,000–59,999), and the test set, which the page loads
/// only for its final check.
pub struct Mnist {
    pub train: Dataset,
    pub val: Dataset,
    pub test: Dataset,
}

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/data")
}

fn read_gz(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    let raw = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "MNIST file {} cannot be read ({e}): run `npm run prepare-data` (or `npm test`, which \
             prepares it) — this test needs the real digits the page trains on",
            path.display()
        )
    });
    let mut out = Vec::new();
    GzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .unwrap_or_else(|e| {
            panic!(
                "{} is damaged ({e}): run `npm run prepare-data` again to rebuild www/data/",
                path.display()
            )
        });
    out
}

/// One set of www/data: `{set}-images.idx.gz` and `{set}-labels.idx.gz`.
pub fn read_set(set: &str) -> Dataset {
    let dir = data_dir();
    dataset_from_idx(
        &read_gz(&dir, &format!("{set}-images.idx.gz")),
        &read_gz(&dir, &format!("{set}-labels.idx.gz")),
    )
    .unwrap_or_else(|e| panic!("www/data/{set}-*.idx.gz: {e}"))
}

/// Load the splits the page would load for `train_n` training images: the worker fetches the
/// 10,000-image file unless more are asked for (www/engine/worker.js, `mnist`). Both files start with
/// the same images, so a run sees the same digits either way. Panics with a clear message when a
/// file is missing or damaged.
pub fn load(train_n: usize) -> Mnist {
    Mnist {
        train: read_set(if train_n > 10_000 {
            "train50k"
        } else {
            "train10k"
        }),
        val: read_set("val10k"),
        test: read_set("test10k"),
    }
}
