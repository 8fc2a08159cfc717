//! Hippocampal memory neurons with divisive normalisation (SCIENCE.md §3): a spiking modern
//! Hopfield network.
//!
//! Spike code: each feature i has two neurons, `feature_plus[i]` and `feature_minus[i]`; a query
//! ξ is one volley at time T in which `feature_plus[i]` fires if ξ_i = +1 and `feature_minus[i]`
//! if ξ_i = −1. Memory neuron μ (escape noise, rectangular PSPs lasting the readout window) has
//! weight 1 from the feature neurons that agree with its stored pattern x_μ — written by one-shot
//! Hebbian plasticity during a storage phase — so its drive is the number of agreeing bits
//! `A_μ = (D + x_μᵀξ)/2` and its rate `ρ₀ exp(2β (A_μ − offset·D) − I) ∝ exp(β x_μᵀξ)`. An
//! inhibitory pool (a parrot cell relaying every memory spike) inhibits all memory neurons alike
//! (I grows by `weight` per pool spike for `psp_ms`), holding the population's total rate down;
//! memory neurons project back to output feature neurons with the stored values x_μj, which
//! integrate `Σ_μ n_μ x_μ` over the readout window.

pub mod spec;

use rand::RngExt;

use crate::config::{Circuit, OutputOptions, Recorder};
use crate::engine::connect::Rule;
use crate::engine::distribution::Distribution;
use crate::engine::network::{Model, NetworkDesc, PopulationDesc, ProjectionDesc, Storage};
use crate::engine::neuron::escape_noise::EscapeNoiseParams;
use crate::engine::neuron::lif::LifParams;
use crate::engine::plasticity::{OneShotHebbParams, PlasticityDesc};
use crate::engine::rng::{Domain, choose_distinct, name_key, stream};
use spec::HippocampusToml;

pub const PLUS: usize = 0;
pub const MINUS: usize = 1;
pub const TEACHER: usize = 2;
pub const MEMORY: usize = 3;
pub const OUTPUT: usize = 4;
pub const POOL: usize = 5;

/// Delay of every projection, ms.
pub const DELAY: f64 = 1.0;

/// One query of the protocol.
#[derive(Clone, Debug)]
pub struct Query {
    pub time: f64,
    pub level: usize,
    pub flip: f64,
    pub target: usize,
    pub xi: Vec<f64>,
}

/// A network for one configuration and the protocol it runs.
pub struct Hippocampus {
    pub dim: usize,
    pub patterns: Vec<Vec<f64>>,
    pub beta: f64,
    pub pool: bool,
    pub window_ms: f64,
    pub queries: Vec<Query>,
    /// Presentations per query: the first is the query, each next one the sign of the previous
    /// readout, presented `spacing_ms` later.
    pub iterations: usize,
    pub spacing_ms: f64,
    pub circuit: Circuit,
}

/// Random ±1 patterns, one stream per pattern.
pub fn patterns(seed: u64, dim: usize, count: usize) -> Vec<Vec<f64>> {
    (0..count)
        .map(|mu| {
            let mut rng = stream(seed, Domain::Protocol, name_key("hopfield patterns"), mu as u64);
            (0..dim)
                .map(|_| if rng.random::<bool>() { 1.0 } else { -1.0 })
                .collect()
        })
        .collect()
}

fn flipped(seed: u64, index: u64, x: &[f64], flips: usize) -> Vec<f64> {
    let mut rng = stream(seed, Domain::Protocol, name_key("hopfield query flips"), index);
    let mut q = x.to_vec();
    for i in choose_distinct(&mut rng, x.len(), flips) {
        q[i] = -q[i];
    }
    q
}

/// One configuration of the experiment.
#[derive(Clone, Debug)]
pub struct Variant {
    /// Stored patterns.
    pub count: usize,
    /// Modern-Hopfield β.
    pub beta: f64,
    /// Inhibitory pool on or off.
    pub pool: bool,
    /// Query noise levels and queries per level.
    pub flips: Vec<f64>,
    pub per_level: usize,
    /// Readout window, ms.
    pub window_ms: f64,
    /// Presentations per query (1: one update; more: the readout's sign fed back).
    pub iterations: usize,
}

