//! `stdp_pair`: pair-based STDP with the semantics of NEST's `stdp_synapse` (Gütig et al.
//! 2003; SCIENCE.md §5), event-driven and exact.
//!
//! All-to-all pairing through a presynaptic trace `K₊` (τ₊, one per presynaptic neuron: it
//! depends only on that neuron's spikes) and a postsynaptic trace `K₋` (τ₋, one per
//! postsynaptic neuron, kept with each of its spikes). With `ŵ = w/Wmax`:
//! potentiation `ŵ ← min(1, ŵ + λ(1−ŵ)^{μ₊} K₊)`, depression `ŵ ← max(0, ŵ − αλ ŵ^{μ₋} K₋)`.
//! As in NEST the whole connection delay `d` is dendritic: a postsynaptic spike at `t` meets
//! the synapse at `t + d`. At a presynaptic spike at `t_s` (previous one at `t_l`, initially 0):
//! each postsynaptic spike with `t_l − d < t_post ≤ t_s − d` potentiates with
//! `K₊ e^{(t_l − t_post − d)/τ₊}`; then the synapse is depressed by `K₋(t_s − d)`, the trace of
//! the postsynaptic spikes strictly before `t_s − d`; then `K₊ ← K₊ e^{(t_l − t_s)/τ₊} + 1`.
//! Comparisons of spike times allow NEST's tolerance of 10⁻⁶ ms. Weights are kept as `f64`.

use super::spike_history::{SpikeHistory, trim};
use super::{PlasticityRule, Rule};
use crate::engine::params::{Param, ParamDefault, ParamError, Params};
use crate::engine::synapse::DenseWeights;

pub static RULE: PlasticityRule = PlasticityRule {
    name: "stdp_pair",
    summary: "pair STDP, all-to-all, NEST stdp_synapse semantics (delay dendritic; mu 0 additive, 1 multiplicative)",
    params: &[
        Param::number(
            "tau_plus",
            ParamDefault::Number(20.0),
            "ms",
            "presynaptic trace time constant",
        ),
        Param::number(
            "tau_minus",
            ParamDefault::Number(20.0),
            "ms",
            "postsynaptic trace time constant (a neuron parameter in NEST)",
        ),
        Param::number("lambda", ParamDefault::Number(0.01), "", "learning rate"),
        Param::number(
            "alpha",
            ParamDefault::Number(1.0),
            "",
            "depression relative to potentiation",
        ),
        Param::number(
            "mu_plus",
            ParamDefault::Number(1.0),
            "",
            "weight dependence of potentiation (0 additive, 1 multiplicative)",
        ),
        Param::number(
            "mu_minus",
            ParamDefault::Number(1.0),
            "",
            "weight dependence of depression",
        ),
        Param::number(
            "wmax",
            ParamDefault::Number(100.0),
            "",
            "largest weight (the weight's unit)",
        ),
    ],
    uses_teacher: false,
    uses_post: true,
    double_weights: true,
    check: |p| StdpPairParams::from_params(p).check(),
    build: |p| Box::new(StdpPair::new(StdpPairParams::from_params(p))),
};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StdpPairParams {
    pub tau_plus: f64,
    pub tau_minus: f64,
    pub lambda: f64,
    pub alpha: f64,
    pub mu_plus: f64,
    pub mu_minus: f64,
    pub wmax: f64,
}

impl StdpPairParams {
    pub fn from_params(p: &Params) -> Self {
        StdpPairParams {
            tau_plus: p.number("tau_plus"),
            tau_minus: p.number("tau_minus"),
            lambda: p.number("lambda"),
            alpha: p.number("alpha"),
            mu_plus: p.number("mu_plus"),
            mu_minus: p.number("mu_minus"),
            wmax: p.number("wmax"),
        }
    }

    pub fn check(&self) -> Result<(), ParamError> {
        for (name, x) in [("tau_plus", self.tau_plus), ("tau_minus", self.tau_minus)] {
            if !(x > 0.0 && x.is_finite()) {
                return Err(ParamError::new(
                    name,
                    format!("{name} must be a positive finite time constant (got {x})"),
                ));
            }
        }
        for (name, x) in [("lambda", self.lambda), ("alpha", self.alpha)] {
            if !(x >= 0.0 && x.is_finite()) {
                return Err(ParamError::new(
                    name,
                    format!("{name} must be finite and ≥ 0 (got {x})"),
                ));
            }
        }
        for (name, x) in [("mu_plus", self.mu_plus), ("mu_minus", self.mu_minus)] {
            if !((0.0..=1.0).contains(&x)) {
                return Err(ParamError::new(
                    name,
                    format!("{name} must be in [0, 1] (0 additive, 1 multiplicative; got {x})"),
                ));
            }
        }
        if !(self.wmax > 0.0 && self.wmax.is_finite()) {
            return Err(ParamError::new(
                "wmax",
                format!("wmax must be positive and finite (got {})", self.wmax),
            ));
        }
        Ok(())
    }

    /// NEST's `facilitate_`.
    #[inline]
    pub fn facilitate(&self, w: f64, kplus: f64) -> f64 {
        let norm_w = (w / self.wmax) + (self.lambda * (1.0 - (w / self.wmax)).powf(self.mu_plus) * kplus);
        if norm_w < 1.0 {
            norm_w * self.wmax
        } else {
            self.wmax
        }
    }

