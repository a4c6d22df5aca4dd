//! Softmax cross-entropy on logits, through log-sum-exp so that huge logits stay finite
//! (log Σ exp z = m + log Σ exp(z − m), m = max z).

/// logits: (N, classes), labels: (N) -> (mean loss, d mean_loss / d logits (N, classes), per-sample losses (N)).
/// The per-sample scale of `scaled_softmax_cross_entropy` is 1/N for the mean.
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
) -> (f32, Vec<f32>, Vec<f32>) {
    let n = labels.len();
    let (grad, per) =
        scaled_softmax_cross_entropy(logits, labels, classes, &vec![1.0 / n as f32; n]);
    let total: f64 = per.iter().map(|&l| l as f64).sum();
    ((total / n as f64) as f32, grad, per)
}

/// Softmax cross-entropy with a given weight per sample: dL/dzᵢ = scaleᵢ · (softmax(zᵢ) − onehot(yᵢ)).
/// With scaleᵢ = 1/N it is `softmax_cross_entropy`, with w[yᵢ]/W the weighted one's gradient; a worker
/// that holds only part of a batch gets the whole batch's scaling this way.
/// logits: (n, classes), labels: (n), scale: (n) -> (dL/dlogits (n, classes), unweighted ℓᵢ (n)).
pub fn scaled_softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    scale: &[f32],
) -> (Vec<f32>, Vec<f32>) {
    let n = labels.len();
    assert_eq!(logits.len(), n * classes);
    assert_eq!(scale.len(), n);
    let mut grad = vec![0.0; n * classes];
    let mut per = Vec::with_capacity(n);
    for (s, (z, g)) in logits
        .chunks_exact(classes)
        .zip(grad.chunks_exact_mut(classes))
        .enumerate()
    {
        let (m, sum) = shifted_exps(z, g);
        let y = labels[s] as usize;
        per.push(m + sum.ln() - z[y]);
        for gi in g.iter_mut() {
            *gi *= scale[s] / sum;
        }
        g[y] -= scale[s];
    }
    (grad, per)
}

/// The softmax's one exponentiation: `out[i] = exp(z[i] − m)` with `m = max z`; returns `(m, Σ out)`,
/// so softmax(z) = out / Σ and log Σ exp z = m + ln Σ. Every softmax of the engine (the loss, its
/// gradient and `softmax`) goes through it.
pub fn shifted_exps(z: &[f32], out: &mut [f32]) -> (f32, f32) {
    let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for (o, &zi) in out.iter_mut().zip(z) {
        let e = (zi - m).exp();
        *o = e;
        sum += e;
    }
    (m, sum)
}

/// Softmax of one row of logits. Logits that are not all finite (a diverged net) give NaN
/// probabilities rather than a made-up answer.
pub fn softmax(z: &[f32]) -> Vec<f32> {
    let mut p = vec![f32::NAN; z.len()];
    if z.iter().all(|v| v.is_finite()) {
        let (_, sum) = shifted_exps(z, &mut p);
        p.iter_mut().for_each(|v| *v /= sum);
    }
    p
}

/// Class-weighted softmax cross-entropy, as PyTorch's `CrossEntropyLoss(weight=w, reduction='mean')`:
/// L = Σᵢ w[yᵢ]·ℓᵢ / Σᵢ w[yᵢ], so a weighted mean, not a sum divided by N.
/// logits: (N, classes), labels: (N), weights: (classes) -> (L, dL/dlogits (N, classes), the
/// *unweighted* per-sample losses ℓᵢ (N)). dL/dzᵢ = w[yᵢ]/W · (softmax(zᵢ) − onehot(yᵢ)), W = Σᵢ w[yᵢ].
/// A batch whose weights sum to 0 (only classes of weight 0) has loss 0 and no gradient; PyTorch
/// returns NaN there, but a class of weight 0 has no training samples, so training never meets it.
pub fn weighted_softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    weights: &[f32],
) -> (f32, Vec<f32>, Vec<f32>) {
    assert_eq!(weights.len(), classes);
    let n = labels.len();
    // The unweighted pass gives ℓᵢ and (softmax − onehot)/N; each row is then rescaled to w[yᵢ]/W.
    let (_, mut grad, per) = softmax_cross_entropy(logits, labels, classes);
    let w_sum: f64 = labels.iter().map(|&y| weights[y as usize] as f64).sum();
    if w_sum <= 0.0 {
        grad.iter_mut().for_each(|g| *g = 0.0);
        return (0.0, grad, per);
    }
    let mut total = 0.0f64;
    for ((g, &y), &l) in grad.chunks_exact_mut(classes).zip(labels).zip(&per) {
        let w = weights[y as usize] as f64;
        total += w * l as f64;
        let scale = (w * n as f64 / w_sum) as f32;
        g.iter_mut().for_each(|v| *v *= scale);
    }
    ((total / w_sum) as f32, grad, per)
}

