//! `model = "softmax_attention"`: spike counts of a population with one neuron per key against
//! the attention weights `softmax(β Kᵀq)` (±1 keys; 0/1 keys are read as ±1). Each spike
//! belongs to key μ with probability `p_μ`, so a fraction estimated from n spikes has Poisson
//! error `√((1 − p)/(p n))` (SCIENCE.md §3); the error is measured at every prefix of the
//! window (`prefixes_ms` of the counts readout) against that bound. Also: how many keys the
//! weights mix, `1/Σp²`, from spikes (without bias: `Σ n_μ(n_μ − 1)/(n(n − 1))`) and from the
//! math.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::hopfield::{Queries, check_queries};
use super::{Comparison, Key, KeyKind, Keys, Outcome, Spec};
use crate::config::protocol::ReadoutKind;
use crate::experiment::simulate::RunResult;
use crate::math::attention::softmax;
use crate::math::hopfield::patterns_mixed;
use crate::output::plot::{self, Series, Style};

pub static COMPARISON: Comparison = Comparison {
    name: "softmax_attention",
    summary: "spike fractions vs softmax(β Kᵀq): error against the Poisson bound at every window, and 1/Σp²",
    keys: &[
        Key::new(
            "keys",
            KeyKind::Pattern,
            true,
            "the keys, one neuron of the counted population each",
        ),
        Key::new(
            "reads",
            KeyKind::Phase,
            true,
            "the phase presenting the queries (the keys or noisy copies)",
        ),
        Key::new("beta", KeyKind::Number, true, "β of softmax(β Kᵀq)"),
        Key::new(
            "counts",
            KeyKind::Readout(ReadoutKind::Counts),
            true,
            "spike counts, one neuron per key (prefixes_ms: the window sweep)",
        ),
    ],
    check,
};

struct AttentionSpec {
    keys: usize,
    reads: usize,
    beta: f64,
    counts: usize,
}

fn check(k: &mut Keys) -> Option<Box<dyn Spec>> {
    let (keys, reads, beta) = (k.pattern("keys"), k.phase("reads"), k.number("beta"));
    let (keys, reads, beta) = (keys?, reads?, beta?);
    if !check_queries(k, keys, reads) {
        return None;
    }
    let counts = k.readout("counts", &[reads])?;
    let c = k.circuit;
    let n = c.protocol.patterns[keys].len();
    let size = c.network.populations[c.protocol.readouts[counts].population].size;
    if size != n {
        k.error(
            "readouts",
            format!("`counts` reads {size} neurons; there are {n} keys"),
            "one neuron per key",
        );
        return None;
    }
    Some(Box::new(AttentionSpec {
        keys,
        reads,
        beta,
        counts,
    }))
}

/// Error of the top key's spike fraction at one window.
#[derive(Clone, Debug)]
pub struct WindowError {
    pub window_ms: f64,
    pub mean_spikes: f64,
    /// RMS over queries of |f − p|/p for the key with the largest p.
    pub rms_relative_error: f64,
    /// RMS over queries of √((1 − p)/(p n)).
    pub rms_bound: f64,
}

pub struct AttentionOutcome {
    pub windows: Vec<WindowError>,
    pub error_over_bound_max: f64,
    /// (softmax weight, spike fraction) over the full window, every query and key.
    pub fractions: Vec<(f64, f64)>,
    /// Per query with enough spikes (some neuron fired twice): (circuit 1/Σp² from the
    /// unbiased estimate of Σp², math 1/Σp²).
    pub mixed: Vec<(f64, f64)>,
}

impl Spec for AttentionSpec {
    fn compare(&self, run: &RunResult) -> Result<Box<dyn Outcome>, String> {
        let c = &run.circuit;
        let q = Queries::new(c, self.keys, self.reads);
        let ro = &c.protocol.readouts[self.counts];
        let counts = run
            .readout(&ro.name)
            .and_then(|r| r.in_phase(self.reads))
            .ok_or("counts readout missing")?;
        // Windows: the prefixes, then the whole window.
        let mut windows: Vec<f64> = ro.prefixes.clone();
        windows.push(ro.to - ro.from);
        let mut acc = vec![(0.0, 0.0, 0.0, 0usize); windows.len()];
        let mut fractions = Vec::new();
        let mut mixed = Vec::new();
        for (i, xi) in q.xi.iter().enumerate() {
            let p = softmax(&q.overlaps(xi), self.beta);
            let top = p
                .iter()
                .enumerate()
                .fold((0, 0.0), |b, (k, v)| if *v > b.1 { (k, *v) } else { b });
            let v = &counts[i][0];
            for (w, cnt) in v.prefixes.iter().chain(std::iter::once(&v.vector)).enumerate() {
                let n: f64 = cnt.iter().sum();
                if n == 0.0 {
                    continue;
                }
                let rel = (cnt[top.0] / n - top.1) / top.1;
                let e = &mut acc[w];
                e.0 += n;
                e.1 += rel * rel;
                e.2 += (1.0 - top.1) / (top.1 * n);
                e.3 += 1;
            }
            let n: f64 = v.vector.iter().sum();
            if n > 1.0 {
                for (pk, ck) in p.iter().zip(&v.vector) {
                    fractions.push((*pk, ck / n));
                }
                // Undefined when no neuron fired twice (a handful of spikes): left out.
                let sum_sq: f64 = v.vector.iter().map(|c| c * (c - 1.0)).sum::<f64>() / (n * (n - 1.0));
                if sum_sq > 0.0 {
                    mixed.push((1.0 / sum_sq, patterns_mixed(&p)));
                }
            }
        }
        let windows: Vec<WindowError> = acc
            .iter()
            .zip(&windows)
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
        Ok(Box::new(AttentionOutcome {
            error_over_bound_max: windows
                .iter()
                .filter(|w| w.rms_bound > 0.0)
                .map(|w| w.rms_relative_error / w.rms_bound)
                .fold(0.0, f64::max),
            windows,
            fractions,
            mixed,
        }))
    }
}

