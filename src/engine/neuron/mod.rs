//! Neuron models. Each model is a cell group: the state of all its neurons kept as contiguous
//! per-variable arrays, advanced epoch by epoch through the inputs that reach it.

pub mod escape_noise;
pub mod lif;
pub mod parrot;
pub mod poisson_source;
pub mod spike_times;

use super::event::{Lanes, Spike};
use super::simulation::BulkInput;

/// One sample of a recorded state variable.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StateSample {
    pub time: f64,
    /// Local index in the population.
    pub neuron: u32,
    pub value: f64,
}

/// A population of neurons of one model.
pub trait CellGroup: Send {
    /// The model's name as written in circuit files.
    fn model(&self) -> &'static str;

    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Advances every neuron to `t_end` (exclusive), applying the inputs in its lane of `lanes`
    /// (global index = `offset` + local index) and the summed inputs in `bulk` (this group's,
    /// sorted by time), and pushing the spikes it emits.
    fn advance(
        &mut self,
        t_end: f64,
        lanes: &Lanes,
        bulk: &[BulkInput],
        offset: u32,
        spikes: &mut Vec<Spike>,
    );

    /// A time before which no neuron of the group fires without input (∞ if none will).
    fn next_spontaneous(&self) -> f64;

    /// False for spike sources, which ignore synaptic input.
    fn takes_input(&self) -> bool {
        true
    }

    /// Membrane potentials in mV, for models that have one.
    fn membrane_potentials(&self) -> Option<Vec<f64>> {
        None
    }

    /// Asks the group to sample its membrane potential for `neurons` (local) at `times` (ms,
    /// ascending). Models without a membrane potential refuse.
    fn record_membrane(&mut self, _neurons: &[u32], _times: &[f64]) -> Result<(), String> {
        Err(format!(
            "model `{}` has no membrane potential to record",
            self.model()
        ))
    }

    /// Samples taken so far, in the order they were taken.
    fn membrane_samples(&self) -> &[StateSample] {
        &[]
    }

    /// Adds a spike at `time` (not before the group's current time) to neuron `neuron`; only
    /// spike sources with explicit times accept it (closed-loop protocols).
    fn add_spike(&mut self, _neuron: u32, _time: f64) -> Result<(), String> {
        Err(format!("model `{}` does not take injected spikes", self.model()))
    }

    /// Asks the group to record every input jump (time, summed weight) of `neurons` (local).
    fn record_inputs(&mut self, _neurons: &[u32]) -> Result<(), String> {
        Err(format!("model `{}` does not record its inputs", self.model()))
    }

    /// Input jumps recorded so far: `value` is the summed weight applied at `time`.
    fn input_samples(&self) -> &[StateSample] {
        &[]
    }

    /// Bytes of per-neuron state.
    fn state_bytes(&self) -> usize;
}
