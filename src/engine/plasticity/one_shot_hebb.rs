//! One-shot Hebbian storage: when a teacher spike makes postsynaptic neuron j store a pattern at
//! `t`, every synapse (i, j) whose presynaptic spike arrived in `(t − window, t]` is set to
//! `value` (the presented pattern is written into j's input weights in one go).

use std::collections::VecDeque;

use crate::engine::synapse::DenseWeights;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneShotHebbParams {
    pub value: f64,
    pub window_ms: f64,
}

pub struct OneShotHebb {
    pub params: OneShotHebbParams,
    recent: VecDeque<(u32, f64)>,
}

impl OneShotHebb {
    pub fn new(params: OneShotHebbParams) -> Self {
        OneShotHebb {
            params,
            recent: VecDeque::new(),
        }
    }

    pub fn on_pre(&mut self, pre: u32, t: f64) {
        self.recent.push_back((pre, t));
    }

    pub fn on_teachers(&mut self, posts: &[u32], t: f64, w: &mut DenseWeights) {
        let window = self.params.window_ms;
        while self.recent.front().is_some_and(|&(_, tp)| t - tp >= window) {
            self.recent.pop_front();
        }
        for &(pre, tp) in &self.recent {
            if tp <= t {
                let row = w.row_mut(pre as usize);
                for &post in posts {
                    row[post as usize] = self.params.value as f32;
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
        rule.on_pre(0, 1.0);
        rule.on_pre(2, 10.0);
        rule.on_pre(3, 11.0);
        rule.on_teachers(&[1], 12.0, &mut w);
        assert_eq!(
            (0..4).map(|i| w.get(i, 1)).collect::<Vec<_>>(),
            vec![0.0, 0.0, 1.0, 1.0]
        );
        assert!((0..4).all(|i| w.get(i, 0) == 0.0));
    }
}
