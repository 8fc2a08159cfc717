//! `lif`: leaky integrate-and-fire neuron with delta (voltage-jump) synapses, integrated exactly
//! from event to event (NEST's `iaf_psc_delta_ps`).
//!
//! Between events the membrane relaxes to `V∞ = E_L + I_e·τ_m/C_m`:
//! `V(t) = V∞ + (V(t₀) − V∞)·e^{−(t−t₀)/τ_m}`. An input of weight `w` makes `V` jump by `w` mV.
//! The neuron fires when `V ≥ V_th`: at the event that lifts it there, or, when `V∞ > V_th`, at
//! the analytic crossing time `t₀ + τ_m·ln((V∞ − V(t₀))/(V∞ − V_th))`. After a spike `V` is
//! clamped to `V_reset` for `t_ref` ms and inputs arriving then are lost, as in NEST. Inputs
//! that arrive at exactly the same time are summed into one jump before the threshold test (as
//! NEST's precise models do); an input at exactly the end of the refractory period counts.

use super::recording::{Recording, slots};
use super::{CellBlock, CellGroup, GroupInit, InputSummary, Inputs, NeuronModel, StateSample, merged_inputs};

use crate::engine::distribution::Distribution;
use crate::engine::params::{Param, ParamDefault, ParamError, Params};

use crate::engine::event::{Input, LaneView, Spike};
use crate::engine::prefetch::prefetch;
use crate::engine::simulation::BulkInput;

pub static MODEL: NeuronModel = NeuronModel {
    name: "lif",
    summary: "leaky integrate-and-fire with delta synapses, integrated exactly (NEST iaf_psc_delta_ps)",
    params: &[
        Param::number(
            "tau_m",
            ParamDefault::Number(10.0),
            "ms",
            "membrane time constant",
        ),
        Param::number("c_m", ParamDefault::Number(250.0), "pF", "membrane capacitance"),
        Param::number("e_l", ParamDefault::Number(-70.0), "mV", "resting potential"),
        Param::number("v_th", ParamDefault::Number(-55.0), "mV", "spike threshold"),
        Param::number("v_reset", ParamDefault::Number(-70.0), "mV", "reset potential"),
        Param::number(
            "t_ref",
            ParamDefault::Number(2.0),
            "ms",
            "refractory period (inputs lost)",
        ),
        Param::number("i_e", ParamDefault::Number(0.0), "pA", "constant input current"),
    ],
    receptors: &["synapse"],
    silent_receptors: &[],
    recordables: &["v_m", "input"],
    has_membrane: true,
    fires: true,
    input: InputSummary::Net,
    bytes_per_neuron: 34,
    check: |p| {
        LifParams::from_params(p)
            .check()
            .map_err(|(param, message)| ParamError::new(param, message))
    },
    build: |p, init| {
        let params = LifParams::from_params(p);
        Box::new(LifGroup::new(params, &initial_potentials(init, params.e_l)))
    },
};

/// Initial membrane potentials of a group: drawn from `v_init` (each neuron from its own
/// stream), or `default` for every neuron.
pub fn initial_potentials(init: &GroupInit, default: f64) -> Vec<f64> {
    use crate::engine::rng::{Domain, stream};
    let dist = init.v_init.cloned().unwrap_or(Distribution::Fixed(default));
    (0..init.size)
        .map(|i| dist.sample(&mut stream(init.seed, Domain::InitialState, init.key, i as u64)))
        .collect()
}

/// Parameters in NEST's units (ms, pF, mV, pA). Defaults are NEST's `iaf_psc_delta` ones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifParams {
    pub tau_m: f64,
    pub c_m: f64,
    pub e_l: f64,
    pub v_th: f64,
    pub v_reset: f64,
    pub t_ref: f64,
    pub i_e: f64,
}

impl Default for LifParams {
    fn default() -> Self {
        LifParams {
            tau_m: 10.0,
            c_m: 250.0,
            e_l: -70.0,
            v_th: -55.0,
            v_reset: -70.0,
            t_ref: 2.0,
            i_e: 0.0,
        }
    }
}

impl LifParams {
    /// The potential the membrane relaxes to without input, mV.
    pub fn v_inf(&self) -> f64 {
        // Without current the membrane rests at E_L (also for a perfect integrator, τ = ∞).
        if self.i_e == 0.0 {
            self.e_l
        } else {
            self.e_l + self.i_e * self.tau_m / self.c_m
        }
    }

