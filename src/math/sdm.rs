//! Sparse Distributed Memory in closed form: Hamming balls, their intersections, expected
//! overlaps, activation probabilities, cosine ↔ Hamming, and the β of the softmax that the
//! intersection follows (SCIENCE.md §1).

use num_bigint::BigUint;

use super::binomial::{LnFactorial, choose_row, ln_big, log_sum_exp};

/// Hamming-ball geometry of `{0,1}^n` (log-factorials cached).
pub struct HammingSpace {
    pub n: usize,
    lf: LnFactorial,
}

impl HammingSpace {
    pub fn new(n: usize) -> Self {
        HammingSpace {
            n,
            lf: LnFactorial::new(n),
        }
    }

    /// `ln V(n, d)`, `V = Σ_{i≤d} C(n, i)`: points within `d` of a centre.
    pub fn ln_ball(&self, d: usize) -> f64 {
        log_sum_exp((0..=d.min(self.n)).map(|i| self.lf.ln_choose(self.n, i)))
    }

    /// `ln I(n, d, d_v)` by the double sum
    /// `Σ_{a=n−d−⌊d_v/2⌋}^{n−d_v} Σ_{c=max(0,n−d−a)}^{d_v−(n−d−a)} C(n−d_v, a) C(d_v, c)`
    /// (all terms positive, so log-sum-exp is accurate).
    pub fn ln_intersection(&self, d: usize, dv: usize) -> f64 {
        let n = self.n as i64;
        let (d, dv) = (d as i64, dv as i64);
        let mut terms = Vec::new();
        let a_lo = (n - d - dv / 2).max(0);
        for a in a_lo..=(n - dv) {
            let need = n - d - a; // agreements still needed among the d_v differing coordinates
            let c_lo = need.max(0);
            let c_hi = (dv - need).min(dv); // C(d_v, c) = 0 beyond d_v
            for c in c_lo..=c_hi {
                terms.push(
                    self.lf.ln_choose((n - dv) as usize, a as usize)
                        + self.lf.ln_choose(dv as usize, c as usize),
                );
            }
        }
        log_sum_exp(terms)
    }

    /// `ln I(n, d, d_v)` by Kanerva's form `V(n,d) − Σ_{odd j ≤ d_v} C(j−1, (j−1)/2) C(n−j, d−(j−1)/2)`.
    /// The subtraction loses relative accuracy where the intersection is tiny next to the ball.
    pub fn ln_intersection_kanerva(&self, d: usize, dv: usize) -> f64 {
        let ln_v = self.ln_ball(d);
        let ln_s = log_sum_exp((1..=dv).step_by(2).filter_map(|j| {
            let h = (j - 1) / 2;
            (h <= d && j <= self.n)
                .then(|| self.lf.ln_choose(j - 1, h) + self.lf.ln_choose(self.n - j, d - h))
        }));
        if ln_s == f64::NEG_INFINITY {
            return ln_v;
        }
        let ratio = (ln_s - ln_v).exp();
        if ratio >= 1.0 {
            // Empty, or smaller than this form can resolve next to V(n, d).
            return f64::NEG_INFINITY;
        }
        ln_v + (-ratio).ln_1p()
    }

    /// Activation probability `p = V(n, d) / 2^n`.
    pub fn activation_probability(&self, d: usize) -> f64 {
        (self.ln_ball(d) - self.n as f64 * std::f64::consts::LN_2).exp()
    }

    /// The smallest radius whose activation probability reaches `p`.
    pub fn radius_for_probability(&self, p: f64) -> usize {
        let ln_p = p.ln();
        let ln_total = self.n as f64 * std::f64::consts::LN_2;
        let mut acc = f64::NEG_INFINITY;
        for d in 0..=self.n {
            let t = self.lf.ln_choose(self.n, d);
            acc = if acc == f64::NEG_INFINITY {
                t
            } else {
                acc.max(t) + (-(acc - t).abs()).exp().ln_1p()
            };
            if acc - ln_total >= ln_p - 1e-12 {
                return d;
            }
        }
        self.n
    }

    /// `ln E[c] = ln(r · I(n, d, d_v) / 2^n)`: expected number of neurons active for both of two
    /// vectors `d_v` apart, among `r` uniformly placed neurons.
    pub fn ln_expected_overlap(&self, r: f64, d: usize, dv: usize) -> f64 {
        r.ln() + self.ln_intersection(d, dv) - self.n as f64 * std::f64::consts::LN_2
    }
}

/// Exact `I(n, d, d_v)` by the double sum, in big integers.
pub fn intersection_exact(n: usize, d: usize, dv: usize) -> BigUint {
    let row_a = choose_row(n - dv);
    let row_c = choose_row(dv);
    let (n, d, dvi) = (n as i64, d as i64, dv as i64);
    let mut total = BigUint::from(0u32);
    for a in (n - d - dvi / 2).max(0)..=(n - dvi) {
        let need = n - d - a;
        for c in need.max(0)..=(dvi - need).min(dvi) {
            total += &row_a[a as usize] * &row_c[c as usize];
        }
    }
    total
}

