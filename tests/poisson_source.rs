//! The Poisson source against the statistics of a Poisson process, at fixed seeds.

use engram::engine::network::{Model, Network, NetworkDesc, PopulationDesc};
use engram::engine::neuron::poisson_source::PoissonParams;
use engram::engine::simulation::Simulation;

fn trains(seed: u64, n: usize, rate_hz: f64, t_ms: f64) -> Vec<Vec<f64>> {
    let p = PoissonParams {
        rate_hz,
        start_ms: 0.0,
        stop_ms: t_ms,
    };
    let desc = NetworkDesc {
        seed,
        populations: vec![PopulationDesc {
            name: "p".into(),
            size: n,
            model: Model::Poisson(p),
            v_init: None,
        }],
        projections: vec![],
    };
    let mut sim = Simulation::new(Network::build(&desc).unwrap(), 10.0);
    sim.run_until(t_ms, &mut |_| {});
    let mut out = vec![Vec::new(); n];
    for s in &sim.recorded.all() {
        out[s.neuron as usize].push(s.time);
    }
    out
}

#[test]
fn spike_count_is_poisson() {
    // 100 neurons × 10 s at 20 Hz: total count ~ Poisson(20000), sd 141. Bound: 4.5 sd
    // (two-sided p ≈ 7e-6).
    let t = trains(7, 100, 20.0, 10_000.0);
    let total: usize = t.iter().map(Vec::len).sum();
    let mean = 20_000.0;
    assert!((total as f64 - mean).abs() < 4.5 * mean.sqrt(), "{total} spikes");
    // Per-neuron counts: the index of dispersion Σ(c−λ)²/λ is χ² with 100 degrees of freedom;
    // its 0.9999 quantile is about 155 and its 0.0001 quantile about 57.
    let lambda = 200.0;
    let chi2: f64 = t.iter().map(|c| (c.len() as f64 - lambda).powi(2) / lambda).sum();
    assert!((57.0..155.0).contains(&chi2), "dispersion χ² = {chi2}");
}

#[test]
fn intervals_are_exponential() {
    let t = trains(11, 50, 50.0, 20_000.0);
    let mut isi: Vec<f64> = t.iter().flat_map(|s| s.windows(2).map(|w| w[1] - w[0])).collect();
    isi.sort_by(f64::total_cmp);
    let n = isi.len() as f64;
    assert!(n > 40_000.0);
    // Kolmogorov–Smirnov against Exp(rate = 0.05 / ms); critical value at α = 0.001 is
    // 1.95/√n.
    let d = isi
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let f = 1.0 - (-0.05 * x).exp();
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max);
    assert!(
        d < 1.95 / n.sqrt(),
        "KS distance {d}, critical {}",
        1.95 / n.sqrt()
    );
    // Start and stop are respected.
    assert!(t.iter().flatten().all(|&s| (0.0..20_000.0).contains(&s)));
}

#[test]
fn different_seeds_give_different_trains_and_equal_seeds_equal_ones() {
    assert_eq!(trains(3, 5, 10.0, 1000.0), trains(3, 5, 10.0, 1000.0));
    assert_ne!(trains(3, 5, 10.0, 1000.0), trains(4, 5, 10.0, 1000.0));
}