    /// A population model with these parameters (for networks built in Rust).
    pub fn model(&self) -> crate::engine::network::Model {
        let mut p = Params::defaults(MODEL.params);
        for (k, v) in [
            ("tau_m", self.tau_m),
            ("c_m", self.c_m),
            ("e_l", self.e_l),
            ("v_th", self.v_th),
            ("v_reset", self.v_reset),
            ("t_ref", self.t_ref),
            ("i_e", self.i_e),
        ] {
            let name = MODEL.params.iter().find(|x| x.name == k).map_or("", |x| x.name);
            p.set(name, crate::engine::params::Value::Number(v));
        }
        crate::engine::network::Model::Neuron(&MODEL, p)
    }

    pub fn from_params(p: &Params) -> LifParams {
        LifParams {
            tau_m: p.number("tau_m"),
            c_m: p.number("c_m"),
            e_l: p.number("e_l"),
            v_th: p.number("v_th"),
            v_reset: p.number("v_reset"),
            t_ref: p.number("t_ref"),
            i_e: p.number("i_e"),
        }
    }

    /// Why these parameters cannot be simulated, if they cannot: (parameter, message).
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !(self.tau_m > 0.0 && self.tau_m.is_finite()) {
            return Err(("tau_m", "tau_m must be a positive number of ms".into()));
        }
        if !(self.c_m > 0.0 && self.c_m.is_finite()) {
            return Err(("c_m", "c_m must be a positive number of pF".into()));
        }
        if !(self.t_ref >= 0.0 && self.t_ref.is_finite()) {
            return Err(("t_ref", "t_ref must be ≥ 0 ms".into()));
        }
        for (name, v) in [
            ("e_l", self.e_l),
            ("v_th", self.v_th),
            ("v_reset", self.v_reset),
            ("i_e", self.i_e),
        ] {
            if !v.is_finite() {
                return Err((name, format!("{name} must be a finite number")));
            }
        }
        if self.v_reset >= self.v_th {
            return Err(("v_reset", "v_reset must be below v_th".into()));
        }
        Ok(())
    }
}

/// What every neuron of the group shares: potentials relative to E_L, as NEST's precise models
/// keep them.
#[derive(Clone, Copy)]
struct Consts {
    tau_m: f64,
    t_ref: f64,
    u_th: f64,
    u_reset: f64,
    u_inf: f64,
}

/// Mutable access to the state of a contiguous range of neurons (index 0 = `first`).
struct Cells<'a> {
    c: Consts,
    state: &'a mut [State],
    exact: &'a mut [bool],
    /// A lower bound of `next_spike` over each chunk of `CHUNK` neurons.
    chunk_min: &'a mut [f64],
}

/// Neurons per chunk of `chunk_min`: an epoch looks at the chunks (N / 8 values), and at the
/// neurons of only those whose bound falls in it — not at every neuron.
const CHUNK: usize = 8;

