//! The epoch loop.
//!
//! Time is cut into epochs as long as the network's shortest delay `D`. A spike emitted in an
//! epoch cannot reach any neuron before the next one, so within an epoch every neuron can be
//! advanced on its own through its inputs, exactly and in time order (Arbor's scheme). Then the
//! epoch's spikes are sorted by (time, neuron) and sent along their synapses into a ring of
//! future epochs, where they wait as (time, weight, target) events — or, from bit-matrix and
//! dense projections, as one summed input vector per (time, target population). The ring covers
//! at most `MAX_SLOTS` epochs; later events wait in a heap. Epochs in which nothing can happen
//! (no pending input, no spontaneous spike due) are skipped.
//!
//! Plasticity: teacher spikes due in an epoch are applied first, then the epoch's presynaptic
//! spikes are transmitted (weights are read when the spike is sent, at the end of the epoch it
//! was emitted in) and update their synapses.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::event::{Lanes, PendingEvent, ReceptorInput, Spike};
use super::network::Network;
use super::neuron::{InputSummary, Inputs};
use super::spike_log::SpikeLog;
use super::synapse::Connectivity;
use super::synapse::dense::SavedWeights;

/// One logged weight change of a traced synapse.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WeightChange {
    pub time: f64,
    pub projection: usize,
    pub pre: u32,
    pub post: u32,
    pub weight: f64,
}

/// The shortest delay a synapse may have, ms: epochs last the shortest delay, so a run of T ms
/// takes at least T / MIN_DELAY_MS epochs (NEST's default resolution is 0.1 ms).
pub const MIN_DELAY_MS: f64 = 1e-3;

/// The largest weight magnitude a synapse may hold (weights are stored as `f32`).
pub const MAX_WEIGHT: f64 = f32::MAX as f64;

/// The most epochs the ring of pending events covers.
pub const MAX_SLOTS: usize = 4096;

/// The summed input that bit-matrix and dense projections send to one population at one time,
/// summed the way the target model needs (`InputSummary`): per neuron (local index), the net
/// sum; or the excitatory sum in `values` and the inhibitory magnitude in `negative`; or the
/// number of events.
#[derive(Clone, Debug)]
pub struct BulkInput {
    pub time: f64,
    pub population: usize,
    pub values: Vec<f64>,
    /// Empty unless the target model keeps the signs apart.
    pub negative: Vec<f64>,
}

/// A teacher spike for neuron `post` of plastic projection `projection`.
#[derive(Clone, Copy, Debug)]
struct TeacherEvent {
    time: f64,
    projection: usize,
    post: u32,
}

#[derive(Default, Clone)]
struct Slot {
    events: Vec<PendingEvent>,
    bulk: Vec<BulkInput>,
    teacher: Vec<TeacherEvent>,
    /// Events on receptors other than the default: (target population, event).
    receptor: Vec<(usize, ReceptorInput)>,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.events.is_empty() && self.bulk.is_empty() && self.teacher.is_empty() && self.receptor.is_empty()
    }
}

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
    slots: Vec<Slot>,
    /// Slots that are not empty.
    busy_slots: usize,
    far: BinaryHeap<Reverse<FarEvent>>,
    far_seq: u64,
    lanes: Lanes,
    /// Projections leaving each population.
    outgoing: Vec<Vec<usize>>,
    /// Plastic projections whose rule hears the spikes of each (postsynaptic) population.
    post_listeners: Vec<Vec<usize>>,
    epoch_spikes: Vec<Spike>,
    /// Scratch: the epoch's spikes by population.
    by_pop: Vec<Vec<Spike>>,
    /// Scratch: the current epoch's inputs.
    due: Slot,
    /// Summed-input vectors to reuse.
    pool: Vec<Vec<f64>>,
    /// Which populations' spikes are kept.
    record: Vec<bool>,
    /// Kept spikes, in (time, neuron) order: in memory, or streamed to disk past a limit.
    pub recorded: SpikeLog,
    pub spike_counts: Vec<u64>,
    pub events_delivered: u64,
    /// Traced synapses per projection: (pre, post, weight last logged).
    traces: Vec<Vec<(u32, u32, f64)>>,
    /// Every change of a traced synapse's weight, in the order the rules made them.
    pub weight_changes: Vec<WeightChange>,
    /// Weights copied for `reset_weights`, by projection.
    saved_weights: Vec<(usize, SavedWeights)>,
    /// Most spikes `recorded` may hold; past it the run stops and says why in `over_budget`.
    pub spike_budget: u64,
    /// Populations whose spikes are written out, and the most rows their spikes may take
    /// (the output budget); past it the run stops and says why in `over_budget`.
    pub written: Vec<bool>,
    pub written_budget: u64,
    /// How the output budget is described in the message (set with `written_budget`).
    pub written_budget_note: String,
    pub over_budget: Option<String>,
}

