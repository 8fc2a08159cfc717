//! `escape_noise`: a stochastic neuron with exponential escape noise. It fires as a Poisson
//! process of instantaneous rate `ρ₀ · exp(β·(u − u_offset) − I)`, where `u` (mV) sums the
//! excitatory inputs and `I` (dimensionless) the inhibitory ones. Each input is a rectangular
//! PSP: a positive weight `w` raises `u` by `w` for `psp_exc_ms`, a negative weight raises `I` by
//! `|w|` for `psp_inh_ms`. The rate is therefore piecewise constant, and the simulation is exact
//! by time change: each neuron draws an Exp(1) amount of integrated hazard after each of its
//! spikes (from its own counter-based random stream) and fires when `∫ rate dt` has used it up;
//! a change of rate only rescales the time left, so an input costs no random draw. Neurons that share `I` split their spikes
//! in proportion to `exp(β u)`, whatever `I` is: a softmax.
//!
//! Receptor `fire` (a detonator synapse): an event arriving there makes the neuron fire at the
//! arrival time, whatever its rate (one spike per event; the weight is ignored). Circuits use it
//! to recruit a neuron at a chosen time, e.g. a memory neuron during storage.

use std::collections::VecDeque;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{CellGroup, InputSummary, Inputs, NeuronModel};
use crate::engine::event::Spike;
use crate::engine::params::{Param, ParamDefault, ParamError, Params};
use crate::engine::rng::{Domain, stream};

pub static MODEL: NeuronModel = NeuronModel {
    name: "escape_noise",
    summary: "stochastic neuron firing at rate rho0·exp(beta·(u − u_offset) − I), rectangular PSPs, exact",
    params: &[
        Param::number(
            "rho0_hz",
            ParamDefault::Required,
            "Hz",
            "rate at u = u_offset and I = 0",
        ),
        Param::number(
            "beta",
            ParamDefault::Required,
            "1/mV",
            "gain of the exponential escape rate",
        ),
        Param::number(
            "u_offset",
            ParamDefault::Number(0.0),
            "mV",
            "input at which the rate is rho0_hz",
        ),
        Param::number(
            "psp_exc_ms",
            ParamDefault::Required,
            "ms",
            "duration of an excitatory (w > 0) PSP",
        ),
        Param::number(
            "psp_inh_ms",
            ParamDefault::Required,
            "ms",
            "duration of an inhibitory (w < 0) PSP",
        ),
        Param::number(
            "max_rate_hz",
            ParamDefault::Number(1e6),
            "Hz",
            "rates above this are clipped",
        ),
    ],
    receptors: &["synapse", "fire"],
    silent_receptors: &[],
    recordables: &[],
    has_membrane: false,
    fires: true,
    input: InputSummary::Split,
    bytes_per_neuron: 250,
    check: |p| EscapeNoiseParams::from_params(p).check(),
    build: |p, init| {
        Box::new(EscapeNoiseGroup::new(
            EscapeNoiseParams::from_params(p),
            init.size,
            init.seed,
            init.key,
        ))
    },
};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EscapeNoiseParams {
    pub rho0_hz: f64,
    pub beta: f64,
    pub u_offset: f64,
    pub psp_exc_ms: f64,
    pub psp_inh_ms: f64,
    /// Rates above this are clipped (a guard against runaway rates; reported, never hit in a
    /// well-posed circuit).
    pub max_rate_hz: f64,
}

impl EscapeNoiseParams {
    /// A population model with these parameters (for networks built in Rust).
    pub fn model(&self) -> crate::engine::network::Model {
        let mut p = Params::defaults(MODEL.params);
        for spec in MODEL.params {
            let v = match spec.name {
                "rho0_hz" => self.rho0_hz,
                "beta" => self.beta,
                "u_offset" => self.u_offset,
                "psp_exc_ms" => self.psp_exc_ms,
                "psp_inh_ms" => self.psp_inh_ms,
                _ => self.max_rate_hz,
            };
            p.set(spec.name, crate::engine::params::Value::Number(v));
        }
        crate::engine::network::Model::Neuron(&MODEL, p)
    }

