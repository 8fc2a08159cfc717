//! `fixed_probability`: each pair independently with probability p (NEST's
//! `pairwise_bernoulli`), drawn by geometric skips between successes.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Connect, ConnectivityRule, Rule, Sizes, pairs};
use crate::engine::params::{Param, ParamDefault, ParamError};

pub static RULE: ConnectivityRule = ConnectivityRule {
    name: "fixed_probability",
    summary: "each pair independently with probability p (NEST pairwise_bernoulli)",
    params: &[Param::number(
        "p",
        ParamDefault::Required,
        "",
        "connection probability in [0, 1]",
    )],
    check: |p, _| {
        let x = p.number("p");
        if !(0.0..=1.0).contains(&x) {
            return Err(ParamError::new("p", format!("probability {x} is outside [0, 1]")));
        }
        Ok(())
    },
    build: |p| rule(p.number("p")),
};

pub fn rule(p: f64) -> Rule {
    Rule::new("fixed_probability", FixedProbability { p })
}

#[derive(Debug)]
pub struct FixedProbability {
    pub p: f64,
}

impl Connect for FixedProbability {
    fn expected_synapses(&self, s: Sizes) -> f64 {
        self.p * pairs(s)
    }

    fn sources(&self, s: Sizes, post: usize, rng: &mut ChaCha8Rng, out: &mut Vec<u32>) {
        let excluded = |i: usize| s.no_self && i == post;
        if self.p <= 0.0 {
            return;
        }
        if self.p >= 1.0 {
            out.extend((0..s.n_pre).filter(|&i| !excluded(i)).map(|i| i as u32));
            return;
        }
        let ln_q = (-self.p).ln_1p();
        let mut i: i64 = -1;
        loop {
            let u: f64 = rng.random::<f64>();
            let skip = ((-u).ln_1p() / ln_q).floor();
            if skip >= (s.n_pre as f64) {
                break;
            }
            i += 1 + skip as i64;
            if i >= s.n_pre as i64 {
                break;
            }
            if !excluded(i as usize) {
                out.push(i as u32);
            }
        }
    }

    fn all_pairs(&self, s: Sizes) -> bool {
        self.p >= 1.0 && !s.no_self
    }
}
