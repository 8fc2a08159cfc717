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
//! Threads: the neurons are cut into parts, one per worker thread (large networks only), each
//! an even share of every population. Each part keeps the plain events bound for its own
//! neurons. In one job per epoch, each part's thread sends the last epoch's spikes to the part
//! (the slice of every synapse row that reaches it), sorts the events due now into the part's
//! lanes and advances the part's block of every group that can be cut (`CellGroup::blocks`);
//! the last sending of a run is done when it ends. A team of threads that lives for the whole
//! run (`team.rs`) takes these jobs. Every neuron receives its events in the order of a single
//! pass, so the spikes do not depend on the thread count.
//!
//! Plasticity: teacher spikes due in an epoch are applied first, then the epoch's presynaptic
//! spikes are transmitted (weights are read when the spike is sent, at the end of the epoch it
//! was emitted in) and update their synapses. (Plain sparse projections, sent at the start of
//! the next epoch's job, have no rule: their weights never change during a run.)

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::Range;

use super::balance::{self, Balance};
use super::event::{LanePart, Lanes, PendingEvent, ReceptorInput, Spike};
use super::network::{Network, PopulationInfo, Projection};
use super::neuron::{BLOCK_ALIGN, CellBlock, InputSummary, Inputs};
use super::prefetch::prefetch;
use super::spike_log::SpikeLog;
use super::synapse::bit_matrix::add_counts;
use super::synapse::counted_ahead::{CountedAhead, volley_masks};
use super::synapse::dense::SavedWeights;
use super::synapse::{Connectivity, RowWeights};
use super::team::Team;

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

/// Networks are cut into at most one part per worker thread, and parts of at least this many
/// neurons (smaller ones cost more in fork and join than they save).
const NEURONS_PER_PART: usize = 8192;

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
    /// Added to every entry of `values` after them (0: none): the last contribution, when it
    /// reaches every neuron alike (a uniform bit matrix onto a net sum), kept as one number
    /// instead of a pass over the vector. Read through `value`.
    pub uniform: f64,
}

impl BulkInput {
    /// The net (or excitatory) summed input of neuron `i`.
    #[inline]
    pub fn value(&self, i: usize) -> f64 {
        if self.uniform == 0.0 {
            self.values[i]
        } else {
            self.values[i] + self.uniform
        }
    }

    /// Adds `x` to every entry, after what is there.
    pub fn add_uniform(&mut self, x: f64) {
        self.settle();
        self.uniform = x;
    }

    /// Folds the uniform contribution into `values` (before another contribution is added,
    /// so that every entry is summed in sending order, as if each had been added in turn).
    pub fn settle(&mut self) {
        if self.uniform != 0.0 {
            for v in &mut self.values {
                *v += self.uniform;
            }
            self.uniform = 0.0;
        }
    }
}

/// A teacher spike for neuron `post` of plastic projection `projection`.
#[derive(Clone, Copy, Debug)]
struct TeacherEvent {
    time: f64,
    projection: usize,
    post: u32,
}

/// What an epoch's slot of the ring holds besides plain synaptic events (those are kept by part
/// of the neurons, in `Simulation::ring`).
#[derive(Default, Clone)]
struct Slot {
    bulk: Vec<BulkInput>,
    teacher: Vec<TeacherEvent>,
    /// Events on receptors other than the default: (target population, event).
    receptor: Vec<(usize, ReceptorInput)>,
}

