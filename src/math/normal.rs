//! The standard normal distribution function and its inverse.

use statrs::function::erf::{erfc, erfc_inv};

/// Φ(x) = P(Z ≤ x).
pub fn cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Φ⁻¹(p) for p in (0, 1).
pub fn quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}
