//! `poisson`: independent Poisson spike trains of rate `rate_hz` in `[start_ms, stop_ms)`.
//!
//! Each neuron draws its exponential inter-spike intervals from its own counter-based stream
//! keyed by (seed, population, neuron), so the trains do not depend on the rest of the circuit.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{CellGroup, Inputs};
use crate::engine::event::Spike;
use crate::engine::rng::{Domain, stream};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonParams {
    pub rate_hz: f64,
    pub start_ms: f64,
    pub stop_ms: f64,
}

pub struct PoissonGroup {
    p: PoissonParams,
    rng: Vec<ChaCha8Rng>,
    next: Vec<f64>,
}

impl PoissonGroup {
    pub fn new(p: PoissonParams, n: usize, seed: u64, population_key: u64) -> Self {
        let mut g = PoissonGroup {
            p,
            rng: (0..n)
                .map(|i| stream(seed, Domain::PoissonSpikes, population_key, i as u64))
                .collect(),
            next: vec![f64::INFINITY; n],
        };
        for i in 0..n {
            g.next[i] = g.draw_after(i, p.start_ms);
        }
        g
    }

    /// The first spike after `t`: `t` plus an exponential interval, or ∞ past `stop_ms`.
    fn draw_after(&mut self, i: usize, t: f64) -> f64 {
        if self.p.rate_hz <= 0.0 {
            return f64::INFINITY;
        }
        // 1 − U lies in (0, 1], so the logarithm is finite.
        let u: f64 = self.rng[i].random::<f64>();
        let next = t - (1.0 - u).ln() * 1000.0 / self.p.rate_hz;
        if next < self.p.stop_ms {
            next
        } else {
            f64::INFINITY
        }
    }
}

impl CellGroup for PoissonGroup {
    fn model(&self) -> &'static str {
        "poisson"
    }

    fn len(&self) -> usize {
        self.next.len()
    }

    fn advance(&mut self, t_end: f64, _inputs: Inputs, offset: u32, spikes: &mut Vec<Spike>) {
        for i in 0..self.len() {
            while self.next[i] < t_end {
                let t = self.next[i];
                spikes.push(Spike {
                    time: t,
                    neuron: offset + i as u32,
                });
                self.next[i] = self.draw_after(i, t);
            }
        }
    }

    fn takes_input(&self) -> bool {
        false
    }

    fn next_spontaneous(&self) -> f64 {
        self.next.iter().copied().fold(f64::INFINITY, f64::min)
    }

    fn state_bytes(&self) -> usize {
        (std::mem::size_of::<ChaCha8Rng>() + 8) * self.len()
    }
}
