//! Values that are either fixed or drawn per element (weights, delays, initial potentials).

use rand::Rng;
use rand_distr::{Distribution as _, Normal, Uniform};

/// A fixed value or a distribution to draw from. `Normal` with bounds is redrawn until it
/// falls inside `[low, high]` (NEST's `normal_clipped`).
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    Fixed(f64),
    Uniform {
        low: f64,
        high: f64,
    },
    Normal {
        mean: f64,
        std: f64,
        low: f64,
        high: f64,
    },
}

impl Distribution {
    /// Draws one value (a fixed value draws nothing from `rng`).
    pub fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        match *self {
            Distribution::Fixed(v) => v,
            Distribution::Uniform { low, high } => {
                if low == high {
                    low
                } else {
                    Uniform::new(low, high).map(|u| u.sample(rng)).unwrap_or(low)
                }
            }
            Distribution::Normal { mean, std, low, high } => {
                let normal = match Normal::new(mean, std) {
                    Ok(n) => n,
                    Err(_) => return mean,
                };
                // Validation guarantees that [low, high] has probability mass; cap the
                // rejection loop anyway so that no input can hang the builder.
                for _ in 0..10_000 {
                    let v = normal.sample(rng);
                    if v >= low && v <= high {
                        return v;
                    }
                }
                mean.clamp(low, high)
            }
        }
    }

    /// The smallest and largest value this can produce.
    pub fn range(&self) -> (f64, f64) {
        match *self {
            Distribution::Fixed(v) => (v, v),
            Distribution::Uniform { low, high } => (low, high),
            Distribution::Normal { low, high, .. } => (low, high),
        }
    }

    /// The expected value (for estimates; the clipped normal uses its unclipped mean).
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Fixed(v) => v,
            Distribution::Uniform { low, high } => 0.5 * (low + high),
            Distribution::Normal { mean, .. } => mean,
        }
    }

    pub fn is_fixed(&self) -> bool {
        matches!(self, Distribution::Fixed(_))
    }
}
