//! Softmax attention: `V softmax(β Kᵀ q)`, and its binary form with `cos = 1 − 2 H / n`.

/// `softmax(β x)`, computed stably.
pub fn softmax(x: &[f64], beta: f64) -> Vec<f64> {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (beta * (v - m)).exp()).collect();
    let s: f64 = e.iter().sum();
    e.into_iter().map(|v| v / s).collect()
}

/// Attention over binary patterns: weights `softmax(β cos(q, k_μ))` with
/// `cos = 1 − 2 H(q, k_μ)/n`, given the Hamming distances.
pub fn binary_attention_weights(n: usize, distances: &[usize], beta: f64) -> Vec<f64> {
    let cos: Vec<f64> = distances
        .iter()
        .map(|&h| 1.0 - 2.0 * h as f64 / n as f64)
        .collect();
    softmax(&cos, beta)
}

/// `Σ_μ w_μ v_μ` for bit values, then thresholded at ½ (the attention read of bits).
pub fn read_bits(weights: &[f64], values: &[Vec<bool>]) -> Vec<bool> {
    let n_out = values.first().map_or(0, Vec::len);
    (0..n_out)
        .map(|j| {
            weights
                .iter()
                .zip(values)
                .map(|(w, v)| if v[j] { *w } else { 0.0 })
                .sum::<f64>()
                > 0.5
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_orders() {
        let w = softmax(&[0.1, 0.5, -0.2], 10.0);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert!(w[1] > w[0] && w[0] > w[2]);
        assert!((w[1] / w[0] - (10.0f64 * 0.4).exp()).abs() < 1e-12);
    }
}
