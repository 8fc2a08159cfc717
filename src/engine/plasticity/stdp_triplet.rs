//! `stdp_triplet`: triplet STDP (Pfister & Gerstner 2006) with the semantics of NEST's
//! `stdp_triplet_synapse` (all-to-all), and its nearest-spike variant (`nearest = true`).
//!
//! Presynaptic traces r₁ (τ₊) and r₂ (τₓ), one per presynaptic neuron; postsynaptic traces o₁
//! (τ₋) and o₂ (τᵧ), kept with each postsynaptic spike. The whole delay `d` is dendritic, as in
//! NEST. At a presynaptic spike at `t_s` (previous one at `t_l`, initially 0): each
//! postsynaptic spike with `t_l − d < t_post ≤ t_s − d` potentiates by
//! `r₁ e^{(t_l − t_post − d)/τ₊} (A₂₊ + A₃₊ o₂⁻)`, with o₂⁻ the triplet trace just before that
//! postsynaptic spike; then `r₂` decays to `t_s` and the synapse is depressed by
//! `o₁(t_s − d) (A₂₋ + A₃₋ r₂⁻)` (o₁ of the postsynaptic spikes strictly before `t_s − d`);
//! then r₁ and r₂ take the spike. Weights stay in [0, Wmax] (sign of Wmax). All-to-all: traces
//! add 1 at each spike; nearest-spike: they are reset to 1. NEST's names: `Aplus` = `a2_plus`,
//! `Aplus_triplet` = `a3_plus`, `Aminus` = `a2_minus`, `Aminus_triplet` = `a3_minus`,
//! `tau_plus_triplet` = `tau_x`, and the neuron's `tau_minus`, `tau_minus_triplet` = `tau_y`.
//! Defaults: the visual-cortex all-to-all minimal fit.

use super::spike_history::{SpikeHistory, trim};
use super::{PlasticityRule, Rule};
use crate::engine::params::{Param, ParamDefault, ParamError, Params};
use crate::engine::synapse::DenseWeights;

pub static RULE: PlasticityRule = PlasticityRule {
    name: "stdp_triplet",
    summary: "triplet STDP (Pfister & Gerstner 2006), NEST stdp_triplet_synapse semantics (all-to-all), or nearest-spike",
    params: &[
        Param::number("tau_plus", ParamDefault::Number(16.8), "ms", "r₁ time constant"),
        Param::number(
            "tau_x",
            ParamDefault::Number(101.0),
            "ms",
            "r₂ time constant (NEST tau_plus_triplet)",
        ),
        Param::number(
            "tau_minus",
            ParamDefault::Number(33.7),
            "ms",
            "o₁ time constant (a neuron parameter in NEST)",
        ),
        Param::number(
            "tau_y",
            ParamDefault::Number(125.0),
            "ms",
            "o₂ time constant (NEST tau_minus_triplet)",
        ),
        Param::number(
            "a2_plus",
            ParamDefault::Number(5e-10),
            "",
            "pair potentiation (NEST Aplus)",
        ),
        Param::number(
            "a3_plus",
            ParamDefault::Number(6.2e-3),
            "",
            "triplet potentiation (NEST Aplus_triplet)",
        ),
        Param::number(
            "a2_minus",
            ParamDefault::Number(7e-3),
            "",
            "pair depression (NEST Aminus)",
        ),
        Param::number(
            "a3_minus",
            ParamDefault::Number(2.3e-4),
            "",
            "triplet depression (NEST Aminus_triplet)",
        ),
        Param::number(
            "wmax",
            ParamDefault::Number(100.0),
            "",
            "weight bound (its sign is the weights')",
        ),
        Param::flag(
            "nearest",
            false,
            "nearest-spike interactions (traces reset to 1) instead of all-to-all",
        ),
    ],
    uses_teacher: false,
    uses_post: true,
    double_weights: true,
    check: |p| StdpTripletParams::from_params(p).check(),
    build: |p| Box::new(StdpTriplet::new(StdpTripletParams::from_params(p))),
};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StdpTripletParams {
    pub tau_plus: f64,
    pub tau_x: f64,
    pub tau_minus: f64,
    pub tau_y: f64,
    pub a2_plus: f64,
    pub a3_plus: f64,
    pub a2_minus: f64,
    pub a3_minus: f64,
    pub wmax: f64,
    pub nearest: bool,
}

impl StdpTripletParams {
    pub fn from_params(p: &Params) -> Self {
        StdpTripletParams {
            tau_plus: p.number("tau_plus"),
            tau_x: p.number("tau_x"),
            tau_minus: p.number("tau_minus"),
            tau_y: p.number("tau_y"),
            a2_plus: p.number("a2_plus"),
            a3_plus: p.number("a3_plus"),
            a2_minus: p.number("a2_minus"),
            a3_minus: p.number("a3_minus"),
            wmax: p.number("wmax"),
            nearest: p.flag("nearest"),
        }
    }

