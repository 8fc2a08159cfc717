//! `spike_times`: each neuron fires at a given list of times (NEST's `spike_generator`).

use super::{CellGroup, Inputs};
use crate::engine::event::Spike;

pub struct SpikeTimesGroup {
    /// Ascending spike times of each neuron.
    times: Vec<Vec<f64>>,
    cursor: Vec<usize>,
}

impl SpikeTimesGroup {
    /// `times[i]` are neuron i's spike times in ms (sorted here).
    pub fn new(mut times: Vec<Vec<f64>>) -> Self {
        for t in &mut times {
            t.sort_by(f64::total_cmp);
        }
        let cursor = vec![0; times.len()];
        SpikeTimesGroup { times, cursor }
    }
}

impl CellGroup for SpikeTimesGroup {
    fn model(&self) -> &'static str {
        "spike_times"
    }

    fn len(&self) -> usize {
        self.times.len()
    }

    fn advance(&mut self, t_end: f64, _inputs: Inputs, offset: u32, spikes: &mut Vec<Spike>) {
        for (i, times) in self.times.iter().enumerate() {
            let c = &mut self.cursor[i];
            while *c < times.len() && times[*c] < t_end {
                spikes.push(Spike {
                    time: times[*c],
                    neuron: offset + i as u32,
                });
                *c += 1;
            }
        }
    }

    fn add_spike(&mut self, neuron: u32, time: f64) -> Result<(), String> {
        let i = neuron as usize;
        let (times, c) = match (self.times.get_mut(i), self.cursor.get(i)) {
            (Some(t), Some(&c)) => (t, c),
            _ => return Err(format!("neuron {neuron} is outside the population")),
        };
        if c > 0 && time < times[c - 1] {
            return Err(format!("spike at {time} ms is earlier than one already emitted"));
        }
        let at = c + times[c..].partition_point(|t| *t <= time);
        times.insert(at, time);
        Ok(())
    }

    fn takes_input(&self) -> bool {
        false
    }

    fn next_spontaneous(&self) -> f64 {
        self.times
            .iter()
            .zip(&self.cursor)
            .filter_map(|(t, &c)| t.get(c).copied())
            .fold(f64::INFINITY, f64::min)
    }

    fn state_bytes(&self) -> usize {
        self.times.iter().map(|t| 8 * t.len() + 32).sum()
    }
}