    /// NEST's `depress_`.
    #[inline]
    pub fn depress(&self, w: f64, kminus: f64) -> f64 {
        let norm_w =
            (w / self.wmax) - (self.alpha * self.lambda * (w / self.wmax).powf(self.mu_minus) * kminus);
        if norm_w > 0.0 { norm_w * self.wmax } else { 0.0 }
    }
}

/// One postsynaptic neuron: its spikes with the trace just after each, and the trace.
#[derive(Clone, Debug)]
struct Post {
    history: SpikeHistory<f64>,
    last: f64,
    trace: f64,
}

impl Post {
    fn new() -> Self {
        Post {
            history: SpikeHistory::default(),
            last: -1.0,
            trace: 0.0,
        }
    }

    /// A spike at `t` on a trace of time constant `tau` (NEST's archiving node).
    fn spike(&mut self, t: f64, tau: f64) {
        self.trace = self.trace * ((self.last - t) * (1.0 / tau)).exp() + 1.0;
        self.last = t;
        self.history.push(t, self.trace);
    }
}

pub struct StdpPair {
    p: StdpPairParams,
    /// Per presynaptic neuron: `K₊` and its last spike time.
    kplus: Vec<f64>,
    t_last: Vec<f64>,
    post: Vec<Post>,
    enabled: bool,
    /// Presynaptic spikes since the histories were last trimmed.
    since_trim: usize,
}

impl StdpPair {
    pub fn new(p: StdpPairParams) -> Self {
        StdpPair {
            p,
            kplus: Vec::new(),
            t_last: Vec::new(),
            post: Vec::new(),
            enabled: true,
            since_trim: 0,
        }
    }

    fn size(&mut self, w: &DenseWeights) {
        if self.kplus.len() != w.n_pre {
            self.kplus = vec![0.0; w.n_pre];
            self.t_last = vec![0.0; w.n_pre];
        }
        if self.post.len() != w.n_post {
            self.post = vec![Post::new(); w.n_post];
        }
    }
}

impl Rule for StdpPair {
    fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    fn on_pre(&mut self, pre: u32, t_spike: f64, delay: f64, w: &mut DenseWeights) {
        self.size(w);
        let i = pre as usize;
        let (kplus, t_last) = (self.kplus[i], self.t_last[i]);
        if self.enabled {
            let p = self.p;
            for (j, h) in self.post.iter().enumerate() {
                w.update(i, j, |mut x| {
                    // Potentiation by the postsynaptic spikes since the last presynaptic one.
                    for &(t_post, _) in h.history.between(t_last - delay, t_spike - delay) {
                        let minus_dt = t_last - (t_post + delay);
                        x = p.facilitate(x, kplus * (minus_dt / p.tau_plus).exp());
                    }
                    // Depression by the postsynaptic trace at the synapse.
                    let t = t_spike - delay;
                    let kminus = h
                        .history
                        .last_before(t)
                        .map_or(0.0, |(tp, k)| k * ((tp - t) * (1.0 / p.tau_minus)).exp());
                    p.depress(x, kminus)
                });
            }
        }
        // The trace follows the spikes whether or not the rule is on (as the neuron's would).
        self.kplus[i] = kplus * ((t_last - t_spike) / self.p.tau_plus).exp() + 1.0;
        self.t_last[i] = t_spike;
        let histories = self.post.iter_mut().map(|h| &mut h.history);
        trim(histories, &self.t_last, delay, &mut self.since_trim);
    }

    fn on_post(&mut self, post: u32, t: f64, w: &mut DenseWeights) {
        self.size(w);
        self.post[post as usize].spike(t, self.p.tau_minus);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(mu: f64) -> StdpPairParams {
        StdpPairParams {
            tau_plus: 20.0,
            tau_minus: 20.0,
            lambda: 0.01,
            alpha: 1.0,
            mu_plus: mu,
            mu_minus: mu,
            wmax: 100.0,
        }
    }

    #[test]
    fn one_pairing_follows_the_window_and_coincidence_changes_nothing() {
        for (dt, mu) in [(5.0, 0.0), (-5.0, 0.0), (12.5, 1.0), (-12.5, 1.0), (0.0, 0.0)] {
            let p = params(mu);
            let mut rule = StdpPair::new(p);
            let mut w = DenseWeights::new_double(1, 1, vec![50.0], 1.0);
            // Pre at 100 ms; post meets the synapse at 100 + dt (fires at 99 + dt); a second
            // pre 1 s later collects the potentiation.
            let (t_pre, t_post): (f64, f64) = (100.0, 99.0 + dt);
            let mut events: [(f64, bool); 3] = [(t_pre, true), (t_post, false), (1100.0, true)];
            events.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (t, is_pre) in events {
                if is_pre {
                    rule.on_pre(0, t, 1.0, &mut w);
                } else {
                    rule.on_post(0, t, &mut w);
                }
            }
            let x: f64 = 0.5;
            let expected = if dt > 0.0 {
                (x + 0.01 * (1.0 - x).powf(mu) * (-dt / 20.0).exp()) * 100.0
            } else if dt < 0.0 {
                (x - 0.01 * x.powf(mu) * (dt / 20.0).exp()) * 100.0
            } else {
                50.0
            };
            // The second presynaptic spike also depresses by the trace 1 s later: e^{-50}.
            let got = w.get(0, 0);
            assert!(
                ((got - expected) / expected).abs() < 1e-12,
                "dt {dt}: {got} vs {expected}"
            );
        }
    }
}