    pub fn from_params(p: &Params) -> Self {
        EscapeNoiseParams {
            rho0_hz: p.number("rho0_hz"),
            beta: p.number("beta"),
            u_offset: p.number("u_offset"),
            psp_exc_ms: p.number("psp_exc_ms"),
            psp_inh_ms: p.number("psp_inh_ms"),
            max_rate_hz: p.number("max_rate_hz"),
        }
    }

    pub fn check(&self) -> Result<(), ParamError> {
        if !(self.rho0_hz >= 0.0 && self.rho0_hz.is_finite()) {
            return Err(ParamError::new("rho0_hz", "rho0_hz must be a finite rate ≥ 0 Hz"));
        }
        if !self.beta.is_finite() {
            return Err(ParamError::new("beta", "beta must be finite"));
        }
        if !self.u_offset.is_finite() {
            return Err(ParamError::new("u_offset", "u_offset must be finite"));
        }
        if !(self.psp_exc_ms > 0.0 && self.psp_exc_ms.is_finite()) {
            return Err(ParamError::new(
                "psp_exc_ms",
                "psp_exc_ms must be a finite duration > 0 ms",
            ));
        }
        if !(self.psp_inh_ms > 0.0 && self.psp_inh_ms.is_finite()) {
            return Err(ParamError::new(
                "psp_inh_ms",
                "psp_inh_ms must be a finite duration > 0 ms",
            ));
        }
        if !(self.max_rate_hz > 0.0 && self.max_rate_hz.is_finite()) {
            return Err(ParamError::new(
                "max_rate_hz",
                "max_rate_hz must be a finite rate > 0 Hz",
            ));
        }
        Ok(())
    }
}

pub struct EscapeNoiseGroup {
    p: EscapeNoiseParams,
    u: Vec<f64>,
    /// Inhibition reaching this neuron alone.
    inh: Vec<f64>,
    /// PSPs still running: (end time, amount), in end order (one duration per kind).
    exc_ends: Vec<VecDeque<(f64, f64)>>,
    inh_ends: Vec<VecDeque<(f64, f64)>>,
    /// The neuron's own rate (per ms), `ρ₀·exp(β(u − u_offset) − inh)`: before the shared
    /// inhibition and the cap.
    a: Vec<f64>,
    /// Hazard left before the next spike, as of the shared clock value `since`.
    left: Vec<f64>,
    since: Vec<f64>,
    rng: Vec<ChaCha8Rng>,
    /// Times a rate was held at `max_rate_hz`.
    pub clipped: u64,
    /// Inhibition reaching every neuron alike (e.g. from a pool): its sum J, its PSP ends, and
    /// the shared clock `S = ∫ e^{−J} dt`, at `clock_t`.
    shared: f64,
    shared_ends: VecDeque<(f64, f64)>,
    clock_t: f64,
    clock_s: f64,
    /// Scratch for one epoch: pieces of constant J as (start time, S at start, e^{−J}).
    pieces: Vec<(f64, f64, f64)>,
}

impl EscapeNoiseGroup {
    pub fn new(p: EscapeNoiseParams, n: usize, seed: u64, population_key: u64) -> Self {
        let mut g = EscapeNoiseGroup {
            p,
            u: vec![0.0; n],
            inh: vec![0.0; n],
            exc_ends: vec![VecDeque::new(); n],
            inh_ends: vec![VecDeque::new(); n],
            a: vec![0.0; n],
            left: vec![0.0; n],
            since: vec![0.0; n],
            rng: (0..n)
                .map(|i| stream(seed, Domain::EscapeNoise, population_key, i as u64))
                .collect(),
            clipped: 0,
            shared: 0.0,
            shared_ends: VecDeque::new(),
            clock_t: 0.0,
            clock_s: 0.0,
            pieces: vec![(0.0, 0.0, 1.0)],
        };
        for i in 0..n {
            g.left[i] = g.exp1(i);
            g.a[i] = g.own_rate(i);
        }
        g
    }

    /// A fresh Exp(1) amount of hazard from neuron i's stream.
    fn exp1(&mut self, i: usize) -> f64 {
        let x: f64 = self.rng[i].random::<f64>();
        -(1.0 - x).ln()
    }