impl Simulation {
    /// `horizon_ms` is used as the epoch length when the network has no synapses.
    pub fn new(net: Network, horizon_ms: f64) -> Simulation {
        let min_delay = net
            .projections
            .iter()
            .filter_map(|p| p.conn.min_delay())
            .reduce(f64::min);
        let max_delay = net
            .projections
            .iter()
            .filter_map(|p| p.conn.max_delay())
            .reduce(f64::max);
        let epoch_ms = min_delay.unwrap_or(horizon_ms.max(1.0));
        let span = (max_delay.unwrap_or(0.0) / epoch_ms).ceil();
        let n_slots = if span < (MAX_SLOTS - 2) as f64 {
            span as usize + 2
        } else {
            MAX_SLOTS
        };
        let mut outgoing = vec![Vec::new(); net.populations.len()];
        let mut post_listeners = vec![Vec::new(); net.populations.len()];
        for (k, p) in net.projections.iter().enumerate() {
            outgoing[p.pre].push(k);
            if p.hears_post {
                post_listeners[p.post].push(k);
            }
        }
        let n_pop = net.populations.len();
        Simulation {
            net,
            epoch_ms,
            epoch: 0,
            now: 0.0,
            slots: vec![Slot::default(); n_slots],
            busy_slots: 0,
            far: BinaryHeap::new(),
            far_seq: 0,
            lanes: Lanes::default(),
            outgoing,
            post_listeners,
            epoch_spikes: Vec::new(),
            by_pop: vec![Vec::new(); n_pop],
            due: Slot::default(),
            pool: Vec::new(),
            record: vec![true; n_pop],
            recorded: SpikeLog::in_memory(),
            spike_counts: vec![0; n_pop],
            events_delivered: 0,
            traces: Vec::new(),
            weight_changes: Vec::new(),
            saved_weights: Vec::new(),
            spike_budget: u64::MAX,
            written: Vec::new(),
            written_budget: u64::MAX,
            written_budget_note: String::new(),
            over_budget: None,
        }
    }

    /// Keep spikes of population `k` only if `on`.
    pub fn set_recording(&mut self, k: usize, on: bool) {
        self.record[k] = on;
    }

    /// Logs every change of the weights of `synapses` (pre, post) of dense projection `k`, from
    /// their value now.
    pub fn trace_weights(&mut self, k: usize, synapses: &[(u32, u32)]) {
        if self.traces.len() < self.net.projections.len() {
            self.traces.resize(self.net.projections.len(), Vec::new());
        }
        let Connectivity::Dense(w) = &self.net.projections[k].conn else {
            return;
        };
        for &(pre, post) in synapses {
            let weight = w.get(pre as usize, post as usize);
            self.traces[k].push((pre, post, weight));
            self.weight_changes.push(WeightChange {
                time: self.now,
                projection: k,
                pre,
                post,
                weight,
            });
        }
    }

    /// Logs the traced synapses of projection `k` whose weight changed, at `time`.
    fn log_weights(&mut self, k: usize, time: f64) {
        let Some(traced) = self.traces.get_mut(k) else {
            return;
        };
        if traced.is_empty() {
            return;
        }
        let Connectivity::Dense(w) = &self.net.projections[k].conn else {
            return;
        };
        for (pre, post, last) in traced.iter_mut() {
            let weight = w.get(*pre as usize, *post as usize);
            if weight != *last {
                *last = weight;
                self.weight_changes.push(WeightChange {
                    time,
                    projection: k,
                    pre: *pre,
                    post: *post,
                    weight,
                });
            }
        }
    }

