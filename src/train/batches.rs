//! The training stream: the shuffled order of each epoch, the position in it, the order and
//! augmentation RNG streams, and the last batch drawn (with the augmentation RNG as it was before
//! that batch, so `Trainer::batch_view` can replay what augmentation did without moving the stream).

use super::scale_inputs;
use crate::config::Pixels;
use crate::data::augment::Augment;
use crate::data::{fill_batch, Dataset, PIXELS};
use crate::rng::{streams, Rng};

pub(super) struct BatchStream {
    order: Vec<usize>,
    pos: usize,
    order_rng: Rng,
    /// False for the `shuffle = off` pipeline bug: every epoch in the stored order.
    shuffle: bool,
    aug_rng: Rng,
    /// Training-set indices of the last batch, and the augmentation RNG before it was filled.
    last: Vec<usize>,
    replay_rng: Rng,
}

impl BatchStream {
    /// The stream of a training set of `n` samples under `seed`, reshuffled at every epoch's start
    /// when `shuffle`.
    pub fn new(seed: u64, n: usize, shuffle: bool) -> BatchStream {
        BatchStream {
            order: (0..n).collect(),
            pos: 0,
            order_rng: Rng::stream(seed, streams::ORDER),
            shuffle,
            aug_rng: Rng::stream(seed, streams::AUGMENT),
            last: Vec::new(),
            replay_rng: Rng::stream(seed, streams::AUGMENT),
        }
    }

    /// Draws the next mini-batch of at most `batch` samples of `train` into `x` / `y` (shuffling at an
    /// epoch's start, augmenting with `aug`, scaling to `pixels`). Returns its size and whether it
    /// starts an epoch.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &mut self,
        train: &Dataset,
        batch: usize,
        aug: &Augment,
        pixels: Pixels,
        x: &mut Vec<f32>,
        y: &mut Vec<u8>,
    ) -> (usize, bool) {
        let starts = self.pos == 0;
        if starts && self.shuffle {
            self.order_rng.shuffle(&mut self.order);
        }
        let end = (self.pos + batch).min(self.order.len());
        let bs = end - self.pos;
        x.resize(bs * PIXELS, 0.0);
        y.resize(bs, 0);
        let idx = &self.order[self.pos..end];
        self.last.clear();
        self.last.extend_from_slice(idx);
        self.replay_rng = self.aug_rng.clone();
        fill_batch(train, idx, aug, &mut self.aug_rng, x, y);
        scale_inputs(pixels, x);
        (bs, starts)
    }

    /// Training-set indices of the last batch drawn, in batch order.
    pub fn last(&self) -> &[usize] {
        &self.last
    }

    /// The augmentation RNG as it was before the last batch was filled.
    pub fn replay_rng(&self) -> Rng {
        self.replay_rng.clone()
    }

    /// A throwaway copy of the augmentation RNG, for a clean (identity) fill that draws nothing.
    pub fn scratch_rng(&self) -> Rng {
        self.aug_rng.clone()
    }

    /// True when the last batch drawn ends the epoch.
    pub fn last_ends_epoch(&self) -> bool {
        self.pos + self.last.len() >= self.order.len()
    }

    /// The last batch was trained: move past it. True when that ended the epoch.
    pub fn consume(&mut self) -> bool {
        self.pos += self.last.len();
        if self.pos >= self.order.len() {
            self.pos = 0;
            true
        } else {
            false
        }
    }

    /// Steps into the current epoch and steps per epoch, for batches of `batch`.
    pub fn progress(&self, batch: usize) -> (usize, usize) {
        (self.pos.div_ceil(batch), self.order.len().div_ceil(batch))
    }
}