impl Slot {
    fn is_empty(&self) -> bool {
        self.bulk.is_empty() && self.teacher.is_empty() && self.receptor.is_empty()
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
    /// Plain synaptic events by part of the neurons, then slot: `ring[p][k]` holds the events
    /// for the neurons of part p due in the epoch of slot k, in the order they were sent.
    ring: Vec<Vec<Vec<PendingEvent>>>,
    /// The neurons are cut into parts, one per worker thread (one for small networks): part p
    /// holds, of every population `pop`, the neurons whose local index lies in
    /// `[part_cuts[pop][p], part_cuts[pop][p + 1])` — the same share of each population (even
    /// at first, then as `balance` finds), so each part gets a like share of every
    /// projection's synapses and of every model's neurons.
    /// Each part's events are sent, sorted into lanes and applied in parallel.
    part_cuts: Vec<Vec<u32>>,
    /// The global indices each part's neurons lie within: (least, past the greatest).
    part_spans: Vec<(u32, u32)>,
    /// The parts' shares, following the measured time of their jobs.
    balance: Balance,
    /// Which slots hold anything, and how many.
    busy: Vec<bool>,
    busy_slots: usize,
    /// Scratch: the current epoch's plain events, by part.
    due_events: Vec<Vec<PendingEvent>>,
    /// Scratch: events from beyond the ring due in the current epoch, by part.
    far_due: Vec<Vec<PendingEvent>>,
    /// The plain projections the last epoch's spikes (`by_pop`) go along (projection,
    /// population), and where that epoch's arrivals fall in the ring: sent at the start of the
    /// next epoch's job, each part its own share, just before it sorts its lanes (one meeting
    /// of the team per epoch), or at the end of the run.
    plain: Vec<(usize, usize)>,
    pending: Option<RingClock>,
    /// Per plain projection: where its rows cross the parts' boundaries (empty with one part).
    row_splits: Vec<Vec<u32>>,
    far: BinaryHeap<Reverse<FarEvent>>,
    far_seq: u64,
    lanes: Lanes,
    /// Projections leaving each population.
    outgoing: Vec<Vec<usize>>,
    /// Plastic projections whose rule hears the spikes of each (postsynaptic) population.
    post_listeners: Vec<Vec<usize>>,
    epoch_spikes: Vec<Spike>,
    /// Scratch: each part's spikes of the epoch (from its blocks), sorted in its job.
    part_spikes: Vec<Vec<Spike>>,
    /// Scratch: the epoch's spikes by population.
    by_pop: Vec<Vec<Spike>>,
    /// Scratch: the current epoch's inputs.
    due: Slot,
    /// Summed-input vectors to reuse.
    pool: Vec<Vec<f64>>,
    /// Per projection: volleys of a bit projection counted ahead (see `counted_ahead.rs`).
    ahead: Vec<CountedAhead>,
    counting_ahead: bool,
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
        let n_proj = net.projections.len();
        let mut sim = Simulation {
            net,
            epoch_ms,
            epoch: 0,
            now: 0.0,
            slots: vec![Slot::default(); n_slots],
            ring: Vec::new(),
            part_cuts: Vec::new(),
            part_spans: Vec::new(),
            balance: Balance::even(1),
            busy: vec![false; n_slots],
            busy_slots: 0,
            due_events: Vec::new(),
            far_due: Vec::new(),
            plain: Vec::new(),
            pending: None,
            row_splits: Vec::new(),
            far: BinaryHeap::new(),
            far_seq: 0,
            lanes: Lanes::default(),
            outgoing,
            post_listeners,
            epoch_spikes: Vec::new(),
            part_spikes: Vec::new(),
            by_pop: vec![Vec::new(); n_pop],
            due: Slot::default(),
            pool: Vec::new(),
            ahead: (0..n_proj).map(|_| CountedAhead::default()).collect(),
            counting_ahead: true,
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
        };
        sim.use_threads(rayon::current_num_threads());
        sim
    }

    /// Whether bit projections from sources with planned spikes count several volleys in one
    /// pass over their rows (the default; the inputs are the same either way — tests compare).
    pub fn count_ahead(&mut self, on: bool) {
        self.counting_ahead = on;
    }

    /// Cuts the neurons into parts for at most `threads` worker threads (one part, and no
    /// helper thread, for networks under `2 × NEURONS_PER_PART` neurons). Before the run: the
    /// parts hold the pending events. The spikes do not depend on it.
    pub fn use_threads(&mut self, threads: usize) {
        if self.ring.iter().flatten().any(|r| !r.is_empty()) {
            return;
        }
        let n = self.net.neuron_count();
        let parts = threads.min((n / NEURONS_PER_PART).max(1)).max(1);
        self.balance = Balance::even(parts);
        self.cut_parts();
        self.ring = vec![vec![Vec::new(); self.slots.len()]; parts];
        self.due_events = vec![Vec::new(); parts];
        self.far_due = vec![Vec::new(); parts];
        self.part_spikes = vec![Vec::new(); parts];
        self.row_splits = (0..self.net.projections.len())
            .map(|k| {
                let proj = &self.net.projections[k];
                match &proj.conn {
                    Connectivity::Sparse(syn) if parts > 1 && self.sends_plain(k) => {
                        syn.row_splits(&self.part_cuts[proj.post][1..parts])
                    }
                    _ => Vec::new(),
                }
            })
            .collect();
    }

    /// Cuts every population at the parts' shares (`balance`), each inner cut a multiple of
    /// BLOCK_ALIGN (so its group can be cut into blocks there).
    fn cut_parts(&mut self) {
        let shares = self.balance.shares();
        let parts = shares.len();
        self.part_cuts = self
            .net
            .populations
            .iter()
            .map(|pop| balance::cuts(pop.size as u32, shares, BLOCK_ALIGN as u32))
            .collect();
        self.part_spans = (0..parts)
            .map(|p| {
                let segments = self.net.populations.iter().zip(&self.part_cuts);
                let live = segments.filter(|(_, c)| c[p] < c[p + 1]);
                let (first, end) = live.fold((u32::MAX, 0), |(f, e), (pop, c)| {
                    (f.min(pop.offset + c[p]), e.max(pop.offset + c[p + 1]))
                });
                (first.min(end), end)
            })
            .collect();
    }