    /// Neuron i's own rate, per ms.
    fn own_rate(&self, i: usize) -> f64 {
        self.p.rho0_hz * (self.p.beta * (self.u[i] - self.p.u_offset) - self.inh[i]).exp() / 1000.0
    }

    fn max_ms(&self) -> f64 {
        self.p.max_rate_hz / 1000.0
    }

    /// Whether neuron i's rate `a·e^{−J}` can pass the cap (e^{−J} ≤ 1): then it is integrated
    /// piece by piece (eagerly), otherwise lazily on the shared clock.
    fn eager(&self, i: usize) -> bool {
        self.a[i] > self.max_ms()
    }

    /// The shared clock at `t` (within the current pieces).
    fn clock_at(&self, t: f64) -> f64 {
        let k = self.pieces.partition_point(|p| p.0 <= t).saturating_sub(1);
        let (t0, s0, g) = self.pieces[k];
        s0 + (t - t0) * g
    }

    /// The time at which the shared clock reaches `s` (within the current pieces), or ∞.
    fn time_at(&self, s: f64, limit: f64) -> f64 {
        let k = self.pieces.partition_point(|p| p.1 <= s).saturating_sub(1);
        for (j, &(t0, s0, g)) in self.pieces.iter().enumerate().skip(k) {
            if g > 0.0 {
                let t = t0 + (s - s0) / g;
                let end = self.pieces.get(j + 1).map_or(limit, |p| p.0);
                if t < end {
                    return t.max(t0);
                }
            }
        }
        f64::INFINITY
    }

    /// Emits neuron i's spikes in `[from, to)` (no own input changes in between).
    fn fire_between(&mut self, i: usize, from: f64, to: f64, gid: u32, spikes: &mut Vec<Spike>) {
        if !self.eager(i) {
            let end_s = self.clock_at(to);
            loop {
                let a = self.a[i];
                if a <= 0.0 {
                    return;
                }
                let s = self.since[i] + self.left[i] / a;
                if s >= end_s {
                    return;
                }
                let t = self.time_at(s, to).max(from);
                if t >= to {
                    return;
                }
                spikes.push(Spike { time: t, neuron: gid });
                self.since[i] = s;
                self.left[i] = self.exp1(i);
            }
        }
        // Piece by piece, the rate min(a·e^{−J}, max) constant on each.
        let max = self.max_ms();
        let mut t = from;
        while t < to {
            let k = self.pieces.partition_point(|p| p.0 <= t).saturating_sub(1);
            let piece_end = self.pieces.get(k + 1).map_or(to, |p| p.0.min(to));
            let full = self.a[i] * self.pieces[k].2;
            if full > max {
                self.clipped += 1;
            }
            let r = full.min(max);
            let dt = piece_end - t;
            if r > 0.0 && self.left[i] < r * dt {
                t += self.left[i] / r;
                spikes.push(Spike { time: t, neuron: gid });
                self.left[i] = self.exp1(i);
            } else {
                self.left[i] -= r * dt;
                t = piece_end;
            }
        }
        self.since[i] = self.clock_at(to);
    }

    /// Spends neuron i's hazard up to `t` (its last update was at clock `since`), before its
    /// own rate changes at `t`.
    fn spend(&mut self, i: usize, t: f64) {
        let s = self.clock_at(t);
        if !self.eager(i) {
            self.left[i] = (self.left[i] - self.a[i] * (s - self.since[i])).max(0.0);
        }
        // Eager neurons spent theirs piece by piece in `fire_between`.
        self.since[i] = s;
    }

    /// The next end of one of neuron i's own PSPs.
    fn next_end(&self, i: usize) -> f64 {
        let e = self.exc_ends[i].front().map_or(f64::INFINITY, |x| x.0);
        let h = self.inh_ends[i].front().map_or(f64::INFINITY, |x| x.0);
        e.min(h)
    }

