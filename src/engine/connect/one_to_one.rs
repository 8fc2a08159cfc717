//! `one_to_one`: neuron i to neuron i (populations of equal size).

use rand_chacha::ChaCha8Rng;

use super::{Connect, ConnectivityRule, Rule, Sizes};
use crate::engine::params::ParamError;

pub static RULE: ConnectivityRule = ConnectivityRule {
    name: "one_to_one",
    summary: "neuron i to neuron i (equal sizes)",
    params: &[],
    check: |_, s| {
        if s.n_pre != s.n_post {
            return Err(ParamError::new(
                "",
                format!("one_to_one needs equal sizes ({} vs {})", s.n_pre, s.n_post),
            ));
        }
        Ok(())
    },
    build: |_| rule(),
};

/// The rule (for networks built in Rust).
pub fn rule() -> Rule {
    Rule::new("one_to_one", OneToOne)
}

#[derive(Debug)]
pub struct OneToOne;

impl Connect for OneToOne {
    fn expected_synapses(&self, s: Sizes) -> f64 {
        s.n_pre.min(s.n_post) as f64
    }

    fn sources(&self, s: Sizes, post: usize, _rng: &mut ChaCha8Rng, out: &mut Vec<u32>) {
        if post < s.n_pre && !s.no_self {
            out.push(post as u32);
        }
    }
}
