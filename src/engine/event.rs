//! Spikes and synaptic events, and the per-neuron event lanes an epoch is cut into.

/// A spike emitted by neuron `neuron` (global index) at `time` ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spike {
    pub time: f64,
    pub neuron: u32,
}

/// A synaptic event waiting for delivery: `weight` reaches neuron `target` at `time` ms.
#[derive(Clone, Copy, Debug)]
pub struct PendingEvent {
    pub time: f64,
    pub weight: f32,
    pub target: u32,
}

/// A synaptic event in a neuron's lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Input {
    pub time: f64,
    pub weight: f32,
}

/// The events of one epoch grouped by target neuron and sorted by time.
///
/// Tie rule: events that reach one neuron at exactly the same time keep the order in which
/// they were sent — spikes in order of (time, global neuron index), then each spike's synapses
/// in storage order (projection order in the circuit file, then the projection's row order).
/// Models decide what simultaneity means; `lif` sums simultaneous inputs into one jump.
#[derive(Default)]
pub struct Lanes {
    start: Vec<u32>,
    inputs: Vec<Input>,
    /// Neurons whose lane is not empty, ascending.
    touched: Vec<u32>,
    cursor: Vec<u32>,
}

impl Lanes {
    /// Regroups `events` (any order) into lanes for `n` neurons.
    pub fn fill(&mut self, n: usize, events: &[PendingEvent]) {
        self.touched.clear();
        self.inputs.clear();
        if self.start.len() != n + 1 {
            self.start = vec![0; n + 1];
        }
        if events.is_empty() {
            return;
        }
        // Counting sort by target (stable: keeps the sending order within a lane).
        let start = &mut self.start;
        start.iter_mut().for_each(|s| *s = 0);
        for e in events {
            start[e.target as usize + 1] += 1;
        }
        for i in 0..n {
            if start[i + 1] > 0 {
                self.touched.push(i as u32);
            }
            start[i + 1] += start[i];
        }
        self.inputs.resize(
            events.len(),
            Input {
                time: 0.0,
                weight: 0.0,
            },
        );
        self.cursor.clear();
        self.cursor.extend_from_slice(&start[..n]);
        for e in events {
            let c = &mut self.cursor[e.target as usize];
            self.inputs[*c as usize] = Input {
                time: e.time,
                weight: e.weight,
            };
            *c += 1;
        }
        for &i in &self.touched {
            let (a, b) = (start[i as usize] as usize, start[i as usize + 1] as usize);
            // Stable sort: equal times keep the sending order.
            self.inputs[a..b].sort_by(|x, y| x.time.total_cmp(&y.time));
        }
    }

    /// The lane of neuron `i` (global index).
    #[inline]
    pub fn lane(&self, i: usize) -> &[Input] {
        if self.inputs.is_empty() {
            return &[];
        }
        &self.inputs[self.start[i] as usize..self.start[i + 1] as usize]
    }

    /// Neurons in `[from, to)` that have input this epoch, ascending.
    pub fn touched_in(&self, from: u32, to: u32) -> &[u32] {
        let a = self.touched.partition_point(|&i| i < from);
        let b = self.touched.partition_point(|&i| i < to);
        &self.touched[a..b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_sort_by_time_and_keep_sending_order_on_ties() {
        let ev = |time, weight, target| PendingEvent {
            time,
            weight,
            target,
        };
        let events = [
            ev(2.0, 1.0, 1),
            ev(1.0, 2.0, 1),
            ev(1.0, 3.0, 1),
            ev(0.5, 4.0, 3),
        ];
        let mut lanes = Lanes::default();
        lanes.fill(4, &events);
        let w: Vec<f32> = lanes.lane(1).iter().map(|e| e.weight).collect();
        assert_eq!(w, vec![2.0, 3.0, 1.0]);
        assert!(lanes.lane(0).is_empty());
        assert_eq!(lanes.lane(3).len(), 1);
        assert_eq!(lanes.touched_in(0, 4), &[1, 3]);
        assert_eq!(lanes.touched_in(2, 4), &[3]);
    }
}
