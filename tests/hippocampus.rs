//! The hippocampal circuit against the modern Hopfield math at a fixed seed.

use engram::circuits::generic;
use engram::circuits::hippocampus::{self as hc, Variant, spec};
use engram::compare::hippocampus::{Metrics, compare};

const TEXT: &str = r#"
circuit = "hippocampus_hopfield"
name = "test_hippocampus"
seed = 5
[hopfield]
dim = 64
patterns = 20
beta = 0.1
[memory]
rho0_hz = 500.0
offset = 0.8
[inhibition]
enabled = true
weight = 0.05
psp_ms = 20.0
[protocol]
query_flip = [0.1, 0.2]
queries_per_level = 10
window_ms = 2000.0
window_sweep_ms = [10.0, 30.0, 100.0, 300.0, 1000.0]
"#;

fn measure(pool: bool) -> Metrics {
    measure_with(pool, 1)
}

fn measure_with(pool: bool, iterations: usize) -> Metrics {
    let s = spec::parse("test.toml", TEXT).unwrap();
    let v = Variant {
        count: s.hopfield.patterns,
        beta: s.hopfield.beta,
        pool,
        flips: s.protocol.query_flip.clone(),
        per_level: s.protocol.queries_per_level,
        window_ms: s.protocol.window_ms,
        iterations,
    };
    let h = hc::build(&s, &v, "t");
    let run = generic::run_with(
        h.circuit.clone(),
        &mut |_| {},
        &hc::feedback_times(&h),
        &mut |sim, t| hc::feed_back(&h, sim, t),
    )
    .unwrap();
    let mut windows = s.protocol.window_sweep_ms.clone();
    windows.push(s.protocol.window_ms);
    let readouts = hc::read(&h, &run, &windows);
    compare(&h, &readouts, &windows, s.memory.rho0_hz, s.memory.offset)
}

#[test]
fn spike_fractions_approach_the_softmax_at_the_poisson_rate() {
    let m = measure(true);
    // Within 3× the Poisson bound at every window of the sweep…
    assert!(m.softmax_error_over_bound_max < 3.0, "{:?}", m.windows);
    // …and the error falls like 1/√spikes: 100× more spikes (10 → 2000 ms), ~10× less error.
    let (first, last) = (&m.windows[0], m.windows.last().unwrap());
    assert!(last.mean_spikes > 50.0 * first.mean_spikes);
    let expected_drop = (last.mean_spikes / first.mean_spikes).sqrt();
    let drop = first.rms_relative_error / last.rms_relative_error;
    assert!(
        drop > expected_drop / 3.0 && drop < expected_drop * 3.0,
        "drop {drop}, 1/√n predicts {expected_drop}"
    );
    assert!(m.readout_cosine_mean > 0.99, "{}", m.readout_cosine_mean);
}

#[test]
fn the_pool_normalises_the_rate_and_fractions_stay_a_softmax_without_it() {
    let with = measure(true);
    let without = measure(false);
    // Without the pool the total rate is ρ₀ Σ exp(β u): observed ÷ predicted = 1 within Poisson
    // noise (each query's count has ≥ ~1000 spikes: 5 sd ≈ 16 %).
    for (z, rate, _) in &without.rates {
        assert!((rate / z - 1.0).abs() < 0.16, "rate {rate} vs ρ₀Σexp {z}");
    }
    // With it, the total rate R solves R = Z·e^{−wτR} (each pool spike adds w to I for τ ms),
    // so d ln R / d ln Z = 1/(1 + wτR): the spread of the rate across queries shrinks by that
    // factor relative to the spread of the drive Z.
    let cv = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt() / m
    };
    let drive = cv(with.rates.iter().map(|r| r.0).collect());
    let held = cv(with.rates.iter().map(|r| r.1).collect());
    let mean_rate_per_ms = with.rates.iter().map(|r| r.1).sum::<f64>() / with.rates.len() as f64 / 1000.0;
    let predicted = 1.0 / (1.0 + 0.05 * 20.0 * mean_rate_per_ms);
    assert!(held < drive, "CV with pool {held} vs drive {drive}");
    assert!(
        (held / drive - predicted).abs() < 0.15,
        "CV ratio {} vs 1/(1 + wτR) = {predicted}",
        held / drive
    );
    // Fractions are a softmax either way.
    assert!(without.softmax_error_over_bound_max < 3.0);
}

#[test]
fn feeding_the_readout_back_iterates_retrieval_like_the_math() {
    let m = measure_with(true, 3);
    for l in &m.levels {
        // Each level has 10 queries; the circuit's sign readout may differ from the math only
        // where Poisson noise flips a near-zero component: allow one query in ten.
        assert!((l.circuit_iterated - l.modern_iterated).abs() <= 0.1, "{l:?}");
        assert!(l.modern_iterated >= l.modern, "{l:?}");
    }
}
