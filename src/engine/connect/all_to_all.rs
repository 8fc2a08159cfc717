//! `all_to_all`: every pair (without self-pairs when autapses are off).

use rand_chacha::ChaCha8Rng;

use super::{Connect, ConnectivityRule, Rule, Sizes, pairs};

pub static RULE: ConnectivityRule = ConnectivityRule {
    name: "all_to_all",
    summary: "every pair of neurons",
    params: &[],
    check: |_, _| Ok(()),
    build: |_| rule(),
};

/// The rule (for networks built in Rust).
pub fn rule() -> Rule {
    Rule::new("all_to_all", AllToAll)
}

#[derive(Debug)]
pub struct AllToAll;

impl Connect for AllToAll {
    fn expected_synapses(&self, s: Sizes) -> f64 {
        pairs(s)
    }

    fn sources(&self, s: Sizes, post: usize, _rng: &mut ChaCha8Rng, out: &mut Vec<u32>) {
        out.extend(
            (0..s.n_pre)
                .filter(|&i| !(s.no_self && i == post))
                .map(|i| i as u32),
        );
    }

    fn all_pairs(&self, s: Sizes) -> bool {
        !s.no_self
    }
}
