//! Weight changes of plasticity rules in closed form, as sums over spike pairs (and triplets)
//! of given spike trains — no traces, no time steps (SCIENCE.md §5). These are the "analytic
//! windows" the rules' spike-level runs are compared with.
//!
//! Conventions are NEST's (the rules follow them): the connection delay `d` is dendritic, so a
//! postsynaptic spike at `q` meets the synapse at `q + d`; a presynaptic spike at `p` is paired
//! with postsynaptic spikes strictly before `p − d` (depression) and, when a later presynaptic
//! spike collects them, with those at or after it (potentiation); times within `EPS` are equal.
//! Valid while the weight stays inside its bounds (additive rules are then linear).

/// NEST's `stdp_eps`.
pub const EPS: f64 = 1e-6;

/// Parameters of additive pair STDP (NEST `stdp_synapse` with μ₊ = μ₋ = 0).
#[derive(Clone, Copy, Debug)]
pub struct PairAdditive {
    pub tau_plus: f64,
    pub tau_minus: f64,
    pub lambda: f64,
    pub alpha: f64,
    pub wmax: f64,
}

/// Parameters of triplet STDP.
#[derive(Clone, Copy, Debug)]
pub struct Triplet {
    pub tau_plus: f64,
    pub tau_x: f64,
    pub tau_minus: f64,
    pub tau_y: f64,
    pub a2_plus: f64,
    pub a3_plus: f64,
    pub a2_minus: f64,
    pub a3_minus: f64,
    pub nearest: bool,
}

/// The postsynaptic spikes each presynaptic spike collects for potentiation: those with
/// `p_prev − d < q ≤ p − d` (the first presynaptic spike's `p_prev` is 0).
fn collected<'a>(pre: &'a [f64], post: &'a [f64], d: f64) -> impl Iterator<Item = (usize, f64)> + 'a {
    pre.iter().enumerate().flat_map(move |(k, &p)| {
        let prev = if k == 0 { 0.0 } else { pre[k - 1] };
        post.iter()
            .copied()
            .filter(move |&q| q >= prev - d + EPS && q < p - d + EPS)
            .map(move |q| (k, q))
    })
}

/// Presynaptic spikes strictly before `q + d` that a potentiation at `q` pairs with: all up to
/// (and including) presynaptic spike `k − 1`.
fn earlier_pre(pre: &[f64], k: usize) -> &[f64] {
    &pre[..k]
}

/// Postsynaptic spikes strictly before `t` (by more than `EPS`).
fn post_before(post: &[f64], t: f64) -> impl Iterator<Item = f64> + '_ {
    post.iter().copied().filter(move |&q| t - q > EPS)
}

/// Δw of additive pair STDP for the given spike trains (ms), delay `d`.
pub fn pair_additive_dw(p: &PairAdditive, pre: &[f64], post: &[f64], d: f64) -> f64 {
    let mut plus = 0.0;
    for (k, q) in collected(pre, post, d) {
        for &pm in earlier_pre(pre, k) {
            plus += (-(q + d - pm) / p.tau_plus).exp();
        }
    }
    let mut minus = 0.0;
    for &pk in pre {
        for q in post_before(post, pk - d) {
            minus += (-(pk - d - q) / p.tau_minus).exp();
        }
    }
    p.wmax * p.lambda * (plus - p.alpha * minus)
}

