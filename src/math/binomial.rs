//! Binomial coefficients in log space (safe far beyond u64/f64 overflow), exact big-integer
//! binomials for reference, and log-sum-exp.

use num_bigint::BigUint;

/// `ln k!` for k = 0..=n, by cumulative sums of `ln i`.
#[derive(Clone, Debug)]
pub struct LnFactorial {
    table: Vec<f64>,
}

impl LnFactorial {
    pub fn new(n: usize) -> Self {
        let mut table = Vec::with_capacity(n + 1);
        let mut acc = 0.0;
        table.push(0.0);
        for i in 1..=n {
            acc += (i as f64).ln();
            table.push(acc);
        }
        LnFactorial { table }
    }

    /// `ln C(n, k)`; −∞ when k > n.
    pub fn ln_choose(&self, n: usize, k: usize) -> f64 {
        if k > n {
            return f64::NEG_INFINITY;
        }
        self.table[n] - self.table[k] - self.table[n - k]
    }
}

/// `ln Σ exp(x_i)`, stable; −∞ for an empty or all −∞ input.
pub fn log_sum_exp(xs: impl IntoIterator<Item = f64>) -> f64 {
    let xs: Vec<f64> = xs.into_iter().collect();
    let m = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + xs.iter().map(|x| (x - m).exp()).sum::<f64>().ln()
}

/// The row `C(n, 0..=n)` as exact integers.
pub fn choose_row(n: usize) -> Vec<BigUint> {
    let mut row = Vec::with_capacity(n + 1);
    let mut c = BigUint::from(1u32);
    row.push(c.clone());
    for k in 0..n {
        c = c * BigUint::from(n - k) / BigUint::from(k + 1);
        row.push(c.clone());
    }
    row
}

/// `ln` of an exact big integer (−∞ for zero).
pub fn ln_big(x: &BigUint) -> f64 {
    if x.bits() == 0 {
        return f64::NEG_INFINITY;
    }
    let bits = x.bits();
    let shift = bits.saturating_sub(60);
    let top: BigUint = x >> shift;
    let top = top.iter_u64_digits().next().unwrap_or(0) as f64;
    top.ln() + shift as f64 * std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_choose_matches_exact_binomials() {
        let lf = LnFactorial::new(4096);
        let row = choose_row(4096);
        for k in [0usize, 1, 17, 1000, 2048, 4095, 4096] {
            let exact = ln_big(&row[k]);
            assert!(
                (lf.ln_choose(4096, k) - exact).abs() < 1e-9 * exact.max(1.0),
                "k = {k}"
            );
        }
        assert_eq!(choose_row(5), [1u32, 5, 10, 10, 5, 1].map(BigUint::from).to_vec());
    }
}

/// The standard-normal score with the same tail probability as `c` under Binomial(r, p): for
/// `c` above the mean, `−Φ⁻¹(P(X ≥ c))`; below it, `Φ⁻¹(P(X ≤ c))`. Unlike `(c − rp)/√(rp(1−p))`
/// it stays honest when `rp` is tiny (one count where 0.01 is expected is a 1 % event, not a
/// ten-sigma one).
pub fn binomial_tail_z(r: f64, p: f64, c: f64) -> f64 {
    use statrs::function::beta::beta_reg;
    let mean = r * p;
    if p <= 0.0 {
        return if c > 0.0 { f64::INFINITY } else { 0.0 };
    }
    if p >= 1.0 {
        return if c < r { f64::NEG_INFINITY } else { 0.0 };
    }
    if c > mean {
        // P(X ≥ c) = I_p(c, r − c + 1).
        let tail = beta_reg(c, r - c + 1.0, p);
        if tail >= 0.5 {
            0.0
        } else {
            -super::normal::quantile(tail)
        }
    } else if c < mean {
        // P(X ≤ c) = 1 − I_p(c + 1, r − c) = I_{1−p}(r − c, c + 1).
        let tail = beta_reg(r - c, c + 1.0, 1.0 - p);
        if tail >= 0.5 {
            0.0
        } else {
            super::normal::quantile(tail)
        }
    } else {
        0.0
    }
}

#[cfg(test)]
mod tail_tests {
    use super::binomial_tail_z;

    #[test]
    fn tail_z_matches_exact_small_cases_and_the_normal_limit() {
        // Bin(10, 0.5): P(X ≥ 9) = 11/1024.
        let z = binomial_tail_z(10.0, 0.5, 9.0);
        let expected = -crate::math::normal::quantile(11.0 / 1024.0);
        assert!((z - expected).abs() < 1e-9, "{z} vs {expected}");
        // One count where 0.01 is expected: P(X ≥ 1) ≈ 0.01, z ≈ 2.33, not 9.9.
        let z = binomial_tail_z(1e6, 1e-8, 1.0);
        assert!((z - 2.326).abs() < 0.01, "{z}");
        // Large counts: close to the normal approximation (continuity-corrected).
        let (r, p) = (1e6f64, 0.3f64);
        let sd = (r * p * (1.0 - p)).sqrt();
        let z = binomial_tail_z(r, p, r * p + 3.0 * sd);
        assert!((z - 3.0).abs() < 0.02, "{z}");
    }
}
