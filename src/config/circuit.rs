//! A validated circuit: the engine's network description plus what to record and write.

use crate::engine::network::NetworkDesc;

/// What to record beyond spikes.
#[derive(Clone, Debug, PartialEq)]
pub enum Recorder {
    /// Membrane potential of `neurons` (local indices) of population `population` at `times`.
    Membrane {
        population: usize,
        neurons: Vec<u32>,
        times: Vec<f64>,
    },
    /// All weights of projection `projection` at each of `times` (taken at the first epoch
    /// boundary at or after each time).
    Weights { projection: usize, times: Vec<f64> },
    /// Every input jump (time, summed weight) of `neurons` of population `population`.
    Inputs { population: usize, neurons: Vec<u32> },
}

/// A change made by the protocol at a given time (at the first epoch boundary at or after it).
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledChange {
    pub time: f64,
    pub projection: usize,
    pub plasticity: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputOptions {
    pub raster: bool,
    pub connections: bool,
    pub initial_state: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Circuit {
    pub name: String,
    pub description: String,
    /// Path of the file it came from (or `<built-in>`).
    pub source: String,
    pub duration_ms: f64,
    pub network: NetworkDesc,
    /// Per population: keep its spikes.
    pub record_spikes: Vec<bool>,
    pub recorders: Vec<Recorder>,
    pub changes: Vec<ScheduledChange>,
    pub output: OutputOptions,
}