    /// Advances neuron i to `limit` (exclusive) from `from`, ending its own PSPs on the way.
    fn run_between(&mut self, i: usize, from: f64, limit: f64, gid: u32, spikes: &mut Vec<Spike>) {
        let mut t = from;
        loop {
            let end = self.next_end(i);
            if end >= limit {
                self.fire_between(i, t, limit, gid, spikes);
                return;
            }
            self.fire_between(i, t, end.max(t), gid, spikes);
            t = end.max(t);
            self.spend(i, t);
            while self.exc_ends[i].front().is_some_and(|x| x.0 == end) {
                let (_, w) = self.exc_ends[i].pop_front().expect("front");
                self.u[i] -= w;
            }
            while self.inh_ends[i].front().is_some_and(|x| x.0 == end) {
                let (_, w) = self.inh_ends[i].pop_front().expect("front");
                self.inh[i] -= w;
            }
            self.a[i] = self.own_rate(i);
        }
    }

    /// An input of weight `w` to neuron i alone at `t` (the caller spends its hazard first).
    fn input(&mut self, i: usize, t: f64, w: f64) {
        if w > 0.0 {
            self.u[i] += w;
            self.exc_ends[i].push_back((t + self.p.psp_exc_ms, w));
        } else if w < 0.0 {
            self.inh[i] -= w;
            self.inh_ends[i].push_back((t + self.p.psp_inh_ms, -w));
        }
    }

    /// Sets the pieces of constant shared inhibition over `[clock_t, t_end)`: the shared inputs
    /// given (time, amount) and the shared PSPs ending before `t_end`.
    fn plan_epoch(&mut self, t_end: f64, shared_inputs: &[(f64, f64)]) {
        for &(time, w) in shared_inputs {
            self.shared_ends.push_back((time + self.p.psp_inh_ms, w));
        }
        let mut changes: Vec<(f64, f64)> = shared_inputs.to_vec();
        changes.extend(
            self.shared_ends
                .iter()
                .filter(|e| e.0 < t_end)
                .map(|e| (e.0, -e.1)),
        );
        changes.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.pieces.clear();
        let (mut t, mut s, mut j) = (self.clock_t, self.clock_s, self.shared);
        self.pieces.push((t, s, (-j).exp()));
        let mut k = 0;
        while k < changes.len() {
            let at = changes[k].0.max(t);
            while k < changes.len() && changes[k].0.max(t) == at {
                j += changes[k].1;
                k += 1;
            }
            s += (at - t) * self.pieces.last().expect("piece").2;
            t = at;
            // Rounding can leave a sum that should be 0 slightly off.
            if j.abs() < 1e-12 {
                j = 0.0;
            }
            if self.pieces.last().is_some_and(|p| p.0 == t) {
                self.pieces.pop();
            }
            self.pieces.push((t, s, (-j).exp()));
        }
        let mut ends: Vec<(f64, f64)> = self.shared_ends.drain(..).filter(|e| e.0 >= t_end).collect();
        ends.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.shared_ends = ends.into();
        self.shared = j;
    }

    /// Closes the epoch: the shared clock at `t_end`.
    fn finish_epoch(&mut self, t_end: f64) {
        self.clock_s = self.clock_at(t_end);
        self.clock_t = t_end;
    }

    /// Current `u` of neuron i (mV).
    pub fn u(&self, i: usize) -> f64 {
        self.u[i]
    }
}

/// The inhibition that reaches every neuron of the group alike, as (time, amount), sorted: at
/// each time, the inhibition summed over unit events and summed inputs is the same, and not 0,
/// for every neuron. Classified from these totals, so sparse, dense and bit storage of the same
/// wiring give the same split (and the same arithmetic).
fn shared_inhibition(inputs: &Inputs, offset: u32, n: usize) -> Vec<(f64, f64)> {
    // Times at which every neuron may be inhibited: a summed input with inhibition, or at
    // least n inhibitory unit events.
    let mut count: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for lane in inputs.lanes.each_lane(offset, offset + n as u32) {
        for e in lane.iter().filter(|e| e.weight < 0.0) {
            *count.entry(e.time.to_bits()).or_default() += 1;
        }
    }
    let mut times: Vec<f64> = inputs
        .bulk
        .iter()
        .filter(|b| b.negative.iter().any(|x| *x != 0.0))
        .map(|b| b.time)
        .collect();
    times.extend(
        count
            .iter()
            .filter(|(_, c)| **c >= n)
            .map(|(t, _)| f64::from_bits(*t)),
    );
    times.sort_by(f64::total_cmp);
    times.dedup();
    let mut out = Vec::new();
    let mut totals = vec![0.0; n];
    for t in times {
        totals.iter_mut().for_each(|x| *x = 0.0);
        for b in inputs.bulk.iter().filter(|b| b.time == t) {
            for (x, v) in totals.iter_mut().zip(&b.negative) {
                *x += v;
            }
        }
        for (i, lane) in inputs.lanes.each_lane(offset, offset + n as u32).enumerate() {
            for e in lane.iter().filter(|e| e.time == t && e.weight < 0.0) {
                totals[i] -= f64::from(e.weight);
            }
        }
        let first = totals[0];
        if first > 0.0 && totals.iter().all(|x| *x == first) {
            out.push((t, first));
        }
    }
    out
}