impl Cells<'_> {
    /// Free relaxation of `u` over `dt` ms (NEST's numerically careful form).
    #[inline]
    fn relax(&self, u: f64, dt: f64) -> f64 {
        if dt == 0.0 {
            return u;
        }
        // Past 40 τ, e^{-x} − 1 rounds to −1 exactly (e^{-40} < 2⁻⁵⁴, half the spacing of
        // doubles below 1): the call is skipped, the result the same.
        let x = -dt / self.c.tau_m;
        let e = if x < -40.0 { -1.0 } else { x.exp_m1() };
        -self.c.u_inf * e + u * e + u
    }

    /// Where free relaxation starts from: the end of the refractory period, or the last update.
    #[inline]
    fn origin(&self, i: usize) -> (f64, f64) {
        if self.state[i].ref_until > self.state[i].t_u {
            (self.state[i].ref_until, self.c.u_reset)
        } else {
            (self.state[i].t_u, self.state[i].u)
        }
    }

    /// When neuron `i` fires next if no input arrives: `t₀ + τ ln(1 + x)` with
    /// `x = (u_th − u₀)/(u∞ − u_th)`.
    #[inline]
    fn crossing(&self, i: usize) -> f64 {
        let (t0, u0) = self.origin(i);
        if u0 >= self.c.u_th {
            t0
        } else if self.c.u_inf > self.c.u_th {
            t0 + self.c.tau_m * ((self.c.u_th - u0) / (self.c.u_inf - self.c.u_th)).ln_1p()
        } else {
            f64::INFINITY
        }
    }

    /// Sets `next_spike` after a change of state: exact when that is free, otherwise the
    /// lower bound `ln(1 + x) ≥ 2x/(2 + x)` (shaved by 1e−12 against rounding).
    #[inline(always)]
    fn refresh(&mut self, i: usize) {
        let (t0, u0) = self.origin(i);
        if u0 >= self.c.u_th {
            self.state[i].next_spike = t0;
            self.exact[i] = true;
        } else if self.c.u_inf > self.c.u_th {
            // 2x/(2 + x) with x = a/g is 2a/(2g + a): one division.
            let a = self.c.u_th - u0;
            let g = self.c.u_inf - self.c.u_th;
            self.state[i].next_spike = t0 + self.c.tau_m * (1.0 - 1e-12) * (2.0 * a / (2.0 * g + a));
            self.exact[i] = false;
        } else {
            self.state[i].next_spike = f64::INFINITY;
            self.exact[i] = true;
        }
        let c = &mut self.chunk_min[i / CHUNK];
        *c = c.min(self.state[i].next_spike);
    }

    /// Fires the spikes of free relaxation due before `t_end` (neurons of the chunks whose
    /// bound falls before it; `first`: global index of neuron 0) and returns a lower bound of
    /// every neuron's next spike.
    ///
    /// Every epoch reads every chunk's bound, and few chunks are due: the bounds are read in
    /// groups of `GROUP`, tested for anything due all at once and folded into `GROUP` running
    /// minima (one long chain of dependent minima would take a few cycles per chunk).
    fn fire_due(&mut self, t_end: f64, first: u32, spikes: &mut Vec<Spike>) -> f64 {
        const GROUP: usize = 8;
        let mut least = [f64::INFINITY; GROUP];
        let n_chunks = self.chunk_min.len();
        for g in (0..n_chunks).step_by(GROUP) {
            let end = (g + GROUP).min(n_chunks);
            if self.chunk_min[g..end]
                .iter()
                .fold(false, |due, &m| due | (m < t_end))
            {
                for c in g..end {
                    if self.chunk_min[c] < t_end {
                        self.fire_chunk(c, t_end, first, spikes);
                    }
                }
            }
            // Bounds are never NaN: a plain comparison is the minimum, and vectorises.
            for (l, &m) in least.iter_mut().zip(&self.chunk_min[g..end]) {
                if m < *l {
                    *l = m;
                }
            }
        }
        least.into_iter().fold(f64::INFINITY, f64::min)
    }

    /// Fires the due neurons of chunk `c` and renews its bound.
    #[inline(never)]
    fn fire_chunk(&mut self, c: usize, t_end: f64, first: u32, spikes: &mut Vec<Spike>) {
        let mut m = f64::INFINITY;
        for i in c * CHUNK..((c + 1) * CHUNK).min(self.state.len()) {
            if self.state[i].next_spike < t_end {
                self.fire_until(i, t_end, false, first + i as u32, spikes);
            }
            m = m.min(self.state[i].next_spike);
        }
        self.chunk_min[c] = m;
    }

    #[inline]
    fn fire(&mut self, i: usize, t: f64, gid: u32, spikes: &mut Vec<Spike>) {
        spikes.push(Spike { time: t, neuron: gid });
        self.state[i].u = self.c.u_reset;
        self.state[i].t_u = t;
        self.state[i].ref_until = t + self.c.t_ref;
    }

    /// Emits the spikes of free relaxation before `limit` (and at `limit` if `inclusive`).
    /// The test is made here, inline (most visits find nothing due); the firing apart.
    #[inline(always)]
    fn fire_until(&mut self, i: usize, limit: f64, inclusive: bool, gid: u32, spikes: &mut Vec<Spike>) {
        let t = self.state[i].next_spike;
        if t < limit || (inclusive && t == limit) {
            self.fire_due_spikes(i, limit, inclusive, gid, spikes);
        }
    }

    #[inline(never)]
    fn fire_due_spikes(&mut self, i: usize, limit: f64, inclusive: bool, gid: u32, spikes: &mut Vec<Spike>) {
        let due = |t: f64| t < limit || (inclusive && t == limit);
        while due(self.state[i].next_spike) {
            if !self.exact[i] {
                self.state[i].next_spike = self.crossing(i);
                self.exact[i] = true;
                if !due(self.state[i].next_spike) {
                    return;
                }
            }
            self.fire(i, self.state[i].next_spike, gid, spikes);
            self.refresh(i);
        }
    }

    /// One input jump of `weight` mV at `time`.
    #[inline]
    fn apply(&mut self, i: usize, time: f64, weight: f64, gid: u32, spikes: &mut Vec<Spike>) {
        self.fire_until(i, time, true, gid, spikes);
        if time < self.state[i].ref_until {
            return; // refractory: the input is lost
        }
        let (t0, u0) = self.origin(i);
        let u = self.relax(u0, time - t0) + weight;
        self.state[i].t_u = time;
        if u >= self.c.u_th {
            self.fire(i, time, gid, spikes);
        } else {
            self.state[i].u = u;
        }
        self.refresh(i);
    }

    /// Membrane potential relative to E_L of neuron `i` at `t`, given no spike or input between
    /// its last update and `t`.
    fn potential_at(&self, i: usize, t: f64) -> f64 {
        if t < self.state[i].ref_until {
            self.c.u_reset
        } else if self.state[i].ref_until > self.state[i].t_u {
            self.relax(self.c.u_reset, t - self.state[i].ref_until)
        } else {
            self.relax(self.state[i].u, t - self.state[i].t_u)
        }
    }
}

