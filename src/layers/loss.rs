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

/// How the training loss is wired to the network's outputs (`loss_wiring`): the correct wiring, or one
/// of two bugs a practitioner meets (Karpathy 2019, "A Recipe for Training Neural Networks": "verify
/// loss @ init" and "know your loss").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LossWiring {
    /// Softmax cross-entropy on the logits.
    #[default]
    CrossEntropy,
    /// Cross-entropy on probabilities: the softmax applied a second time. Its inputs lie in [0, 1],
    /// so the loss cannot go below ln(1 + (K−1)/e) (≈ 1.46 for K = 10, the right class at 1, the
    /// others at 0) and no answer of the loss's own softmax is over e/(e + K − 1) ≈ 23% sure.
    SoftmaxTwice,
    /// Squared error between the softmax and the one-hot target, averaged over the K classes (as
    /// Keras's `mean_squared_error` on a one-hot row).
    Mse,
}

/// The batch loss under `wiring` with each sample's weight in the batch (see `loss_scales`):
/// (d loss / d logits (n, classes), each sample's unweighted loss (n)). Cross-entropy is
/// `scaled_softmax_cross_entropy`; the other wirings differentiate through the softmax:
/// dℓ/dz = p ⊙ (g − p·g) with g = dℓ/dp.
pub fn scaled_loss(
    wiring: LossWiring,
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    scale: &[f32],
) -> (Vec<f32>, Vec<f32>) {
    if wiring == LossWiring::CrossEntropy {
        return scaled_softmax_cross_entropy(logits, labels, classes, scale);
    }
    let n = labels.len();
    assert_eq!(logits.len(), n * classes);
    assert_eq!(scale.len(), n);
    let mut grad = vec![0.0; n * classes];
    let mut per = Vec::with_capacity(n);
    let mut p = vec![0.0f32; classes];
    let mut q = vec![0.0f32; classes];
    for (s, (z, g)) in logits
        .chunks_exact(classes)
        .zip(grad.chunks_exact_mut(classes))
        .enumerate()
    {
        let (_, sum) = shifted_exps(z, &mut p);
        p.iter_mut().for_each(|v| *v /= sum);
        let y = labels[s] as usize;
        // g = dℓ/dp, into `g` first.
        let loss = match wiring {
            LossWiring::SoftmaxTwice => {
                let (m, sum2) = shifted_exps(&p, &mut q);
                for (gi, qi) in g.iter_mut().zip(&q) {
                    *gi = qi / sum2;
                }
                g[y] -= 1.0;
                m + sum2.ln() - p[y]
            }
            LossWiring::Mse => {
                let k = classes as f32;
                let mut l = 0.0f32;
                for (c, (gi, &pi)) in g.iter_mut().zip(&p).enumerate() {
                    let d = pi - if c == y { 1.0 } else { 0.0 };
                    l += d * d;
                    *gi = 2.0 * d / k;
                }
                l / k
            }
            LossWiring::CrossEntropy => unreachable!("handled above"),
        };
        per.push(loss);
        let pg: f32 = p.iter().zip(g.iter()).map(|(a, b)| a * b).sum();
        for (gi, &pi) in g.iter_mut().zip(&p) {
            *gi = scale[s] * pi * (*gi - pg);
        }
    }
    (grad, per)
}

/// The batch loss under `wiring`, optionally class-weighted: (loss, d loss / d logits, each sample's
/// unweighted loss). Cross-entropy goes through `softmax_cross_entropy` and
/// `weighted_softmax_cross_entropy`, the functions checked against TensorFlow.js.
pub fn batch_loss(
    wiring: LossWiring,
    logits: &[f32],
    labels: &[u8],
    classes: usize,
    weights: Option<&[f32]>,
) -> (f32, Vec<f32>, Vec<f32>) {
    match (wiring, weights) {
        (LossWiring::CrossEntropy, None) => softmax_cross_entropy(logits, labels, classes),
        (LossWiring::CrossEntropy, Some(w)) => {
            weighted_softmax_cross_entropy(logits, labels, classes, w)
        }
        _ => {
            let scale = loss_scales(labels, weights);
            let (grad, per) = scaled_loss(wiring, logits, labels, classes, &scale);
            (reduce_loss(&per, labels, weights), grad, per)
        }
    }
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
    /// Central finite differences in f64 of a wired loss against its analytic gradient.
    #[test]
    fn wired_losses_match_finite_differences() {
        let z = [0.3f32, -1.0, 2.0, 0.5, 0.1, -0.2, 1.5, 0.0, -0.7, 0.9];
        for wiring in [LossWiring::SoftmaxTwice, LossWiring::Mse] {
            for y in [0u8, 2, 9] {
                let (g, _) = scaled_loss(wiring, &z, &[y], 10, &[1.0]);
                let loss = |z: &[f64]| -> f64 {
                    let m = z.iter().cloned().fold(f64::MIN, f64::max);
                    let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
                    let s: f64 = e.iter().sum();
                    let p: Vec<f64> = e.iter().map(|v| v / s).collect();
                    match wiring {
                        LossWiring::SoftmaxTwice => {
                            p.iter().map(|v| v.exp()).sum::<f64>().ln() - p[y as usize]
                        }
                        _ => {
                            p.iter()
                                .enumerate()
                                .map(|(c, v)| (v - if c == y as usize { 1.0 } else { 0.0 }).powi(2))
                                .sum::<f64>()
                                / 10.0
                        }
                    }
                };
                let z64: Vec<f64> = z.iter().map(|&v| v as f64).collect();
                for i in 0..10 {
                    let h = 1e-5;
                    let (mut a, mut b) = (z64.clone(), z64.clone());
                    a[i] += h;
                    b[i] -= h;
                    let fd = (loss(&a) - loss(&b)) / (2.0 * h);
                    assert!(
                        (fd - g[i] as f64).abs() < 1e-4,
                        "{wiring:?} y {y} logit {i}: fd {fd} vs {}",
                        g[i]
                    );
                }
            }
        }
    }

    /// The softmax-twice floor: a net sure of the right answer pays ln(1 + 9/e) ≈ 1.46 nats, and the
    /// loss's own softmax gives that answer e/(e + 9) ≈ 23%.
    #[test]
    fn softmax_twice_floors_at_ln_1_plus_9_over_e() {
        let mut z = [0.0f32; 10];
        z[4] = 60.0;
        let (_, per) = scaled_loss(LossWiring::SoftmaxTwice, &z, &[4], 10, &[1.0]);
        let floor = (1.0 + 9.0 / std::f64::consts::E).ln();
        assert!(
            (per[0] as f64 - floor).abs() < 1e-5,
            "{} vs {floor}",
            per[0]
        );
        assert!((floor - 1.4612).abs() < 1e-3);
        let (_, per) = scaled_loss(LossWiring::Mse, &z, &[4], 10, &[1.0]);
        assert!(per[0].abs() < 1e-6);
        // Cross-entropy through `batch_loss` is the checked function itself.
        let (a, ga, pa) = batch_loss(LossWiring::CrossEntropy, &z, &[4], 10, None);
        let (b, gb, pb) = softmax_cross_entropy(&z, &[4], 10);
        assert_eq!((a, ga, pa), (b, gb, pb));
    }
}
