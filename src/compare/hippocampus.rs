//! Where the hippocampal circuit's spikes meet the modern (and classical) Hopfield math.

use nalgebra::{DMatrix, DVector};
use serde_json::{Value, json};

use crate::circuits::hippocampus::{Hippocampus, QueryReadout};
use crate::math::attention::softmax;
use crate::math::hopfield::{ClassicalHopfield, patterns_mixed};

/// `softmax(β Xᵀξ)` for a query.
pub fn weights(h: &Hippocampus, xi: &[f64]) -> Vec<f64> {
    let s: Vec<f64> = h
        .patterns
        .iter()
        .map(|x| x.iter().zip(xi).map(|(a, b)| a * b).sum())
        .collect();
    softmax(&s, h.beta)
}

fn mix(h: &Hippocampus, p: &[f64]) -> Vec<f64> {
    (0..h.dim)
        .map(|j| h.patterns.iter().zip(p).map(|(x, w)| x[j] * w).sum())
        .collect()
}

fn sign_equal(v: &[f64], x: &[f64]) -> bool {
    v.iter()
        .zip(x)
        .all(|(a, b)| (if *a >= 0.0 { 1.0 } else { -1.0 }) == *b)
}

/// Error of the top pattern's spike fraction at one readout window.
#[derive(Clone, Debug)]
pub struct WindowError {
    pub window_ms: f64,
    pub mean_spikes: f64,
    /// RMS over queries of |f − p|/p for the pattern with the largest p.
    pub rms_relative_error: f64,
    /// RMS over queries of the Poisson bound √((1 − p)/(p n)).
    pub rms_bound: f64,
}

#[derive(Clone, Debug)]
pub struct LevelAccuracy {
    pub flip: f64,
    pub queries: usize,
    pub circuit: f64,
    pub modern: f64,
    pub classical: f64,
    /// After all presentations of each query (the readout's sign fed back).
    pub circuit_iterated: f64,
    pub modern_iterated: f64,
}

pub struct Metrics {
    pub windows: Vec<WindowError>,
    pub softmax_error_over_bound_max: f64,
    pub readout_cosine_mean: f64,
    pub readout_max_abs_error: f64,
    pub retrieval_accuracy_circuit: f64,
    pub retrieval_accuracy_math: f64,
    pub levels: Vec<LevelAccuracy>,
    /// Per query: (Σ exp term as a rate in Hz, observed total memory rate in Hz, readout norm / window).
    pub rates: Vec<(f64, f64, f64)>,
    /// Per query (full window): (circuit 1/Σp² estimated without bias from spike counts, math 1/Σp²).
    pub mixed: Vec<(f64, f64)>,
    /// (circuit readout component ÷ spikes, math component) pairs.
    pub readout_pairs: Vec<(f64, f64)>,
}