/// Exact `I(n, d, d_v)` by Kanerva's form, in big integers.
pub fn intersection_exact_kanerva(n: usize, d: usize, dv: usize) -> BigUint {
    let row_n = choose_row(n);
    let v: BigUint = row_n[..=d.min(n)].iter().sum();
    let mut s = BigUint::from(0u32);
    for j in (1..=dv).step_by(2) {
        let h = (j - 1) / 2;
        if h > d {
            continue;
        }
        let row_j = choose_row(j - 1);
        let row_rest = choose_row(n - j);
        if d - h <= n - j {
            s += &row_j[h] * &row_rest[d - h];
        }
    }
    v - s
}

/// `ln` of an exact intersection.
pub fn ln_exact(x: &BigUint) -> f64 {
    ln_big(x)
}

/// `cos = 1 − 2 d_v / n`.
pub fn cosine_of_distance(n: usize, dv: usize) -> f64 {
    1.0 - 2.0 * dv as f64 / n as f64
}

/// `d_v = ⌊n (1 − cos) / 2⌋`.
pub fn distance_of_cosine(n: usize, cos: f64) -> usize {
    ((n as f64 * (1.0 - cos) / 2.0) + 1e-9).floor().max(0.0) as usize
}

/// The β of `softmax(β cos)` that the circle intersection follows: the least-squares slope of
/// `ln I` on `cos` over `d_v = 0..d−1`, and the published convention (sample covariance over
/// population variance, `N/(N−1)` times the slope).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BetaFit {
    pub beta_ols: f64,
    pub beta_published: f64,
    pub intercept: f64,
    pub points: usize,
}

pub fn fit_beta(space: &HammingSpace, d: usize) -> BetaFit {
    let pts: Vec<(f64, f64)> = (0..d.max(2))
        .map(|dv| (cosine_of_distance(space.n, dv), space.ln_intersection(d, dv)))
        .collect();
    let k = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / k;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / k;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let beta_ols = sxy / sxx;
    BetaFit {
        beta_ols,
        beta_published: beta_ols * k / (k - 1.0),
        intercept: my - beta_ols * mx,
        points: pts.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: points of {0,1}^n within d of 0 and of a vector with d_v ones.
    fn brute(n: usize, d: usize, dv: usize) -> u64 {
        let other: u32 = (1u32 << dv) - 1;
        (0u32..(1 << n))
            .filter(|x| x.count_ones() as usize <= d && (x ^ other).count_ones() as usize <= d)
            .count() as u64
    }

    /// Equal within a relative tolerance (two −∞ are equal: both intersections empty).
    fn close(a: f64, b: f64, rel: f64) -> bool {
        a == b || (a - b).abs() < rel * b.abs().max(1.0)
    }

    #[test]
    fn both_formulas_equal_brute_force_counts() {
        for n in [6usize, 9, 12] {
            for d in 0..=n / 2 + 1 {
                for dv in 0..=n {
                    let b = BigUint::from(brute(n, d, dv));
                    assert_eq!(intersection_exact(n, d, dv), b, "double sum n={n} d={d} dv={dv}");
                    assert_eq!(
                        intersection_exact_kanerva(n, d, dv),
                        b,
                        "Kanerva n={n} d={d} dv={dv}"
                    );
                }
            }
        }
    }

    #[test]
    fn log_space_agrees_with_exact_up_to_n_4096() {
        for (n, d) in [(64usize, 11usize), (1000, 451), (4096, 1950)] {
            let s = HammingSpace::new(n);
            for dv in [0usize, 1, 2, 7, 40] {
                let exact = ln_exact(&intersection_exact(n, d, dv));
                let got = s.ln_intersection(d, dv);
                assert!(close(got, exact, 1e-9), "n={n} d={d} dv={dv}: {got} vs {exact}");
                let kan = s.ln_intersection_kanerva(d, dv);
                assert!(
                    close(kan, exact, 1e-6),
                    "Kanerva n={n} d={d} dv={dv}: {kan} vs {exact}"
                );
            }
        }
    }

    #[test]
    fn intersection_is_a_staircase() {
        let s = HammingSpace::new(64);
        for k in 1..20 {
            assert_eq!(
                intersection_exact(64, 11, 2 * k - 1),
                intersection_exact(64, 11, 2 * k)
            );
            assert!(close(
                s.ln_intersection(11, 2 * k - 1),
                s.ln_intersection(11, 2 * k),
                1e-12
            ));
        }
    }

    #[test]
    fn published_betas_for_n_64() {
        let s = HammingSpace::new(64);
        for (d, beta) in [(5usize, 35.5), (11, 15.9), (15, 10.1)] {
            let fit = fit_beta(&s, d);
            assert!((fit.beta_published - beta).abs() < 0.05, "d={d}: {fit:?}");
            let k = fit.points as f64;
            assert!((fit.beta_published / fit.beta_ols - k / (k - 1.0)).abs() < 1e-12);
        }
    }
}
