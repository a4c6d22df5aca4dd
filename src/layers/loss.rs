//! Softmax cross-entropy on logits, through log-sum-exp so that huge logits stay finite
//! (log Σ exp z = m + log Σ exp(z − m), m = max z).

/// logits: (N, classes), labels: (N) -> (mean loss, d mean_loss / d logits (N, classes), per-sample losses (N)).
pub fn softmax_cross_entropy(
    logits: &[f32],
    labels: &[u8],
    classes: usize,
) -> (f32, Vec<f32>, Vec<f32>) {
    let n = labels.len();
    assert_eq!(logits.len(), n * classes);
    let mut grad = vec![0.0; n * classes];
    let mut per = Vec::with_capacity(n);
    let inv_n = 1.0 / n as f32;
    let mut total = 0.0f64;
    for (s, (z, g)) in logits
        .chunks_exact(classes)
        .zip(grad.chunks_exact_mut(classes))
        .enumerate()
    {
        let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0f32;
        for (gi, &zi) in g.iter_mut().zip(z) {
            let e = (zi - m).exp();
            *gi = e;
            sum += e;
        }
        let lse = m + sum.ln();
        let y = labels[s] as usize;
        let loss = lse - z[y];
        per.push(loss);
        total += loss as f64;
        // d loss / d z = softmax(z) − onehot(y), divided by N for the mean.
        for gi in g.iter_mut() {
            *gi *= inv_n / sum;
        }
        g[y] -= inv_n;
    }
    ((total / n as f64) as f32, grad, per)
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
    fn uniform_logits_give_ln_classes() {
        let (loss, _, _) = softmax_cross_entropy(&[0.0; 20], &[3, 7], 10);
        assert!((loss - 10f32.ln()).abs() < 1e-6);
    }
}
