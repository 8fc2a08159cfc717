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
    inh: Vec<f64>,
    /// PSPs still running: (end time, amount), in end order (one duration per kind).
    exc_ends: Vec<VecDeque<(f64, f64)>>,
    inh_ends: Vec<VecDeque<(f64, f64)>>,
    /// Next spike time under the current rate (∞ if the rate is 0).
    next: Vec<f64>,
    /// Current rate (per ms), the hazard left before the next spike at time `since`.
    rate: Vec<f64>,
    left: Vec<f64>,
    since: Vec<f64>,
    rng: Vec<ChaCha8Rng>,
    /// Times the rate had to be clipped at `max_rate_hz`.
    pub clipped: u64,
}

impl EscapeNoiseGroup {
    pub fn new(p: EscapeNoiseParams, n: usize, seed: u64, population_key: u64) -> Self {
        let mut g = EscapeNoiseGroup {
            p,
            u: vec![0.0; n],
            inh: vec![0.0; n],
            exc_ends: vec![VecDeque::new(); n],
            inh_ends: vec![VecDeque::new(); n],
            next: vec![f64::INFINITY; n],
            rate: vec![0.0; n],
            left: vec![0.0; n],
            since: vec![0.0; n],
            rng: (0..n)
                .map(|i| stream(seed, Domain::EscapeNoise, population_key, i as u64))
                .collect(),
            clipped: 0,
        };
        for i in 0..n {
            g.left[i] = g.exp1(i);
            g.redraw(i, 0.0);
        }
        g
    }

    /// A fresh Exp(1) amount of hazard from neuron i's stream.
    fn exp1(&mut self, i: usize) -> f64 {
        let x: f64 = self.rng[i].random::<f64>();
        -(1.0 - x).ln()
    }

    /// The rate in spikes per ms.
    fn rate(&mut self, i: usize) -> f64 {
        let hz = self.p.rho0_hz * (self.p.beta * (self.u[i] - self.p.u_offset) - self.inh[i]).exp();
        if hz > self.p.max_rate_hz {
            self.clipped += 1;
            return self.p.max_rate_hz / 1000.0;
        }
        hz / 1000.0
    }

    /// Neuron i's rate changes at `t`: the hazard used since the last change is spent, and the
    /// rest is spent at the new rate.
    fn redraw(&mut self, i: usize, t: f64) {
        self.left[i] = (self.left[i] - self.rate[i] * (t - self.since[i])).max(0.0);
        self.since[i] = t;
        self.rate[i] = self.rate(i);
        self.schedule(i);
    }

    fn schedule(&mut self, i: usize) {
        let r = self.rate[i];
        self.next[i] = if r > 0.0 {
            self.since[i] + self.left[i] / r
        } else {
            f64::INFINITY
        };
    }

    /// Emits neuron i's spikes before `limit` under the current rate.
    fn fire_until(&mut self, i: usize, limit: f64, gid: u32, spikes: &mut Vec<Spike>) {
        while self.next[i] < limit {
            let t = self.next[i];
            spikes.push(Spike { time: t, neuron: gid });
            self.left[i] = self.exp1(i);
            self.since[i] = t;
            self.schedule(i);
        }
    }

    /// The next PSP end of neuron i.
    fn next_end(&self, i: usize) -> f64 {
        let e = self.exc_ends[i].front().map_or(f64::INFINITY, |x| x.0);
        let h = self.inh_ends[i].front().map_or(f64::INFINITY, |x| x.0);
        e.min(h)
    }

    /// Advances neuron i to `limit` (exclusive), ending PSPs on the way.
    fn run_to(&mut self, i: usize, limit: f64, gid: u32, spikes: &mut Vec<Spike>) {
        loop {
            let end = self.next_end(i);
            if end >= limit {
                self.fire_until(i, limit, gid, spikes);
                return;
            }
            self.fire_until(i, end, gid, spikes);
            while self.exc_ends[i].front().is_some_and(|x| x.0 == end) {
                let (_, w) = self.exc_ends[i].pop_front().expect("front");
                self.u[i] -= w;
            }
            while self.inh_ends[i].front().is_some_and(|x| x.0 == end) {
                let (_, w) = self.inh_ends[i].pop_front().expect("front");
                self.inh[i] -= w;
            }
            self.redraw(i, end);
        }
    }

    fn input(&mut self, i: usize, t: f64, w: f64) {
        if w > 0.0 {
            self.u[i] += w;
            self.exc_ends[i].push_back((t + self.p.psp_exc_ms, w));
        } else if w < 0.0 {
            self.inh[i] -= w;
            self.inh_ends[i].push_back((t + self.p.psp_inh_ms, -w));
        }
    }

    /// Current `u` of neuron i (mV).
    pub fn u(&self, i: usize) -> f64 {
        self.u[i]
    }
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
        let mut events: Vec<(f64, f64, bool)> = Vec::new();
        for (i, lane) in inputs.lanes.each_lane(offset, offset + n as u32).enumerate() {
            let gid = offset + i as u32;
            let fired = inputs.receptor_of(i as u32);
            if lane.is_empty()
                && bulk.is_empty()
                && fired.is_empty()
                && self.next[i] >= t_end
                && self.next_end(i) >= t_end
            {
                continue; // nothing happens to this neuron in this epoch
            }
            // Inputs in time order: (time, weight, forced spike). Unit events and summed
            // inputs (excitatory and inhibitory sums kept apart) mean the same thing; a weight
            // of 0 is no input.
            events.clear();
            events.extend(lane.iter().map(|e| (e.time, f64::from(e.weight), false)));
            for b in bulk {
                events.push((b.time, b.values[i], false));
                events.push((b.time, -b.negative.get(i).copied().unwrap_or(0.0), false));
            }
            events.extend(fired.iter().map(|e| (e.time, 0.0, true)));
            events.retain(|e| e.1 != 0.0 || e.2);
            events.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut k = 0;
            while k < events.len() {
                let t = events[k].0;
                self.run_to(i, t, gid, spikes);
                let mut changed = false;
                while k < events.len() && events[k].0 == t {
                    let (_, w, fire) = events[k];
                    if fire {
                        spikes.push(Spike { time: t, neuron: gid });
                    } else {
                        self.input(i, t, w);
                        changed = true;
                    }
                    k += 1;
                }
                if changed {
                    self.redraw(i, t);
                }
            }
            self.run_to(i, t_end, gid, spikes);
        }
    }

    fn next_spontaneous(&self) -> f64 {
        let spikes = self.next.iter().copied().fold(f64::INFINITY, f64::min);
        let ends = (0..self.len())
            .map(|i| self.next_end(i))
            .fold(f64::INFINITY, f64::min);
        spikes.min(ends)
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
            g.input(i, 0.0, ui);
            g.input(i, 0.0, -1.5);
            g.redraw(i, 0.0);
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
            g.run_to(0, t, 0, &mut spikes);
            g.input(0, t, w);
            g.redraw(0, t);
        }
        g.run_to(0, cycles as f64, 0, &mut spikes);
        let high = spikes.iter().filter(|s| s.time.fract() < 0.5).count() as f64;
        let low = spikes.len() as f64 - high;
        let (eh, el) = (
            cycles as f64 * 0.5 * 200.0 * w.exp() / 1000.0,
            cycles as f64 * 0.5 * 200.0 / 1000.0,
        );
        assert!((high - eh).abs() < 5.0 * eh.sqrt(), "{high} vs {eh}");
        assert!((low - el).abs() < 5.0 * el.sqrt(), "{low} vs {el}");
    }
}
