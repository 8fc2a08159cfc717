//! `address`: random address subsets over a dual-rail population — the hard-location addresses
//! of Sparse Distributed Memory (SCIENCE.md §1–2).
//!
//! The presynaptic population codes `n` dimensions on two rails: neuron `2i` fires when bit i
//! is 0, neuron `2i + 1` when it is 1 (`encode = "dual_rail"`). Each postsynaptic neuron draws
//! `dims` distinct dimensions (all n: Kanerva's design; ~4: a granule cell's claws) and a
//! random address bit `a_i` for each, and receives neuron `2i + a_i`. The number of its inputs
//! that fire for a presented x is then the number of its dimensions on which x agrees with its
//! address, so a threshold at `dims − radius` (Golgi inhibition) makes it fire iff its
//! distance to x over those dimensions is at most `radius`.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Connect, ConnectivityRule, Rule, Sizes};
use crate::engine::params::{Param, ParamDefault, ParamError};
use crate::engine::rng::choose_distinct;

pub static RULE: ConnectivityRule = ConnectivityRule {
    name: "address",
    summary: "each target looks at `dims` random dimensions of a dual-rail population (2n neurons) with a random address bit each",
    params: &[Param::count(
        "dims",
        ParamDefault::Required,
        "dimensions per target: n for Kanerva's design, e.g. 4 for granule-cell claws",
    )],
    check: |p, s| {
        if s.n_pre % 2 != 0 {
            return Err(ParamError::new(
                "",
                format!(
                    "the presynaptic population has {} neurons; a dual-rail code needs 2 per dimension",
                    s.n_pre
                ),
            ));
        }
        let dims = p.count("dims");
        let n = (s.n_pre / 2) as u64;
        if dims == 0 || dims > n {
            return Err(ParamError::new(
                "dims",
                format!(
                    "dims = {dims}; give 1 ≤ dims ≤ n = {n} (the dual-rail population codes n dimensions)"
                ),
            ));
        }
        Ok(())
    },
    build: |p| {
        Rule::new(
            "address",
            Address {
                dims: p.count("dims") as usize,
            },
        )
    },
};

#[derive(Debug)]
pub struct Address {
    pub dims: usize,
}

impl Connect for Address {
    fn expected_synapses(&self, s: Sizes) -> f64 {
        (self.dims as f64) * s.n_post as f64
    }

    fn sources(&self, s: Sizes, _post: usize, rng: &mut ChaCha8Rng, out: &mut Vec<u32>) {
        let n = s.n_pre / 2;
        if self.dims >= n {
            // All dimensions: 64 address bits per draw.
            let mut word = 0u64;
            for i in 0..n {
                if i % 64 == 0 {
                    word = rng.random::<u64>();
                }
                out.push((2 * i) as u32 + ((word >> (i % 64)) & 1) as u32);
            }
        } else {
            for i in choose_distinct(rng, n, self.dims) {
                out.push((2 * i) as u32 + u32::from(rng.random::<bool>()));
            }
        }
    }

    fn prefers_bits(&self) -> bool {
        true
    }
}