impl CellGroup for EscapeNoiseGroup {
    fn model(&self) -> &'static str {
        "escape_noise"
    }

    fn len(&self) -> usize {
        self.u.len()
    }

    fn advance(&mut self, t_end: f64, inputs: Inputs, offset: u32, spikes: &mut Vec<Spike>) {
        let n = self.len();
        let bulk = inputs.bulk;
        let t0 = self.clock_t;
        // Inhibition that reaches every neuron alike moves the shared clock; the rest is each
        // neuron's own.
        let shared_inputs = shared_inhibition(&inputs, offset, n);
        let is_shared = |t: f64| shared_inputs.binary_search_by(|x| x.0.total_cmp(&t)).is_ok();
        self.plan_epoch(t_end, &shared_inputs);
        let end_s = self.clock_at(t_end);
        let mut events: Vec<(f64, f64, bool)> = Vec::new();
        for (i, lane) in inputs.lanes.each_lane(offset, offset + n as u32).enumerate() {
            let gid = offset + i as u32;
            let fired = inputs.receptor_of(i as u32);
            let own = |w: f64, t: f64| w > 0.0 || (w < 0.0 && !is_shared(t));
            let own_input = lane.iter().any(|e| own(f64::from(e.weight), e.time))
                || bulk
                    .iter()
                    .any(|b| b.values[i] != 0.0 || own(-b.negative.get(i).copied().unwrap_or(0.0), b.time));
            if !own_input
                && fired.is_empty()
                && !self.eager(i)
                && (self.a[i] <= 0.0 || self.since[i] + self.left[i] / self.a[i] >= end_s)
                && self.next_end(i) >= t_end
            {
                continue; // nothing happens to this neuron in this epoch
            }
            // Its own inputs in time order: (time, weight, forced spike). Unit events and summed
            // inputs (excitatory and inhibitory sums kept apart) mean the same thing; a weight
            // of 0 is no input.
            events.clear();
            events.extend(
                lane.iter()
                    .map(|e| (e.time, f64::from(e.weight), false))
                    .filter(|e| own(e.1, e.0)),
            );
            for b in bulk {
                events.push((b.time, b.values[i], false));
                let neg = -b.negative.get(i).copied().unwrap_or(0.0);
                if own(neg, b.time) {
                    events.push((b.time, neg, false));
                }
            }
            events.extend(fired.iter().map(|e| (e.time, 0.0, true)));
            events.retain(|e| e.1 != 0.0 || e.2);
            events.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut t = t0;
            let mut k = 0;
            while k < events.len() {
                let te = events[k].0;
                self.run_between(i, t, te, gid, spikes);
                t = te;
                let mut changed = false;
                while k < events.len() && events[k].0 == te {
                    let (_, w, fire) = events[k];
                    if fire {
                        spikes.push(Spike {
                            time: te,
                            neuron: gid,
                        });
                    } else {
                        if !changed {
                            self.spend(i, te);
                        }
                        self.input(i, te, w);
                        changed = true;
                    }
                    k += 1;
                }
                if changed {
                    self.a[i] = self.own_rate(i);
                }
            }
            self.run_between(i, t, t_end, gid, spikes);
        }
        self.finish_epoch(t_end);
    }

    fn next_spontaneous(&self) -> f64 {
        // Until the next change of shared inhibition, the clock runs at e^{−J}.
        let g = (-self.shared).exp();
        let shared_end = self.shared_ends.front().map_or(f64::INFINITY, |e| e.0);
        let mut next = shared_end;
        for i in 0..self.len() {
            next = next.min(self.next_end(i));
            let a = self.a[i];
            if a <= 0.0 {
                continue;
            }
            let t = if self.eager(i) {
                self.clock_t + self.left[i] / (a * g).min(self.max_ms())
            } else if g > 0.0 {
                self.clock_t + (self.since[i] + self.left[i] / a - self.clock_s) / g
            } else {
                f64::INFINITY
            };
            next = next.min(t);
        }
        next
    }

    fn rate_clipped(&self) -> Option<u64> {
        Some(self.clipped)
    }

    fn state_bytes(&self) -> usize {
        (6 * 8 + 2 * 32 + std::mem::size_of::<ChaCha8Rng>()) * self.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::event::Lanes;

    /// An input to neuron i alone at `t`, as `advance` applies it.
    fn set_input(g: &mut EscapeNoiseGroup, i: usize, t: f64, w: f64) {
        g.spend(i, t);
        g.input(i, t, w);
        g.a[i] = g.own_rate(i);
    }

    fn no_input() -> Inputs<'static> {
        static LANES: std::sync::OnceLock<Lanes> = std::sync::OnceLock::new();
        Inputs {
            lanes: LANES.get_or_init(Lanes::default),
            bulk: &[],
            receptor: &[],
        }
    }

    fn params(beta: f64) -> EscapeNoiseParams {
        EscapeNoiseParams {
            rho0_hz: 50.0,
            beta,
            u_offset: 0.0,
            psp_exc_ms: 1e9,
            psp_inh_ms: 1e9,
            max_rate_hz: 1e9,
        }
    }

    #[test]
    fn rest_rate_is_rho0_and_counts_are_poisson() {
        let mut g = EscapeNoiseGroup::new(params(1.0), 200, 1, 7);
        let mut spikes = Vec::new();
        g.advance(10_000.0, no_input(), 0, &mut spikes);
        // 200 neurons × 10 s × 50 Hz = 100000 expected, sd 316: 5 sd bound.
        let n = spikes.len() as f64;
        assert!((n - 1e5).abs() < 5.0 * 1e5f64.sqrt(), "{n}");
    }

    #[test]
    fn shared_inhibition_leaves_spike_fractions_a_softmax() {
        let beta = 0.5;
        let u = [0.0, 1.0, 2.0, 4.0];
        let mut g = EscapeNoiseGroup::new(params(beta), 4, 3, 9);
        for (i, &ui) in u.iter().enumerate() {
            set_input(&mut g, i, 0.0, ui);
            set_input(&mut g, i, 0.0, -1.5);
        }
        let mut spikes = Vec::new();
        g.advance(200_000.0, no_input(), 0, &mut spikes);
        let total = spikes.len() as f64;
        let soft = crate::math::attention::softmax(&u, beta);
        for (i, p) in soft.iter().enumerate() {
            let got = spikes.iter().filter(|s| s.neuron == i as u32).count() as f64 / total;
            // Binomial standard error of a fraction over `total` spikes; 5 sd.
            let se = (p * (1.0 - p) / total).sqrt();
            assert!((got - p).abs() < 5.0 * se, "neuron {i}: {got} vs {p}");
        }
        // The inhibition scales the total rate by e^{−1.5}.
        let expected = 200.0 * 50.0 * u.iter().map(|x| (beta * x - 1.5f64).exp()).sum::<f64>();
        assert!(
            (total - expected).abs() < 5.0 * expected.sqrt(),
            "{total} vs {expected}"
        );
    }

    #[test]
    fn rates_switching_every_half_millisecond_give_poisson_counts_in_each_half() {
        // Rate ρ₀e^{βw} for 0.5 ms after each input, ρ₀ for the next 0.5 ms: a changed rate only
        // rescales the hazard left, so the spikes of each half must follow its own rate.
        let p = EscapeNoiseParams {
            rho0_hz: 200.0,
            beta: 1.0,
            u_offset: 0.0,
            psp_exc_ms: 0.5,
            psp_inh_ms: 1.0,
            max_rate_hz: 1e9,
        };
        let mut g = EscapeNoiseGroup::new(p, 1, 5, 11);
        let w = 2.0f64;
        let cycles = 200_000;
        let mut spikes = Vec::new();
        for k in 0..cycles {
            let t = k as f64;
            g.run_between(0, (t - 1.0).max(0.0), t, 0, &mut spikes);
            set_input(&mut g, 0, t, w);
        }
        g.run_between(0, cycles as f64 - 1.0, cycles as f64, 0, &mut spikes);
        let high = spikes.iter().filter(|s| s.time.fract() < 0.5).count() as f64;
        let low = spikes.len() as f64 - high;
        let (eh, el) = (
            cycles as f64 * 0.5 * 200.0 * w.exp() / 1000.0,
            cycles as f64 * 0.5 * 200.0 / 1000.0,
        );
        assert!((high - eh).abs() < 5.0 * eh.sqrt(), "{high} vs {eh}");
        assert!((low - el).abs() < 5.0 * el.sqrt(), "{low} vs {el}");
    }

    #[test]
    fn shared_inhibition_moves_one_clock_and_gives_each_neuron_its_poisson_count() {
        // Every ms, inhibition 1 reaches all three neurons alike for 0.5 ms (a pool): their
        // rates are ρ₀e^{u_i}·e^{−1} then ρ₀e^{u_i}. Neuron 2 (7389 Hz) is capped at 5000 Hz: it
        // is integrated piece by piece, 2718 Hz inhibited (not capped), 5000 Hz free.
        let p = EscapeNoiseParams {
            rho0_hz: 1000.0,
            beta: 1.0,
            u_offset: 0.0,
            psp_exc_ms: 1e9,
            psp_inh_ms: 0.5,
            max_rate_hz: 5000.0,
        };
        let mut g = EscapeNoiseGroup::new(p, 3, 9, 4);
        for (i, u) in [0.0, 1.0, 2.0].into_iter().enumerate() {
            if u > 0.0 {
                set_input(&mut g, i, 0.0, u);
            }
        }
        let lanes = crate::engine::event::Lanes::default();
        let mut spikes = Vec::new();
        let ms = 20_000;
        for k in 0..ms {
            let bulk = [crate::engine::simulation::BulkInput {
                time: k as f64,
                population: 0,
                values: vec![0.0; 3],
                negative: vec![1.0; 3],
                uniform: 0.0,
            }];
            let inputs = Inputs {
                lanes: &lanes,
                bulk: &bulk,
                receptor: &[],
            };
            g.advance((k + 1) as f64, inputs, 0, &mut spikes);
        }
        let half = 0.5 * ms as f64;
        let e1 = (-1.0f64).exp();
        let want = [
            half * (e1 + 1.0),
            half * 1f64.exp() * (e1 + 1.0),
            half * (2f64.exp() * e1 + 5.0),
        ];
        for (i, w) in want.iter().enumerate() {
            let got = spikes.iter().filter(|s| s.neuron == i as u32).count() as f64;
            assert!((got - w).abs() < 5.0 * w.sqrt(), "neuron {i}: {got} vs {w}");
        }
        // And at the right times: neuron 1 fires e^{−1} as often in the inhibited halves.
        let n1: Vec<f64> = spikes.iter().filter(|s| s.neuron == 1).map(|s| s.time).collect();
        let inhibited = n1.iter().filter(|t| t.fract() < 0.5).count() as f64;
        let free = n1.len() as f64 - inhibited;
        let (wi, wf) = (half * 1f64.exp() * e1, half * 1f64.exp());
        assert!((inhibited - wi).abs() < 5.0 * wi.sqrt(), "{inhibited} vs {wi}");
        assert!((free - wf).abs() < 5.0 * wf.sqrt(), "{free} vs {wf}");
        // Spikes come out in time order within each neuron, inside the run.
        assert!(spikes.iter().all(|s| s.time >= 0.0 && s.time < ms as f64));
        assert!(g.clipped > 0);
    }
}