    /// Switches the plasticity of projection `k` on or off (no effect on static projections).
    /// Copies projection `k`'s weights (dense, plastic projections) for `reset_weights`.
    pub fn save_weights(&mut self, k: usize) {
        if let Connectivity::Dense(d) = &self.net.projections[k].conn {
            let saved = d.save();
            self.saved_weights.retain(|(p, _)| *p != k);
            self.saved_weights.push((k, saved));
        }
    }

    /// Puts back the weights `save_weights` copied: the projection forgets what it learned.
    pub fn reset_weights(&mut self, k: usize) {
        if let Some((_, saved)) = self.saved_weights.iter().find(|(p, _)| *p == k)
            && let Connectivity::Dense(d) = &mut self.net.projections[k].conn
        {
            d.restore(saved);
        }
    }

    pub fn set_plasticity(&mut self, k: usize, on: bool) {
        if let Some(rule) = self.net.projections[k].plasticity.as_mut() {
            rule.set_enabled(on);
        }
    }

    /// Adds a spike of neuron `neuron` of population `population` at `time` (≥ now), for
    /// protocols that react to the circuit's output.
    pub fn inject_spike(&mut self, population: usize, neuron: u32, time: f64) -> Result<(), String> {
        if time < self.now {
            return Err(format!(
                "cannot inject a spike at {time} ms: the simulation is at {} ms",
                self.now
            ));
        }
        self.net.groups[population].add_spike(neuron, time)
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
            self.skip_idle_epochs(t_stop);
            if self.now >= t_stop {
                break;
            }
            let boundary = (self.epoch + 1) as f64 * self.epoch_ms;
            let t_end = boundary.min(t_stop);
            self.step(t_end);
            self.now = t_end;
            if let Err(e) = self.recorded.spill_if_full() {
                self.over_budget = Some(format!("stopped at {:.3} ms: {e}", self.now));
                return;
            }
            if !self.recorded.spills() && self.recorded.len() > self.spike_budget {
                self.stop_over_budget();
                return;
            }
            if self.written_budget < u64::MAX && self.written_spikes() > self.written_budget {
                self.stop_over_output();
                return;
            }
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

    /// Says which population filled the spike budget, and stops the run.
    fn stop_over_budget(&mut self) {
        let mut held = vec![0u64; self.net.populations.len()];
        self.recorded.visit(f64::NEG_INFINITY, f64::INFINITY, &mut |sp| {
            held[self.net.population_of(sp.neuron)] += 1;
        });
        let (k, n) = held
            .iter()
            .enumerate()
            .max_by_key(|x| *x.1)
            .map_or((0, 0), |(k, n)| (k, *n));
        self.over_budget = Some(format!(
            "stopped at {:.3} ms: {} spikes held ({:.1} MiB at 16 bytes each) passed the budget of {} spikes, half the memory budget; population `{}` fired {n} of them (--memory-gib raises the budget; `record = false` on populations no readout needs keeps their spikes out of memory)",
            self.now,
            self.recorded.len(),
            self.recorded.len() as f64 * 16.0 / 1048576.0,
            self.spike_budget,
            self.net.populations.get(k).map_or("", |p| p.name.as_str())
        ));
    }

    /// Spikes so far of the populations whose spikes are written out.
    fn written_spikes(&self) -> u64 {
        self.spike_counts
            .iter()
            .zip(&self.written)
            .filter(|x| *x.1)
            .map(|x| *x.0)
            .sum()
    }

    /// Says which population filled the output budget, and stops the run.
    fn stop_over_output(&mut self) {
        let (k, n) = self
            .spike_counts
            .iter()
            .zip(&self.written)
            .enumerate()
            .filter(|x| *x.1.1)
            .map(|(k, x)| (k, *x.0))
            .max_by_key(|x| x.1)
            .unwrap_or((0, 0));
        self.over_budget = Some(format!(
            "stopped at {:.3} ms: the spikes table would pass the output budget of {} rows ({}); population `{}` fired {n} of its {} rows (`record = false` keeps a population's spikes out of the table)",
            self.now,
            self.written_budget,
            self.written_budget_note,
            self.net.populations.get(k).map_or("", |p| p.name.as_str()),
            self.written_spikes()
        ));
    }

    /// Jumps over epochs in which no input is pending and no neuron can fire on its own.
    fn skip_idle_epochs(&mut self, t_stop: f64) {
        if self.busy_slots > 0 {
            return;
        }
        let mut next = self
            .net
            .groups
            .iter()
            .map(|g| g.next_spontaneous())
            .fold(f64::INFINITY, f64::min);
        if let Some(Reverse(f)) = self.far.peek() {
            next = next.min(f.epoch as f64 * self.epoch_ms);
        }
        let target = next.min(t_stop);
        let epoch = (target / self.epoch_ms).floor() as u64;
        if epoch > self.epoch {
            self.epoch = epoch;
            self.now = self.now.max(epoch as f64 * self.epoch_ms).min(t_stop);
        }
    }

    fn slot_index(&self, epoch: u64) -> usize {
        (epoch % self.slots.len() as u64) as usize
    }

    fn slot_mut(&mut self, epoch: u64) -> &mut Slot {
        let k = self.slot_index(epoch);
        if self.slots[k].is_empty() {
            self.busy_slots += 1;
        }
        &mut self.slots[k]
    }

    /// Advances every neuron to `t_end` (within the current epoch) and sends the spikes.
    fn step(&mut self, t_end: f64) {
        while let Some(Reverse(f)) = self.far.peek() {
            if f.epoch > self.epoch {
                break;
            }
            let e = f.event;
            self.far.pop();
            let epoch = self.epoch;
            self.slot_mut(epoch).events.push(e);
        }
        let k = self.slot_index(self.epoch);
        let was_busy = !self.slots[k].is_empty();
        let slot = &mut self.slots[k];
        self.due.events.clear();
        self.due.bulk.clear();
        self.due.teacher.clear();
        self.due.receptor.clear();
        if t_end < (self.epoch + 1) as f64 * self.epoch_ms {
            // A partial epoch: keep the inputs at or after t_end for the rest of it.
            let due = &mut self.due;
            slot.events.retain(|e| {
                let keep = e.time >= t_end;
                if !keep {
                    due.events.push(*e);
                }
                keep
            });
            let bulk = std::mem::take(&mut slot.bulk);
            for b in bulk {
                if b.time < t_end {
                    due.bulk.push(b)
                } else {
                    slot.bulk.push(b)
                }
            }
            slot.teacher.retain(|e| {
                let keep = e.time >= t_end;
                if !keep {
                    due.teacher.push(*e);
                }
                keep
            });
            slot.receptor.retain(|e| {
                let keep = e.1.time >= t_end;
                if !keep {
                    due.receptor.push(*e);
                }
                keep
            });
        } else {
            std::mem::swap(&mut self.due.events, &mut slot.events);
            std::mem::swap(&mut self.due.bulk, &mut slot.bulk);
            std::mem::swap(&mut self.due.teacher, &mut slot.teacher);
            std::mem::swap(&mut self.due.receptor, &mut slot.receptor);
        }
        if was_busy && self.slots[k].is_empty() {
            self.busy_slots -= 1;
        }
        let n = self.net.neuron_count();
        self.lanes.fill(n, &self.due.events);
        self.due
            .bulk
            .sort_by(|a, b| a.population.cmp(&b.population).then(a.time.total_cmp(&b.time)));

        // Stable: simultaneous receptor events keep their sending order.
        self.due.receptor.sort_by(|a, b| {
            (a.0, a.1.neuron)
                .cmp(&(b.0, b.1.neuron))
                .then(a.1.time.total_cmp(&b.1.time))
        });
        let receptor: Vec<ReceptorInput> = self.due.receptor.iter().map(|e| e.1).collect();

        self.epoch_spikes.clear();
        let (mut b, mut r) = (0, 0);
        for (g, (group, pop)) in self.net.groups.iter_mut().zip(&self.net.populations).enumerate() {
            let start = b;
            while b < self.due.bulk.len() && self.due.bulk[b].population == g {
                b += 1;
            }
            let r_start = r;
            while r < self.due.receptor.len() && self.due.receptor[r].0 == g {
                r += 1;
            }
            let inputs = Inputs {
                lanes: &self.lanes,
                bulk: &self.due.bulk[start..b],
                receptor: &receptor[r_start..r],
            };
            group.advance(t_end, inputs, pop.offset, &mut self.epoch_spikes);
        }
        for b in self.due.bulk.drain(..) {
            for v in [b.values, b.negative] {
                if self.pool.len() < 8 && v.capacity() > 0 {
                    self.pool.push(v);
                }
            }
        }
        self.epoch_spikes
            .sort_unstable_by(|a, b| a.time.total_cmp(&b.time).then(a.neuron.cmp(&b.neuron)));
        self.apply_teacher();
        self.send();
    }

    fn apply_teacher(&mut self) {
        // By time, then projection; simultaneous teacher spikes of one projection in one pass.
        self.due
            .teacher
            .sort_by(|a, b| a.time.total_cmp(&b.time).then(a.projection.cmp(&b.projection)));
        let mut i = 0;
        let mut posts = Vec::new();
        while i < self.due.teacher.len() {
            let (t, k) = (self.due.teacher[i].time, self.due.teacher[i].projection);
            posts.clear();
            while i < self.due.teacher.len()
                && self.due.teacher[i].time == t
                && self.due.teacher[i].projection == k
            {
                posts.push(self.due.teacher[i].post);
                i += 1;
            }
            let proj = &mut self.net.projections[k];
            if let (Some(rule), Connectivity::Dense(w)) = (proj.plasticity.as_mut(), &mut proj.conn) {
                rule.on_teachers(&posts, t, w);
            }
            self.log_weights(k, t);
        }
    }

    #[inline]
    fn epoch_of(&self, arrival: f64) -> u64 {
        ((arrival / self.epoch_ms).floor() as u64).max(self.epoch + 1)
    }

    /// The summed-input vectors for (time, population), created if needed.
    fn bulk_mut(&mut self, time: f64, population: usize) -> &mut BulkInput {
        let epoch = self.epoch_of(time);
        assert!(
            epoch < self.epoch + self.slots.len() as u64,
            "bit and dense projections need delays within {MAX_SLOTS} epochs"
        );
        let size = self.net.populations[population].size;
        let k = self.slot_index(epoch);
        if self.slots[k].is_empty() {
            self.busy_slots += 1;
        }
        let slot = &mut self.slots[k];
        let k = match slot
            .bulk
            .iter()
            .position(|b| b.time == time && b.population == population)
        {
            Some(k) => k,
            None => {
                // Recycled vectors: no fresh pages (and page faults) for every presentation.
                let mut fresh = || {
                    let mut v = self.pool.pop().unwrap_or_default();
                    v.clear();
                    v.resize(size, 0.0);
                    v
                };
                let values = fresh();
                let negative = if self.net.summaries[population] == Some(InputSummary::Split) {
                    fresh()
                } else {
                    Vec::new()
                };
                slot.bulk.push(BulkInput {
                    time,
                    population,
                    values,
                    negative,
                });
                slot.bulk.len() - 1
            }
        };
        &mut slot.bulk[k]
    }

    fn send(&mut self) {
        let spikes = std::mem::take(&mut self.epoch_spikes);
        for sp in &spikes {
            let pop = self.net.population_of(sp.neuron);
            self.spike_counts[pop] += 1;
            if self.record[pop] {
                self.recorded.push(*sp);
            }
        }
        // The epoch's spikes of each population, in (time, neuron) order.
        let mut by_pop = std::mem::take(&mut self.by_pop);
        by_pop.iter_mut().for_each(Vec::clear);
        for sp in &spikes {
            by_pop[self.net.population_of(sp.neuron)].push(*sp);
        }
        for (pop, mine) in by_pop.iter().enumerate() {
            if mine.is_empty() {
                continue;
            }
            let from = self.net.populations[pop].offset;
            for x in 0..self.outgoing[pop].len() {
                let k = self.outgoing[pop][x];
                match &self.net.projections[k].conn {
                    Connectivity::Sparse(_) => self.send_sparse(k, mine, from),
                    Connectivity::Bits(_) => self.send_bits(k, mine, from),
                    Connectivity::Dense(_) => self.send_dense(k, mine, from),
                }
            }
        }
        // Then the postsynaptic side of the rules that hear it.
        for (pop, mine) in by_pop.iter().enumerate() {
            if mine.is_empty() {
                continue;
            }
            let from = self.net.populations[pop].offset;
            for x in 0..self.post_listeners[pop].len() {
                let k = self.post_listeners[pop][x];
                for s in mine {
                    let proj = &mut self.net.projections[k];
                    if let (Some(rule), Connectivity::Dense(w)) = (proj.plasticity.as_mut(), &mut proj.conn) {
                        rule.on_post(s.neuron - from, s.time, w);
                    }
                    self.log_weights(k, s.time);
                }
            }
        }
        self.epoch_spikes = spikes;
        self.by_pop = by_pop;
    }

    fn send_sparse(&mut self, k: usize, spikes: &[Spike], from: u32) {
        let proj = &self.net.projections[k];
        let Connectivity::Sparse(syn) = &proj.conn else {
            return;
        };
        if !proj.transmits {
            return;
        }
        let post_offset = self.net.populations[proj.post].offset;
        let table = syn.delay_table();
        let (epoch_ms, first) = (self.epoch_ms, self.epoch + 1);
        let n_slots = self.slots.len() as u64;
        let horizon = self.epoch + n_slots;
        let epoch_of = |t: f64| ((t / epoch_ms).floor() as u64).max(first);
        // Counted as what they deliver: a zero weight changes no summing target.
        let skip_zero = syn.has_zero_weight()
            && proj.teacher_of.is_none()
            && proj.receptor == 0
            && self.net.summaries[proj.post] != Some(InputSummary::Count);
        for sp in spikes {
            let (posts, weights, delay_index) = syn.row_slices((sp.neuron - from) as usize);
            if posts.is_empty() {
                continue;
            }
            self.events_delivered += if skip_zero {
                weights.iter().filter(|w| **w != 0.0).count() as u64
            } else {
                posts.len() as u64
            };
            if let Some(target) = proj.teacher_of {
                for (j, &p) in posts.iter().enumerate() {
                    let time = sp.time + delay_index.map_or(table[0], |di| table[di[j] as usize]);
                    let epoch = epoch_of(time);
                    assert!(
                        epoch < horizon,
                        "teacher delays must be within {MAX_SLOTS} epochs"
                    );
                    let slot = &mut self.slots[(epoch % n_slots) as usize];
                    self.busy_slots += usize::from(slot.is_empty());
                    slot.teacher.push(TeacherEvent {
                        time,
                        projection: target,
                        post: p,
                    });
                }
                continue;
            }
            if proj.receptor != 0 {
                for (j, (&p, &weight)) in posts.iter().zip(weights).enumerate() {
                    let time = sp.time + delay_index.map_or(table[0], |di| table[di[j] as usize]);
                    let epoch = epoch_of(time);
                    assert!(
                        epoch < horizon,
                        "receptor delays must be within {MAX_SLOTS} epochs"
                    );
                    let slot = &mut self.slots[(epoch % n_slots) as usize];
                    self.busy_slots += usize::from(slot.is_empty());
                    slot.receptor.push((
                        proj.post,
                        ReceptorInput {
                            time,
                            neuron: p,
                            receptor: proj.receptor,
                            weight,
                        },
                    ));
                }
                continue;
            }
            let mut put = |time: f64, events: &mut dyn Iterator<Item = PendingEvent>| {
                let epoch = epoch_of(time);
                if epoch < horizon {
                    let slot = &mut self.slots[(epoch % n_slots) as usize];
                    self.busy_slots += usize::from(slot.is_empty());
                    slot.events.extend(events);
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
            };
            match delay_index {
                None => {
                    let time = sp.time + table[0];
                    let mut events = posts.iter().zip(weights).map(|(&p, &weight)| PendingEvent {
                        time,
                        weight,
                        target: post_offset + p,
                    });
                    put(time, &mut events);
                }
                Some(di) => {
                    for ((&p, &weight), &d) in posts.iter().zip(weights).zip(di) {
                        let time = sp.time + table[d as usize];
                        put(
                            time,
                            &mut std::iter::once(PendingEvent {
                                time,
                                weight,
                                target: post_offset + p,
                            }),
                        );
                    }
                }
            }
        }
    }

    fn send_bits(&mut self, k: usize, spikes: &[Spike], from: u32) {
        let post = self.net.projections[k].post;
        let summary = self.net.summaries[post].unwrap_or(InputSummary::Net);
        let (words, delay, weight) = match &self.net.projections[k].conn {
            Connectivity::Bits(b) => (b.words_per_row, b.delay, f64::from(b.weight)),
            _ => return,
        };
        // What each synapse adds, and to which vector: the net sum, the sign's own sum, or 1.
        let (scale, negative) = match summary {
            InputSummary::Net => (weight, false),
            InputSummary::Split => (weight.abs(), weight < 0.0),
            InputSummary::Count => (1.0, false),
        };
        if scale == 0.0 || !self.net.projections[k].transmits {
            return; // nothing reaches the targets: no summed input to make
        }
        // Spikes at exactly the same time form masks (a repeated neuron starts a new one).
        for group in spikes.chunk_by(|a, b| a.time == b.time) {
            let t = group[0].time;
            let mut masks: Vec<Vec<u64>> = Vec::new();
            for s in group {
                let pre = (s.neuron - from) as usize;
                let (w, bit) = (pre / 64, 1u64 << (pre % 64));
                match masks.iter_mut().find(|m| m[w] & bit == 0) {
                    Some(m) => m[w] |= bit,
                    None => {
                        let mut m = vec![0u64; words];
                        m[w] |= bit;
                        masks.push(m);
                    }
                }
            }
            let bulk = self.bulk_mut(t + delay, post);
            let mut acc = std::mem::take(if negative {
                &mut bulk.negative
            } else {
                &mut bulk.values
            });
            if let Connectivity::Bits(b) = &self.net.projections[k].conn {
                // Counted as what they deliver: each synapse of a spiking input, once.
                for m in &masks {
                    self.events_delivered += b.accumulate(m, scale, &mut acc);
                }
            }
            let bulk = self.bulk_mut(t + delay, post);
            *(if negative {
                &mut bulk.negative
            } else {
                &mut bulk.values
            }) = acc;
        }
    }

    fn send_dense(&mut self, k: usize, spikes: &[Spike], from: u32) {
        let post = self.net.projections[k].post;
        let summary = self.net.summaries[post].unwrap_or(InputSummary::Net);
        let delay = match &self.net.projections[k].conn {
            Connectivity::Dense(d) => d.delay,
            _ => return,
        };
        for group in spikes.chunk_by(|a, b| a.time == b.time) {
            let t = group[0].time;
            let mut delivered = 0u64;
            let bulk = self.bulk_mut(t + delay, post);
            let mut values = std::mem::take(&mut bulk.values);
            let mut negative = std::mem::take(&mut bulk.negative);
            {
                let proj = &mut self.net.projections[k];
                let transmits = proj.transmits;
                let Connectivity::Dense(w) = &mut proj.conn else {
                    return;
                };
                // Plasticity first: the spike carries the weights its own update left.
                if let Some(rule) = proj.plasticity.as_mut() {
                    for s in group {
                        rule.on_pre(s.neuron - from, t, delay, w);
                    }
                }
                if transmits {
                    for s in group {
                        // Counted as what they deliver: zero weights change no target.
                        delivered +=
                            w.accumulate((s.neuron - from) as usize, summary, &mut values, &mut negative);
                    }
                }
            }
            self.log_weights(k, t);
            self.events_delivered += delivered;
            let bulk = self.bulk_mut(t + delay, post);
            bulk.values = values;
            bulk.negative = negative;
        }
    }
}
