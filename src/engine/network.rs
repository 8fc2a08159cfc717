//! A network description (populations, projections, seed) and the network built from it.

use super::connect::{Rule, Wiring};
use super::distribution::Distribution;
use super::neuron::poisson_source::{PoissonGroup, PoissonParams};
use super::neuron::spike_times::SpikeTimesGroup;
use super::neuron::{CellGroup, GroupInit, InputSummary, NeuronModel};
use super::params::Params;
use super::plasticity::{PlasticityDesc, Rule as PlasticRule};
use super::rng::{Domain, name_key, stream};
use super::synapse::{BitMatrix, Connectivity, DenseWeights, SynapseSpec, Synapses, TooManyDelays};

/// What a population is made of: a registered neuron model with its parameters, or a spike
/// source.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Neuron(&'static NeuronModel, Params),
    Poisson(PoissonParams),
    /// Spike times (ms) of each neuron.
    SpikeTimes(Vec<Vec<f64>>),
}

impl Model {
    pub fn name(&self) -> &'static str {
        match self {
            Model::Neuron(m, _) => m.name,
            Model::Poisson(_) => "poisson",
            Model::SpikeTimes(_) => "spike_times",
        }
    }

    pub fn takes_input(&self) -> bool {
        matches!(self, Model::Neuron(..))
    }

    /// The registered neuron model, for populations of neurons.
    pub fn neuron(&self) -> Option<&'static NeuronModel> {
        match self {
            Model::Neuron(m, _) => Some(m),
            _ => None,
        }
    }

    /// Bytes of state per neuron (estimate for memory checks).
    pub fn bytes_per_neuron(&self) -> usize {
        match self {
            Model::Neuron(m, _) => m.bytes_per_neuron,
            Model::Poisson(_) => 150,
            Model::SpikeTimes(_) => 40,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct PopulationDesc {
    pub name: String,
    pub size: usize,
    pub model: Model,
    /// Initial membrane potential (mV), for models that have one.
    pub v_init: Option<Distribution>,
}

/// How a projection's synapses are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// engram picks: dense for plastic projections, a bit matrix for rules that suit it (with
    /// one fixed weight and delay), sparse rows otherwise.
    Auto,
    /// Rows by presynaptic neuron (any wiring, weights and delays).
    Sparse,
    /// A dense weight matrix (every pair connected, one delay; plasticity needs it).
    Dense,
    /// A bit matrix (one fixed weight and one delay; any wiring).
    Bits,
}

impl Storage {
    pub fn name(self) -> &'static str {
        match self {
            Storage::Auto => "auto",
            Storage::Sparse => "sparse",
            Storage::Dense => "dense",
            Storage::Bits => "bits",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionDesc {
    pub name: String,
    pub pre: usize,
    pub post: usize,
    pub rule: Rule,
    pub weight: Distribution,
    pub delay: Distribution,
    pub delay_step: f64,
    pub autapses: bool,
    pub storage: Storage,
    pub plasticity: Option<PlasticityDesc>,
    /// When set, this projection carries teacher spikes to the plasticity rule of that
    /// projection (by index) instead of input to its targets' membranes.
    pub teacher_of: Option<usize>,
    /// Receptor of the target model the input arrives at (0: the default synapse).
    pub receptor: u8,
    /// Dense weights in f64 (None: as the plasticity rule asks).
    pub double: Option<bool>,
}

impl ProjectionDesc {
    /// A static projection with sparse storage (defaults: delay step 0.1 ms, autapses on).
    pub fn new(
        name: &str,
        pre: usize,
        post: usize,
        rule: Rule,
        weight: Distribution,
        delay: Distribution,
    ) -> Self {
        ProjectionDesc {
            name: name.to_string(),
            pre,
            post,
            rule,
            weight,
            delay,
            delay_step: 0.1,
            autapses: true,
            storage: Storage::Auto,
            plasticity: None,
            teacher_of: None,
            receptor: 0,
            double: None,
        }
    }

    /// Whether dense weights are kept as f64.
    pub fn double_weights(&self) -> bool {
        self.double
            .unwrap_or_else(|| self.plasticity.as_ref().is_some_and(|p| p.rule.double_weights))
    }

    /// The storage `Auto` resolves to for this projection.
    pub fn resolved_storage(&self) -> Storage {
        match self.storage {
            Storage::Auto if self.plasticity.is_some() => Storage::Dense,
            Storage::Auto
                if self.rule.connect.prefers_bits()
                    && self.weight.is_fixed()
                    && self.delay.is_fixed()
                    && self.teacher_of.is_none()
                    && self.receptor == 0 =>
            {
                Storage::Bits
            }
            Storage::Auto => Storage::Sparse,
            s => s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkDesc {
    pub seed: u64,
    pub populations: Vec<PopulationDesc>,
    pub projections: Vec<ProjectionDesc>,
}

impl NetworkDesc {
    pub fn wiring<'a>(&'a self, proj: &'a ProjectionDesc) -> Wiring<'a> {
        Wiring {
            rule: &proj.rule,
            n_pre: self.populations[proj.pre].size,
            n_post: self.populations[proj.post].size,
            recurrent: proj.pre == proj.post,
            autapses: proj.autapses,
            weight: &proj.weight,
            delay: &proj.delay,
            delay_step: proj.delay_step,
            seed: self.seed,
            projection_key: name_key(&proj.name),
        }
    }

    /// Rough peak memory of building and running the network, bytes.
    pub fn estimated_bytes(&self) -> f64 {
        let neurons: f64 = self.populations.iter().map(Self::population_bytes).sum();
        let synapses: f64 = self.projections.iter().map(|p| self.projection_bytes(p)).sum();
        neurons + synapses
    }

    /// A population's share of `estimated_bytes`.
    pub fn population_bytes(p: &PopulationDesc) -> f64 {
        (p.size * (p.model.bytes_per_neuron() + 16)) as f64
    }

    /// A projection's share of `estimated_bytes`: while building, a sparse synapse exists as a
    /// spec (24 B) and in the CSR table (10 B).
    pub fn projection_bytes(&self, p: &ProjectionDesc) -> f64 {
        let w = self.wiring(p);
        match p.resolved_storage() {
            // The rows, and up to 16 volleys' counts (2 B per target) counted ahead.
            Storage::Bits => (w.n_pre.div_ceil(64) * w.n_post) as f64 * 8.0 + (32 * w.n_post) as f64,
            Storage::Dense => (w.n_pre * w.n_post) as f64 * if p.double_weights() { 8.0 } else { 4.0 },
            _ => w.expected_synapses() * 34.0,
        }
    }
}

/// Where a population sits in the global neuron index.
#[derive(Clone, Debug, PartialEq)]
pub struct PopulationInfo {
    pub name: String,
    pub model: &'static str,
    pub offset: u32,
    pub size: usize,
}

pub struct Projection {
    pub name: String,
    pub pre: usize,
    pub post: usize,
    pub conn: Connectivity,
    pub plasticity: Option<Box<dyn PlasticRule>>,
    /// The rule acts on the postsynaptic population's spikes (its registry's `uses_post`).
    pub hears_post: bool,
    pub teacher_of: Option<usize>,
    pub receptor: u8,
    /// False when the receptor ignores input: nothing is delivered (plasticity still acts).
    pub transmits: bool,
}

pub struct Network {
    pub seed: u64,
    pub populations: Vec<PopulationInfo>,
    /// How each population sums bulk input (None: spike sources).
    pub summaries: Vec<Option<InputSummary>>,
    pub groups: Vec<Box<dyn CellGroup>>,
    pub projections: Vec<Projection>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BuildError {
    #[error("projection `{0}` has more than 65536 distinct delays; give it a coarser `delay_step`")]
    TooManyDelays(String),
    #[error("the network has {0} neurons; engram indexes at most 4294967295")]
    TooManyNeurons(usize),
    #[error("projection `{0}`: {1}")]
    Unsupported(String, &'static str),
}

impl Network {
    pub fn build(desc: &NetworkDesc) -> Result<Network, BuildError> {
        let total: usize = desc.populations.iter().map(|p| p.size).sum();
        if total > u32::MAX as usize {
            return Err(BuildError::TooManyNeurons(total));
        }
        let mut populations = Vec::new();
        let mut summaries = Vec::new();
        let mut groups: Vec<Box<dyn CellGroup>> = Vec::new();
        let mut offset = 0u32;
        for p in &desc.populations {
            populations.push(PopulationInfo {
                name: p.name.clone(),
                model: p.model.name(),
                offset,
                size: p.size,
            });
            offset += p.size as u32;
            summaries.push(p.model.neuron().map(|m| m.input));
            groups.push(build_group(desc.seed, p));
        }
        let mut projections = Vec::new();
        for proj in &desc.projections {
            let conn = build_connectivity(desc, proj)?;
            if proj.plasticity.is_some() && !matches!(conn, Connectivity::Dense(_)) {
                return Err(BuildError::Unsupported(
                    proj.name.clone(),
                    "plasticity needs dense storage",
                ));
            }
            let silent = desc.populations[proj.post]
                .model
                .neuron()
                .is_some_and(|m| !m.transmits(proj.receptor));
            if (proj.teacher_of.is_some() || (proj.receptor != 0 && !silent))
                && !matches!(conn, Connectivity::Sparse(_))
            {
                return Err(BuildError::Unsupported(
                    proj.name.clone(),
                    "teacher and receptor projections must be sparse",
                ));
            }
            projections.push(Projection {
                name: proj.name.clone(),
                pre: proj.pre,
                post: proj.post,
                conn,
                plasticity: proj.plasticity.as_ref().map(PlasticityDesc::build),
                hears_post: proj.plasticity.as_ref().is_some_and(|p| p.rule.uses_post),
                teacher_of: proj.teacher_of,
                receptor: proj.receptor,
                transmits: desc.populations[proj.post]
                    .model
                    .neuron()
                    .is_none_or(|m| m.transmits(proj.receptor)),
            });
        }
        Ok(Network {
            seed: desc.seed,
            populations,
            summaries,
            groups,
            projections,
        })
    }

    pub fn neuron_count(&self) -> usize {
        self.populations.iter().map(|p| p.size).sum()
    }

    pub fn synapse_count(&self) -> usize {
        self.projections.iter().map(|p| p.conn.len()).sum()
    }

    /// Bytes per synapse of the synapse tables (row offsets included).
    pub fn bytes_per_synapse(&self) -> f64 {
        let bytes: usize = self.projections.iter().map(|p| p.conn.bytes()).sum();
        bytes as f64 / self.synapse_count().max(1) as f64
    }

    /// The population index of a global neuron index.
    pub fn population_of(&self, gid: u32) -> usize {
        self.populations.partition_point(|p| p.offset <= gid) - 1
    }
}

fn build_connectivity(desc: &NetworkDesc, proj: &ProjectionDesc) -> Result<Connectivity, BuildError> {
    let (n_pre, n_post) = (desc.populations[proj.pre].size, desc.populations[proj.post].size);
    let unsupported = |why| Err(BuildError::Unsupported(proj.name.clone(), why));
    let wiring = desc.wiring(proj);
    match proj.resolved_storage() {
        Storage::Bits => {
            let (Distribution::Fixed(w), Distribution::Fixed(d)) = (&proj.weight, &proj.delay) else {
                return unsupported("bit storage needs one fixed weight and one fixed delay");
            };
            if proj
                .rule
                .connect
                .listed()
                .is_some_and(|l| l.weights.is_some() || l.delays.is_some())
            {
                return unsupported("bit storage cannot hold per-synapse weights or delays");
            }
            Ok(Connectivity::Bits(BitMatrix::new(
                n_pre,
                n_post,
                wiring.bit_rows(),
                *w as f32,
                *d,
            )))
        }
        Storage::Dense => {
            if !proj.rule.connect.all_pairs(wiring.sizes()) {
                return unsupported("dense storage needs every pair connected (all_to_all)");
            }
            let Distribution::Fixed(delay) = proj.delay else {
                return unsupported("dense storage needs one fixed delay");
            };
            let listed = proj
                .rule
                .connect
                .listed()
                .and_then(|l| l.weights.as_ref().map(|w| (&l.pairs, w)));
            if let (None, Distribution::Fixed(w), false) = (listed, &proj.weight, proj.double_weights()) {
                // One weight for all, made as f32 at once (zero: pages the system zeroes only
                // when a weight is first written — made ready in the background when a rule
                // will write them).
                let weights = vec![*w as f32; n_pre * n_post];
                let mut dense = DenseWeights::new(n_pre, n_post, weights, delay);
                if *w == 0.0 && proj.plasticity.is_some() {
                    dense.populate_in_background();
                }
                return Ok(Connectivity::Dense(dense));
            }
            let weights: Vec<f64> = match (listed, &proj.weight) {
                (Some((pairs, w)), _) => {
                    let mut weights = vec![0.0; n_pre * n_post];
                    for (&(pre, post), &x) in pairs.iter().zip(w) {
                        weights[pre as usize * n_post + post as usize] = x;
                    }
                    weights
                }
                (None, Distribution::Fixed(w)) => vec![*w; n_pre * n_post],
                (None, dist) => {
                    // Drawn per postsynaptic neuron from the same streams as sparse storage.
                    let key = name_key(&proj.name);
                    let mut weights = vec![0.0; n_pre * n_post];
                    for post in 0..n_post {
                        let mut rng = stream(desc.seed, Domain::Weight, key, post as u64);
                        for pre in 0..n_pre {
                            weights[pre * n_post + post] = dist.sample(&mut rng);
                        }
                    }
                    weights
                }
            };
            if proj.double_weights() {
                Ok(Connectivity::Dense(DenseWeights::new_double(
                    n_pre, n_post, weights, delay,
                )))
            } else {
                let single = weights.into_iter().map(|x| x as f32).collect();
                Ok(Connectivity::Dense(DenseWeights::new(
                    n_pre, n_post, single, delay,
                )))
            }
        }
        Storage::Sparse | Storage::Auto => {
            let specs: Vec<SynapseSpec> = wiring.synapses();
            Synapses::from_specs(n_pre, &specs)
                .map(Connectivity::Sparse)
                .map_err(|TooManyDelays| BuildError::TooManyDelays(proj.name.clone()))
        }
    }
}

fn build_group(seed: u64, p: &PopulationDesc) -> Box<dyn CellGroup> {
    let key = name_key(&p.name);
    match &p.model {
        Model::Neuron(model, params) => (model.build)(
            params,
            &GroupInit {
                size: p.size,
                seed,
                key,
                v_init: p.v_init.as_ref(),
            },
        ),
        Model::Poisson(params) => Box::new(PoissonGroup::new(*params, p.size, seed, key)),
        Model::SpikeTimes(times) => Box::new(SpikeTimesGroup::new(times.clone())),
    }
}
