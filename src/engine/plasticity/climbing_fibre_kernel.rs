//! Teacher-gated, timing-dependent plasticity (the Marr–Albus–Ito parallel-fibre → Purkinje
//! rule, with EDLUT's kernel), evaluated exactly and event by event.
//!
//! - Every presynaptic spike arriving at a synapse potentiates it by `ltp` (the spike carries
//!   the weight its own update leaves, as with every rule: NEST's order, `Rule::on_pre`).
//! - A teacher spike for postsynaptic neuron j arriving at `t` depresses every synapse (i, j) by
//!   `ltd · Σ_k k(t − t_ik)` over the presynaptic arrivals `t_ik < t`, with the kernel
//!   `k(s) = e^{−s/τ} sin^m(s/τ)`, normalised to 1 at its peak `s = τ·atan(m)`, on its first lobe
//!   `0 ≤ s < πτ` and zero after it. The compact support makes the rule exact: arrivals older
//!   than πτ contribute exactly nothing, so only the arrivals of the last πτ ms are kept.
//!
//! With `ltd = 2·ltp` and the teacher fired exactly at the peak after a presynaptic spike, that
//! synapse changes by exactly `−ltp`; without a teacher, by `+ltp`: Kanerva's bipolar counter.

use std::collections::VecDeque;

use super::{PlasticityRule, Rule};
use crate::engine::params::{Param, ParamDefault, ParamError, Params};
use crate::engine::synapse::DenseWeights;

pub static RULE: PlasticityRule = PlasticityRule {
    name: "climbing_fibre_kernel",
    summary: "parallel fibre → Purkinje LTP per presynaptic spike, LTD by the teacher (climbing fibre) through the kernel e^{-t/τ} sin^m(t/τ)",
    params: &[
        Param::number(
            "ltp",
            ParamDefault::Required,
            "mV",
            "potentiation per presynaptic spike",
        ),
        Param::number(
            "ltd",
            ParamDefault::Required,
            "mV",
            "depression by a teacher spike at the kernel's peak",
        ),
        Param::number(
            "peak_ms",
            ParamDefault::Required,
            "ms",
            "delay after the presynaptic spike at which the LTD kernel peaks",
        ),
        Param::count(
            "exponent",
            ParamDefault::Count(4),
            "m in e^{-t/τ} sin^m(t/τ) (≥ 1)",
        ),
    ],
    uses_teacher: true,
    uses_post: false,
    double_weights: false,
    check: |p| TeacherKernelParams::from_params(p).check(),
    build: |p| Box::new(TeacherKernel::new(TeacherKernelParams::from_params(p))),
};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TeacherKernelParams {
    pub ltp: f64,
    pub ltd: f64,
    pub tau_ms: f64,
    pub exponent: u32,
}

impl TeacherKernelParams {
    pub fn from_params(p: &Params) -> Self {
        let exponent = p.count("exponent").min(64) as u32;
        TeacherKernelParams {
            ltp: p.number("ltp"),
            ltd: p.number("ltd"),
            tau_ms: p.number("peak_ms") / f64::from(exponent.max(1)).atan(),
            exponent,
        }
    }

    pub fn check(&self) -> Result<(), ParamError> {
        if !self.ltp.is_finite() {
            return Err(ParamError::new("ltp", "ltp must be a finite number of mV"));
        }
        if !self.ltd.is_finite() {
            return Err(ParamError::new("ltd", "ltd must be a finite number of mV"));
        }
        if !(1..=64).contains(&self.exponent) {
            return Err(ParamError::new("exponent", "exponent must be between 1 and 64"));
        }
        if !(self.tau_ms > 0.0 && self.tau_ms.is_finite() && self.window() < 1e9) {
            return Err(ParamError::new(
                "peak_ms",
                "peak_ms must be a positive duration below 10⁸ ms",
            ));
        }
        Ok(())
    }

    /// Time of the kernel's peak, ms.
    pub fn t_peak(&self) -> f64 {
        self.tau_ms * (self.exponent as f64).atan()
    }

    /// End of the kernel's support, ms.
    pub fn window(&self) -> f64 {
        std::f64::consts::PI * self.tau_ms
    }

    fn raw(&self, s: f64) -> f64 {
        let x = s / self.tau_ms;
        (-x).exp() * x.sin().powi(self.exponent as i32)
    }

