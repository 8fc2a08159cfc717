//! `spike_times`: each neuron fires at a given list of times (NEST's `spike_generator`).
//!
//! The spikes of all neurons are kept in one list ordered by (time, neuron), with a cursor at
//! the first not yet emitted: an epoch costs the spikes it emits, not the neurons, and what is
//! left of the list is the group's plan — no input can change it — which projections that read
//! many rows per spike (bit matrices) use to count several volleys in one pass.

use super::{CellGroup, Inputs, PlannedSpikes};
use crate::engine::event::Spike;

pub struct SpikeTimesGroup {
    size: usize,
    /// Every spike, ordered by (time, neuron): times and local neuron indices.
    times: Vec<f64>,
    neurons: Vec<u32>,
    /// The first spike not yet emitted.
    cursor: usize,
}

impl SpikeTimesGroup {
    /// `times[i]` are neuron i's spike times in ms (any order).
    pub fn new(times: Vec<Vec<f64>>) -> Self {
        let mut all: Vec<(f64, u32)> = times
            .iter()
            .enumerate()
            .flat_map(|(i, ts)| ts.iter().map(move |&t| (t, i as u32)))
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        SpikeTimesGroup {
            size: times.len(),
            times: all.iter().map(|s| s.0).collect(),
            neurons: all.iter().map(|s| s.1).collect(),
            cursor: 0,
        }
    }
}

impl CellGroup for SpikeTimesGroup {
    fn model(&self) -> &'static str {
        "spike_times"
    }

    fn len(&self) -> usize {
        self.size
    }

    fn advance(&mut self, t_end: f64, _inputs: Inputs, offset: u32, spikes: &mut Vec<Spike>) {
        while self.cursor < self.times.len() && self.times[self.cursor] < t_end {
            spikes.push(Spike {
                time: self.times[self.cursor],
                neuron: offset + self.neurons[self.cursor],
            });
            self.cursor += 1;
        }
    }

    fn add_spike(&mut self, neuron: u32, time: f64) -> Result<(), String> {
        if neuron as usize >= self.size {
            return Err(format!("neuron {neuron} is outside the population"));
        }
        if self.cursor > 0 && time < self.times[self.cursor - 1] {
            return Err(format!("spike at {time} ms is earlier than one already emitted"));
        }
        // After every spike that sorts at or before (time, neuron).
        let (mut at, mut hi) = (self.cursor, self.times.len());
        while at < hi {
            let mid = (at + hi) / 2;
            if self.times[mid] < time || (self.times[mid] == time && self.neurons[mid] <= neuron) {
                at = mid + 1;
            } else {
                hi = mid;
            }
        }
        self.times.insert(at, time);
        self.neurons.insert(at, neuron);
        Ok(())
    }

    fn takes_input(&self) -> bool {
        false
    }

    fn next_spontaneous(&self) -> f64 {
        self.times.get(self.cursor).copied().unwrap_or(f64::INFINITY)
    }

    fn planned_spikes(&self) -> Option<PlannedSpikes<'_>> {
        Some(PlannedSpikes {
            times: &self.times[self.cursor..],
            neurons: &self.neurons[self.cursor..],
        })
    }

    fn state_bytes(&self) -> usize {
        12 * self.times.len() + 32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::Lanes;

    fn advance(g: &mut SpikeTimesGroup, t_end: f64) -> Vec<(f64, u32)> {
        let lanes = Lanes::default();
        let inputs = Inputs {
            lanes: &lanes,
            bulk: &[],
            receptor: &[],
        };
        let mut out = Vec::new();
        g.advance(t_end, inputs, 10, &mut out);
        out.iter().map(|s| (s.time, s.neuron)).collect()
    }

    /// Spikes come out by (time, neuron) up to each epoch's end, added ones in their place; the
    /// plan is what is left, and spikes before the last emitted one are refused.
    #[test]
    fn spikes_are_emitted_in_order_and_the_plan_is_what_is_left() {
        let mut g = SpikeTimesGroup::new(vec![vec![3.0, 1.0], vec![], vec![1.0, 2.0, 2.0]]);
        assert_eq!(g.next_spontaneous(), 1.0);
        assert_eq!(advance(&mut g, 1.5), vec![(1.0, 10), (1.0, 12)]);
        g.add_spike(1, 2.0).unwrap();
        g.add_spike(0, 2.0).unwrap();
        g.add_spike(2, 5.0).unwrap();
        assert!(g.add_spike(0, 0.5).is_err());
        assert!(g.add_spike(3, 4.0).is_err());
        let plan = g.planned_spikes().unwrap();
        assert_eq!(plan.times, &[2.0, 2.0, 2.0, 2.0, 3.0, 5.0]);
        assert_eq!(plan.neurons, &[0, 1, 2, 2, 0, 2]);
        assert_eq!(
            advance(&mut g, 3.0),
            vec![(2.0, 10), (2.0, 11), (2.0, 12), (2.0, 12)]
        );
        assert_eq!(g.next_spontaneous(), 3.0);
        assert_eq!(advance(&mut g, 10.0), vec![(3.0, 10), (5.0, 12)]);
        assert_eq!(g.next_spontaneous(), f64::INFINITY);
        assert!(g.planned_spikes().unwrap().times.is_empty());
    }
}
