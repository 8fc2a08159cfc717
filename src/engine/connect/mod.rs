//! Connection rules: which presynaptic neurons each postsynaptic neuron receives, with weights
//! and delays drawn from per-neuron counter-based streams (so a projection is the same whatever
//! order or thread it is built in). A rule is one file (its parameters, their checks, the
//! wiring) plus one line in `RULES`.

pub mod address;
pub mod all_to_all;
pub mod explicit;
pub mod fixed_indegree;
pub mod fixed_probability;
pub mod one_to_one;
pub mod pattern;

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;

use super::distribution::Distribution;
use super::params::{Param, ParamError, Params};
use super::rng::{Domain, stream};
use super::synapse::SynapseSpec;

/// The connection rules a circuit file can name, one line each.
pub static RULES: &[&ConnectivityRule] = &[
    &all_to_all::RULE,
    &one_to_one::RULE,
    &fixed_probability::RULE,
    &fixed_indegree::RULE,
    &explicit::RULE,
    &address::RULE,
    &pattern::RULE,
];

/// The registered rule called `name`.
pub fn find(name: &str) -> Option<&'static ConnectivityRule> {
    RULES.iter().copied().find(|r| r.name == name)
}

/// The sizes a rule is checked against.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub n_pre: usize,
    pub n_post: usize,
    /// Pre and post are the same population and a neuron may not connect to itself.
    pub no_self: bool,
}

/// A connection rule as the circuit format sees it.
pub struct ConnectivityRule {
    pub name: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    pub check: fn(&Params, Sizes) -> Result<(), ParamError>,
    pub build: fn(&Params) -> Rule,
}

impl std::fmt::Debug for ConnectivityRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// Synapses listed one by one, with their own weights and delays where given.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed {
    pub pairs: Vec<(u32, u32)>,
    pub weights: Option<Vec<f64>>,
    pub delays: Option<Vec<f64>>,
}

/// How a rule wires.
pub trait Connect: Send + Sync + std::fmt::Debug {
    /// Expected number of synapses (memory estimates before building).
    fn expected_synapses(&self, s: Sizes) -> f64;

    /// The presynaptic neurons of `post`, ascending (with repeats only where the rule allows
    /// multapses), drawn from `rng`, the post neuron's connectivity stream.
    fn sources(&self, s: Sizes, post: usize, rng: &mut ChaCha8Rng, out: &mut Vec<u32>);

    /// Synapses listed explicitly (then `sources` is not used).
    fn listed(&self) -> Option<&Listed> {
        None
    }

    /// Every (pre, post) pair is connected once: a dense matrix can hold the projection.
    fn all_pairs(&self, _s: Sizes) -> bool {
        false
    }

    /// The rule's wiring suits a bit matrix when its weight and delay are fixed (engram picks
    /// that storage unless the file says otherwise).
    fn prefers_bits(&self) -> bool {
        false
    }
}

/// A built rule with the name it was given by.
#[derive(Clone, Debug)]
pub struct Rule {
    pub name: &'static str,
    pub connect: Arc<dyn Connect>,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && Arc::ptr_eq(&self.connect, &other.connect)
    }
}

impl Rule {
    pub fn new(name: &'static str, connect: impl Connect + 'static) -> Rule {
        Rule {
            name,
            connect: Arc::new(connect),
        }
    }
}

/// Everything a rule needs to wire one projection.
pub struct Wiring<'a> {
    pub rule: &'a Rule,
    pub n_pre: usize,
    pub n_post: usize,
    /// Pre and post are the same population.
    pub recurrent: bool,
    pub autapses: bool,
    pub weight: &'a Distribution,
    pub delay: &'a Distribution,
    /// Drawn delays are rounded to a multiple of this (ms).
    pub delay_step: f64,
    pub seed: u64,
    pub projection_key: u64,
}

