//! The epoch loop.
//!
//! Time is cut into epochs as long as the network's shortest delay `D`. A spike emitted in an
//! epoch cannot reach any neuron before the next one, so within an epoch every neuron can be
//! advanced on its own through its inputs, exactly and in time order (Arbor's scheme). Then the
//! epoch's spikes are sorted by (time, neuron) and sent along their synapses into a ring of
//! future epochs, where they wait as (time, weight, target) events. The ring covers at most
//! `MAX_SLOTS` epochs; events for later epochs (very long delays) wait in a heap until the ring
//! reaches them.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::event::{Lanes, PendingEvent, Spike};
use super::network::Network;

/// The most epochs the ring of pending events covers.
const MAX_SLOTS: usize = 4096;

/// An event beyond the ring, ordered by its epoch (then by the order it was sent in).
#[derive(Clone, Copy, Debug)]
struct FarEvent {
    epoch: u64,
    seq: u64,
    event: PendingEvent,
}

impl PartialEq for FarEvent {
    fn eq(&self, other: &Self) -> bool {
        (self.epoch, self.seq) == (other.epoch, other.seq)
    }
}
impl Eq for FarEvent {}
impl PartialOrd for FarEvent {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for FarEvent {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.epoch, self.seq).cmp(&(other.epoch, other.seq))
    }
}

pub struct Simulation {
    pub net: Network,
    /// Epoch length: the shortest delay, ms.
    epoch_ms: f64,
    /// Index of the epoch that `now` lies in.
    epoch: u64,
    now: f64,
    slots: Vec<Vec<PendingEvent>>,
    far: BinaryHeap<Reverse<FarEvent>>,
    far_seq: u64,
    lanes: Lanes,
    /// Projections leaving each population.
    outgoing: Vec<Vec<usize>>,
    epoch_spikes: Vec<Spike>,
    /// Scratch: events of the current epoch.
    due: Vec<PendingEvent>,
    /// Which populations' spikes are kept.
    record: Vec<bool>,
    pub recorded: Vec<Spike>,
    pub spike_counts: Vec<u64>,
    pub events_delivered: u64,
}

impl Simulation {
    /// `horizon_ms` is used as the epoch length when the network has no synapses.
    pub fn new(net: Network, horizon_ms: f64) -> Simulation {
        let min_delay = net
            .projections
            .iter()
            .filter_map(|p| p.synapses.min_delay())
            .reduce(f64::min);
        let max_delay = net
            .projections
            .iter()
            .filter_map(|p| p.synapses.max_delay())
            .reduce(f64::max);
        let epoch_ms = min_delay.unwrap_or(horizon_ms.max(1.0));
        let span = (max_delay.unwrap_or(0.0) / epoch_ms).ceil();
        let n_slots = if span < (MAX_SLOTS - 2) as f64 {
            span as usize + 2
        } else {
            MAX_SLOTS
        };
        let mut outgoing = vec![Vec::new(); net.populations.len()];
        for (k, p) in net.projections.iter().enumerate() {
            outgoing[p.pre].push(k);
        }
        let n_pop = net.populations.len();
        Simulation {
            net,
            epoch_ms,
            epoch: 0,
            now: 0.0,
            slots: vec![Vec::new(); n_slots],
            far: BinaryHeap::new(),
            far_seq: 0,
            lanes: Lanes::default(),
            outgoing,
            epoch_spikes: Vec::new(),
            due: Vec::new(),
            record: vec![true; n_pop],
            recorded: Vec::new(),
            spike_counts: vec![0; n_pop],
            events_delivered: 0,
        }
    }

    /// Keep spikes of population `k` only if `on`.
    pub fn set_recording(&mut self, k: usize, on: bool) {
        self.record[k] = on;
    }

    pub fn now(&self) -> f64 {
        self.now
    }

    pub fn epoch_ms(&self) -> f64 {
        self.epoch_ms
    }

