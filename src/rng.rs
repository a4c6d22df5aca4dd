//! A small explicit-state PRNG. One `u64` seed drives initialization, data order, the label-noise mask
//! and augmentation; each consumer gets its own stream from `Rng::stream`, so changing how much one of
//! them draws never shifts the others (turning augmentation on does not change the initial weights).

/// xoshiro128++ (Blackman & Vigna 2019), seeded through SplitMix64. 32-bit output suits f32 work on wasm32.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u32; 4],
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let a = splitmix64(&mut x);
        let b = splitmix64(&mut x);
        let mut s = [a as u32, (a >> 32) as u32, b as u32, (b >> 32) as u32];
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    /// An independent stream for one consumer, derived from the seed and a fixed stream id.
    pub fn stream(seed: u64, id: u64) -> Rng {
        let mut x = seed ^ id.wrapping_mul(0xD1B5_4A32_D192_ED03);
        Rng::new(splitmix64(&mut x))
    }

    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(7).wrapping_add(s[0]);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * (1.0 / 16_777_216.0)
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.next_f32()
    }

    /// Standard normal by Box–Muller (one value per call; simplicity over speed, it is not hot).
    pub fn normal(&mut self) -> f32 {
        let u1 = ((self.next_u32() >> 8) as f64 + 1.0) * (1.0 / 16_777_217.0);
        let u2 = self.next_f32() as f64;
        ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
    }

    /// Uniform integer in [0, n) (Lemire's multiply-shift; the bias is below 2^-32 * n).
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((self.next_u32() as u64 * n as u64) >> 32) as usize
    }

    /// True with probability p.
    pub fn chance(&mut self, p: f32) -> bool {
        self.next_f32() < p
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Stream ids: one per consumer of randomness.
pub mod streams {
    pub const INIT: u64 = 1;
    pub const ORDER: u64 = 2;
    pub const NOISE: u64 = 3;
    pub const IMBALANCE: u64 = 4;
    pub const AUGMENT: u64 = 5;
    pub const SYNTHETIC: u64 = 6;
    /// The learning-rate range test's own batches, so the training stream never changes.
    pub const LR_FIND: u64 = 7;
    /// Which validation images the `leak` fault replaces, and by which training images.
    pub const LEAK: u64 = 8;
    /// The stability meter's first power-iteration vector (src/train/sharpness.rs).
    pub const SHARPNESS: u64 = 9;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_streams_differ() {
        let mut a = Rng::stream(42, streams::INIT);
        let mut b = Rng::stream(42, streams::INIT);
        let mut c = Rng::stream(42, streams::ORDER);
        let va: Vec<u32> = (0..8).map(|_| a.next_u32()).collect();
        let vb: Vec<u32> = (0..8).map(|_| b.next_u32()).collect();
        let vc: Vec<u32> = (0..8).map(|_| c.next_u32()).collect();
        assert_eq!(va, vb);
        assert_ne!(va, vc);
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut r = Rng::new(7);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal() as f64).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.01, "var {var}");
    }

    #[test]
    fn below_is_uniform_enough() {
        let mut r = Rng::new(3);
        let mut counts = [0usize; 10];
        for _ in 0..100_000 {
            counts[r.below(10)] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }
}