    /// The parts' shares of every population (one per worker thread; they follow the
    /// threads' measured speed during a run, see `balance`).
    pub fn part_shares(&self) -> &[f64] {
        self.balance.shares()
    }

    /// Cuts the parts again at `shares` (one positive number per part, scaled to sum to one),
    /// between epochs: the events waiting in the ring move with their neurons, and the rows'
    /// crossings of the cuts move to the new cuts. The spikes do not depend on it.
    pub fn share_parts(&mut self, shares: &[f64]) {
        let parts = self.part_spans.len();
        if parts < 2 || shares.len() != parts || shares.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return;
        }
        self.balance.set_shares(shares);
        self.cut_parts();
        let (net, cuts) = (&self.net, &self.part_cuts);
        let owner = |target: u32| {
            let pop = net.population_of(target);
            let local = target - net.populations[pop].offset;
            cuts[pop].partition_point(|&c| c <= local) - 1
        };
        // A neuron's events all lie in its old part, in sending order: moved in that order,
        // after the new part's own, its lane is unchanged. (`far_due` is empty between epochs.)
        let mut moving = Vec::new();
        for k in 0..self.slots.len() {
            for (p, ring) in self.ring.iter_mut().enumerate() {
                ring[k].retain(|e| {
                    let q = owner(e.target);
                    if q != p {
                        moving.push((q, *e));
                    }
                    q == p
                });
            }
            for (q, e) in moving.drain(..) {
                self.ring[q][k].push(e);
            }
        }
        for (k, splits) in self.row_splits.iter_mut().enumerate() {
            let proj = &self.net.projections[k];
            if let (Connectivity::Sparse(syn), false) = (&proj.conn, splits.is_empty()) {
                syn.move_row_splits(splits, &self.part_cuts[proj.post][1..parts]);
            }
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
        if self.now >= t_stop {
            progress(self.now);
            return;
        }
        // One member of the team per part of the neurons, for the whole run.
        Team::with(self.ring.len(), |team| {
            self.run_epochs(t_stop, progress, team);
            self.send_pending(team);
        });
    }

