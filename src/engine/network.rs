//! A network description (populations, projections, seed) and the network built from it.

use super::connect::{Rule, Wiring};
use super::distribution::Distribution;
use super::neuron::CellGroup;
use super::neuron::escape_noise::{EscapeNoiseGroup, EscapeNoiseParams};
use super::neuron::lif::{LifGroup, LifParams};
use super::neuron::parrot::ParrotGroup;
use super::neuron::poisson_source::{PoissonGroup, PoissonParams};
use super::neuron::spike_times::SpikeTimesGroup;
use super::plasticity::{Plasticity, PlasticityDesc};
use super::rng::{Domain, name_key, stream};
use super::synapse::{BitMatrix, Connectivity, DenseWeights, SynapseSpec, Synapses, TooManyDelays};

/// A neuron model with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Lif(LifParams),
    Poisson(PoissonParams),
    /// Spike times (ms) of each neuron.
    SpikeTimes(Vec<Vec<f64>>),
    Parrot,
    EscapeNoise(EscapeNoiseParams),
}

impl Model {
    pub fn name(&self) -> &'static str {
        match self {
            Model::Lif(_) => "lif",
            Model::Poisson(_) => "poisson",
            Model::SpikeTimes(_) => "spike_times",
            Model::Parrot => "parrot",
            Model::EscapeNoise(_) => "escape_noise",
        }
    }

    pub fn takes_input(&self) -> bool {
        matches!(self, Model::Lif(_) | Model::Parrot | Model::EscapeNoise(_))
    }

    /// Bytes of state per neuron (estimate for memory checks).
    pub fn bytes_per_neuron(&self) -> usize {
        match self {
            Model::Lif(_) => 32,
            Model::Poisson(_) => 150,
            Model::SpikeTimes(_) => 40,
            Model::Parrot => 0,
            Model::EscapeNoise(_) => 250,
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
    /// Sparse rows, or a bit matrix for `Rule::PreBitRows`.
    Auto,
    /// A dense weight matrix (all-to-all, one delay; required for plasticity).
    Dense,
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
        let neurons: f64 = self
            .populations
            .iter()
            .map(|p| (p.size * (p.model.bytes_per_neuron() + 16)) as f64)
            .sum();
        // While building, a synapse exists as a spec (24 B) and in the CSR table (10 B).
        let synapses: f64 = self
            .projections
            .iter()
            .map(|p| {
                let n = self.wiring(p).expected_synapses();
                match (&p.rule, p.storage) {
                    (Rule::PreBitRows { bits }, _) => bits.len() as f64 * 8.0,
                    (_, Storage::Dense) => n * 4.0,
                    _ => n * 34.0,
                }
            })
            .sum();
        neurons + synapses
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
    pub plasticity: Option<Plasticity>,
    pub teacher_of: Option<usize>,
}

pub struct Network {
    pub seed: u64,
    pub populations: Vec<PopulationInfo>,
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
            if proj.teacher_of.is_some() && !matches!(conn, Connectivity::Sparse(_)) {
                return Err(BuildError::Unsupported(
                    proj.name.clone(),
                    "a teacher projection must be sparse",
                ));
            }
            projections.push(Projection {
                name: proj.name.clone(),
                pre: proj.pre,
                post: proj.post,
                conn,
                plasticity: proj.plasticity.map(Plasticity::new),
                teacher_of: proj.teacher_of,
            });
        }
        Ok(Network {
            seed: desc.seed,
            populations,
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
    let fixed = |d: &Distribution| match d {
        Distribution::Fixed(v) => Ok(*v),
        _ => Err(BuildError::Unsupported(
            proj.name.clone(),
            "bit and dense storage need one fixed delay",
        )),
    };
    match (&proj.rule, proj.storage) {
        (Rule::PreBitRows { bits }, _) => {
            let Distribution::Fixed(w) = proj.weight else {
                return Err(BuildError::Unsupported(
                    proj.name.clone(),
                    "bit rows need one fixed weight",
                ));
            };
            Ok(Connectivity::Bits(BitMatrix::new(
                n_pre,
                n_post,
                bits.clone(),
                w as f32,
                fixed(&proj.delay)?,
            )))
        }
        (Rule::AllToAll, Storage::Dense) => {
            let key = name_key(&proj.name);
            if let Distribution::Fixed(w) = proj.weight {
                let weights = vec![w as f32; n_pre * n_post];
                return Ok(Connectivity::Dense(DenseWeights::new(
                    n_pre,
                    n_post,
                    weights,
                    fixed(&proj.delay)?,
                )));
            }
            let mut weights = vec![0f32; n_pre * n_post];
            for post in 0..n_post {
                let mut rng = stream(desc.seed, Domain::Weight, key, post as u64);
                for pre in 0..n_pre {
                    weights[pre * n_post + post] = proj.weight.sample(&mut rng) as f32;
                }
            }
            Ok(Connectivity::Dense(DenseWeights::new(
                n_pre,
                n_post,
                weights,
                fixed(&proj.delay)?,
            )))
        }
        (_, Storage::Dense) => Err(BuildError::Unsupported(
            proj.name.clone(),
            "dense storage needs the all_to_all rule",
        )),
        (_, Storage::Auto) => {
            let specs: Vec<SynapseSpec> = desc.wiring(proj).synapses();
            Synapses::from_specs(n_pre, &specs)
                .map(Connectivity::Sparse)
                .map_err(|TooManyDelays| BuildError::TooManyDelays(proj.name.clone()))
        }
    }
}

fn build_group(seed: u64, p: &PopulationDesc) -> Box<dyn CellGroup> {
    let key = name_key(&p.name);
    match &p.model {
        Model::Lif(params) => {
            let init = p.v_init.clone().unwrap_or(Distribution::Fixed(params.e_l));
            let v0: Vec<f64> = (0..p.size)
                .map(|i| init.sample(&mut stream(seed, Domain::InitialState, key, i as u64)))
                .collect();
            Box::new(LifGroup::new(*params, &v0))
        }
        Model::Poisson(params) => Box::new(PoissonGroup::new(*params, p.size, seed, key)),
        Model::SpikeTimes(times) => Box::new(SpikeTimesGroup::new(times.clone())),
        Model::Parrot => Box::new(ParrotGroup::new(p.size)),
        Model::EscapeNoise(params) => Box::new(EscapeNoiseGroup::new(*params, p.size, seed, key)),
    }
}
