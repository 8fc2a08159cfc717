//! Continuous SDM: unit vectors on the sphere `S^{n−1}`; a neuron's "ball" is a spherical cap of
//! half-angle `θ = arccos(1 − 2d/n)` and the weight of a pattern at angle `φ` from the query is
//! the area of the two caps' intersection (Lee & Kim 2014, an incomplete-beta integral).

use statrs::function::beta::beta_reg;
use statrs::function::gamma::ln_gamma;

/// The cap half-angle matching a Hamming radius `d` in n dimensions.
pub fn cap_angle(n: usize, d: usize) -> f64 {
    (1.0 - 2.0 * d as f64 / n as f64).clamp(-1.0, 1.0).acos()
}

/// `ln` of the fraction of the sphere `S^{n−1}` covered by a cap of half-angle θ ≤ π/2:
/// `½ I_{sin²θ}((n−1)/2, ½)`.
pub fn ln_cap_fraction(n: usize, theta: f64) -> f64 {
    let s = theta.sin();
    (0.5 * beta_reg((n as f64 - 1.0) / 2.0, 0.5, s * s)).ln()
}

/// `ln` of the fraction of `S^{n−1}` in the intersection of two caps of half-angle θ ≤ π/2 whose
/// centres are φ apart (−∞ when φ ≥ 2θ):
/// `Γ(n/2)/(√π Γ((n−1)/2)) ∫_{φ/2}^{θ} sin^{n−2}(t) I_{1−tan²(φ/2)/tan²t}((n−2)/2, ½) dt`,
/// integrated by Simpson's rule in log-scaled form (no underflow for large n).
pub fn ln_cap_intersection(n: usize, theta: f64, phi: f64) -> f64 {
    assert!(n >= 3, "caps need n ≥ 3");
    let lo = phi / 2.0;
    if lo >= theta {
        return f64::NEG_INFINITY;
    }
    let nf = n as f64;
    let ln_pref = ln_gamma(nf / 2.0) - 0.5 * std::f64::consts::PI.ln() - ln_gamma((nf - 1.0) / 2.0);
    let tan_lo = lo.tan();
    let ln_f = |t: f64| -> f64 {
        let x = if lo == 0.0 {
            1.0
        } else {
            (1.0 - (tan_lo / t.tan()).powi(2)).clamp(0.0, 1.0)
        };
        let ib = if x >= 1.0 {
            1.0
        } else {
            beta_reg((nf - 2.0) / 2.0, 0.5, x)
        };
        (nf - 2.0) * t.sin().ln() + ib.ln()
    };
    let steps = 4000;
    let h = (theta - lo) / steps as f64;
    let scale = ln_f(theta);
    let mut acc = 0.0;
    for k in 0..=steps {
        let t = lo + k as f64 * h;
        let w = if k == 0 || k == steps {
            1.0
        } else if k % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let v = ln_f(t);
        if v.is_finite() {
            acc += w * (v - scale).exp();
        }
    }
    ln_pref + scale + (acc * h / 3.0).ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coincident_caps_intersect_in_one_cap() {
        for (n, d) in [(64usize, 11usize), (1000, 451)] {
            let theta = cap_angle(n, d);
            let a = ln_cap_intersection(n, theta, 0.0);
            let b = ln_cap_fraction(n, theta);
            assert!((a - b).abs() < 1e-6 * b.abs().max(1.0), "n={n}: {a} vs {b}");
        }
    }

    #[test]
    fn intersection_shrinks_with_angle_and_vanishes_beyond_twice_the_cap() {
        let (n, theta) = (100, cap_angle(100, 40));
        let mut last = f64::INFINITY;
        for k in 0..20 {
            let v = ln_cap_intersection(n, theta, k as f64 * 0.05);
            assert!(v < last);
            last = v;
        }
        assert_eq!(
            ln_cap_intersection(n, theta, 2.0 * theta + 1e-9),
            f64::NEG_INFINITY
        );
    }
}
