//! Optimal SDM radii for `n` dimensions, `r` neurons and `m` stored random patterns
//! (SCIENCE.md §1): signal-to-noise, memory capacity and critical distance, each turned into a
//! radius as the smallest `d` whose activation probability reaches the optimal `p`.

use super::normal;
use super::sdm::HammingSpace;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimalRadii {
    pub p_snr: f64,
    pub d_snr: usize,
    pub p_mem: f64,
    pub d_mem: usize,
    /// The critical distance reached at `d_cd`.
    pub critical_distance: usize,
    pub d_cd: usize,
}

/// `p* = (2 m r)^(−1/3)`, the maximiser of Kanerva's `SNR² = p r / (1 + p m (1 + p² r))`.
pub fn p_snr(r: f64, m: f64) -> f64 {
    (2.0 * m * r).powf(-1.0 / 3.0)
}

/// The p maximising memory capacity: the root in (0, 1) of `−2r²p³ + 3rp²z² + z² = 0` with
/// `z = Φ⁻¹(0.5^{1/n})`.
pub fn p_mem(n: usize, r: f64) -> f64 {
    let z = normal::quantile(0.5f64.powf(1.0 / n as f64));
    let z2 = z * z;
    let f = |p: f64| -2.0 * r * r * p * p * p + 3.0 * r * p * p * z2 + z2;
    // f(0) = z² > 0 and f → −∞: bisect on a log scale.
    let (mut lo, mut hi) = (1e-300f64, 1.0f64);
    if f(hi) > 0.0 {
        return 1.0;
    }
    for _ in 0..400 {
        let mid = (lo.ln() * 0.5 + hi.ln() * 0.5).exp();
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Critical distance at radius `d`: the first query distance `d_q ≥ 1` at which the expected
/// number of wrong bits after one read, `n (1 − Φ(E[c](d_q)/σ))` with
/// `σ² = E[c](d_q) + (m−1)(E[c](n/2) + E[c](n/2)²)`, exceeds `d_q`.
pub fn critical_distance(space: &HammingSpace, r: f64, m: f64, d: usize) -> usize {
    let n = space.n;
    let ec = |dq: usize| space.ln_expected_overlap(r, d, dq).exp();
    let half = ec(n / 2);
    let noise_other = (m - 1.0) * (half + half * half);
    for dq in 1..=n {
        let signal = ec(dq);
        let sigma = (signal + noise_other).sqrt();
        let wrong = if sigma > 0.0 {
            n as f64 * (1.0 - normal::cdf(signal / sigma))
        } else {
            n as f64
        };
        if wrong > dq as f64 {
            return dq;
        }
    }
    n
}

pub fn optimal_radii(n: usize, r: f64, m: f64) -> OptimalRadii {
    let space = HammingSpace::new(n);
    let p_s = p_snr(r, m);
    let p_m = p_mem(n, r);
    let (mut best_d, mut best_cd) = (0, 0);
    for d in 0..=n / 2 {
        let cd = critical_distance(&space, r, m, d);
        if cd > best_cd {
            best_cd = cd;
            best_d = d;
        }
    }
    OptimalRadii {
        p_snr: p_s,
        d_snr: space.radius_for_probability(p_s),
        p_mem: p_m,
        d_mem: space.radius_for_probability(p_m),
        critical_distance: best_cd,
        d_cd: best_d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_radii_for_n_64_r_2_64_m_1024() {
        let o = optimal_radii(64, 2f64.powi(64), 1024.0);
        assert_eq!((o.d_snr, o.d_mem, o.d_cd), (11, 5, 15), "{o:?}");
    }

    #[test]
    fn snr_optimum_is_a_maximum() {
        let (r, m) = (1e6, 100.0);
        let snr = |p: f64| p * r / (1.0 + p * m * (1.0 + p * p * r));
        let p = p_snr(r, m);
        assert!(snr(p) > snr(p * 1.01) && snr(p) > snr(p * 0.99));
    }
}
