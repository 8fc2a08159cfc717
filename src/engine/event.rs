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

/// An event on a receptor other than the default one (e.g. `fire`), for one neuron of a group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReceptorInput {
    pub time: f64,
    /// Local index in the target population.
    pub neuron: u32,
    pub receptor: u8,
    pub weight: f32,
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
/// they were sent — by projection (order in the circuit file), then spike (time, global neuron
/// index), then synapse (the projection's row order).
/// Models decide what simultaneity means; `lif` sums simultaneous inputs into one jump.
#[derive(Default)]
pub struct Lanes {
    /// Neurons whose lane is not empty, ascending.
    touched: Vec<u32>,
    /// Lane k (of neuron `touched[k]`) is `inputs[bounds[k]..bounds[k + 1]]`.
    bounds: Vec<u32>,
    inputs: Vec<Input>,
    /// Scratch for the counting sort.
    count: Vec<u32>,
    sorted: Vec<PendingEvent>,
}

impl Lanes {
    /// Regroups `events` (any order) into lanes for `n` neurons.
    pub fn fill(&mut self, n: usize, events: &[PendingEvent]) {
        self.touched.clear();
        self.bounds.clear();
        self.inputs.clear();
        if events.is_empty() {
            return;
        }
        // Group by target, keeping the sending order (both sorts are stable): a comparison
        // sort when events are few next to neurons, a counting sort when they are many.
        self.sorted.clear();
        if events.len() * 16 < n {
            self.sorted.extend_from_slice(events);
            self.sorted.sort_by_key(|e| e.target);
        } else {
            self.count.clear();
            self.count.resize(n + 1, 0);
            for e in events {
                self.count[e.target as usize + 1] += 1;
            }
            // Offsets: a running sum in a register (adding count[i] into count[i + 1] in memory
            // made every step wait for the store before it).
            let mut acc = 0u32;
            for c in self.count.iter_mut() {
                acc += *c;
                *c = acc;
            }
            self.sorted.resize(events.len(), events[0]);
            for e in events {
                let c = &mut self.count[e.target as usize];
                self.sorted[*c as usize] = *e;
                *c += 1;
            }
        }
        let mut last = u32::MAX;
        for (k, e) in self.sorted.iter().enumerate() {
            if e.target != last {
                self.touched.push(e.target);
                self.bounds.push(k as u32);
                last = e.target;
            }
            self.inputs.push(Input {
                time: e.time,
                weight: e.weight,
            });
        }
        self.bounds.push(self.sorted.len() as u32);
        for k in 0..self.touched.len() {
            let lane = &mut self.inputs[self.bounds[k] as usize..self.bounds[k + 1] as usize];
            if lane.len() > 1 {
                // Stable: equal times keep the sending order.
                lane.sort_by(|x, y| x.time.total_cmp(&y.time));
            }
        }
    }

    /// The lane of every neuron in `[from, to)`, in order (empty slices for neurons without
    /// input).
    pub fn each_lane(&self, from: u32, to: u32) -> impl Iterator<Item = &[Input]> {
        let mut touched = self.lanes_in(from, to).peekable();
        (from..to).map(move |gid| match touched.peek() {
            Some(&(g, lane)) if g == gid => {
                touched.next();
                lane
            }
            _ => &[],
        })
    }

    /// The non-empty lanes of neurons in `[from, to)`: (global index, inputs sorted by time).
    pub fn lanes_in(&self, from: u32, to: u32) -> impl Iterator<Item = (u32, &[Input])> {
        let a = self.touched.partition_point(|&i| i < from);
        let b = self.touched.partition_point(|&i| i < to);
        (a..b).map(move |k| {
            (
                self.touched[k],
                &self.inputs[self.bounds[k] as usize..self.bounds[k + 1] as usize],
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_sort_by_time_and_keep_sending_order_on_ties() {
        let ev = |time, weight, target| PendingEvent { time, weight, target };
        let events = [ev(2.0, 1.0, 1), ev(1.0, 2.0, 1), ev(1.0, 3.0, 1), ev(0.5, 4.0, 3)];
        let mut lanes = Lanes::default();
        for n in [4, 1000] {
            // Both grouping paths (counting sort for n = 4, comparison sort for n = 1000).
            lanes.fill(n, &events);
            let all: Vec<(u32, Vec<f32>)> = lanes
                .lanes_in(0, 4)
                .map(|(i, l)| (i, l.iter().map(|e| e.weight).collect()))
                .collect();
            assert_eq!(all, vec![(1, vec![2.0, 3.0, 1.0]), (3, vec![4.0])]);
            let upper: Vec<u32> = lanes.lanes_in(2, 4).map(|(i, _)| i).collect();
            assert_eq!(upper, vec![3]);
        }
    }
}
