//! Pure statistics on loss series: mean, median, running median, batch noise, reversals.

use crate::thresholds::OSC_REL;

/// The entropy of a label distribution given by its counts, in nats (None for no labels): the
/// cross-entropy of a prediction that knows only how common each class is, the least any prediction
/// blind to the input can pay (Gibbs' inequality).
pub fn label_entropy(counts: &[u32]) -> Option<f64> {
    let n: f64 = counts.iter().map(|&c| c as f64).sum();
    (n > 0.0).then(|| {
        counts
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n;
                -p * p.ln()
            })
            .sum()
    })
}

pub(crate) fn finite(v: f64) -> bool {
    v.is_finite()
}

pub(crate) fn mean(v: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut s, mut n) = (0.0, 0usize);
    for x in v.filter(|x| x.is_finite()) {
        s += x;
        n += 1;
    }
    (n > 0).then(|| s / n as f64)
}

/// Mean and sample variance of at least two values.
pub(crate) fn mean_var(v: &[f64]) -> Option<(f64, f64)> {
    if v.len() < 2 {
        return None;
    }
    let m = v.iter().sum::<f64>() / v.len() as f64;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() - 1) as f64;
    Some((m, var))
}

/// The indices of `keys` in ascending order (`f64::total_cmp`), equal keys in index order: a stable
/// sort's permutation. Every sort of the lab and its diagnosis goes through this one function (a
/// descending order is the negated keys, whose total order is the exact reverse): each `sort_by` of
/// its own closure is a new copy of the standard library's sort in the wasm, about 5 KB apiece, and
/// eight of them were 41 KB of the download's code.
pub fn order_by(keys: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    idx.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
    idx
}

/// `v` sorted ascending (`f64::total_cmp`).
pub(crate) fn sorted(v: &[f64]) -> Vec<f64> {
    order_by(v).into_iter().map(|i| v[i]).collect()
}

pub(crate) fn median(v: &[f64]) -> f64 {
    sorted(v)[v.len() / 2]
}

/// Running median of odd width `w` (shorter at the ends). O(n·w) with w = 9.
pub(crate) fn median_filter(v: &[f32], w: usize) -> Vec<f64> {
    let h = w / 2;
    let mut buf = Vec::with_capacity(w);
    (0..v.len())
        .filter_map(|i| {
            buf.clear();
            buf.extend(
                v[i.saturating_sub(h)..(i + h + 1).min(v.len())]
                    .iter()
                    .map(|&x| x as f64)
                    .filter(|x| x.is_finite()),
            );
            (!buf.is_empty()).then(|| median(&buf))
        })
        .collect()
}

/// Batch-to-batch noise σ of a loss series: standard deviation of successive differences, clipped to
/// their 2nd–98th percentiles, / √2.
pub(crate) fn noise_sigma(v: &[f32]) -> f64 {
    let d: Vec<f64> = v
        .windows(2)
        .map(|w| w[1] as f64 - w[0] as f64)
        .filter(|x| x.is_finite())
        .collect();
    if d.len() < 2 {
        return 0.0;
    }
    let d = sorted(&d);
    let n = d.len();
    let (lo, hi) = (d[n * 2 / 100], d[(n * 98 / 100).min(n - 1)]);
    let clipped = d.iter().map(|x| x.clamp(lo, hi));
    let m = clipped.clone().sum::<f64>() / n as f64;
    let var = clipped.map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
    var.sqrt() / std::f64::consts::SQRT_2
}

/// Direction reversals of a smoothed series, with hysteresis: a move counts when it spans at least
/// `OSC_REL` of its lower end and at least `floor` nats.
pub(crate) fn reversals(f: &[f64], floor: f64) -> usize {
    let swing = |lo: f64, hi: f64| hi - lo >= (OSC_REL * lo.abs()).max(floor);
    let Some(&first) = f.first() else { return 0 };
    let (mut lo, mut hi, mut trend, mut count) = (first, first, 0i8, 0usize);
    for &v in &f[1..] {
        match trend {
            1 => {
                if v > hi {
                    hi = v;
                } else if swing(v, hi) {
                    count += 1;
                    trend = -1;
                    lo = v;
                }
            }
            -1 => {
                if v < lo {
                    lo = v;
                } else if swing(lo, v) {
                    count += 1;
                    trend = 1;
                    hi = v;
                }
            }
            _ => {
                hi = hi.max(v);
                lo = lo.min(v);
                if v == hi && swing(lo, v) {
                    trend = 1;
                } else if v == lo && swing(v, hi) {
                    trend = -1;
                }
            }
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thresholds::OSC_ABS_NATS;

    #[test]
    fn mean_and_median_skip_what_they_should() {
        assert_eq!(mean([1.0, f64::NAN, 3.0].into_iter()), Some(2.0));
        assert_eq!(mean([f64::INFINITY].into_iter()), None);
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        // An even count takes the upper middle.
        assert_eq!(median_filter(&[1.0, f32::NAN, 3.0], 3), vec![1.0, 3.0, 3.0]);
    }

    #[test]
    fn order_by_is_a_stable_sort_and_negated_keys_reverse_it() {
        // Keys with many ties, a NaN of each sign and both zeros, against the standard library's
        // stable sort of the same pairs.
        let mut keys: Vec<f64> = (0..200).map(|i| ((i * 37) % 11) as f64 - 5.0).collect();
        keys[3] = f64::NAN;
        keys[50] = -f64::NAN;
        keys[7] = -0.0;
        let mut by_std: Vec<usize> = (0..keys.len()).collect();
        by_std.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
        assert_eq!(order_by(&keys), by_std);
        // Descending: the negated keys give the descending stable order, ties still in index order.
        let neg: Vec<f64> = keys.iter().map(|k| -k).collect();
        by_std.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]));
        assert_eq!(order_by(&neg), by_std);
        assert_eq!(sorted(&[2.0, -1.0, 0.5]), vec![-1.0, 0.5, 2.0]);
    }

    #[test]
    fn noise_sigma_of_an_alternating_series() {
        // Successive differences ±0.2: their standard deviation is 0.2, / √2.
        let v: Vec<f32> = (0..200)
            .map(|i| if i % 2 == 0 { 1.0 } else { 1.2 })
            .collect();
        assert!((noise_sigma(&v) - 0.2 / std::f64::consts::SQRT_2).abs() < 1e-3);
        assert_eq!(noise_sigma(&[1.0, 2.0]), 0.0, "too short to say");
    }

    #[test]
    fn reversal_counter_ignores_noise_and_counts_swings() {
        let r = |f: &[f64]| reversals(f, OSC_ABS_NATS);
        assert_eq!(r(&[2.0, 1.5, 1.0, 0.8, 0.6, 0.61, 0.59, 0.6]), 0);
        assert_eq!(r(&[1.0, 1.6, 1.0, 1.6, 1.0]), 3);
        assert_eq!(r(&[1.0, 1.4, 1.0, 1.4, 1.0]), 0);
        assert_eq!(
            reversals(&[1.0, 1.6, 1.0, 1.6, 1.0], 0.7),
            0,
            "a noisier run needs larger swings"
        );
        assert_eq!(r(&[0.2, 0.6, 0.2, 0.6, 0.2]), 0, "+200% but only 0.4 nats");
        let m = median_filter(&[1.0, 1.0, 9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 9);
        assert!(
            m.iter().all(|&v| v == 1.0),
            "a one-step spike vanishes: {m:?}"
        );
    }
}