/// The state of one neuron, kept together: an input touches one record (two share a cache
/// line), not four arrays — what counts once the network outgrows the caches.
#[derive(Clone, Copy, Debug)]
struct State {
    /// Membrane potential relative to E_L, mV.
    u: f64,
    /// Time at which `u` holds.
    t_u: f64,
    /// End of the refractory period (≤ `t_u` when not refractory).
    ref_until: f64,
    /// Next spike time without further input (∞ if none) when `exact`, otherwise a lower
    /// bound on it: the logarithm is only taken when the bound falls inside an epoch.
    next_spike: f64,
}

pub struct LifGroup {
    p: LifParams,
    c: Consts,
    state: Vec<State>,
    /// Whether `next_spike` is exact (else a lower bound).
    exact: Vec<bool>,
    /// A lower bound of `next_spike` over each chunk of `CHUNK` neurons.
    chunk_min: Vec<f64>,
    /// A lower bound of `next_spike` over the group.
    min_next: f64,
    recording: Option<Recording>,
    /// Neurons whose input jumps are recorded (`u32::MAX`: not recorded), and the jumps.
    input_slot: Vec<u32>,
    inputs: Vec<StateSample>,
    /// Scratch for one neuron's merged inputs (kept to spare an allocation per neuron).
    jumps: Vec<(f64, f64)>,
}

/// How many lanes ahead a neuron's record is asked for (`prefetch`): far enough for a memory
/// access to finish while the lanes in between are applied.
const PREFETCH_LANES: usize = 8;

impl LifGroup {
    /// `v0` are the initial membrane potentials (mV) at time 0.
    pub fn new(p: LifParams, v0: &[f64]) -> Self {
        let n = v0.len();
        let c = Consts {
            tau_m: p.tau_m,
            t_ref: p.t_ref,
            u_th: p.v_th - p.e_l,
            u_reset: p.v_reset - p.e_l,
            u_inf: p.v_inf() - p.e_l,
        };
        let mut g = LifGroup {
            p,
            c,
            state: crate::engine::huge_pages::collect(v0.iter().map(|v| State {
                u: v - p.e_l,
                t_u: 0.0,
                ref_until: f64::NEG_INFINITY,
                next_spike: f64::INFINITY,
            })),
            exact: vec![true; n],
            chunk_min: vec![f64::INFINITY; n.div_ceil(CHUNK)],
            min_next: f64::INFINITY,
            recording: None,
            input_slot: Vec::new(),
            inputs: Vec::new(),
            jumps: Vec::new(),
        };
        let mut cells = g.cells();
        for i in 0..n {
            cells.refresh(i);
        }
        g.min_next = g.chunk_min.iter().copied().fold(f64::INFINITY, f64::min);
        g
    }

