//! Hopfield networks without spikes (SCIENCE.md §3): the classical network (Hebbian storage,
//! synchronous and asynchronous sign updates, energy) and the modern one
//! (`ξ_new = X softmax(β Xᵀξ)`, its energy, iteration to a fixed point, the heteroassociative
//! read `V softmax(β Kᵀq)`), and the number of patterns a softmax mixes (`1/Σp²`).

use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand::RngExt;

use super::attention::softmax;

/// Random ±1 patterns as the columns of a `dim × count` matrix.
pub fn random_patterns<R: Rng>(rng: &mut R, dim: usize, count: usize) -> DMatrix<f64> {
    DMatrix::from_fn(dim, count, |_, _| if rng.random::<bool>() { 1.0 } else { -1.0 })
}

/// `x` with exactly `flips` entries negated, chosen uniformly.
pub fn flip<R: Rng>(rng: &mut R, x: &DVector<f64>, flips: usize) -> DVector<f64> {
    let n = x.len();
    let mut chosen = std::collections::BTreeSet::new();
    for j in (n - flips.min(n))..n {
        let t = rng.random_range(0..=j);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    let mut q = x.clone();
    for i in chosen {
        q[i] = -q[i];
    }
    q
}

/// `sgn` with `sgn(0) = +1`.
pub fn sign(x: &DVector<f64>) -> DVector<f64> {
    x.map(|v| if v >= 0.0 { 1.0 } else { -1.0 })
}

/// The classical network: `W = Σ x_μ x_μᵀ` with zero diagonal.
pub struct ClassicalHopfield {
    pub w: DMatrix<f64>,
}

impl ClassicalHopfield {
    pub fn store(patterns: &DMatrix<f64>) -> Self {
        let mut w = patterns * patterns.transpose();
        w.fill_diagonal(0.0);
        ClassicalHopfield { w }
    }

    /// `E = −½ ξᵀ W ξ`.
    pub fn energy(&self, xi: &DVector<f64>) -> f64 {
        -0.5 * xi.dot(&(&self.w * xi))
    }

    /// One synchronous update `ξ ← sgn(W ξ)`.
    pub fn step_sync(&self, xi: &DVector<f64>) -> DVector<f64> {
        sign(&(&self.w * xi))
    }

    /// Asynchronous sweeps in random order until no unit changes (at most `max_sweeps`);
    /// returns the state and the number of sweeps.
    pub fn run_async<R: Rng>(
        &self,
        rng: &mut R,
        xi: &DVector<f64>,
        max_sweeps: usize,
    ) -> (DVector<f64>, usize) {
        let n = xi.len();
        let mut s = xi.clone();
        let mut order: Vec<usize> = (0..n).collect();
        for sweep in 1..=max_sweeps {
            for i in (1..n).rev() {
                order.swap(i, rng.random_range(0..=i));
            }
            let mut changed = false;
            for &i in &order {
                let h = self.w.row(i).dot(&s.transpose());
                let v = if h >= 0.0 { 1.0 } else { -1.0 };
                if v != s[i] {
                    s[i] = v;
                    changed = true;
                }
            }
            if !changed {
                return (s, sweep);
            }
        }
        (s, max_sweeps)
    }
}

/// The modern (dense associative memory) network over stored patterns `X` (columns).
pub struct ModernHopfield {
    pub x: DMatrix<f64>,
    pub beta: f64,
}

impl ModernHopfield {
    /// `p = softmax(β Xᵀξ)`.
    pub fn weights(&self, xi: &DVector<f64>) -> Vec<f64> {
        let s = self.x.transpose() * xi;
        softmax(s.as_slice(), self.beta)
    }

    /// One update `ξ_new = X softmax(β Xᵀξ)`.
    pub fn update(&self, xi: &DVector<f64>) -> DVector<f64> {
        &self.x * DVector::from_vec(self.weights(xi))
    }

    /// `E = −β⁻¹ ln Σ exp(β x_μᵀξ) + ½ ξᵀξ` (constants dropped).
    pub fn energy(&self, xi: &DVector<f64>) -> f64 {
        let s = self.x.transpose() * xi;
        let m = s.max();
        let lse = m + s.iter().map(|v| (self.beta * (v - m)).exp()).sum::<f64>().ln() / self.beta;
        -lse + 0.5 * xi.dot(xi)
    }

    /// Iterates the update until it moves less than `tol` (at most `max_steps`).
    pub fn fixed_point(&self, xi: &DVector<f64>, tol: f64, max_steps: usize) -> (DVector<f64>, usize) {
        let mut s = xi.clone();
        for step in 1..=max_steps {
            let next = self.update(&s);
            let moved = (&next - &s).amax();
            s = next;
            if moved < tol {
                return (s, step);
            }
        }
        (s, max_steps)
    }
}

/// Heteroassociative read `V softmax(β Kᵀq)` (keys and values as columns).
pub fn hetero_read(keys: &DMatrix<f64>, values: &DMatrix<f64>, q: &DVector<f64>, beta: f64) -> DVector<f64> {
    let s = keys.transpose() * q;
    values * DVector::from_vec(softmax(s.as_slice(), beta))
}

/// The number of patterns a weight vector mixes: `1 / Σ p²`.
pub fn patterns_mixed(p: &[f64]) -> f64 {
    1.0 / p.iter().map(|x| x * x).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn classical_energy_never_rises_under_async_updates_and_stored_patterns_are_stable_at_low_load() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let x = random_patterns(&mut rng, 200, 5);
        let net = ClassicalHopfield::store(&x);
        for mu in 0..5 {
            let p = x.column(mu).into_owned();
            assert_eq!(
                net.step_sync(&p),
                p,
                "pattern {mu} is not a fixed point at load 0.025"
            );
        }
        let q = flip(&mut rng, &x.column(0).into_owned(), 40);
        let (s, _) = net.run_async(&mut rng, &q, 50);
        assert!(net.energy(&s) <= net.energy(&q));
        assert_eq!(s, x.column(0).into_owned());
    }

    #[test]
    fn modern_update_is_a_convex_combination_and_lowers_the_energy() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
        let x = random_patterns(&mut rng, 64, 100);
        let net = ModernHopfield {
            x: x.clone(),
            beta: 0.2,
        };
        let q = flip(&mut rng, &x.column(3).into_owned(), 13);
        let p = net.weights(&q);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let next = net.update(&q);
        assert!(net.energy(&next) <= net.energy(&q) + 1e-12);
        assert_eq!(sign(&next), x.column(3).into_owned());
        assert!((patterns_mixed(&[0.5, 0.5]) - 2.0).abs() < 1e-12);
        let (fp, _) = net.fixed_point(&q, 1e-12, 100);
        assert!((net.update(&fp) - &fp).amax() < 1e-9);
    }
}