/// Builds the circuit for one variant.
pub fn build(spec: &HippocampusToml, v: &Variant, name: &str) -> Hippocampus {
    let (count, beta, pool, flips, per_level, window_ms) =
        (v.count, v.beta, v.pool, &v.flips[..], v.per_level, v.window_ms);
    let iterations = v.iterations.max(1);
    let (d, seed) = (spec.hopfield.dim, spec.seed);
    let xs = patterns(seed, d, count);
    let psp = window_ms + 1.0;
    let spacing = window_ms + spec.inhibition.psp_ms + 20.0;
    let mut plus = vec![Vec::new(); d];
    let mut minus = vec![Vec::new(); d];
    let mut teacher = vec![Vec::new(); count];
    let mut present = |t: f64, x: &[f64]| {
        for (i, &v) in x.iter().enumerate() {
            if v > 0.0 {
                plus[i].push(t)
            } else {
                minus[i].push(t)
            }
        }
    };
    // Storage: pattern μ at T_μ; its teacher reaches memory neuron μ half a millisecond after
    // the feature volley, and the one-shot rule writes the volley into μ's input weights.
    let mut t = 10.0;
    for (mu, x) in xs.iter().enumerate() {
        present(t, x);
        teacher[mu].push(t + 0.5);
        t += spacing;
    }
    let mut queries = Vec::new();
    for (level, &f) in flips.iter().enumerate() {
        for q in 0..per_level {
            let index = queries.len();
            let target = index % count;
            let xi = flipped(
                seed,
                (level * 1_000_000 + q) as u64,
                &xs[target],
                (f * d as f64).round() as usize,
            );
            present(t, &xi);
            queries.push(Query {
                time: t,
                level,
                flip: f,
                target,
                xi,
            });
            t += spacing * iterations as f64;
        }
    }
    let duration = t;
    let memory = EscapeNoiseParams {
        rho0_hz: spec.memory.rho0_hz,
        beta: 2.0 * beta,
        u_offset: spec.memory.offset * d as f64,
        psp_exc_ms: psp,
        psp_inh_ms: spec.inhibition.psp_ms,
        max_rate_hz: 1e6,
    };
    // Output feature neurons are perfect integrators (no leak, no threshold): the change of their
    // membrane potential over the window is the summed input Σ_μ n_μ x_μj.
    let integrator = LifParams {
        tau_m: f64::INFINITY,
        c_m: 250.0,
        e_l: 0.0,
        v_th: f64::INFINITY,
        v_reset: 0.0,
        t_ref: 0.0,
        i_e: 0.0,
    };
    let pop = |name: &str, size: usize, model: Model| PopulationDesc {
        name: name.into(),
        size,
        model,
        v_init: None,
    };
    let mut populations = vec![
        pop("feature_plus", d, Model::SpikeTimes(plus)),
        pop("feature_minus", d, Model::SpikeTimes(minus)),
        pop("teacher", count, Model::SpikeTimes(teacher)),
        pop("memory", count, Model::EscapeNoise(memory)),
        pop("output", d, Model::Lif(integrator)),
    ];
    let fixed = Distribution::Fixed;
    let hebb = PlasticityDesc::OneShotHebb(OneShotHebbParams {
        value: 1.0,
        window_ms: 1.0,
    });
    let plastic = |name: &str, pre: usize| ProjectionDesc {
        storage: Storage::Dense,
        plasticity: Some(hebb),
        ..ProjectionDesc::new(name, pre, MEMORY, Rule::AllToAll, fixed(0.0), fixed(DELAY))
    };
    let mut pairs = Vec::new();
    let mut weights = Vec::new();
    for (mu, x) in xs.iter().enumerate() {
        for (j, &v) in x.iter().enumerate() {
            pairs.push((mu as u32, j as u32));
            weights.push(v);
        }
    }
    let mut projections = vec![
        plastic("feature_plus->memory", PLUS),
        plastic("feature_minus->memory", MINUS),
        ProjectionDesc {
            teacher_of: Some(0),
            ..ProjectionDesc::new(
                "teacher->memory (plus)",
                TEACHER,
                MEMORY,
                Rule::OneToOne,
                fixed(0.0),
                fixed(DELAY),
            )
        },
        ProjectionDesc {
            teacher_of: Some(1),
            ..ProjectionDesc::new(
                "teacher->memory (minus)",
                TEACHER,
                MEMORY,
                Rule::OneToOne,
                fixed(0.0),
                fixed(DELAY),
            )
        },
        ProjectionDesc::new(
            "memory->output",
            MEMORY,
            OUTPUT,
            Rule::Explicit {
                pairs,
                weights: Some(weights),
                delays: None,
            },
            fixed(0.0),
            fixed(DELAY),
        ),
    ];
    if pool {
        populations.push(pop("inhibitory_pool", 1, Model::Parrot));
        projections.push(ProjectionDesc::new(
            "memory->pool",
            MEMORY,
            POOL,
            Rule::AllToAll,
            fixed(1.0),
            fixed(DELAY),
        ));
        projections.push(ProjectionDesc::new(
            "pool->memory",
            POOL,
            MEMORY,
            Rule::AllToAll,
            fixed(-spec.inhibition.weight),
            fixed(DELAY),
        ));
    }
    let n_pop = populations.len();
    let circuit = Circuit {
        name: name.to_string(),
        description: spec.description.clone(),
        source: String::new(),
        duration_ms: duration,
        network: NetworkDesc {
            seed,
            populations,
            projections,
        },
        record_spikes: vec![true; n_pop],
        recorders: vec![Recorder::Membrane {
            population: OUTPUT,
            neurons: (0..d as u32).collect(),
            times: queries
                .iter()
                .flat_map(|q| (0..iterations).map(move |k| q.time + k as f64 * spacing))
                .flat_map(|t| [t + 2.0 * DELAY, t + 2.0 * DELAY + window_ms])
                .collect(),
        }],
        changes: Vec::new(),
        output: OutputOptions {
            raster: true,
            connections: false,
            initial_state: false,
        },
    };
    Hippocampus {
        dim: d,
        patterns: xs,
        beta,
        pool,
        window_ms,
        queries,
        iterations,
        spacing_ms: spacing,
        circuit,
    }
}

