//! `fixed_indegree`: every postsynaptic neuron receives exactly k inputs drawn uniformly;
//! with `multapses` the same presynaptic neuron may be drawn more than once.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{Connect, ConnectivityRule, Rule, Sizes};
use crate::engine::params::{Param, ParamDefault, ParamError};
use crate::engine::rng::choose_distinct;

pub static RULE: ConnectivityRule = ConnectivityRule {
    name: "fixed_indegree",
    summary: "every target receives exactly k inputs (distinct unless multapses = true)",
    params: &[
        Param::count("k", ParamDefault::Required, "inputs per target"),
        Param::flag("multapses", false, "may one source be drawn more than once"),
    ],
    check: |p, s| {
        let k = p.count("k");
        let available = s.n_pre - usize::from(s.no_self && s.n_pre > 0);
        if !p.flag("multapses") && k as usize > available {
            return Err(ParamError::new(
                "k",
                format!(
                    "k = {k} distinct inputs but only {available} candidates; lower k or set multapses = true"
                ),
            ));
        }
        if k > 0 && available == 0 {
            return Err(ParamError::new(
                "k",
                "no candidate inputs: the only neuron is itself and autapses are off",
            ));
        }
        Ok(())
    },
    build: |p| rule(p.count("k") as usize, p.flag("multapses")),
};

pub fn rule(k: usize, multapses: bool) -> Rule {
    Rule::new("fixed_indegree", FixedInDegree { k, multapses })
}

#[derive(Debug)]
pub struct FixedInDegree {
    pub k: usize,
    pub multapses: bool,
}

impl Connect for FixedInDegree {
    fn expected_synapses(&self, s: Sizes) -> f64 {
        (self.k as f64) * s.n_post as f64
    }

    fn sources(&self, s: Sizes, post: usize, rng: &mut ChaCha8Rng, out: &mut Vec<u32>) {
        let skip_self = s.no_self && post < s.n_pre;
        let available = s.n_pre - usize::from(skip_self);
        if available == 0 {
            return;
        }
        let map = |j: usize| -> u32 {
            if skip_self && j >= post {
                (j + 1) as u32
            } else {
                j as u32
            }
        };
        if self.multapses {
            for _ in 0..self.k {
                out.push(map(rng.random_range(0..available)));
            }
        } else {
            out.extend(choose_distinct(rng, available, self.k).into_iter().map(map));
        }
        out.sort_unstable();
    }
}