    pub fn check(&self) -> Result<(), ParamError> {
        for (name, x) in [
            ("tau_plus", self.tau_plus),
            ("tau_x", self.tau_x),
            ("tau_minus", self.tau_minus),
            ("tau_y", self.tau_y),
        ] {
            if !(x > 0.0 && x.is_finite()) {
                return Err(ParamError::new(
                    name,
                    format!("{name} must be a positive finite time constant (got {x})"),
                ));
            }
        }
        for (name, x) in [
            ("a2_plus", self.a2_plus),
            ("a3_plus", self.a3_plus),
            ("a2_minus", self.a2_minus),
            ("a3_minus", self.a3_minus),
        ] {
            if !(x >= 0.0 && x.is_finite()) {
                return Err(ParamError::new(
                    name,
                    format!("{name} must be finite and ≥ 0 (got {x})"),
                ));
            }
        }
        if !(self.wmax != 0.0 && self.wmax.is_finite()) {
            return Err(ParamError::new(
                "wmax",
                format!("wmax must be finite and not 0 (got {})", self.wmax),
            ));
        }
        Ok(())
    }

    /// NEST's `facilitate_`.
    #[inline]
    pub fn facilitate(&self, w: f64, kplus: f64, ky: f64) -> f64 {
        let new_w = w.abs() + kplus * (self.a2_plus + self.a3_plus * ky);
        (if new_w < self.wmax.abs() { new_w } else { self.wmax }).copysign(self.wmax)
    }

    /// NEST's `depress_`.
    #[inline]
    pub fn depress(&self, w: f64, kminus: f64, kx: f64) -> f64 {
        let new_w = w.abs() - kminus * (self.a2_minus + self.a3_minus * kx);
        (if new_w > 0.0 { new_w } else { 0.0 }).copysign(self.wmax)
    }
}

/// One postsynaptic neuron: its spikes with (o₁ after, o₂ just before) each, and its traces.
#[derive(Clone, Debug)]
struct Post {
    history: SpikeHistory<(f64, f64)>,
    last: f64,
    o1: f64,
    o2: f64,
}

impl Post {
    fn new() -> Self {
        Post {
            history: SpikeHistory::default(),
            last: -1.0,
            o1: 0.0,
            o2: 0.0,
        }
    }
}

pub struct StdpTriplet {
    p: StdpTripletParams,
    r1: Vec<f64>,
    r2: Vec<f64>,
    t_last: Vec<f64>,
    post: Vec<Post>,
    enabled: bool,
    since_trim: usize,
}

impl StdpTriplet {
    pub fn new(p: StdpTripletParams) -> Self {
        StdpTriplet {
            p,
            r1: Vec::new(),
            r2: Vec::new(),
            t_last: Vec::new(),
            post: Vec::new(),
            enabled: true,
            since_trim: 0,
        }
    }

    fn size(&mut self, w: &DenseWeights) {
        if self.r1.len() != w.n_pre {
            self.r1 = vec![0.0; w.n_pre];
            self.r2 = vec![0.0; w.n_pre];
            self.t_last = vec![0.0; w.n_pre];
        }
        if self.post.len() != w.n_post {
            self.post = vec![Post::new(); w.n_post];
        }
    }
}

impl Rule for StdpTriplet {
    fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    fn on_pre(&mut self, pre: u32, t_spike: f64, delay: f64, w: &mut DenseWeights) {
        self.size(w);
        let i = pre as usize;
        let p = self.p;
        let (r1, t_last) = (self.r1[i], self.t_last[i]);
        // r₂ decays to the spike; depression reads it before it takes the spike.
        let r2 = self.r2[i] * ((t_last - t_spike) / p.tau_x).exp();
        if self.enabled {
            let t = t_spike - delay;
            for (j, h) in self.post.iter().enumerate() {
                w.update(i, j, |mut x| {
                    for &(t_post, (_, o2_before)) in h.history.between(t_last - delay, t) {
                        let minus_dt = t_last - (t_post + delay);
                        x = p.facilitate(x, r1 * (minus_dt / p.tau_plus).exp(), o2_before);
                    }
                    let o1 = h
                        .history
                        .last_before(t)
                        .map_or(0.0, |(tp, (o1, _))| o1 * ((tp - t) * (1.0 / p.tau_minus)).exp());
                    p.depress(x, o1, r2)
                });
            }
        }
        if p.nearest {
            self.r2[i] = 1.0;
            self.r1[i] = 1.0;
        } else {
            self.r2[i] = r2 + 1.0;
            self.r1[i] = r1 * ((t_last - t_spike) / p.tau_plus).exp() + 1.0;
        }
        self.t_last[i] = t_spike;
        let histories = self.post.iter_mut().map(|h| &mut h.history);
        trim(histories, &self.t_last, delay, &mut self.since_trim);
    }

    fn on_post(&mut self, post: u32, t: f64, w: &mut DenseWeights) {
        self.size(w);
        let p = self.p;
        let h = &mut self.post[post as usize];
        let o1 = h.o1 * ((h.last - t) * (1.0 / p.tau_minus)).exp();
        let o2 = h.o2 * ((h.last - t) * (1.0 / p.tau_y)).exp();
        if p.nearest {
            h.o1 = 1.0;
            h.o2 = 1.0;
            h.history.push(t, (1.0, o2));
        } else {
            h.o1 = o1 + 1.0;
            h.o2 = o2 + 1.0;
            // NEST reads o₂ just before the spike as (o₂ after) − 1.
            h.history.push(t, (h.o1, h.o2 - 1.0));
        }
        h.last = t;
    }
}