/// What one query produced: memory spike counts per window, and the output integrals.
pub struct QueryReadout {
    /// `counts[w][μ]`: spikes of memory neuron μ within the first `windows[w]` ms.
    pub counts: Vec<Vec<u64>>,
    /// `Σ_μ n_μ x_μj` over the whole window of each presentation (first: the query's).
    pub outputs: Vec<Vec<f64>>,
}

/// The output integrals `V(b) − V(a)` over the window of presentation `k` of `q`, from the
/// output neurons' membrane samples.
fn window_output(
    h: &Hippocampus,
    samples: &[crate::engine::neuron::StateSample],
    q: &Query,
    k: usize,
) -> Vec<f64> {
    let a = q.time + k as f64 * h.spacing_ms + 2.0 * DELAY;
    let b = a + h.window_ms;
    let mut out = vec![0.0; h.dim];
    for s in samples {
        if s.time == b {
            out[s.neuron as usize] += s.value;
        } else if s.time == a {
            out[s.neuron as usize] -= s.value;
        }
    }
    out
}

/// Times at which the closed loop looks at the readout: just after each window that is
/// followed by another presentation.
pub fn feedback_times(h: &Hippocampus) -> Vec<f64> {
    h.queries
        .iter()
        .flat_map(|q| (0..h.iterations.saturating_sub(1)).map(move |k| q.time + k as f64 * h.spacing_ms))
        .map(|t| t + 2.0 * DELAY + h.window_ms + DELAY)
        .collect()
}

/// The closed loop: at a feedback time, present the sign of the readout just taken as the next
/// volley of the feature neurons.
pub fn feed_back(h: &Hippocampus, sim: &mut crate::engine::simulation::Simulation, now: f64) {
    let Some((q, k)) = h.queries.iter().find_map(|q| {
        (0..h.iterations.saturating_sub(1))
            .find(|&k| q.time + k as f64 * h.spacing_ms + 2.0 * DELAY + h.window_ms + DELAY == now)
            .map(|k| (q, k))
    }) else {
        return;
    };
    let out = window_output(h, sim.net.groups[OUTPUT].membrane_samples(), q, k);
    let t = q.time + (k + 1) as f64 * h.spacing_ms;
    for (i, v) in out.iter().enumerate() {
        let population = if *v >= 0.0 { PLUS } else { MINUS };
        // The presentation time lies ahead of `now`; spike sources accept it.
        let _ = sim.inject_spike(population, i as u32, t);
    }
}

/// Reads every query of a finished run; `windows` are prefixes of the readout window.
pub fn read(
    h: &Hippocampus,
    run: &crate::circuits::generic::RunResult,
    windows: &[f64],
) -> Vec<QueryReadout> {
    let net = run.net();
    let mem = &net.populations[MEMORY];
    let out_v = run
        .membrane
        .iter()
        .find(|(p, _)| *p == OUTPUT)
        .map_or(&[][..], |(_, s)| &s[..]);
    h.queries
        .iter()
        .map(|q| {
            let start = q.time + DELAY;
            let counts = windows
                .iter()
                .map(|&w| {
                    let mut c = vec![0u64; h.patterns.len()];
                    let lo = run.spikes.partition_point(|s| s.time < start);
                    for s in run.spikes[lo..].iter().take_while(|s| s.time < start + w) {
                        if s.neuron >= mem.offset && s.neuron < mem.offset + mem.size as u32 {
                            c[(s.neuron - mem.offset) as usize] += 1;
                        }
                    }
                    c
                })
                .collect();
            // Memory spikes of [start, start + W) reach the outputs in [start + 1, start + 1 + W).
            let outputs = (0..h.iterations).map(|k| window_output(h, out_v, q, k)).collect();
            QueryReadout { counts, outputs }
        })
        .collect()
}
