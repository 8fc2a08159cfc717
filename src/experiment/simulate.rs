//! Runs one validated circuit: build the engine network, attach the recorders, simulate
//! (stopping for weight snapshots, plasticity switches and closed-loop feedback), and collect
//! what the comparisons and the output stage read.

use std::time::Instant;

use super::readouts::{self, ReadoutData, Sources};
use crate::config::{Circuit, Recorder};
use crate::engine::network::{BuildError, Network};
use crate::engine::neuron::StateSample;
use crate::engine::simulation::Simulation;
use crate::engine::spike_log::SpikeLog;

/// Weights of one projection at one time, by presynaptic neuron (pre, post, weight).
pub struct WeightSnapshot {
    pub projection: usize,
    pub time: f64,
    pub weights: Vec<(u32, u32, f64)>,
}

/// Everything a run produced.
pub struct RunResult {
    pub circuit: Circuit,
    pub sim: Simulation,
    /// Initial membrane potentials per population (models that have one).
    pub initial_v: Vec<Option<Vec<f64>>>,
    /// Recorded spikes, sorted by (time, neuron); past a limit on disk, read by time window.
    pub spikes: SpikeLog,
    pub membrane: Vec<(usize, Vec<StateSample>)>,
    /// Input jumps per recorded population, sorted by (time, neuron).
    pub inputs: Vec<(usize, Vec<StateSample>)>,
    pub weights: Vec<WeightSnapshot>,
    /// Every `[[readout]]`, in file order.
    pub readouts: Vec<ReadoutData>,
    pub build_seconds: f64,
    pub simulate_seconds: f64,
}

impl RunResult {
    pub fn net(&self) -> &Network {
        &self.sim.net
    }

    /// Recorded spikes of population `pop` in `[t0, t1)` as (time, local index).
    pub fn spikes_of(&self, pop: usize, t0: f64, t1: f64) -> Vec<(f64, usize)> {
        let info = &self.net().populations[pop];
        let mut out = Vec::new();
        self.spikes.visit(t0, t1, &mut |s| {
            if s.neuron >= info.offset && s.neuron < info.offset + info.size as u32 {
                out.push((s.time, (s.neuron - info.offset) as usize));
            }
        });
        out
    }

    /// The readout called `name`.
    pub fn readout(&self, name: &str) -> Option<&ReadoutData> {
        self.readouts.iter().find(|r| r.name == name)
    }
}

enum Stop {
    Snapshot(usize),
    Change(usize),
    /// Feedback of phase, trial, presentation.
    Feedback(usize, usize, usize),
    /// Weights for readout, phase, trial, presentation, at the window's start (false) or end.
    Weights(usize, usize, usize, usize, bool),
    /// A new episode of a phase: its reset projections forget.
    Reset(usize),
}

fn sorted(mut s: Vec<StateSample>) -> Vec<StateSample> {
    s.sort_by(|a, b| a.time.total_cmp(&b.time).then(a.neuron.cmp(&b.neuron)));
    s
}

/// The samples taken at or after `t` (samples are stored epoch by epoch, so a backward scan can
/// stop one epoch before `t`), sorted.
fn recent(samples: &[StateSample], t: f64, epoch_ms: f64) -> Vec<StateSample> {
    let mut out: Vec<StateSample> = samples
        .iter()
        .rev()
        .take_while(|s| s.time >= t - 2.0 * epoch_ms)
        .filter(|s| s.time >= t)
        .copied()
        .collect();
    out.reverse();
    sorted(out)
}

/// Closed loop: reads presentation `p` of trial `k` of `phase` and presents the sign of the
/// readout as presentation `p + 1`.
fn feed_back(circuit: &Circuit, sim: &mut Simulation, phase: usize, k: usize, p: usize) {
    let ph = &circuit.protocol.phases[phase];
    let Some(fb) = &ph.feedback else { return };
    let ro = &circuit.protocol.readouts[fb.readout];
    let t = ph.time(k, p);
    let pop = ro.population;
    let epoch = sim.epoch_ms();
    let group = &sim.net.groups[pop];
    let membrane = vec![(pop, recent(group.membrane_samples(), t + ro.from, epoch))];
    let inputs = vec![(pop, recent(group.input_samples(), t + ro.from, epoch))];
    let value = readouts::take(
        &Sources {
            spikes: &sim.recorded,
            populations: &sim.net.populations,
            membrane: &membrane,
            inputs: &inputs,
        },
        ro,
        t,
    );
    let bits: Vec<bool> = value.vector.iter().map(|v| *v >= 0.0).collect();
    let size = sim.net.populations[fb.stimulus].size;
    let next = ph.time(k, p + 1);
    for n in fb.encode.neurons(&bits, 0, size) {
        // The next presentation lies ahead of the simulation's time; validation checked the
        // stimulus is a spike-time source.
        let _ = sim.inject_spike(fb.stimulus, n as u32, next);
    }
}