    fn run_epochs(&mut self, t_stop: f64, progress: &mut dyn FnMut(f64), team: &Team) {
        let mut next_report = self.now;
        let report_every = ((t_stop - self.now) / 200.0).max(self.epoch_ms);
        while self.now < t_stop {
            self.skip_idle_epochs(t_stop);
            if self.now >= t_stop {
                break;
            }
            let boundary = (self.epoch + 1) as f64 * self.epoch_ms;
            let t_end = boundary.min(t_stop);
            self.step(t_end, team);
            self.now = t_end;
            if let Some(shares) = self.balance.decide() {
                let started = std::time::Instant::now();
                self.share_parts(&shares);
                self.balance.recut_took(started.elapsed().as_secs_f64());
            }
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
        if self.busy_slots > 0 || self.pending.is_some() {
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

    fn mark_busy(&mut self, k: usize) {
        mark_busy(&mut self.busy, &mut self.busy_slots, k);
    }

    fn slot_is_empty(&self, k: usize) -> bool {
        self.slots[k].is_empty() && self.ring.iter().all(|r| r[k].is_empty())
    }

    /// The part of the neurons that neuron `target` (global index) belongs to.
    fn part_of(&self, target: u32) -> usize {
        let pop = self.net.population_of(target);
        let local = target - self.net.populations[pop].offset;
        self.part_cuts[pop].partition_point(|&c| c <= local) - 1
    }

    /// Advances every neuron to `t_end` (within the current epoch) and sends the spikes.
    fn step(&mut self, t_end: f64, team: &Team) {
        while let Some(Reverse(f)) = self.far.peek() {
            if f.epoch > self.epoch {
                break;
            }
            let e = f.event;
            self.far.pop();
            let p = self.part_of(e.target);
            self.far_due[p].push(e);
            // Joined to the slot in the job: the slot holds them (a partial epoch keeps those
            // at or after its end) until the job has taken them.
            let k = self.slot_index(self.epoch);
            self.mark_busy(k);
        }
        let k = self.slot_index(self.epoch);
        let slot = &mut self.slots[k];
        self.due.bulk.clear();
        self.due.teacher.clear();
        self.due.receptor.clear();
        let partial = t_end < (self.epoch + 1) as f64 * self.epoch_ms;
        if partial {
            // A partial epoch: keep the inputs at or after t_end for the rest of it (the plain
            // events: in `advance_groups`).
            let due = &mut self.due;
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
            std::mem::swap(&mut self.due.bulk, &mut slot.bulk);
            std::mem::swap(&mut self.due.teacher, &mut slot.teacher);
            std::mem::swap(&mut self.due.receptor, &mut slot.receptor);
        }
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
        // Each group's summed inputs and receptor events.
        let (mut b, mut r) = (0, 0);
        let mut ranges = Vec::with_capacity(self.net.groups.len());
        for g in 0..self.net.groups.len() {
            let start = b;
            while b < self.due.bulk.len() && self.due.bulk[b].population == g {
                b += 1;
            }
            let r_start = r;
            while r < self.due.receptor.len() && self.due.receptor[r].0 == g {
                r += 1;
            }
            ranges.push((start..b, r_start..r));
        }
        self.epoch_spikes.clear();
        self.advance_groups(t_end, partial, team, &ranges, &receptor);
        if self.busy[k] && self.slot_is_empty(k) {
            self.busy[k] = false;
            self.busy_slots -= 1;
        }
        for b in self.due.bulk.drain(..) {
            for v in [b.values, b.negative] {
                if self.pool.len() < 8 && v.capacity() > 0 {
                    self.pool.push(v);
                }
            }
        }
        // The parts' sorted runs (then whole groups' spikes) merged: a stable sort finds the
        // runs (spikes that compare equal are identical, so any sort gives this order).
        self.epoch_spikes
            .sort_by(|a, b| a.time.total_cmp(&b.time).then(a.neuron.cmp(&b.neuron)));
        self.apply_teacher();
        self.send();
    }

    /// Sends the last epoch's plain events, sorts this epoch's into lanes and advances every
    /// group to `t_end`. With several parts, each member of the team, in one job, sends the
    /// last epoch's spikes to its part's neurons, takes its part's events due now (those before
    /// `t_end` if the epoch is `partial`, ending there), fills its part's lanes and advances the blocks of
    /// the groups (`CellGroup::blocks`) that lie in its part — the neurons whose lanes it has
    /// just filled; groups that cannot be cut then advance whole on the calling thread. Groups
    /// are independent within an epoch, and the epoch's spikes are sorted afterwards, so the
    /// cut changes nothing.
    fn advance_groups(
        &mut self,
        t_end: f64,
        partial: bool,
        team: &Team,
        ranges: &[(Range<usize>, Range<usize>)],
        receptor: &[ReceptorInput],
    ) {
        let parts = self.part_spans.len();
        let n_groups = self.net.groups.len();
        let k = self.slot_index(self.epoch);
        let bulk = &self.due.bulk;
        let pending = self.pending.take();
        let jobs = match pending {
            Some(_) => plain_jobs(
                (&self.net.projections, &self.net.populations, &self.net.summaries),
                &self.plain,
                &self.by_pop,
                &self.part_cuts,
                &self.row_splits,
            ),
            None => Vec::new(),
        };
        let mut work: Vec<PartWork> = self
            .lanes
            .parts_mut(&self.part_spans)
            .iter_mut()
            .zip(&mut self.ring)
            .zip(self.due_events.iter_mut().zip(&mut self.far_due))
            .zip(&mut self.part_spikes)
            .map(|(((lanes, ring), (events, far)), spikes)| PartWork {
                lanes,
                ring,
                far,
                events,
                sent: PartSent::default(),
                blocks: Vec::new(),
                spikes,
                bounds: Vec::new(),
                seconds: 0.0,
            })
            .collect();
        let mut whole = Vec::new();
        let mut cuts = Vec::new();
        for (g, (group, pop)) in self.net.groups.iter_mut().zip(&self.net.populations).enumerate() {
            let blocks = if parts > 1 && ranges[g].1.is_empty() {
                cuts.clear();
                cuts.extend(self.part_cuts[g].iter().map(|&c| c as usize));
                group.blocks(&cuts, pop.offset)
            } else {
                None
            };
            match blocks {
                // Block p is part p's share of the group.
                Some(blocks) => {
                    for (p, block) in blocks.into_iter().enumerate() {
                        work[p].blocks.push((g, block, &bulk[ranges[g].0.clone()]));
                    }
                }
                None => whole.push(g),
            }
        }
        // Each part's time runs from the job's start, so a member that starts late (a helper
        // learning of the job) is seen as slower.
        let started = (parts > 1).then(std::time::Instant::now);
        team.for_each(&mut work, &|p, w| {
            if let Some(clock) = pending {
                w.sent = send_part(&jobs, clock, p, w.ring);
            }
            // Beyond-the-ring events after those sent into the ring (the order of one pass).
            let due = &mut w.ring[k];
            due.append(w.far);
            w.events.clear();
            if partial {
                due.retain(|e| {
                    let keep = e.time >= t_end;
                    if !keep {
                        w.events.push(*e);
                    }
                    keep
                });
            } else {
                std::mem::swap(w.events, due);
            }
            w.lanes.fill(w.events);
            let lanes = w.lanes.view();
            for (g, block, bulk) in &mut w.blocks {
                let bound = block.advance(t_end, lanes, bulk, w.spikes);
                w.bounds.push((*g, bound));
            }
            // In (time, neuron) order: the parts' runs are then merged (`step`).
            w.spikes
                .sort_unstable_by(|a, b| a.time.total_cmp(&b.time).then(a.neuron.cmp(&b.neuron)));
            w.seconds = started.map_or(0.0, |t| t.elapsed().as_secs_f64());
        });
        // Each cut group's least bound (nothing to allocate with one part: no blocks).
        let mut bounds = if parts > 1 {
            vec![None; n_groups]
        } else {
            Vec::new()
        };
        if parts > 1 {
            self.balance.add(work.iter().map(|w| w.seconds));
        }
        let mut sent = Vec::with_capacity(parts);
        for w in work {
            self.epoch_spikes.extend_from_slice(w.spikes);
            w.spikes.clear();
            for (g, bound) in w.bounds {
                bounds[g] = Some(bound.min(bounds[g].unwrap_or(f64::INFINITY)));
            }
            sent.push(w.sent);
        }
        drop(jobs);
        self.take_sent(sent);
        for (g, bound) in bounds.into_iter().enumerate() {
            if let Some(bound) = bound {
                self.net.groups[g].blocks_done(bound);
            }
        }
        for g in whole {
            let inputs = Inputs {
                lanes: &self.lanes,
                bulk: &self.due.bulk[ranges[g].0.clone()],
                receptor: &receptor[ranges[g].1.clone()],
            };
            let offset = self.net.populations[g].offset;
            self.net.groups[g].advance(t_end, inputs, offset, &mut self.epoch_spikes);
        }
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
        self.mark_busy(k);
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
                    uniform: 0.0,
                });
                slot.bulk.len() - 1
            }
        };
        &mut slot.bulk[k]
    }

    fn send(&mut self) {
        let spikes = std::mem::take(&mut self.epoch_spikes);
        // The epoch's spikes of each population, in (time, neuron) order; the kept ones.
        let mut by_pop = std::mem::take(&mut self.by_pop);
        by_pop.iter_mut().for_each(Vec::clear);
        for sp in &spikes {
            let pop = self.net.population_of(sp.neuron);
            by_pop[pop].push(*sp);
            if self.record[pop] {
                self.recorded.push(*sp);
            }
        }
        for (count, mine) in self.spike_counts.iter_mut().zip(&by_pop) {
            *count += mine.len() as u64;
        }
        let mut plain = std::mem::take(&mut self.plain);
        plain.clear();
        for (pop, mine) in by_pop.iter().enumerate() {
            if mine.is_empty() {
                continue;
            }
            let from = self.net.populations[pop].offset;
            for x in 0..self.outgoing[pop].len() {
                let k = self.outgoing[pop][x];
                match &self.net.projections[k].conn {
                    Connectivity::Sparse(_) if self.sends_plain(k) => plain.push((k, pop)),
                    Connectivity::Sparse(_) => self.send_sparse(k, mine, from),
                    Connectivity::Bits(_) => self.send_bits(k, mine, from),
                    Connectivity::Dense(_) => self.send_dense(k, mine, from),
                }
            }
        }
        if !plain.is_empty() {
            self.pending = Some(RingClock {
                epoch_ms: self.epoch_ms,
                first: self.epoch + 1,
                n_slots: self.slots.len() as u64,
            });
        }
        self.plain = plain;
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

    /// Whether projection `k` sends plain synaptic events (the ring's, sent part by part).
    fn sends_plain(&self, k: usize) -> bool {
        let proj = &self.net.projections[k];
        matches!(proj.conn, Connectivity::Sparse(_))
            && proj.transmits
            && proj.teacher_of.is_none()
            && proj.receptor == 0
    }

    /// Sends the spikes of sparse projections to teachers and to other receptors (plain
    /// events go through `send_part`, in the next epoch's job or at the end of the run).
    fn send_sparse(&mut self, k: usize, spikes: &[Spike], from: u32) {
        let proj = &self.net.projections[k];
        let Connectivity::Sparse(syn) = &proj.conn else {
            return;
        };
        if !proj.transmits || (proj.teacher_of.is_none() && proj.receptor == 0) {
            return;
        }
        let table = syn.delay_table();
        let (epoch_ms, first) = (self.epoch_ms, self.epoch + 1);
        let n_slots = self.slots.len() as u64;
        let horizon = self.epoch + n_slots;
        let epoch_of = |t: f64| ((t / epoch_ms).floor() as u64).max(first);
        for sp in spikes {
            let (posts, weights, delay_index) = syn.row_slices((sp.neuron - from) as usize);
            self.events_delivered += posts.len() as u64;
            for (j, &p) in posts.iter().enumerate() {
                let weight = weights.get(j);
                let time = sp.time + delay_index.map_or(table[0], |di| table[di[j] as usize]);
                let epoch = epoch_of(time);
                assert!(
                    epoch < horizon,
                    "teacher and receptor delays must be within {MAX_SLOTS} epochs"
                );
                let slot = (epoch % n_slots) as usize;
                mark_busy(&mut self.busy, &mut self.busy_slots, slot);
                if let Some(target) = proj.teacher_of {
                    self.slots[slot].teacher.push(TeacherEvent {
                        time,
                        projection: target,
                        post: p,
                    });
                } else {
                    self.slots[slot].receptor.push((
                        proj.post,
                        ReceptorInput {
                            time,
                            neuron: p,
                            receptor: proj.receptor,
                            weight,
                        },
                    ));
                }
            }
        }
    }

    /// Sends the last epoch's plain events now, if they are still pending (at the end of a
    /// run), each part its own share, the parts in parallel.
    fn send_pending(&mut self, team: &Team) {
        let Some(clock) = self.pending.take() else {
            return;
        };
        let jobs = plain_jobs(
            (&self.net.projections, &self.net.populations, &self.net.summaries),
            &self.plain,
            &self.by_pop,
            &self.part_cuts,
            &self.row_splits,
        );
        let mut sent: Vec<(&mut Vec<Vec<PendingEvent>>, PartSent)> =
            self.ring.iter_mut().map(|r| (r, PartSent::default())).collect();
        team.for_each(&mut sent, &|p, (ring, out)| {
            *out = send_part(&jobs, clock, p, ring);
        });
        let sent: Vec<PartSent> = sent.into_iter().map(|x| x.1).collect();
        drop(jobs);
        self.take_sent(sent);
    }

    /// Counts what the parts sent, flags the slots they filled and keeps their events beyond
    /// the ring (in part order).
    fn take_sent(&mut self, sent: Vec<PartSent>) {
        for part in sent {
            self.events_delivered += part.delivered;
            for k in part.slots {
                self.mark_busy(k);
            }
            for (epoch, event) in part.far {
                self.far_seq += 1;
                self.far.push(Reverse(FarEvent {
                    epoch,
                    seq: self.far_seq,
                    event,
                }));
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
        let pre = self.net.projections[k].pre;
        let n_post = self.net.populations[post].size as u64;
        for group in spikes.chunk_by(|a, b| a.time == b.time) {
            let t = group[0].time;
            let masks = volley_masks(group.iter().map(|s| (s.neuron - from) as usize), words);
            let Connectivity::Bits(b) = &self.net.projections[k].conn else {
                return;
            };
            if summary == InputSummary::Net && b.is_uniform() {
                // Every target counts the same: one number for all of them.
                let counts: Vec<u64> = masks.iter().map(|m| b.uniform_count(m)).collect();
                for c in counts {
                    self.events_delivered += c * n_post;
                    if c > 0 {
                        self.bulk_mut(t + delay, post).add_uniform(c as f64 * scale);
                    }
                }
                continue;
            }
            let bulk = self.bulk_mut(t + delay, post);
            bulk.settle();
            let mut acc = std::mem::take(if negative {
                &mut bulk.negative
            } else {
                &mut bulk.values
            });
            if let Connectivity::Bits(b) = &self.net.projections[k].conn {
                let plan = self
                    .counting_ahead
                    .then(|| self.net.groups[pre].planned_spikes())
                    .flatten();
                for m in &masks {
                    // Counted as what they deliver: each synapse of a spiking input, once.
                    self.events_delivered += match self.ahead[k].counts(b, plan, t, m) {
                        Some(counts) => {
                            let hits = add_counts(&counts, scale, &mut acc);
                            self.ahead[k].give_back(counts);
                            hits
                        }
                        None => b.accumulate(m, scale, &mut acc),
                    };
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
            bulk.settle();
            let mut values = std::mem::take(&mut bulk.values);
            let mut negative = std::mem::take(&mut bulk.negative);
            {
                let proj = &mut self.net.projections[k];
                let transmits = proj.transmits;
                let Connectivity::Dense(w) = &mut proj.conn else {
                    return;
                };
                // Each spike: its rule's update of its own row first (the spike carries the
                // weights that update left), then its delivery, while the row is in the cache.
                for s in group {
                    if let Some(rule) = proj.plasticity.as_mut() {
                        rule.on_pre(s.neuron - from, t, delay, w);
                    }
                    if transmits {
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

/// Flags slot `k` as holding something (and counts it, the first time).
fn mark_busy(busy: &mut [bool], busy_slots: &mut usize, k: usize) {
    if !busy[k] {
        busy[k] = true;
        *busy_slots += 1;
    }
}

/// The sending along plain sparse projections `plain` (projection, presynaptic population, in
/// sending order) of the spikes `by_pop` (by population).
/// (`net`: the network's projections, populations and their input summaries.)
fn plain_jobs<'a>(
    net: (&'a [Projection], &'a [PopulationInfo], &'a [Option<InputSummary>]),
    plain: &[(usize, usize)],
    by_pop: &'a [Vec<Spike>],
    part_cuts: &'a [Vec<u32>],
    row_splits: &'a [Vec<u32>],
) -> Vec<PlainJob<'a>> {
    plain
        .iter()
        .filter_map(|&(k, pop)| {
            let (projections, populations, summaries) = net;
            let proj: &'a Projection = &projections[k];
            let Connectivity::Sparse(syn) = &proj.conn else {
                return None;
            };
            Some(PlainJob {
                syn,
                spikes: &by_pop[pop],
                from: populations[pop].offset,
                post_offset: populations[proj.post].offset,
                post_size: populations[proj.post].size as u32,
                post_cuts: &part_cuts[proj.post],
                // Counted as what they deliver: a zero weight changes no summing target.
                skip_zero: syn.has_zero_weight() && summaries[proj.post] != Some(InputSummary::Count),
                splits: row_splits.get(k).filter(|s| !s.is_empty()).map(|s| &s[..]),
            })
        })
        .collect()
}

/// One member's share of an epoch's job (`Simulation::advance_groups`): its part's lanes, ring
/// and events, and the blocks (group, block, the group's summed inputs) in that part.
struct PartWork<'a> {
    lanes: &'a mut LanePart,
    /// The part's ring, its events from beyond the ring due now, its events due now, and what
    /// it sent of the last epoch's spikes.
    ring: &'a mut Vec<Vec<PendingEvent>>,
    far: &'a mut Vec<PendingEvent>,
    events: &'a mut Vec<PendingEvent>,
    sent: PartSent,
    blocks: Vec<(usize, Box<dyn CellBlock + 'a>, &'a [BulkInput])>,
    spikes: &'a mut Vec<Spike>,
    bounds: Vec<(usize, f64)>,
    /// How long after the job's start the part was done (measured with several parts only).
    seconds: f64,
}

struct PlainJob<'a> {
    syn: &'a crate::engine::synapse::csr::Synapses,
    spikes: &'a [Spike],
    /// First neuron of the presynaptic and postsynaptic populations, and the latter's size.
    from: u32,
    post_offset: u32,
    post_size: u32,
    /// The postsynaptic population's cuts into parts (`Simulation::part_cuts`).
    post_cuts: &'a [u32],
    skip_zero: bool,
    /// Where each row crosses the parts' boundaries (`Synapses::row_splits`); `None` with one
    /// part.
    splits: Option<&'a [u32]>,
}

/// Where an arrival time falls in the ring.
#[derive(Clone, Copy)]
struct RingClock {
    epoch_ms: f64,
    /// The first epoch an event may arrive in (the next one).
    first: u64,
    n_slots: u64,
}

impl RingClock {
    #[inline]
    fn epoch_of(&self, t: f64) -> u64 {
        ((t / self.epoch_ms).floor() as u64).max(self.first)
    }
}

/// What one part sent: events counted, slots filled, events beyond the ring (epoch, event).
#[derive(Default)]
struct PartSent {
    delivered: u64,
    slots: Vec<usize>,
    far: Vec<(u64, PendingEvent)>,
}

impl PartSent {
    /// Puts events that arrive in `epoch` into the part's ring, or beyond it.
    #[inline]
    fn put(
        &mut self,
        ring: &mut [Vec<PendingEvent>],
        clock: RingClock,
        epoch: u64,
        events: impl Iterator<Item = PendingEvent>,
    ) {
        if epoch < clock.first - 1 + clock.n_slots {
            let k = (epoch % clock.n_slots) as usize;
            ring[k].extend(events);
            if self.slots.last() != Some(&k) {
                self.slots.push(k);
            }
        } else {
            self.far.extend(events.map(|e| (epoch, e)));
        }
    }
}

/// How many spikes ahead a synapse row is asked for (`prefetch`), its offsets twice as far.
const PREFETCH_ROWS: usize = 4;

/// One plain projection's share of an epoch's sending onto part `part`.
#[derive(Clone, Copy)]
struct PartJob<'a> {
    job: &'a PlainJob<'a>,
    /// Where each row crosses the parts' boundaries; `None` when the part holds the whole
    /// postsynaptic population (or there is one part).
    splits: Option<&'a [u32]>,
    /// Boundaries between parts (parts − 1).
    cuts: usize,
    part: usize,
}

impl PartJob<'_> {
    #[inline]
    fn pre(&self, sp: &Spike) -> usize {
        (sp.neuron - self.job.from) as usize
    }

    /// The synapses of row `pre` onto this part: the whole row, or the slice between the row's
    /// crossings of the part's two boundaries (rows are ordered by target).
    #[inline]
    fn slice(&self, pre: usize) -> (usize, usize) {
        let (syn, part, cuts) = (self.job.syn, self.part, self.cuts);
        match self.splits {
            Some(splits) => {
                let lo = if part == 0 {
                    0
                } else {
                    splits[pre * cuts + part - 1] as usize
                };
                let hi = if part == cuts {
                    syn.row(pre).len()
                } else {
                    splits[pre * cuts + part] as usize
                };
                (lo, hi)
            }
            None => (0, syn.row(pre).len()),
        }
    }

    /// Hints that row `pre`'s offsets (and crossings) will be read soon.
    #[inline]
    fn prefetch_offsets(&self, pre: usize) {
        self.job.syn.prefetch_offsets(pre);
        if let Some(splits) = self.splits {
            prefetch(splits, pre * self.cuts + self.part.saturating_sub(1));
        }
    }
}

/// Sends `jobs` to the neurons of part `part` (its share of each postsynaptic population),
/// into its ring: projection by projection, spike by spike, with rows asked for ahead across
/// the projections (an epoch holds a few spikes per projection: a look-ahead restarted for
/// each would leave most of them unasked).
fn send_part(jobs: &[PlainJob], clock: RingClock, part: usize, ring: &mut [Vec<PendingEvent>]) -> PartSent {
    let mut out = PartSent {
        delivered: 0,
        slots: Vec::new(),
        far: Vec::new(),
    };
    let cuts = jobs.first().map_or(0, |j| j.post_cuts.len() - 2);
    let mine = jobs.iter().filter_map(move |job| {
        let (a, b) = (job.post_cuts[part], job.post_cuts[part + 1]);
        if a >= b {
            return None;
        }
        let whole = a == 0 && b == job.post_size;
        Some(PartJob {
            job,
            splits: job.splits.filter(|_| !whole),
            cuts,
            part,
        })
    });
    let items = || {
        mine.clone()
            .flat_map(|j| j.job.spikes.iter().map(move |sp| (j, sp)))
    };
    // Rows are scattered: their offsets are asked for two steps before the rows.
    let mut far = items().skip(2 * PREFETCH_ROWS);
    let mut near = items().skip(PREFETCH_ROWS);
    // The slices of the next PREFETCH_ROWS items, found when their rows were asked for
    // (item s's at s % PREFETCH_ROWS).
    let mut slices = [(0, 0); PREFETCH_ROWS];
    for (s, (j, sp)) in items().take(PREFETCH_ROWS).enumerate() {
        j.prefetch_offsets(j.pre(sp));
        slices[s] = j.slice(j.pre(sp));
    }
    for (s, (j, sp)) in items().enumerate() {
        if let Some((fj, fsp)) = far.next() {
            fj.prefetch_offsets(fj.pre(fsp));
        }
        let (lo, hi) = slices[s % PREFETCH_ROWS];
        if let Some((nj, nsp)) = near.next() {
            let next = nj.slice(nj.pre(nsp));
            nj.job.syn.prefetch_row(nj.pre(nsp), next.0, next.1);
            slices[s % PREFETCH_ROWS] = next;
        }
        let job = j.job;
        let (posts, weights, delay_index) = job.syn.row_slices_between(j.pre(sp), lo, hi);
        if posts.is_empty() {
            continue;
        }
        let table = job.syn.delay_table();
        match delay_index {
            None => {
                let time = sp.time + table[0];
                let epoch = clock.epoch_of(time);
                let event = |p: u32, weight: f32| PendingEvent {
                    time,
                    weight,
                    target: job.post_offset + p,
                };
                match weights {
                    RowWeights::Each(ws) => {
                        let events = posts.iter().zip(ws).map(|(&p, &w)| event(p, w));
                        out.put(ring, clock, epoch, events);
                    }
                    RowWeights::All(w) => {
                        out.put(ring, clock, epoch, posts.iter().map(|&p| event(p, w)));
                    }
                }
                out.delivered += if job.skip_zero {
                    weights.nonzero(posts.len()) as u64
                } else {
                    posts.len() as u64
                };
            }
            Some(di) => {
                for (j, (&p, &d)) in posts.iter().zip(di).enumerate() {
                    let weight = weights.get(j);
                    let time = sp.time + table[d as usize];
                    let epoch = clock.epoch_of(time);
                    let event = PendingEvent {
                        time,
                        weight,
                        target: job.post_offset + p,
                    };
                    out.put(ring, clock, epoch, std::iter::once(event));
                    out.delivered += u64::from(!job.skip_zero || weight != 0.0);
                }
            }
        }
    }
    out.slots.sort_unstable();
    out.slots.dedup();
    out
}