impl AttentionOutcome {
    fn mixed_means(&self) -> (f64, f64) {
        let k = self.mixed.len().max(1) as f64;
        (
            self.mixed.iter().map(|m| m.0).sum::<f64>() / k,
            self.mixed.iter().map(|m| m.1).sum::<f64>() / k,
        )
    }
}

impl Outcome for AttentionOutcome {
    fn metrics(&self) -> Value {
        let (c, m) = self.mixed_means();
        json!({
            "error_over_bound_max": self.error_over_bound_max,
            "patterns_mixed_circuit": c,
            "patterns_mixed_math": m,
            "patterns_mixed_queries": self.mixed.len(),
            "windows": self.windows.iter().map(|w| json!({
                "window_ms": w.window_ms, "mean_spikes": w.mean_spikes,
                "rms_relative_error": w.rms_relative_error, "rms_poisson_bound": w.rms_bound,
            })).collect::<Vec<_>>(),
        })
    }

    fn scalars(&self) -> Vec<(String, f64)> {
        let (c, m) = self.mixed_means();
        vec![
            ("error_over_bound_max".into(), self.error_over_bound_max),
            ("patterns_mixed_circuit".into(), c),
            ("patterns_mixed_math".into(), m),
        ]
    }

    fn headline(&self) -> String {
        let (c, m) = self.mixed_means();
        format!(
            "vs softmax attention: fraction error / Poisson bound at most {:.2} over {} windows; patterns mixed circuit {:.2} vs math {:.2}",
            self.error_over_bound_max,
            self.windows.len(),
            c,
            m
        )
    }

    fn report(&self) -> String {
        let (c, m) = self.mixed_means();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "## Spike fractions vs softmax attention\n\nThe fraction of spikes of the key with the largest weight against softmax(β Kᵀq), as the window grows; the bound is the Poisson error √((1−p)/(pn)). Patterns mixed (1/Σp²), mean over the {} queries in which some neuron fired twice: circuit {c:.2}, math {m:.2}.\n",
            self.mixed.len()
        );
        let _ = writeln!(
            s,
            "| window (ms) | mean spikes | RMS relative error | Poisson bound | ratio |\n|---|---|---|---|---|"
        );
        for w in &self.windows {
            let _ = writeln!(
                s,
                "| {} | {:.1} | {:.4} | {:.4} | {:.2} |",
                w.window_ms,
                w.mean_spikes,
                w.rms_relative_error,
                w.rms_bound,
                w.rms_relative_error / w.rms_bound.max(1e-300)
            );
        }
        let _ = writeln!(
            s,
            "\n![error vs window](softmax_error_vs_window.png)\n\n![fractions](fractions_vs_softmax.png)\n"
        );
        s
    }

    fn figures(&self, dir: &Path, _run: &RunResult) -> Result<(), String> {
        let pts = |f: &dyn Fn(&WindowError) -> f64| {
            self.windows
                .iter()
                .filter(|w| w.mean_spikes > 0.0)
                .map(|w| (w.mean_spikes, f(w)))
                .collect::<Vec<_>>()
        };
        plot::chart(
            &dir.join("softmax_error_vs_window.png"),
            "Spike fractions vs softmax: error of the top key as the window grows",
            "mean spikes in the window",
            "RMS relative error",
            &[
                Series {
                    name: "circuit".into(),
                    points: pts(&|w| w.rms_relative_error),
                    style: Style::Dots,
                },
                Series {
                    name: "Poisson bound √((1−p)/(p n))".into(),
                    points: pts(&|w| w.rms_bound),
                    style: Style::Line,
                },
                Series {
                    name: "3 × bound".into(),
                    points: pts(&|w| 3.0 * w.rms_bound),
                    style: Style::Dashed,
                },
            ],
            true,
        )?;
        plot::chart(
            &dir.join("fractions_vs_softmax.png"),
            "Spike fraction of each key vs its softmax weight",
            "softmax(β Kᵀq) weight",
            "fraction of spikes",
            &[
                Series {
                    name: "query–key pairs".into(),
                    points: self.fractions.clone(),
                    style: Style::Dots,
                },
                Series {
                    name: "identity".into(),
                    points: vec![(0.0, 0.0), (1.0, 1.0)],
                    style: Style::Dashed,
                },
            ],
            false,
        )
    }
}
