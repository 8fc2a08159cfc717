//! Neuron models. Each model is a cell group: the state of all its neurons kept as contiguous
//! per-variable arrays, advanced epoch by epoch through the inputs that reach it.

pub mod escape_noise;
pub mod integrator;
pub mod lif;
pub mod parrot;
pub mod poisson_source;
pub mod recording;
pub mod spike_times;

use super::distribution::Distribution;
use super::event::{Input, LaneView, Lanes, ReceptorInput, Spike};
use super::params::{Param, ParamError, Params};
use super::simulation::BulkInput;

/// The neuron models a circuit file can name, one line each.
pub static MODELS: &[&NeuronModel] = &[
    &lif::MODEL,
    &escape_noise::MODEL,
    &parrot::MODEL,
    &integrator::MODEL,
];

/// The registered model called `name`.
pub fn find(name: &str) -> Option<&'static NeuronModel> {
    MODELS.iter().copied().find(|m| m.name == name)
}

/// How bit-matrix and dense projections sum the simultaneous inputs to one neuron of a model so
/// that the result means exactly what the unit events would have meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputSummary {
    /// One net sum (models that add simultaneous inputs into one jump: `lif`).
    Net,
    /// Excitatory and inhibitory sums kept apart (models that treat the signs differently).
    Split,
    /// The number of events, weights ignored (`parrot`).
    Count,
}

/// What building one population of a model needs.
pub struct GroupInit<'a> {
    pub size: usize,
    pub seed: u64,
    /// Stable key of the population's name (its random streams).
    pub key: u64,
    /// Initial membrane potentials, for models that have one (None: the model's default).
    pub v_init: Option<&'a Distribution>,
}

/// A neuron model as the circuit format and the engine see it: its parameters (names, units,
/// defaults), their checks, its receptors and recordable variables, and how to build a group.
pub struct NeuronModel {
    pub name: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    /// Receptor names; the first is the default (ordinary synaptic input).
    pub receptors: &'static [&'static str],
    /// Receptors whose input the model ignores (NEST's parrot port 1): a projection there
    /// transmits nothing, but a plasticity rule on it still sees both sides' spikes.
    pub silent_receptors: &'static [&'static str],
    /// Variables a recorder or readout can take: `v_m` (membrane potential), `input` (summed
    /// input jumps).
    pub recordables: &'static [&'static str],
    /// Whether `v_init` applies.
    pub has_membrane: bool,
    /// Whether the model can fire (rules that hear postsynaptic spikes need it).
    pub fires: bool,
    pub input: InputSummary,
    /// Bytes of state per neuron (for memory estimates).
    pub bytes_per_neuron: usize,
    pub check: fn(&Params) -> Result<(), ParamError>,
    pub build: fn(&Params, &GroupInit) -> Box<dyn CellGroup>,
}

impl std::fmt::Debug for NeuronModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for NeuronModel {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl NeuronModel {
    pub fn records(&self, variable: &str) -> bool {
        self.recordables.contains(&variable)
    }

    /// Whether input on receptor `k` reaches the model.
    pub fn transmits(&self, k: u8) -> bool {
        self.receptors
            .get(k as usize)
            .is_some_and(|r| !self.silent_receptors.contains(r))
    }

    /// Index of receptor `name`.
    pub fn receptor(&self, name: &str) -> Option<u8> {
        self.receptors.iter().position(|r| *r == name).map(|k| k as u8)
    }
}

/// Everything that reaches one group in one epoch.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// Unit events by target neuron (global indices), default receptor.
    pub lanes: &'a Lanes,
    /// Summed inputs from bit-matrix and dense projections, this group's, sorted by time.
    pub bulk: &'a [BulkInput],
    /// Events on other receptors, this group's, sorted by (neuron, time).
    pub receptor: &'a [ReceptorInput],
}

impl<'a> Inputs<'a> {
    /// The receptor events of local neuron `i`.
    pub fn receptor_of(&self, i: u32) -> &'a [ReceptorInput] {
        let a = self.receptor.partition_point(|e| e.neuron < i);
        let b = a + self.receptor[a..].partition_point(|e| e.neuron == i);
        &self.receptor[a..b]
    }
}