    /// Simulates up to `t_stop` ms; `progress` is called now and then with the current time.
    pub fn run_until(&mut self, t_stop: f64, progress: &mut dyn FnMut(f64)) {
        let mut next_report = self.now;
        let report_every = ((t_stop - self.now) / 200.0).max(self.epoch_ms);
        while self.now < t_stop {
            let boundary = (self.epoch + 1) as f64 * self.epoch_ms;
            let t_end = boundary.min(t_stop);
            self.step(t_end);
            self.now = t_end;
            if t_end >= boundary {
                self.epoch += 1;
            }
            if self.now >= next_report {
                progress(self.now);
                next_report = self.now + report_every;
            }
        }
        progress(self.now);
    }

    /// Advances every neuron to `t_end` (within the current epoch) and sends the spikes.
    fn step(&mut self, t_end: f64) {
        let n_slots = self.slots.len();
        while let Some(Reverse(f)) = self.far.peek() {
            if f.epoch > self.epoch {
                break;
            }
            let e = f.event;
            self.far.pop();
            self.slots[(self.epoch % n_slots as u64) as usize].push(e);
        }
        let slot = &mut self.slots[(self.epoch % n_slots as u64) as usize];
        self.due.clear();
        if t_end < (self.epoch + 1) as f64 * self.epoch_ms {
            // A partial epoch: keep the events at or after t_end for the rest of it.
            let due = &mut self.due;
            slot.retain(|e| {
                if e.time < t_end {
                    due.push(*e);
                    false
                } else {
                    true
                }
            });
        } else {
            std::mem::swap(&mut self.due, slot);
        }
        let n = self.net.neuron_count();
        self.lanes.fill(n, &self.due);

        self.epoch_spikes.clear();
        for (g, pop) in self.net.groups.iter_mut().zip(&self.net.populations) {
            g.advance(t_end, &self.lanes, pop.offset, &mut self.epoch_spikes);
        }
        self.epoch_spikes
            .sort_unstable_by(|a, b| a.time.total_cmp(&b.time).then(a.neuron.cmp(&b.neuron)));
        self.send();
    }

    fn send(&mut self) {
        let n_slots = self.slots.len() as u64;
        let first = self.epoch + 1;
        let horizon = self.epoch + n_slots;
        let epoch_ms = self.epoch_ms;
        let epoch_of = |arrival: f64| -> u64 { ((arrival / epoch_ms).floor() as u64).max(first) };
        for sp in &self.epoch_spikes {
            let pop = self.net.population_of(sp.neuron);
            self.spike_counts[pop] += 1;
            if self.record[pop] {
                self.recorded.push(*sp);
            }
            let local = (sp.neuron - self.net.populations[pop].offset) as usize;
            for &k in &self.outgoing[pop] {
                let proj = &self.net.projections[k];
                let post_offset = self.net.populations[proj.post].offset;
                let (posts, weights, delay_index) = proj.synapses.row_slices(local);
                self.events_delivered += posts.len() as u64;
                let table = proj.synapses.delay_table();
                match delay_index {
                    None => {
                        let Some(&d) = table.first() else { continue };
                        let time = sp.time + d;
                        let epoch = epoch_of(time);
                        let events = posts.iter().zip(weights).map(|(&p, &weight)| PendingEvent {
                            time,
                            weight,
                            target: post_offset + p,
                        });
                        if epoch < horizon {
                            self.slots[(epoch % n_slots) as usize].extend(events);
                        } else {
                            for event in events {
                                self.far_seq += 1;
                                self.far.push(Reverse(FarEvent {
                                    epoch,
                                    seq: self.far_seq,
                                    event,
                                }));
                            }
                        }
                    }
                    Some(di) => {
                        for ((&p, &weight), &d) in posts.iter().zip(weights).zip(di) {
                            let time = sp.time + table[d as usize];
                            let event = PendingEvent {
                                time,
                                weight,
                                target: post_offset + p,
                            };
                            let epoch = epoch_of(time);
                            if epoch < horizon {
                                self.slots[(epoch % n_slots) as usize].push(event);
                            } else {
                                self.far_seq += 1;
                                self.far.push(Reverse(FarEvent {
                                    epoch,
                                    seq: self.far_seq,
                                    event,
                                }));
                            }
                        }
                    }
                }
            }
        }
    }
}
