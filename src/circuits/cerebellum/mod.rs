//! The cerebellar cortex as Sparse Distributed Memory (SCIENCE.md §2): mossy fibres → granule
//! cells (Golgi inhibition sets the radius) → parallel fibres → Purkinje cells, with climbing
//! fibres writing through the parallel-fibre synapses' timing-dependent plasticity.

pub mod granule;
pub mod protocol;
pub mod spec;

use crate::config::{Circuit, OutputOptions, Recorder, ScheduledChange};
use crate::engine::connect::Rule;
use crate::engine::distribution::Distribution;
use crate::engine::network::{Model, NetworkDesc, PopulationDesc, ProjectionDesc, Storage};
use crate::engine::neuron::lif::LifParams;
use crate::engine::plasticity::{PlasticityDesc, TeacherKernelParams};
use granule::GranuleLayer;
use protocol::Protocol;
use spec::{CerebellumToml, Design};

pub const MOSSY: usize = 0;
pub const GOLGI: usize = 1;
pub const GRANULE: usize = 2;
pub const PURKINJE: usize = 3;
pub const CLIMBING: usize = 4;
pub const GOLGI_CLAWS: usize = 5;
pub const GRANULE_CLAWS: usize = 6;
/// The parallel-fibre projection (index in the network).
pub const PARALLEL_FIBRES: usize = 3;

pub struct Cerebellum {
    pub spec: CerebellumToml,
    pub layer: GranuleLayer,
    /// The extra claw layer for the β comparison, if any.
    pub claws: Option<GranuleLayer>,
    pub protocol: Protocol,
    pub kernel: TeacherKernelParams,
    pub circuit: Circuit,
}

/// A neuron that fires iff its summed input jump reaches 0.5·`scale` mV (rest 0 mV). Its 1 ms
/// membrane time constant lets what is left of one presentation (≤ e^{−30} of it, 30 ms later)
/// stay far below the 0.5 margin of the next decision.
fn coincidence_cell(scale: f64) -> Model {
    Model::Lif(LifParams {
        tau_m: 1.0,
        c_m: 250.0,
        e_l: 0.0,
        v_th: 0.5 * scale,
        v_reset: 0.0,
        t_ref: 1.0,
        i_e: 0.0,
    })
}

fn population(name: &str, size: usize, model: Model) -> PopulationDesc {
    PopulationDesc {
        name: name.into(),
        size,
        model,
        v_init: None,
    }
}

fn all_ones(rows: usize) -> Rule {
    Rule::PreBitRows {
        bits: vec![1u64; rows],
    }
}

pub fn build(spec: CerebellumToml, source: &str) -> Cerebellum {
    let (n, r, seed) = (spec.sdm.n, spec.sdm.granule_cells, spec.seed);
    let layer = match spec.sdm.design {
        Design::Kanerva => GranuleLayer::kanerva(seed, "granule", n, r, spec.sdm.radius),
        Design::Claws => GranuleLayer::claws(seed, "granule", n, r, spec.sdm.claws, spec.sdm.claw_radius),
    };
    let claws = (spec.sdm.compare_claws > 0)
        .then(|| GranuleLayer::claws(seed, "granule_claws", n, r, spec.sdm.compare_claws, 0));
    let p = &spec.plasticity;
    let kernel = TeacherKernelParams {
        ltp: p.ltp,
        ltd: 2.0 * p.ltp,
        tau_ms: p.peak_ms / (p.exponent as f64).atan(),
        exponent: p.exponent,
    };
    let protocol = Protocol::new(&spec, kernel.t_peak());

    let mut populations = vec![
        population("mossy_fibre", 2 * n, Model::SpikeTimes(protocol.mossy.clone())),
        population("golgi", 1, coincidence_cell(1.0)),
        population("granule", r, coincidence_cell(1.0)),
        population("purkinje", n, coincidence_cell(p.ltp)),
        population("climbing_fibre", n, Model::SpikeTimes(protocol.climbing.clone())),
    ];
    let fixed = Distribution::Fixed;
    let mut projections = vec![
        ProjectionDesc::new(
            "mossy_fibre->granule",
            MOSSY,
            GRANULE,
            Rule::PreBitRows {
                bits: layer.mossy_rows(),
            },
            fixed(1.0),
            fixed(protocol::MF_TO_GRANULE_MS),
        ),
        ProjectionDesc::new(
            "mossy_fibre->golgi",
            MOSSY,
            GOLGI,
            Rule::AllToAll,
            fixed(1.0),
            fixed(protocol::MF_TO_GOLGI_MS),
        ),
        ProjectionDesc::new(
            "golgi->granule",
            GOLGI,
            GRANULE,
            all_ones(r),
            fixed(layer.golgi_weight()),
            fixed(protocol::GOLGI_TO_GRANULE_MS),
        ),
        ProjectionDesc {
            storage: Storage::Dense,
            plasticity: Some(PlasticityDesc::TeacherKernel(kernel)),
            ..ProjectionDesc::new(
                "parallel_fibre",
                GRANULE,
                PURKINJE,
                Rule::AllToAll,
                fixed(0.0),
                fixed(protocol::PF_TO_PURKINJE_MS),
            )
        },
        ProjectionDesc {
            teacher_of: Some(PARALLEL_FIBRES),
            ..ProjectionDesc::new(
                "climbing_fibre->purkinje",
                CLIMBING,
                PURKINJE,
                Rule::OneToOne,
                fixed(0.0),
                fixed(protocol::CF_TO_PURKINJE_MS),
            )
        },
    ];
    if let Some(c) = &claws {
        populations.push(population("golgi_claws", 1, coincidence_cell(1.0)));
        populations.push(population("granule_claws", r, coincidence_cell(1.0)));
        projections.push(ProjectionDesc::new(
            "mossy_fibre->golgi_claws",
            MOSSY,
            GOLGI_CLAWS,
            Rule::AllToAll,
            fixed(1.0),
            fixed(protocol::MF_TO_GOLGI_MS),
        ));
        projections.push(ProjectionDesc::new(
            "golgi_claws->granule_claws",
            GOLGI_CLAWS,
            GRANULE_CLAWS,
            all_ones(r),
            fixed(c.golgi_weight()),
            fixed(protocol::GOLGI_TO_GRANULE_MS),
        ));
        projections.push(ProjectionDesc::new(
            "mossy_fibre->granule_claws",
            MOSSY,
            GRANULE_CLAWS,
            Rule::PreBitRows { bits: c.mossy_rows() },
            fixed(1.0),
            fixed(protocol::MF_TO_GRANULE_MS),
        ));
    }
    let n_pop = populations.len();
    let mut changes = Vec::new();
    if !spec.protocol.plasticity_during_reads {
        changes.push(ScheduledChange {
            time: protocol.read_start,
            projection: PARALLEL_FIBRES,
            plasticity: false,
        });
    }
    let circuit = Circuit {
        name: spec.name.clone(),
        description: spec.description.clone(),
        source: source.to_string(),
        duration_ms: protocol.duration,
        network: NetworkDesc {
            seed,
            populations,
            projections,
        },
        record_spikes: vec![true; n_pop],
        recorders: vec![Recorder::Inputs {
            population: PURKINJE,
            neurons: (0..n as u32).collect(),
        }],
        changes,
        output: OutputOptions {
            raster: spec.output.raster,
            connections: false,
            initial_state: false,
        },
    };
    Cerebellum {
        spec,
        layer,
        claws,
        protocol,
        kernel,
        circuit,
    }
}