    fn cells(&mut self) -> Cells<'_> {
        Cells {
            c: self.c,
            state: &mut self.state,
            exact: &mut self.exact,
            chunk_min: &mut self.chunk_min,
        }
    }

    /// Takes the samples of neuron `i` due before `limit`.
    fn sample_until(&mut self, i: usize, limit: f64, gid: u32, spikes: &mut Vec<Spike>) {
        let Some(rec) = self.recording.as_ref() else {
            return;
        };
        let slot = rec.slot[i];
        if slot == u32::MAX {
            return;
        }
        loop {
            let rec = self.recording.as_ref().expect("recording");
            let c = rec.cursor[slot as usize];
            let Some(&ts) = rec.times.get(c) else { return };
            if ts >= limit {
                return;
            }
            let mut cells = self.cells();
            cells.fire_until(i, ts, true, gid, spikes);
            let value = cells.potential_at(i, ts) + self.p.e_l;
            let rec = self.recording.as_mut().expect("recording");
            rec.samples.push(StateSample {
                time: ts,
                neuron: i as u32,
                value,
            });
            rec.cursor[slot as usize] += 1;
        }
    }

    /// Applies neuron `i`'s inputs of this epoch, recording and sampling as asked.
    fn take_inputs(
        &mut self,
        i: usize,
        lane: &[Input],
        bulk: &[BulkInput],
        gid: u32,
        spikes: &mut Vec<Spike>,
    ) {
        let record_inputs = !self.input_slot.is_empty() && self.input_slot[i] != u32::MAX;
        if !record_inputs && self.recording.is_none() {
            let mut cells = self.cells();
            merged_inputs(i, lane, bulk, |t, w| cells.apply(i, t, w, gid, spikes));
            self.min_next = self.min_next.min(self.state[i].next_spike);
            return;
        }
        let mut jumps = std::mem::take(&mut self.jumps);
        jumps.clear();
        merged_inputs(i, lane, bulk, |t, w| jumps.push((t, w)));
        for &(time, weight) in &jumps {
            if record_inputs {
                self.inputs.push(StateSample {
                    time,
                    neuron: i as u32,
                    value: weight,
                });
            }
            if self.recording.is_some() {
                self.sample_until(i, time, gid, spikes);
            }
            self.cells().apply(i, time, weight, gid, spikes);
        }
        self.jumps = jumps;
        self.min_next = self.min_next.min(self.state[i].next_spike);
    }
}

/// Some consecutive neurons of a LIF group without recorders, advanced apart for one epoch
/// (`CellGroup::blocks`).
struct LifBlock<'a> {
    cells: Cells<'a>,
    /// Local index of the first neuron, and its global index.
    first: usize,
    from: u32,
    /// The group's bound before the epoch (so one for these neurons too).
    bound: f64,
}

impl CellBlock for LifBlock<'_> {
    fn advance(&mut self, t_end: f64, lanes: LaneView, bulk: &[BulkInput], out: &mut Vec<Spike>) -> f64 {
        let (cells, first, from) = (&mut self.cells, self.first, self.from);
        let to = from + cells.state.len() as u32;
        if bulk.is_empty() {
            // As `advance`: the inputs, then the spikes of free relaxation if any is due.
            let mut m = self.bound;
            let mut it = lanes.lanes_in(from, to);
            while let Some((gid, lane)) = it.next() {
                if let Some(g) = it.ahead(PREFETCH_LANES) {
                    prefetch(cells.state, (g - from) as usize);
                }
                let k = (gid - from) as usize;
                merged_inputs(0, lane, &[], |t, w| cells.apply(k, t, w, gid, out));
                m = m.min(cells.state[k].next_spike);
            }
            if m < t_end {
                m = cells.fire_due(t_end, from, out);
            }
            return m;
        }
        // Summed inputs reach every neuron: each one takes its inputs, fires what free
        // relaxation fires before the epoch ends, and gives its bound, in one visit.
        let mut m = f64::INFINITY;
        let mut visit = |k: usize, cells: &mut Cells, out: &mut Vec<Spike>| {
            if cells.state[k].next_spike < t_end {
                cells.fire_until(k, t_end, false, from + k as u32, out);
            }
            m = m.min(cells.state[k].next_spike);
        };
        if lanes.lanes_in(from, to).next().is_none() {
            // Summed inputs only (one per time): applied in time order where not zero.
            for k in 0..cells.state.len() {
                for b in bulk {
                    let w = b.value(first + k);
                    if w != 0.0 {
                        cells.apply(k, b.time, w, from + k as u32, out);
                    }
                }
                visit(k, cells, out);
            }
        } else {
            for (k, lane) in lanes.each_lane(from, to).enumerate() {
                let gid = from + k as u32;
                merged_inputs(first + k, lane, bulk, |t, w| cells.apply(k, t, w, gid, out));
                visit(k, cells, out);
            }
        }
        m
    }
}

