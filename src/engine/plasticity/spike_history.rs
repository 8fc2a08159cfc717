//! Postsynaptic spike histories for rules that pair presynaptic spikes with postsynaptic ones
//! (NEST's archiving node): each spike kept with the trace values it left, the queries NEST's
//! STDP synapses make — the spikes in `(t₁, t₂]`, the last one strictly before `t` — with times
//! within `EPS` counted as equal, and trimming of what no later query can read.

/// NEST's `stdp_eps`: spike times closer than this count as equal.
pub const EPS: f64 = 1e-6;

/// One neuron's spikes, each with the values `T` it left (traces), in time order.
#[derive(Clone, Debug)]
pub struct SpikeHistory<T> {
    pub spikes: Vec<(f64, T)>,
}

impl<T> Default for SpikeHistory<T> {
    fn default() -> Self {
        SpikeHistory { spikes: Vec::new() }
    }
}

impl<T: Copy> SpikeHistory<T> {
    pub fn push(&mut self, t: f64, values: T) {
        self.spikes.push((t, values));
    }

    /// The spikes with `t1 < t ≤ t2`, within `EPS` (NEST's `get_history`).
    pub fn between(&self, t1: f64, t2: f64) -> &[(f64, T)] {
        let (t1_lim, t2_lim) = (t1 + EPS, t2 + EPS);
        let hi = self.spikes.partition_point(|s| s.0 < t2_lim);
        let lo = self.spikes[..hi].partition_point(|s| s.0 < t1_lim);
        &self.spikes[lo..hi]
    }

    /// The last spike strictly before `t`, by more than `EPS` (NEST's `get_K_value`).
    pub fn last_before(&self, t: f64) -> Option<(f64, T)> {
        self.spikes.iter().rev().find(|s| t - s.0 > EPS).copied()
    }

    /// Drops the spikes before `t − EPS` but the last of them (later reads decay from it).
    pub fn forget_before(&mut self, t: f64) {
        let k = self.spikes.partition_point(|s| s.0 < t - EPS);
        if k > 1 {
            self.spikes.drain(..k - 1);
        }
    }
}

/// Trims histories now and then: no presynaptic spike after each neuron's last one (`t_last`)
/// can read a postsynaptic spike older than the oldest of them minus the delay. `since` counts
/// presynaptic spikes since the last trim.
pub fn trim<'a, T: Copy + 'a>(
    histories: impl IntoIterator<Item = &'a mut SpikeHistory<T>>,
    t_last: &[f64],
    delay: f64,
    since: &mut usize,
) {
    *since += 1;
    if *since < 4 * t_last.len().max(64) {
        return;
    }
    *since = 0;
    let oldest = t_last.iter().copied().fold(f64::INFINITY, f64::min);
    for h in histories {
        h.forget_before(oldest - delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_nest_with_its_tolerance() {
        let mut h = SpikeHistory::default();
        for t in [1.0, 2.0, 3.0, 4.0] {
            h.push(t, ());
        }
        let times = |s: &[(f64, ())]| s.iter().map(|x| x.0).collect::<Vec<_>>();
        assert_eq!(times(h.between(1.0, 3.0)), vec![2.0, 3.0]);
        assert_eq!(times(h.between(1.0 - 1e-7, 3.0 - 1e-7)), vec![2.0, 3.0]);
        assert_eq!(h.last_before(3.0).map(|s| s.0), Some(2.0));
        assert_eq!(h.last_before(3.0 + 2e-6).map(|s| s.0), Some(3.0));
        assert_eq!(h.last_before(1.0), None);
        h.forget_before(3.5);
        assert_eq!(times(&h.spikes), vec![3.0, 4.0]);
    }
}