impl Wiring<'_> {
    pub fn sizes(&self) -> Sizes {
        Sizes {
            n_pre: self.n_pre,
            n_post: self.n_post,
            no_self: self.recurrent && !self.autapses,
        }
    }

    /// Expected number of synapses (for memory estimates before building).
    pub fn expected_synapses(&self) -> f64 {
        self.rule.connect.expected_synapses(self.sizes())
    }

    /// The presynaptic neurons of `post`, ascending.
    pub fn sources_of(&self, post: usize, out: &mut Vec<u32>) {
        out.clear();
        let mut rng = stream(self.seed, Domain::Connectivity, self.projection_key, post as u64);
        self.rule.connect.sources(self.sizes(), post, &mut rng, out);
    }

    /// All synapses, grouped by postsynaptic neuron in ascending order.
    pub fn synapses(&self) -> Vec<SynapseSpec> {
        let mut out = Vec::with_capacity(self.expected_synapses().min(1e9) as usize);
        if let Some(list) = self.rule.connect.listed() {
            for (k, &(pre, post)) in list.pairs.iter().enumerate() {
                let w = list.weights.as_ref().map_or_else(|| self.weight.mean(), |w| w[k]);
                let d = list.delays.as_ref().map_or_else(|| self.delay.mean(), |d| d[k]);
                out.push(SynapseSpec {
                    pre,
                    post,
                    weight: w as f32,
                    delay: d,
                });
            }
            out.sort_by_key(|s| s.post);
            return out;
        }
        let mut pres: Vec<u32> = Vec::new();
        for post in 0..self.n_post {
            self.sources_of(post, &mut pres);
            let mut wrng = stream(self.seed, Domain::Weight, self.projection_key, post as u64);
            let mut drng = stream(self.seed, Domain::Delay, self.projection_key, post as u64);
            for &pre in &pres {
                let weight = self.weight.sample(&mut wrng) as f32;
                let delay = self.draw_delay(&mut drng);
                out.push(SynapseSpec {
                    pre,
                    post: post as u32,
                    weight,
                    delay,
                });
            }
        }
        out
    }

    /// For each postsynaptic neuron, a bit mask over the presynaptic population (⌈n_pre/64⌉
    /// words per row), built in parallel over rows (each row from its own stream).
    pub fn bit_rows(&self) -> Vec<u64> {
        use rayon::prelude::*;
        let words = self.n_pre.div_ceil(64).max(1);
        let mut rows = vec![0u64; words * self.n_post];
        rows.par_chunks_mut(words)
            .enumerate()
            .for_each_init(Vec::new, |pres, (post, row)| {
                if let Some(list) = self.rule.connect.listed() {
                    pres.clear();
                    pres.extend(list.pairs.iter().filter(|p| p.1 as usize == post).map(|p| p.0));
                } else {
                    self.sources_of(post, pres);
                }
                for &pre in pres.iter() {
                    row[pre as usize / 64] |= 1 << (pre % 64);
                }
            });
        rows
    }

    fn draw_delay(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self.delay {
            Distribution::Fixed(d) => *d,
            dist => {
                let steps = (dist.sample(rng) / self.delay_step).round().max(1.0);
                // Dividing by an integral inverse gives the correctly rounded decimal (3 / 10
                // is 0.3, where 3 · 0.1 is not).
                let inverse = 1.0 / self.delay_step;
                if (inverse - inverse.round()).abs() < 1e-9 {
                    steps / inverse.round()
                } else {
                    steps * self.delay_step
                }
            }
        }
    }
}

/// Pairs there are to draw from: all, minus the self-pairs when autapses are excluded.
pub fn pairs(s: Sizes) -> f64 {
    let self_pairs = if s.no_self { s.n_pre.min(s.n_post) } else { 0 };
    (s.n_pre as f64) * (s.n_post as f64) - self_pairs as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wiring<'a>(rule: &'a Rule, w: &'a Distribution, d: &'a Distribution) -> Wiring<'a> {
        Wiring {
            rule,
            n_pre: 200,
            n_post: 150,
            recurrent: false,
            autapses: true,
            weight: w,
            delay: d,
            delay_step: 0.1,
            seed: 3,
            projection_key: 11,
        }
    }

    #[test]
    fn fixed_in_degree_gives_k_distinct_sources_without_autapses() {
        let (w, d) = (Distribution::Fixed(1.0), Distribution::Fixed(1.0));
        let rule = fixed_indegree::rule(40, false);
        let mut wr = wiring(&rule, &w, &d);
        wr.n_post = 200;
        wr.recurrent = true;
        wr.autapses = false;
        let syn = wr.synapses();
        assert_eq!(syn.len(), 40 * 200);
        for post in 0..200u32 {
            let pres: Vec<u32> = syn.iter().filter(|s| s.post == post).map(|s| s.pre).collect();
            let mut dedup = pres.clone();
            dedup.dedup();
            assert_eq!(dedup.len(), 40, "post {post} has repeated sources");
            assert!(!pres.contains(&post));
        }
    }

    #[test]
    fn fixed_probability_count_is_binomial() {
        // 200·150 = 30000 Bernoulli(0.1) trials: mean 3000, sd 52; 5 sd bounds.
        let (w, d) = (Distribution::Fixed(1.0), Distribution::Fixed(1.0));
        let rule = fixed_probability::rule(0.1);
        let n = wiring(&rule, &w, &d).synapses().len() as f64;
        let sd = (30000.0f64 * 0.1 * 0.9).sqrt();
        assert!((n - 3000.0).abs() < 5.0 * sd, "{n} synapses");
    }

    #[test]
    fn drawn_delays_are_rounded_to_the_step_and_positive() {
        let w = Distribution::Fixed(1.0);
        let d = Distribution::Uniform { low: 0.0, high: 2.0 };
        let rule = Rule::new("all_to_all", all_to_all::AllToAll);
        for s in wiring(&rule, &w, &d).synapses() {
            let steps = s.delay / 0.1;
            assert!((steps - steps.round()).abs() < 1e-9 && s.delay >= 0.1);
        }
    }

    #[test]
    fn bit_rows_hold_the_same_synapses_as_the_sparse_table() {
        let (w, d) = (Distribution::Fixed(1.0), Distribution::Fixed(1.0));
        let rule = fixed_probability::rule(0.3);
        let wr = wiring(&rule, &w, &d);
        let rows = wr.bit_rows();
        let words = 200usize.div_ceil(64);
        let mut from_bits = Vec::new();
        for post in 0..150 {
            for pre in 0..200 {
                if rows[post * words + pre / 64] >> (pre % 64) & 1 == 1 {
                    from_bits.push((pre as u32, post as u32));
                }
            }
        }
        let sparse: Vec<(u32, u32)> = wr.synapses().iter().map(|s| (s.pre, s.post)).collect();
        assert_eq!(from_bits, sparse);
    }
}