/// The inputs of neuron `i` (its index in the bulk vectors) by time: calls `f(time, weight)` for each distinct time with
/// the lane's events and the bulk entries at that time summed. A sum of exactly 0 is no
/// input (so unit events and summed delivery mean the same, whatever the storage).
#[inline]
pub(super) fn merged_inputs(i: usize, lane: &[Input], bulk: &[BulkInput], mut f: impl FnMut(f64, f64)) {
    if bulk.is_empty() {
        // Unit events only (the common case): simultaneous ones summed.
        let mut j = 0;
        while j < lane.len() {
            let time = lane[j].time;
            let mut weight = f64::from(lane[j].weight);
            j += 1;
            while j < lane.len() && lane[j].time == time {
                weight += f64::from(lane[j].weight);
                j += 1;
            }
            if weight != 0.0 {
                f(time, weight);
            }
        }
        return;
    }
    let (mut j, mut b) = (0, 0);
    loop {
        while b < bulk.len() && bulk[b].value(i) == 0.0 {
            b += 1;
        }
        let t_lane = lane.get(j).map_or(f64::INFINITY, |e| e.time);
        let t_bulk = bulk.get(b).map_or(f64::INFINITY, |e| e.time);
        let time = t_lane.min(t_bulk);
        if time == f64::INFINITY {
            return;
        }
        let mut weight = 0.0;
        while j < lane.len() && lane[j].time == time {
            weight += f64::from(lane[j].weight);
            j += 1;
        }
        while b < bulk.len() && bulk[b].time == time {
            weight += bulk[b].value(i);
            b += 1;
        }
        if weight != 0.0 {
            f(time, weight);
        }
    }
}

/// One sample of a recorded state variable.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StateSample {
    pub time: f64,
    /// Local index in the population.
    pub neuron: u32,
    pub value: f64,
}

/// Spikes a group has yet to emit: `times[k]` (ascending) of local neuron `neurons[k]`.
#[derive(Clone, Copy)]
pub struct PlannedSpikes<'a> {
    pub times: &'a [f64],
    pub neurons: &'a [u32],
}

/// Cuts between blocks (`CellGroup::blocks`) fall on multiples of this many neurons, so
/// per-neuron arrays of up to 8 bytes are cut at cache-line boundaries.
pub const BLOCK_ALIGN: usize = 64;

/// Some consecutive neurons of a group, advanced through an epoch apart from the others.
pub trait CellBlock: Send {
    /// Advances the block's neurons to `t_end` (exclusive): `lanes` hold (at least) their
    /// lanes by global index, `bulk` the group's summed inputs (by local index, sorted by
    /// time). Pushes the spikes it emits and returns a time before which none of its neurons
    /// fires without input.
    fn advance(&mut self, t_end: f64, lanes: LaneView, bulk: &[BulkInput], spikes: &mut Vec<Spike>) -> f64;
}

/// A population of neurons of one model.
pub trait CellGroup: Send {
    /// The model's name as written in circuit files.
    fn model(&self) -> &'static str;

    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Advances every neuron to `t_end` (exclusive), applying its inputs (lanes by global
    /// index = `offset` + local index), and pushing the spikes it emits.
    fn advance(&mut self, t_end: f64, inputs: Inputs, offset: u32, spikes: &mut Vec<Spike>);

    /// For one epoch, the group cut into blocks that advance independently, each on whichever
    /// member of the simulation's team owns its part of the neurons: block b holds the local
    /// neurons `[cuts[b], cuts[b + 1])` (`cuts` runs from 0 to the group's size; the cuts in
    /// between are multiples of `BLOCK_ALIGN`); `offset` is the group's first global index. `None` when the group must advance as a
    /// whole this epoch (recorders, receptor inputs, models without blocks): then `advance`.
    fn blocks(&mut self, _cuts: &[usize], _offset: u32) -> Option<Vec<Box<dyn CellBlock + '_>>> {
        None
    }

    /// After an epoch advanced in blocks: the least of the bounds the blocks returned.
    fn blocks_done(&mut self, _bound: f64) {}

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

    /// The spikes the group will emit from now on when no input can change them (sources with
    /// fixed spike times), ordered by (time, neuron); more may still be added by `add_spike`.
    fn planned_spikes(&self) -> Option<PlannedSpikes<'_>> {
        None
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

    /// For models with a rate ceiling: how many times a neuron's rate had to be clipped to it.
    fn rate_clipped(&self) -> Option<u64> {
        None
    }
}