impl CellGroup for LifGroup {
    fn model(&self) -> &'static str {
        "lif"
    }

    fn len(&self) -> usize {
        self.state.len()
    }

    fn advance(&mut self, t_end: f64, inputs: Inputs, offset: u32, spikes: &mut Vec<Spike>) {
        let (lanes, bulk) = (inputs.lanes, inputs.bulk);
        let n = self.len();
        let plain = self.recording.is_none() && self.input_slot.is_empty();
        if plain
            && bulk.is_empty()
            && self.min_next >= t_end
            && lanes.lanes_in(offset, offset + n as u32).next().is_none()
        {
            return; // no input and no spike due: nothing changes in this epoch
        }
        if bulk.is_empty() {
            let mut it = lanes.lanes_in(offset, offset + n as u32);
            while let Some((gid, lane)) = it.next() {
                if let Some(g) = it.ahead(PREFETCH_LANES) {
                    prefetch(&self.state, (g - offset) as usize);
                }
                self.take_inputs((gid - offset) as usize, lane, &[], gid, spikes);
            }
        } else {
            for (i, lane) in lanes.each_lane(offset, offset + n as u32).enumerate() {
                let gid = offset + i as u32;
                self.take_inputs(i, lane, bulk, gid, spikes);
            }
        }
        if self.recording.is_some() {
            for i in 0..n {
                self.sample_until(i, t_end, offset + i as u32, spikes);
            }
        }
        // Spikes of free relaxation (only neurons whose bound falls in this epoch).
        if self.min_next < t_end {
            self.min_next = self.cells().fire_due(t_end, offset, spikes);
        }
    }

    fn blocks(&mut self, cuts: &[usize], offset: u32) -> Option<Vec<Box<dyn CellBlock + '_>>> {
        if self.recording.is_some() || !self.input_slot.is_empty() {
            return None;
        }
        let (c, bound) = (self.c, self.min_next);
        let (mut state, mut exact, mut chunk_min) =
            (&mut self.state[..], &mut self.exact[..], &mut self.chunk_min[..]);
        let mut blocks: Vec<Box<dyn CellBlock + '_>> = Vec::with_capacity(cuts.len().saturating_sub(1));
        for w in cuts.windows(2) {
            let len = w[1] - w[0];
            // Every cut but the group's end is a multiple of CHUNK: whole chunks per block.
            let (s, rest) = std::mem::take(&mut state).split_at_mut(len);
            state = rest;
            let (e, rest) = std::mem::take(&mut exact).split_at_mut(len);
            exact = rest;
            let (m, rest) = std::mem::take(&mut chunk_min).split_at_mut(len.div_ceil(CHUNK));
            chunk_min = rest;
            blocks.push(Box::new(LifBlock {
                cells: Cells {
                    c,
                    state: s,
                    exact: e,
                    chunk_min: m,
                },
                first: w[0],
                from: offset + w[0] as u32,
                bound,
            }));
        }
        Some(blocks)
    }

    fn blocks_done(&mut self, bound: f64) {
        self.min_next = bound;
    }

    fn next_spontaneous(&self) -> f64 {
        // A membrane sample is due whether or not input arrives: the simulation must step there.
        let sample = self
            .recording
            .as_ref()
            .map_or(f64::INFINITY, Recording::next_time);
        self.min_next.min(sample)
    }

    fn membrane_potentials(&self) -> Option<Vec<f64>> {
        let c = self.c;
        Some(
            (0..self.len())
                .map(|i| {
                    let u = if self.state[i].ref_until > self.state[i].t_u {
                        c.u_reset
                    } else {
                        self.state[i].u
                    };
                    u + self.p.e_l
                })
                .collect(),
        )
    }

    fn record_membrane(&mut self, neurons: &[u32], times: &[f64]) -> Result<(), String> {
        self.recording = Some(Recording::new(neurons, times, self.len())?);
        Ok(())
    }

    fn membrane_samples(&self) -> &[StateSample] {
        self.recording.as_ref().map_or(&[], |r| &r.samples)
    }

    fn record_inputs(&mut self, neurons: &[u32]) -> Result<(), String> {
        self.input_slot = slots(neurons, self.len())?;
        Ok(())
    }

    fn input_samples(&self) -> &[StateSample] {
        &self.inputs
    }

    fn state_bytes(&self) -> usize {
        // The record, the exact flag, and a chunk bound per 8 neurons.
        (std::mem::size_of::<State>() + 2) * self.len()
    }
}