/// Δw of triplet STDP (all-to-all or nearest-spike) for the given spike trains, delay `d`.
pub fn triplet_dw(p: &Triplet, pre: &[f64], post: &[f64], d: f64) -> f64 {
    let mut dw = 0.0;
    // Potentiation at each collected postsynaptic spike q: r₁ of the presynaptic spikes before
    // it, times (A₂₊ + A₃₊ o₂ of the postsynaptic spikes before q).
    for (k, q) in collected(pre, post, d) {
        let earlier = earlier_pre(pre, k);
        let r1: f64 = if p.nearest {
            earlier
                .last()
                .map_or(0.0, |&pm| (-(q + d - pm) / p.tau_plus).exp())
        } else {
            earlier.iter().map(|&pm| (-(q + d - pm) / p.tau_plus).exp()).sum()
        };
        let before: Vec<f64> = post.iter().copied().filter(|&x| x < q).collect();
        let o2: f64 = if p.nearest {
            before.last().map_or(0.0, |&x| (-(q - x) / p.tau_y).exp())
        } else {
            before.iter().map(|&x| (-(q - x) / p.tau_y).exp()).sum()
        };
        dw += r1 * (p.a2_plus + p.a3_plus * o2);
    }
    // Depression at each presynaptic spike: o₁ of the postsynaptic spikes strictly before
    // p − d, times (A₂₋ + A₃₋ r₂ of the presynaptic spikes before p).
    for (k, &pk) in pre.iter().enumerate() {
        let posts: Vec<f64> = post_before(post, pk - d).collect();
        let o1: f64 = if p.nearest {
            posts.last().map_or(0.0, |&q| (-(pk - d - q) / p.tau_minus).exp())
        } else {
            posts.iter().map(|&q| (-(pk - d - q) / p.tau_minus).exp()).sum()
        };
        let r2: f64 = if p.nearest {
            pre[..k].last().map_or(0.0, |&pm| (-(pk - pm) / p.tau_x).exp())
        } else {
            pre[..k].iter().map(|&pm| (-(pk - pm) / p.tau_x).exp()).sum()
        };
        dw -= o1 * (p.a2_minus + p.a3_minus * r2);
    }
    dw
}

/// The climbing-fibre kernel `k(s) = e^{−s/τ} sin^m(s/τ)` normalised to 1 at its peak, on its
/// first lobe `0 < s < πτ`.
pub fn kernel(tau: f64, m: u32, s: f64) -> f64 {
    if s <= 0.0 || s >= std::f64::consts::PI * tau {
        return 0.0;
    }
    let raw = |x: f64| (-x / tau).exp() * (x / tau).sin().powi(m as i32);
    raw(s) / raw(tau * f64::from(m).atan())
}

/// Δw of the climbing-fibre kernel rule: `ltp` per presynaptic arrival, and `−ltd·k(t − a)`
/// for each teacher arrival `t` after each presynaptic arrival `a` (arrival times, ms).
pub fn kernel_dw(
    ltp: f64,
    ltd: f64,
    tau: f64,
    m: u32,
    pre_arrivals: &[f64],
    teacher_arrivals: &[f64],
) -> f64 {
    let mut dw = ltp * pre_arrivals.len() as f64;
    for &t in teacher_arrivals {
        for &a in pre_arrivals.iter().filter(|&&a| a < t) {
            dw -= ltd * kernel(tau, m, t - a);
        }
    }
    dw
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIR: PairAdditive = PairAdditive {
        tau_plus: 20.0,
        tau_minus: 20.0,
        lambda: 0.01,
        alpha: 1.0,
        wmax: 100.0,
    };

    #[test]
    fn one_isolated_pairing_is_the_exponential_window() {
        // Pre at 100, post meets the synapse at 100 + dt; a second pre 1 s later collects.
        for dt in [-30.0, -5.0, 5.0, 30.0] {
            let pre = [100.0, 1100.0];
            let post = [99.0 + dt];
            let got = pair_additive_dw(&PAIR, &pre, &post, 1.0);
            let window = if dt > 0.0 {
                (-dt / 20.0_f64).exp()
            } else {
                -(dt / 20.0_f64).exp()
            };
            // The second presynaptic spike also sees the postsynaptic one 1 s earlier (e^{−50}).
            let tail = -(-(1100.0 - 1.0 - (99.0 + dt)) / 20.0_f64).exp();
            assert!(
                (got - 100.0 * 0.01 * (window + tail)).abs() < 1e-15,
                "dt {dt}: {got}"
            );
        }
        assert_eq!(
            pair_additive_dw(&PAIR, &[100.0, 1100.0], &[99.0], 1.0),
            -100.0 * 0.01 * (-50.0f64).exp()
        );
    }

    #[test]
    fn the_kernel_peaks_at_tau_atan_m() {
        let (tau, m) = (75.0, 4);
        let peak = tau * 4f64.atan();
        assert!((kernel(tau, m, peak) - 1.0).abs() < 1e-15);
        assert!(kernel(tau, m, peak - 0.1) < 1.0 && kernel(tau, m, peak + 0.1) < 1.0);
        assert_eq!(kernel(tau, m, 0.0), 0.0);
        assert_eq!(kernel(tau, m, std::f64::consts::PI * tau), 0.0);
    }
}
