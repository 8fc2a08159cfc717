//! `parrot`: repeats every input it receives as a spike at the same time (NEST's
//! `parrot_neuron`); the input's weight is ignored, and n simultaneous inputs give n spikes
//! (NEST's multiplicity), whether they arrive as unit events or as a bulk count. Input on
//! receptor `silent` (NEST's port 1) is not repeated: a plastic projection can reach a parrot
//! that fires only when its own drive tells it to.

use super::{CellGroup, InputSummary, Inputs, NeuronModel};
use crate::engine::event::Spike;

pub static MODEL: NeuronModel = NeuronModel {
    name: "parrot",
    summary: "repeats every input spike at the same time (NEST parrot_neuron)",
    params: &[],
    receptors: &["synapse", "silent"],
    silent_receptors: &["silent"],
    recordables: &[],
    has_membrane: false,
    fires: true,
    input: InputSummary::Count,
    bytes_per_neuron: 0,
    check: |_| Ok(()),
    build: |_, init| Box::new(ParrotGroup::new(init.size)),
};

/// The parrot model (for networks built in Rust).
pub fn model() -> crate::engine::network::Model {
    crate::engine::network::Model::Neuron(&MODEL, crate::engine::params::Params::default())
}

pub struct ParrotGroup {
    n: usize,
}

impl ParrotGroup {
    pub fn new(n: usize) -> Self {
        ParrotGroup { n }
    }
}

impl CellGroup for ParrotGroup {
    fn model(&self) -> &'static str {
        "parrot"
    }

    fn len(&self) -> usize {
        self.n
    }

    fn advance(&mut self, _t_end: f64, inputs: Inputs, offset: u32, spikes: &mut Vec<Spike>) {
        for (gid, lane) in inputs.lanes.lanes_in(offset, offset + self.n as u32) {
            for ev in lane {
                spikes.push(Spike {
                    time: ev.time,
                    neuron: gid,
                });
            }
        }
        for b in inputs.bulk {
            for (i, &count) in b.values.iter().enumerate() {
                for _ in 0..count as u64 {
                    spikes.push(Spike {
                        time: b.time,
                        neuron: offset + i as u32,
                    });
                }
            }
        }
    }

    fn next_spontaneous(&self) -> f64 {
        f64::INFINITY
    }

    fn state_bytes(&self) -> usize {
        0
    }
}
