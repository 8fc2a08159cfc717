//! One-shot Hebbian storage: when a teacher spike makes postsynaptic neuron j store a pattern at
//! `t`, every synapse (i, j) whose presynaptic spike arrived in `(t − window, t]` is set to
//! `value` (the presented pattern is written into j's input weights in one go).

use std::collections::VecDeque;

use super::{PlasticityRule, Rule};
use crate::engine::params::{Param, ParamDefault, ParamError};
use crate::engine::synapse::DenseWeights;

pub static RULE: PlasticityRule = PlasticityRule {
    name: "one_shot_hebb",
    summary: "a teacher spike for post j sets w_ij = value for every pre i whose spike arrived in the last window_ms",
    params: &[
        Param::number("value", ParamDefault::Number(1.0), "mV", "weight written"),
        Param::number(
            "window_ms",
            ParamDefault::Number(1.0),
            "ms",
            "how recent a presynaptic arrival must be",
        ),
    ],
    uses_teacher: true,
    uses_post: false,
    double_weights: false,
    check: |p| {
        let params = OneShotHebbParams {
            value: p.number("value"),
            window_ms: p.number("window_ms"),
        };
        if !params.value.is_finite() {
            return Err(ParamError::new("value", "value must be finite"));
        }
        if !(params.window_ms > 0.0 && params.window_ms < 1e9) {
            return Err(ParamError::new("window_ms", "window_ms must be in (0, 10⁹) ms"));
        }
        Ok(())
    },
    build: |p| {
        Box::new(OneShotHebb::new(OneShotHebbParams {
            value: p.number("value"),
            window_ms: p.number("window_ms"),
        }))
    },
};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneShotHebbParams {
    pub value: f64,
    pub window_ms: f64,
}

pub struct OneShotHebb {
    pub params: OneShotHebbParams,
    recent: VecDeque<(u32, f64)>,
    enabled: bool,
}

impl OneShotHebb {
    pub fn new(params: OneShotHebbParams) -> Self {
        OneShotHebb {
            params,
            recent: VecDeque::new(),
            enabled: true,
        }
    }
}

impl Rule for OneShotHebb {
    fn set_enabled(&mut self, on: bool) {
        self.enabled = on;
    }

    fn on_pre(&mut self, pre: u32, spike: f64, delay: f64, _w: &mut DenseWeights) {
        if self.enabled {
            self.recent.push_back((pre, spike + delay));
        }
    }

    fn on_teachers(&mut self, posts: &[u32], t: f64, w: &mut DenseWeights) {
        if !self.enabled {
            return;
        }
        let window = self.params.window_ms;
        while self.recent.front().is_some_and(|&(_, tp)| t - tp >= window) {
            self.recent.pop_front();
        }
        for &(pre, tp) in &self.recent {
            if tp <= t {
                for &post in posts {
                    w.update(pre as usize, post as usize, |_| self.params.value);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_recent_presynaptic_pattern_into_the_taught_neuron() {
        let mut w = DenseWeights::new(4, 2, vec![0.0; 8], 1.0);
        let mut rule = OneShotHebb::new(OneShotHebbParams {
            value: 1.0,
            window_ms: 5.0,
        });
        rule.on_pre(0, 0.0, 1.0, &mut w);
        rule.on_pre(2, 9.0, 1.0, &mut w);
        rule.on_pre(3, 10.0, 1.0, &mut w);
        rule.on_teachers(&[1], 12.0, &mut w);
        assert_eq!(
            (0..4).map(|i| w.get(i, 1)).collect::<Vec<_>>(),
            vec![0.0, 0.0, 1.0, 1.0]
        );
        assert!((0..4).all(|i| w.get(i, 0) == 0.0));
    }
}
