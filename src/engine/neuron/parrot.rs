//! `parrot`: repeats every input it receives as a spike at the same time (NEST's
//! `parrot_neuron`); the input's weight is ignored.

use super::CellGroup;
use crate::engine::event::{Lanes, Spike};
use crate::engine::simulation::BulkInput;

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

    fn advance(
        &mut self,
        _t_end: f64,
        lanes: &Lanes,
        _bulk: &[BulkInput],
        offset: u32,
        spikes: &mut Vec<Spike>,
    ) {
        for (gid, lane) in lanes.lanes_in(offset, offset + self.n as u32) {
            for ev in lane {
                spikes.push(Spike {
                    time: ev.time,
                    neuron: gid,
                });
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
