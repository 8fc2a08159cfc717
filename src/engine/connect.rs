//! Connection rules: which presynaptic neurons each postsynaptic neuron receives, with weights
//! and delays drawn from per-neuron counter-based streams (so a projection is the same whatever
//! order or thread it is built in).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::distribution::Distribution;
use super::rng::{Domain, choose_distinct, stream};
use super::synapse::SynapseSpec;

/// How the neurons of two populations are wired.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    AllToAll,
    /// Neuron i to neuron i (populations of equal size).
    OneToOne,
    /// Every pair independently with probability `p` (NEST's `pairwise_bernoulli`).
    FixedProbability {
        p: f64,
    },
    /// Every postsynaptic neuron receives exactly `k` inputs drawn uniformly; with
    /// `multapses` the same presynaptic neuron may be drawn more than once.
    FixedInDegree {
        k: usize,
        multapses: bool,
    },
    /// Explicit (pre, post) pairs, optionally with their own weights and delays.
    Explicit {
        pairs: Vec<(u32, u32)>,
        weights: Option<Vec<f64>>,
        delays: Option<Vec<f64>>,
    },
    /// For each postsynaptic neuron, a bit mask over the presynaptic population
    /// (`⌈n_pre/64⌉` words per row); stored as a bit matrix (fixed weight and delay).
    PreBitRows {
        bits: Vec<u64>,
    },
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
    /// Expected number of synapses (for memory estimates before building).
    pub fn expected_synapses(&self) -> f64 {
        let self_pairs = if self.recurrent && !self.autapses {
            self.n_pre.min(self.n_post)
        } else {
            0
        };
        let pairs = (self.n_pre as f64) * (self.n_post as f64) - self_pairs as f64;
        match self.rule {
            Rule::AllToAll => pairs,
            Rule::OneToOne => self.n_pre.min(self.n_post) as f64,
            Rule::FixedProbability { p } => p * pairs,
            Rule::FixedInDegree { k, .. } => (*k as f64) * self.n_post as f64,
            Rule::Explicit { pairs, .. } => pairs.len() as f64,
            Rule::PreBitRows { bits } => bits.iter().map(|w| w.count_ones() as f64).sum(),
        }
    }

    /// All synapses, grouped by postsynaptic neuron in ascending order.
    pub fn synapses(&self) -> Vec<SynapseSpec> {
        let mut out = Vec::with_capacity(self.expected_synapses().min(1e9) as usize);
        if let Rule::Explicit {
            pairs,
            weights,
            delays,
        } = self.rule
        {
            for (k, &(pre, post)) in pairs.iter().enumerate() {
                let w = weights.as_ref().map_or_else(|| self.weight.mean(), |w| w[k]);
                let d = delays.as_ref().map_or_else(|| self.delay.mean(), |d| d[k]);
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
            pres.clear();
            let mut rng = stream(self.seed, Domain::Connectivity, self.projection_key, post as u64);
            self.sources(post, &mut rng, &mut pres);
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

    fn excluded(&self, pre: usize, post: usize) -> bool {
        self.recurrent && !self.autapses && pre == post
    }

    /// The presynaptic neurons of `post`, ascending (with repeats for multapses).
    fn sources(&self, post: usize, rng: &mut ChaCha8Rng, out: &mut Vec<u32>) {
        match *self.rule {
            Rule::AllToAll => out.extend(
                (0..self.n_pre)
                    .filter(|&i| !self.excluded(i, post))
                    .map(|i| i as u32),
            ),
            Rule::OneToOne => {
                if post < self.n_pre {
                    out.push(post as u32);
                }
            }
            Rule::FixedProbability { p } => {
                if p <= 0.0 {
                    return;
                }
                if p >= 1.0 {
                    out.extend(
                        (0..self.n_pre)
                            .filter(|&i| !self.excluded(i, post))
                            .map(|i| i as u32),
                    );
                    return;
                }
                // Geometric skips between successive successes of the Bernoulli trials.
                let ln_q = (-p).ln_1p();
                let mut i: i64 = -1;
                loop {
                    let u: f64 = rng.random::<f64>();
                    let skip = ((-u).ln_1p() / ln_q).floor();
                    if skip >= (self.n_pre as f64) {
                        break;
                    }
                    i += 1 + skip as i64;
                    if i >= self.n_pre as i64 {
                        break;
                    }
                    if !self.excluded(i as usize, post) {
                        out.push(i as u32);
                    }
                }
            }
            Rule::FixedInDegree { k, multapses } => {
                let skip_self = self.recurrent && !self.autapses && post < self.n_pre;
                let available = self.n_pre - usize::from(skip_self);
                let map = |j: usize| -> u32 {
                    if skip_self && j >= post {
                        (j + 1) as u32
                    } else {
                        j as u32
                    }
                };
                if multapses {
                    for _ in 0..k {
                        out.push(map(rng.random_range(0..available)));
                    }
                } else {
                    out.extend(choose_distinct(rng, available, k).into_iter().map(map));
                }
                out.sort_unstable();
            }
            Rule::Explicit { .. } => {}
            Rule::PreBitRows { ref bits } => {
                let words = self.n_pre.div_ceil(64);
                let row = &bits[post * words..(post + 1) * words];
                out.extend(
                    (0..self.n_pre)
                        .filter(|i| row[i / 64] >> (i % 64) & 1 == 1)
                        .map(|i| i as u32),
                );
            }
        }
    }
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
        let rule = Rule::FixedInDegree {
            k: 40,
            multapses: false,
        };
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
        let rule = Rule::FixedProbability { p: 0.1 };
        let n = wiring(&rule, &w, &d).synapses().len() as f64;
        let sd = (30000.0f64 * 0.1 * 0.9).sqrt();
        assert!((n - 3000.0).abs() < 5.0 * sd, "{n} synapses");
    }

    #[test]
    fn drawn_delays_are_rounded_to_the_step_and_positive() {
        let w = Distribution::Fixed(1.0);
        let d = Distribution::Uniform { low: 0.0, high: 2.0 };
        let rule = Rule::AllToAll;
        for s in wiring(&rule, &w, &d).synapses() {
            let steps = s.delay / 0.1;
            assert!((steps - steps.round()).abs() < 1e-9 && s.delay >= 0.1);
        }
    }
}