/// d loss / d logits scale of each sample as a part of the whole batch: 1/N for the mean, w[yᵢ]/W
/// (W = Σᵢ w[yᵢ], 0 when W is 0) for the class-weighted mean. With these,
/// `scaled_softmax_cross_entropy` on any part of a batch gives that part's share of the batch's gradient.
pub fn loss_scales(labels: &[u8], weights: Option<&[f32]>) -> Vec<f32> {
    let n = labels.len();
    match weights {
        None => vec![1.0 / n as f32; n],
        Some(w) => {
            let total: f64 = labels.iter().map(|&y| w[y as usize] as f64).sum();
            labels
                .iter()
                .map(|&y| {
                    if total > 0.0 {
                        (w[y as usize] as f64 / total) as f32
                    } else {
                        0.0
                    }
                })
                .collect()
        }
    }
}

/// The batch loss from its samples' unweighted losses, summed in f64 as `softmax_cross_entropy` and
/// `weighted_softmax_cross_entropy` sum them (so bit for bit their loss): the mean, or the
/// class-weighted mean Σ w[yᵢ]·ℓᵢ / Σ w[yᵢ] (0 when the weights sum to 0).
pub fn reduce_loss(per: &[f32], labels: &[u8], weights: Option<&[f32]>) -> f32 {
    match weights {
        None => {
            let total: f64 = per.iter().map(|&l| l as f64).sum();
            (total / per.len() as f64) as f32
        }
        Some(w) => {
            let (mut total, mut w_sum) = (0.0f64, 0.0f64);
            for (&y, &l) in labels.iter().zip(per) {
                let wy = w[y as usize] as f64;
                total += wy * l as f64;
                w_sum += wy;
            }
            if w_sum > 0.0 {
                (total / w_sum) as f32
            } else {
                0.0
            }
        }
    }
}

/// sklearn's "balanced" class weights (`compute_class_weight`): w_c = n / (K · count_c), n samples
/// over K classes, so a class with half the mean count weighs 2; a class with no samples gets 0.
pub fn balanced_class_weights(counts: &[u32]) -> Vec<f32> {
    let n: f64 = counts.iter().map(|&c| c as f64).sum();
    let k = counts.len() as f64;
    counts
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                (n / (k * c as f64)) as f32
            }
        })
        .collect()
}

/// Index of the largest logit of each sample.
pub fn argmax_rows(logits: &[f32], classes: usize) -> Vec<u8> {
    logits
        .chunks_exact(classes)
        .map(|z| {
            let mut best = 0;
            for (i, &v) in z.iter().enumerate() {
                if v > z[best] {
                    best = i;
                }
            }
            best as u8
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_logits_stay_finite_and_correct() {
        let (loss, g, _) =
            softmax_cross_entropy(&[1000.0, 0.0, -1000.0, 1000.0, 1000.0, 0.0], &[1, 0], 3);
        // sample 0: loss = 1000; sample 1: ln 2.
        assert!(
            (loss - (1000.0 + std::f32::consts::LN_2) / 2.0).abs() < 1e-3,
            "{loss}"
        );
        assert!(g.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn unit_weights_give_the_plain_loss_and_balanced_weights_follow_sklearn() {
        let z = [0.3, -1.0, 2.0, 0.5, 0.1, -0.2, 1.5, 0.0, -0.7];
        let y = [2u8, 0, 1];
        let a = softmax_cross_entropy(&z, &y, 3);
        let b = weighted_softmax_cross_entropy(&z, &y, 3, &[1.0; 3]);
        assert!((a.0 - b.0).abs() < 1e-6);
        assert!(a.1.iter().zip(&b.1).all(|(p, q)| (p - q).abs() < 1e-6));
        assert_eq!(a.2, b.2);
        // sklearn: compute_class_weight("balanced", classes=[0,1,2], y=[0]*6+[1]*3+[2]*0) is undefined
        // for the empty class; here it is 0 and the others are 9/(3·6) and 9/(3·3).
        assert_eq!(balanced_class_weights(&[6, 3, 0]), vec![0.5, 1.0, 0.0]);
        // Weighted mean: (2·ℓ₀ + 1·ℓ₁) / 3.
        let (l, _, per) = weighted_softmax_cross_entropy(&z[..6], &[0, 1], 3, &[2.0, 1.0, 0.0]);
        assert!((l - (2.0 * per[0] + per[1]) / 3.0).abs() < 1e-6);
    }

    #[test]
    fn uniform_logits_give_ln_classes() {
        let (loss, _, _) = softmax_cross_entropy(&[0.0; 20], &[3, 7], 10);
        assert!((loss - 10f32.ln()).abs() < 1e-6);
    }
}