/// Why a run did not finish.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Build(#[from] BuildError),
    /// A budget met while running (the file could not have known).
    #[error("{0}")]
    OverBudget(String),
}

/// Builds and simulates `circuit`, holding every recorded spike in memory (up to the memory
/// budget); `progress` receives the simulated time (ms).
pub fn run(circuit: Circuit, progress: &mut dyn FnMut(f64)) -> Result<RunResult, RunError> {
    run_spilling(circuit, None, progress)
}

/// Most recorded spikes a simulation holds in memory when it may stream them to disk (16 bytes
/// each: 64 MiB), or fewer if the memory budget is smaller.
pub const SPIKES_IN_MEMORY: u64 = 1 << 22;

/// Builds and simulates `circuit`; with `spill_dir`, recorded spikes past `SPIKES_IN_MEMORY`
/// stream to a file there (removed with the result). `progress` receives the simulated time (ms).
pub fn run_spilling(
    circuit: Circuit,
    spill_dir: Option<&std::path::Path>,
    progress: &mut dyn FnMut(f64),
) -> Result<RunResult, RunError> {
    let t0 = Instant::now();
    let mut net = Network::build(&circuit.network)?;
    let initial_v = net.groups.iter().map(|g| g.membrane_potentials()).collect();
    for rec in &circuit.recorders {
        // Validation checked the models and the indices.
        match rec {
            Recorder::Membrane {
                population,
                neurons,
                times,
            } => net.groups[*population]
                .record_membrane(neurons, times)
                .expect("validated membrane recorder"),
            Recorder::Inputs { population, neurons } => net.groups[*population]
                .record_inputs(neurons)
                .expect("validated input recorder"),
            Recorder::Weights { .. } | Recorder::WeightTrace { .. } => {}
        }
    }
    let mut sim = Simulation::new(net, circuit.duration_ms);
    // The simulations running at once share the worker threads.
    sim.use_threads(rayon::current_num_threads() / crate::config::budget::simulations_at_once() as usize);
    sim.spike_budget = crate::config::budget::spikes_held();
    let mut row_bytes = crate::config::budget::row_bytes(circuit.output.format);
    if let Some(dir) = spill_dir {
        let limit = sim.spike_budget.min(SPIKES_IN_MEMORY);
        sim.recorded = SpikeLog::spilling(dir, usize::try_from(limit).unwrap_or(usize::MAX));
        // A spilled spike takes 12 bytes on disk until the table is written.
        row_bytes += crate::engine::spike_log::RECORD as f64;
    }
    // The spikes table may take the output budget (shared by the simulations running at once).
    let rows = crate::config::budget::output_bytes()
        / row_bytes
        / crate::config::budget::simulations_at_once() as f64;
    sim.written = circuit.record_spikes.clone();
    sim.written_budget = if rows < u64::MAX as f64 {
        rows as u64
    } else {
        u64::MAX
    };
    sim.written_budget_note = crate::config::budget::describe_output();
    for rec in &circuit.recorders {
        if let Recorder::WeightTrace { projection, synapses } = rec {
            sim.trace_weights(*projection, synapses);
        }
    }
    for (k, on) in circuit.keep_spikes.iter().enumerate() {
        sim.set_recording(k, *on);
    }
    let build_seconds = t0.elapsed().as_secs_f64();

    // Stop at every weight-snapshot time, every scheduled change and every feedback point.
    let mut stops: Vec<(f64, Stop)> = Vec::new();
    for (k, rec) in circuit.recorders.iter().enumerate() {
        if let Recorder::Weights { times, .. } = rec {
            stops.extend(
                times
                    .iter()
                    .filter(|t| **t <= circuit.duration_ms)
                    .map(|t| (*t, Stop::Snapshot(k))),
            );
        }
    }
    for (k, c) in circuit.changes.iter().enumerate() {
        stops.push((c.time, Stop::Change(k)));
    }
    for (i, ph) in circuit.protocol.phases.iter().enumerate() {
        for &p in &ph.reset_each_episode {
            sim.save_weights(p);
        }
        if ph.reset_each_episode.is_empty() {
            continue;
        }
        let set = &circuit.protocol.patterns[ph.set];
        for k in (0..ph.trials).filter(|&k| set.starts_episode(k)) {
            stops.push((ph.time(k, 0), Stop::Reset(i)));
        }
    }
    for (i, ph) in circuit.protocol.phases.iter().enumerate() {
        if let Some(fb) = &ph.feedback {
            let to = circuit.protocol.readouts[fb.readout].to;
            for k in 0..ph.trials {
                for p in 0..ph.presentations - 1 {
                    // Between the window's end and the next presentation.
                    stops.push((ph.time(k, p) + 0.5 * (to + ph.interval), Stop::Feedback(i, k, p)));
                }
            }
        }
    }
    for (r, ro) in circuit.protocol.readouts.iter().enumerate() {
        if ro.projection.is_none() {
            continue;
        }
        for &i in &ro.phases {
            let ph = &circuit.protocol.phases[i];
            for k in 0..ph.trials {
                for p in 0..ph.presentations {
                    stops.push((ph.time(k, p) + ro.from, Stop::Weights(r, i, k, p, false)));
                    stops.push((ph.time(k, p) + ro.to, Stop::Weights(r, i, k, p, true)));
                }
            }
        }
    }
    // Stable: at equal times, the order above (a window's start before an earlier window's end
    // cannot happen: windows of one readout do not overlap).
    stops.sort_by(|a, b| a.0.total_cmp(&b.0));
    let t1 = Instant::now();
    let mut weights = Vec::new();
    let mut weight_windows: std::collections::HashMap<(usize, usize, usize, usize), Vec<f64>> =
        Default::default();
    let over = |sim: &Simulation| sim.over_budget.clone().map(RunError::OverBudget);
    for (t, stop) in stops {
        if t > sim.now() {
            sim.run_until(t.min(circuit.duration_ms), progress);
            if let Some(e) = over(&sim) {
                return Err(e);
            }
        }
        match stop {
            Stop::Snapshot(k) => {
                if let Recorder::Weights { projection, .. } = circuit.recorders[k] {
                    weights.push(snapshot(&sim.net, projection, sim.now()));
                }
            }
            Stop::Change(k) => {
                let c = &circuit.changes[k];
                sim.set_plasticity(c.projection, c.plasticity);
            }
            Stop::Feedback(phase, k, p) => feed_back(&circuit, &mut sim, phase, k, p),
            Stop::Reset(phase) => {
                for &p in &circuit.protocol.phases[phase].reset_each_episode {
                    sim.reset_weights(p);
                }
            }
            Stop::Weights(r, phase, k, p, end) => {
                let ro = &circuit.protocol.readouts[r];
                let projection = ro.projection.expect("weight readouts name a projection");
                let w = sim.net.projections[projection].conn.weights_of(&ro.synapses);
                let slot = weight_windows.entry((r, phase, k, p)).or_default();
                if end {
                    *slot = w.iter().zip(slot.iter()).map(|(b, a)| b - a).collect();
                } else {
                    *slot = w;
                }
            }
        }
    }
    sim.run_until(circuit.duration_ms, progress);
    if let Some(e) = over(&sim) {
        return Err(e);
    }
    let simulate_seconds = t1.elapsed().as_secs_f64();

    let spikes = std::mem::take(&mut sim.recorded);
    let mut membrane = Vec::new();
    let mut inputs = Vec::new();
    for r in &circuit.recorders {
        match r {
            Recorder::Membrane { population, .. } => membrane.push((
                *population,
                sorted(sim.net.groups[*population].membrane_samples().to_vec()),
            )),
            Recorder::Inputs { population, .. } => inputs.push((
                *population,
                sorted(sim.net.groups[*population].input_samples().to_vec()),
            )),
            Recorder::Weights { .. } | Recorder::WeightTrace { .. } => {}
        }
    }
    let mut readouts = readouts::take_all(
        &Sources {
            spikes: &spikes,
            populations: &sim.net.populations,
            membrane: &membrane,
            inputs: &inputs,
        },
        &circuit.protocol,
    );
    for (r, data) in readouts.iter_mut().enumerate() {
        for pv in &mut data.phases {
            for (k, trial) in pv.values.iter_mut().enumerate() {
                for (p, v) in trial.iter_mut().enumerate() {
                    if let Some(dw) = weight_windows.remove(&(r, pv.phase, k, p)) {
                        v.vector = dw;
                    }
                }
            }
        }
    }
    Ok(RunResult {
        circuit,
        sim,
        initial_v,
        spikes,
        membrane,
        inputs,
        weights,
        readouts,
        build_seconds,
        simulate_seconds,
    })
}

fn snapshot(net: &Network, projection: usize, time: f64) -> WeightSnapshot {
    let mut weights = Vec::with_capacity(net.projections[projection].conn.len());
    net.projections[projection]
        .conn
        .for_each(|pre, post, w, _| weights.push((pre, post, w)));
    WeightSnapshot {
        projection,
        time,
        weights,
    }
}