/// Compares one run; `windows` are the prefixes `readouts` were counted over (the last is the
/// full readout window); `rho0_hz` and `offset` give the no-inhibition rate prediction.
pub fn compare(
    h: &Hippocampus,
    readouts: &[QueryReadout],
    windows: &[f64],
    rho0_hz: f64,
    offset: f64,
) -> Metrics {
    let full = windows.len() - 1;
    let x = DMatrix::from_fn(h.dim, h.patterns.len(), |i, mu| h.patterns[mu][i]);
    let classical = ClassicalHopfield::store(&x);
    let mut win: Vec<(f64, f64, f64, usize)> = vec![(0.0, 0.0, 0.0, 0); windows.len()];
    let (mut cos_sum, mut max_err) = (0.0, 0.0f64);
    let (mut ok_c, mut ok_m) = (0usize, 0usize);
    // Per level: flip, then counts of queries, circuit, modern, classical, circuit iterated,
    // modern iterated successes.
    let mut by_level: std::collections::BTreeMap<usize, (f64, [usize; 6])> = Default::default();
    let mut rates = Vec::new();
    let mut mixed = Vec::new();
    let mut readout_pairs = Vec::new();
    for (q, r) in h.queries.iter().zip(readouts) {
        let p = weights(h, &q.xi);
        let top = p
            .iter()
            .enumerate()
            .fold((0, 0.0), |b, (i, v)| if *v > b.1 { (i, *v) } else { b });
        for (w, counts) in r.counts.iter().enumerate() {
            let n: u64 = counts.iter().sum();
            if n == 0 {
                continue;
            }
            let f = counts[top.0] as f64 / n as f64;
            let rel = (f - top.1) / top.1;
            let bound2 = (1.0 - top.1) / (top.1 * n as f64);
            let e = &mut win[w];
            e.0 += n as f64;
            e.1 += rel * rel;
            e.2 += bound2;
            e.3 += 1;
        }
        let counts = &r.counts[full];
        let n: u64 = counts.iter().sum();
        let math = mix(h, &p);
        let target = &h.patterns[q.target];
        if n > 0 {
            let readout: Vec<f64> = r.outputs[0].iter().map(|v| v / n as f64).collect();
            let dot: f64 = readout.iter().zip(&math).map(|(a, b)| a * b).sum();
            let na = readout.iter().map(|a| a * a).sum::<f64>().sqrt();
            let nb = math.iter().map(|b| b * b).sum::<f64>().sqrt();
            cos_sum += if na > 0.0 && nb > 0.0 {
                dot / (na * nb)
            } else {
                0.0
            };
            for (a, b) in readout.iter().zip(&math) {
                max_err = max_err.max((a - b).abs());
                readout_pairs.push((*a, *b));
            }
            // Σp² estimated without bias from counts: Σ n_μ(n_μ − 1) / (n(n − 1)).
            let nf = n as f64;
            let sum_sq: f64 = counts
                .iter()
                .map(|c| (*c as f64) * (*c as f64 - 1.0))
                .sum::<f64>()
                / (nf * (nf - 1.0));
            mixed.push((
                if sum_sq > 0.0 { 1.0 / sum_sq } else { f64::INFINITY },
                patterns_mixed(&p),
            ));
        }
        let circuit_ok = sign_equal(&r.outputs[0], target);
        let circuit_iterated_ok = r.outputs.last().is_some_and(|o| sign_equal(o, target));
        let mut xi = q.xi.clone();
        for _ in 0..h.iterations {
            xi = mix(h, &weights(h, &xi))
                .iter()
                .map(|v| if *v >= 0.0 { 1.0 } else { -1.0 })
                .collect();
        }
        let math_iterated_ok = xi == *target;
        let math_ok = sign_equal(&math, target);
        let start = DVector::from_vec(q.xi.clone());
        let mut rng =
            crate::engine::rng::stream(0, crate::engine::rng::Domain::Protocol, 17, q.time.to_bits());
        let (s, _) = classical.run_async(&mut rng, &start, 100);
        let classical_ok = s.iter().zip(target).all(|(a, b)| a == b);
        ok_c += usize::from(circuit_ok);
        ok_m += usize::from(math_ok);
        let e = by_level.entry(q.level).or_insert((q.flip, [0; 6]));
        for (slot, ok) in e.1.iter_mut().zip([
            true,
            circuit_ok,
            math_ok,
            classical_ok,
            circuit_iterated_ok,
            math_iterated_ok,
        ]) {
            *slot += usize::from(ok);
        }
        let agreements: Vec<f64> = h
            .patterns
            .iter()
            .map(|x| x.iter().zip(&q.xi).filter(|(a, b)| a == b).count() as f64)
            .collect();
        let z: f64 = agreements
            .iter()
            .map(|a| (2.0 * h.beta * (a - offset * h.dim as f64)).exp())
            .sum();
        let norm = r.outputs[0].iter().map(|v| v * v).sum::<f64>().sqrt();
        rates.push((
            rho0_hz * z,
            n as f64 * 1000.0 / h.window_ms,
            norm * 1000.0 / h.window_ms,
        ));
    }
    let windows: Vec<WindowError> = win
        .iter()
        .zip(windows)
        .map(|(e, &w)| {
            let k = e.3.max(1) as f64;
            WindowError {
                window_ms: w,
                mean_spikes: e.0 / k,
                rms_relative_error: (e.1 / k).sqrt(),
                rms_bound: (e.2 / k).sqrt(),
            }
        })
        .collect();
    let k = h.queries.len().max(1) as f64;
    Metrics {
        softmax_error_over_bound_max: windows
            .iter()
            .filter(|w| w.rms_bound > 0.0)
            .map(|w| w.rms_relative_error / w.rms_bound)
            .fold(0.0, f64::max),
        windows,
        readout_cosine_mean: cos_sum / k,
        readout_max_abs_error: max_err,
        retrieval_accuracy_circuit: ok_c as f64 / k,
        retrieval_accuracy_math: ok_m as f64 / k,
        levels: by_level
            .into_values()
            .map(|(flip, [n, c, m, cl, ci, mi])| {
                let f = |k: usize| k as f64 / n as f64;
                LevelAccuracy {
                    flip,
                    queries: n,
                    circuit: f(c),
                    modern: f(m),
                    classical: f(cl),
                    circuit_iterated: f(ci),
                    modern_iterated: f(mi),
                }
            })
            .collect(),
        rates,
        mixed,
        readout_pairs,
    }
}

impl Metrics {
    pub fn to_json(&self) -> Value {
        json!({
            "softmax_error_over_bound_max": self.softmax_error_over_bound_max,
            "readout_cosine_mean": self.readout_cosine_mean,
            "readout_max_abs_error": self.readout_max_abs_error,
            "retrieval_accuracy_circuit": self.retrieval_accuracy_circuit,
            "retrieval_accuracy_math": self.retrieval_accuracy_math,
            "windows": self.windows.iter().map(|w| json!({
                "window_ms": w.window_ms, "mean_spikes": w.mean_spikes,
                "rms_relative_error": w.rms_relative_error, "rms_poisson_bound": w.rms_bound,
            })).collect::<Vec<_>>(),
            "accuracy_by_flip": self.levels.iter().map(|l| json!({
                "flip": l.flip, "queries": l.queries, "circuit": l.circuit, "modern": l.modern, "classical": l.classical,
                "circuit_iterated": l.circuit_iterated, "modern_iterated": l.modern_iterated,
            })).collect::<Vec<_>>(),
        })
    }
}
