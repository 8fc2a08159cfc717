//! Hard locations that look at a subset of the coordinates (granule-cell claws): the
//! probability that one random location is activated by both of two inputs `d_v` apart
//! (SCIENCE.md §1, "sparse addresses").
//!
//! A location looks at `k` coordinates drawn without replacement from `n`, with a uniformly
//! random address bit on each, and is active for x when its address differs from x on at most
//! `ρ` of its coordinates. Of its k coordinates, `j` fall where x and y differ
//! (hypergeometric). On the `k − j` shared coordinates the address mismatches both x and y
//! on `m₁`; on the `j` differing ones it mismatches x on `m₂` and y on `j − m₂`. So
//!
//! `P(d_v) = Σ_j H(j) Σ_{m₁, m₂} C(k−j, m₁) C(j, m₂) 2^{−k} [m₁ + m₂ ≤ ρ, m₁ + j − m₂ ≤ ρ]`,
//!
//! with `H(j) = C(d_v, j) C(n − d_v, k − j) / C(n, k)`. For `k = n` this is Kanerva's
//! `I(n, ρ, d_v)/2^n`; for `ρ = 0` it is `C(n − d_v, k)/C(n, k) · 2^{−k}`.

use super::binomial::{LnFactorial, log_sum_exp};
use super::sdm::HammingSpace;

/// `P(d_v)` for locations with `k` of `n` coordinates and radius `rho`.
pub fn overlap_probability(lf: &LnFactorial, n: usize, k: usize, rho: usize, dv: usize) -> f64 {
    if k == n {
        let space = HammingSpace::new(n);
        return (space.ln_intersection(rho, dv) - n as f64 * std::f64::consts::LN_2).exp();
    }
    let ln_half_k = -(k as f64) * std::f64::consts::LN_2;
    let mut terms = Vec::new();
    let j_lo = k.saturating_sub(n - dv);
    for j in j_lo..=k.min(dv) {
        let ln_h = lf.ln_choose(dv, j) + lf.ln_choose(n - dv, k - j) - lf.ln_choose(n, k);
        for m2 in 0..=j {
            // m₁ ≤ ρ − m₂ and m₁ ≤ ρ − j + m₂ (and ≤ k − j).
            let cap = (rho as i64 - m2 as i64).min(rho as i64 - j as i64 + m2 as i64);
            if cap < 0 {
                continue;
            }
            let cap = (cap as usize).min(k - j);
            let ln_m1 = log_sum_exp((0..=cap).map(|m1| lf.ln_choose(k - j, m1)));
            terms.push(ln_h + lf.ln_choose(j, m2) + ln_m1 + ln_half_k);
        }
    }
    log_sum_exp(terms).exp()
}

/// Probability that one location is active for a given input: `P(Bin(k, ½) ≤ ρ)`.
pub fn activation_probability(lf: &LnFactorial, k: usize, rho: usize) -> f64 {
    log_sum_exp((0..=rho.min(k)).map(|m| lf.ln_choose(k, m) - k as f64 * std::f64::consts::LN_2)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Enumerates every location (coordinate subset and address bits) for small n.
    fn brute(n: usize, k: usize, rho: usize, dv: usize) -> f64 {
        let mut hits = 0u64;
        let mut total = 0u64;
        for subset in 0u32..(1 << n) {
            if subset.count_ones() as usize != k {
                continue;
            }
            for addr in 0u32..(1 << n) {
                if addr & !subset != 0 {
                    continue;
                }
                total += 1;
                // x = 0; y has ones on the first d_v coordinates.
                let y = (1u32 << dv) - 1;
                let hx = (addr & subset).count_ones() as usize;
                let hy = ((addr ^ y) & subset).count_ones() as usize;
                if hx <= rho && hy <= rho {
                    hits += 1;
                }
            }
        }
        hits as f64 / total as f64
    }

    #[test]
    fn matches_enumeration_for_every_claw_count_radius_and_distance() {
        let n = 8;
        let lf = LnFactorial::new(n);
        for k in 1..=n {
            for rho in 0..k {
                for dv in 0..=n {
                    let (a, b) = (overlap_probability(&lf, n, k, rho, dv), brute(n, k, rho, dv));
                    assert!((a - b).abs() < 1e-12, "k {k} rho {rho} dv {dv}: {a} vs {b}");
                }
            }
        }
        // At d_v = 0 it is the activation probability.
        assert!((overlap_probability(&lf, n, 4, 1, 0) - activation_probability(&lf, 4, 1)).abs() < 1e-12);
    }
}