    /// The normalised kernel `k(s)`.
    pub fn kernel(&self, s: f64) -> f64 {
        if s <= 0.0 || s >= self.window() {
            return 0.0;
        }
        self.raw(s) / self.raw(self.t_peak())
    }
}

pub struct TeacherKernel {
    pub params: TeacherKernelParams,
    /// Presynaptic arrivals (neuron, time) of the last window, in time order.
    recent: VecDeque<(u32, f64)>,
    pub enabled: bool,
}

impl TeacherKernel {
    pub fn new(params: TeacherKernelParams) -> Self {
        TeacherKernel {
            params,
            recent: VecDeque::new(),
            enabled: true,
        }
    }

    /// A presynaptic spike of neuron `pre` reaches its synapses at `t`.
    pub fn on_pre(&mut self, pre: u32, t: f64, w: &mut DenseWeights) {
        if !self.enabled {
            return;
        }
        let ltp = self.params.ltp;
        if ltp != 0.0 {
            w.update_row(pre as usize, |x| x + ltp);
        }
        self.recent.push_back((pre, t));
    }

    /// A teacher spike for postsynaptic neuron `post` arrives at `t`.
    pub fn on_teacher(&mut self, post: u32, t: f64, w: &mut DenseWeights) {
        self.on_teachers(&[post], t, w);
    }
}

impl Rule for TeacherKernel {
    fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    fn on_pre(&mut self, pre: u32, spike: f64, delay: f64, w: &mut DenseWeights) {
        TeacherKernel::on_pre(self, pre, spike + delay, w)
    }

    /// Teacher spikes for several postsynaptic neurons arriving at the same time `t` (one pass
    /// over the recent presynaptic arrivals, each weight row touched once).
    fn on_teachers(&mut self, posts: &[u32], t: f64, w: &mut DenseWeights) {
        if !self.enabled {
            return;
        }
        let window = self.params.window();
        while self.recent.front().is_some_and(|&(_, tp)| t - tp >= window) {
            self.recent.pop_front();
        }
        // Arrivals come in bursts at one time: evaluate the kernel once per distinct time.
        let mut last = (f64::NAN, 0.0);
        for &(pre, tp) in &self.recent {
            if tp != last.0 {
                last = (tp, self.params.kernel(t - tp));
            }
            if last.1 > 0.0 {
                let dw = -self.params.ltd * last.1;
                for &post in posts {
                    w.update(pre as usize, post as usize, |x| x + dw);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_peaks_at_one_and_has_compact_support() {
        let p = TeacherKernelParams {
            ltp: 1.0,
            ltd: 2.0,
            tau_ms: 50.0,
            exponent: 4,
        };
        assert_eq!(p.kernel(p.t_peak()), 1.0);
        assert!(p.kernel(p.t_peak() * 0.9) < 1.0 && p.kernel(p.t_peak() * 1.1) < 1.0);
        assert_eq!(p.kernel(0.0), 0.0);
        assert_eq!(p.kernel(p.window()), 0.0);
        assert_eq!(p.kernel(-1.0), 0.0);
    }

    #[test]
    fn a_write_changes_each_weight_by_exactly_plus_or_minus_ltp() {
        let p = TeacherKernelParams {
            ltp: 1.0,
            ltd: 2.0,
            tau_ms: 50.0,
            exponent: 4,
        };
        let mut w = DenseWeights::new(3, 2, vec![0.0; 6], 1.0);
        let mut rule = TeacherKernel::new(p);
        // Pre 0 and 2 arrive at 10 ms; the teacher of post 1 arrives at the kernel's peak.
        rule.on_pre(0, 10.0, &mut w);
        rule.on_pre(2, 10.0, &mut w);
        rule.on_teacher(1, 10.0 + p.t_peak(), &mut w);
        assert_eq!((w.get(0, 0), w.get(0, 1)), (1.0, -1.0));
        assert_eq!((w.get(1, 0), w.get(1, 1)), (0.0, 0.0));
        assert_eq!((w.get(2, 0), w.get(2, 1)), (1.0, -1.0));
        // A later teacher, past the window, changes nothing.
        rule.on_teacher(0, 10.0 + p.window() + 1.0, &mut w);
        assert_eq!(w.get(0, 0), 1.0);
    }
}
