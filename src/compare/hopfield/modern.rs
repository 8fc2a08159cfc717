//! `model = "modern_hopfield"`: the circuit's readout against the modern Hopfield update
//! `X softmax(β Xᵀξ)` (Ramsauer et al. 2021; SCIENCE.md §3).
//!
//! The readout is the output cells' membrane change over the window, `Σ_μ n_μ x_μ`. Its scale
//! is set by how many memory spikes fall in the window. Two normalisations are reported side
//! by side: by the pool's set point (`set_point_hz`, a constant of the circuit: the readout is
//! divided by `R·T`, nothing measured) — the circuit's own normalisation — and by the measured
//! spike count of each query (the ideal divisive normalisation, computed here, not by the
//! circuit). Retrieval: `sign(readout)` against the stored pattern, for the first presentation
//! and, with feedback, the last; the math is iterated as often. The total memory rate is set
//! against the drive `Σ exp(β x_μᵀξ)`: without a pool it follows it, with one it is held down.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{Queries, by_level, check_queries, sign_equal};
use crate::compare::{Comparison, Curve, Key, KeyKind, Keys, Outcome, Spec};
use crate::config::protocol::ReadoutKind;
use crate::engine::network::Model;
use crate::experiment::simulate::RunResult;
use crate::math::attention::softmax;
use crate::output::plot::{self, Series, Style};

pub static COMPARISON: Comparison = Comparison {
    name: "modern_hopfield",
    summary: "the readout vs X softmax(β Xᵀξ): cosine, error under the pool's set point and under the spike count, retrieval (also iterated), rate vs drive",
    keys: &[
        Key::new("patterns", KeyKind::Pattern, true, "the stored patterns (±1)"),
        Key::new(
            "reads",
            KeyKind::Phase,
            true,
            "the phase presenting the queries (the patterns or noisy copies)",
        ),
        Key::new("beta", KeyKind::Number, true, "β of softmax(β Xᵀξ)"),
        Key::new(
            "set_point_hz",
            KeyKind::Number,
            false,
            "the pool's set point: total memory rate the readout is scaled by",
        ),
        Key::new(
            "output",
            KeyKind::Readout(ReadoutKind::MembraneChange),
            true,
            "the output cells' membrane change, one cell per component",
        ),
        Key::new(
            "counts",
            KeyKind::Readout(ReadoutKind::Counts),
            true,
            "memory-neuron spike counts, one neuron per pattern",
        ),
    ],
    check,
};

struct ModernSpec {
    patterns: usize,
    reads: usize,
    beta: f64,
    set_point_hz: Option<f64>,
    output: usize,
    counts: usize,
}

fn check(k: &mut Keys) -> Option<Box<dyn Spec>> {
    let (patterns, reads, beta) = (k.pattern("patterns"), k.phase("reads"), k.number("beta"));
    let set_point_hz = if k.table.contains_key("set_point_hz") {
        Some(k.number("set_point_hz")?)
    } else {
        None
    };
    let (patterns, reads, beta) = (patterns?, reads?, beta?);
    if !check_queries(k, patterns, reads) {
        return None;
    }
    if set_point_hz.is_some_and(|r| r <= 0.0) {
        k.error("set_point_hz", "the set point must be a positive rate", "");
        return None;
    }
    let output = k.readout("output", &[reads])?;
    let counts = k.readout("counts", &[reads])?;
    let c = k.circuit;
    let (dim, count) = (
        c.protocol.patterns[patterns].dim,
        c.protocol.patterns[patterns].len(),
    );
    let size = |ro: usize| c.network.populations[c.protocol.readouts[ro].population].size;
    if size(output) != dim || size(counts) != count {
        k.error(
            "readouts",
            format!("`output` must read {dim} cells (one per component) and `counts` {count} (one per pattern); they read {} and {}", size(output), size(counts)),
            "",
        );
        return None;
    }
    Some(Box::new(ModernSpec {
        patterns,
        reads,
        beta,
        set_point_hz,
        output,
        counts,
    }))
}

/// Retrieval at one noise level: (flip, queries, circuit, math, circuit iterated, math iterated).
pub type LevelRow = (f64, usize, f64, f64, f64, f64);

pub struct ModernOutcome {
    pub dim: usize,
    pub stored: usize,
    pub beta: f64,
    pub window_ms: f64,
    pub presentations: usize,
    pub readout_cosine_mean: f64,
    /// Readout ÷ measured spike count vs the math.
    pub readout_max_abs_error: f64,
    /// Readout ÷ (set point · window) vs the math.
    pub setpoint_max_abs_error: Option<f64>,
    /// Measured total rate ÷ set point: mean and coefficient of variation over queries.
    pub setpoint_scale_mean: Option<f64>,
    pub rate_cv: f64,
    pub drive_cv: f64,
    /// Observed total rate ÷ ρ₀Σexp(β_n(A_μ − u_offset)) of escape-noise memory neurons.
    pub rate_over_prediction: Vec<f64>,
    pub accuracy_circuit: f64,
    pub accuracy_math: f64,
    pub accuracy_circuit_iterated: f64,
    pub accuracy_math_iterated: f64,
    /// (flip, queries, circuit, math, circuit iterated, math iterated).
    pub levels: Vec<LevelRow>,
    /// (math component, readout ÷ count, readout ÷ set point).
    pub pairs: Vec<(f64, f64, Option<f64>)>,
    /// (drive Σexp(βXᵀξ), observed total rate Hz) per query.
    pub rates: Vec<(f64, f64)>,
}

impl Spec for ModernSpec {
    fn compare(&self, run: &RunResult) -> Result<Box<dyn Outcome>, String> {
        let c = &run.circuit;
        let q = Queries::new(c, self.patterns, self.reads);
        let phase = &c.protocol.phases[self.reads];
        let out_ro = &c.protocol.readouts[self.output];
        let cnt_ro = &c.protocol.readouts[self.counts];
        let out = run
            .readout(&out_ro.name)
            .and_then(|r| r.in_phase(self.reads))
            .ok_or("output readout missing")?;
        let cnt = run
            .readout(&cnt_ro.name)
            .and_then(|r| r.in_phase(self.reads))
            .ok_or("counts readout missing")?;
        let window_ms = out_ro.to - out_ro.from;
        let count_window_s = (cnt_ro.to - cnt_ro.from) / 1000.0;
        // The escape-noise rate law, if the memory neurons follow it.
        let escape = match &c.network.populations[cnt_ro.population].model {
            Model::Neuron(m, p) if m.name == "escape_noise" => {
                Some((p.number("rho0_hz"), p.number("beta"), p.number("u_offset")))
            }
            _ => None,
        };
        let dim = q.patterns.first().map_or(0, Vec::len);
        let (mut cos_sum, mut max_err, mut sp_err) = (0.0, 0.0f64, 0.0f64);
        let mut pairs = Vec::new();
        let mut rates = Vec::new();
        let mut scales = Vec::new();
        let mut rate_over_prediction = Vec::new();
        let (mut ok_c, mut ok_m, mut ok_ci, mut ok_mi) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, xi) in q.xi.iter().enumerate() {
            let s = q.overlaps(xi);
            let p = softmax(&s, self.beta);
            let math = q.mix(&p);
            let target = &q.patterns[q.target[i]];
            let first = &out[i][0].vector;
            let n: f64 = cnt[i][0].vector.iter().sum();
            let rate = n / count_window_s;
            let drive: f64 = s.iter().map(|x| (self.beta * x).exp()).sum();
            rates.push((drive, rate));
            if let Some((rho0, beta_n, u_off)) = escape {
                let predicted: f64 = s
                    .iter()
                    .map(|x| rho0 * (beta_n * ((dim as f64 + x) / 2.0 - u_off)).exp())
                    .sum();
                rate_over_prediction.push(rate / predicted);
            }
            let sp = self.set_point_hz.map(|r| r * window_ms / 1000.0);
            if let Some(r) = self.set_point_hz {
                scales.push(rate / r);
            }
            if n > 0.0 {
                let readout: Vec<f64> = first.iter().map(|v| v / n).collect();
                let dot: f64 = readout.iter().zip(&math).map(|(a, b)| a * b).sum();
                let na = readout.iter().map(|a| a * a).sum::<f64>().sqrt();
                let nb = math.iter().map(|b| b * b).sum::<f64>().sqrt();
                cos_sum += if na > 0.0 && nb > 0.0 {
                    dot / (na * nb)
                } else {
                    0.0
                };
                for (j, (a, b)) in readout.iter().zip(&math).enumerate() {
                    max_err = max_err.max((a - b).abs());
                    let scaled = sp.map(|x| first[j] / x);
                    if let Some(y) = scaled {
                        sp_err = sp_err.max((y - b).abs());
                    }
                    pairs.push((*b, *a, scaled));
                }
            }
            ok_c.push(sign_equal(first, target));
            ok_m.push(sign_equal(&math, target));
            let last = &out[i][out[i].len() - 1].vector;
            ok_ci.push(sign_equal(last, target));
            let mut x = xi.clone();
            for _ in 0..phase.presentations {
                x = q
                    .mix(&softmax(&q.overlaps(&x), self.beta))
                    .iter()
                    .map(|v| if *v >= 0.0 { 1.0 } else { -1.0 })
                    .collect();
            }
            ok_mi.push(x == *target);
        }
        let cv = |v: &[f64]| {
            let m = v.iter().sum::<f64>() / v.len().max(1) as f64;
            (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt() / m
        };
        let frac = |v: &[bool]| v.iter().filter(|b| **b).count() as f64 / v.len().max(1) as f64;
        let (lc, lm, lci, lmi) = (
            by_level(&q, &ok_c),
            by_level(&q, &ok_m),
            by_level(&q, &ok_ci),
            by_level(&q, &ok_mi),
        );
        let levels = (0..lc.len())
            .map(|l| (lc[l].0, lc[l].1, lc[l].2, lm[l].2, lci[l].2, lmi[l].2))
            .collect();
        let k = q.xi.len().max(1) as f64;
        Ok(Box::new(ModernOutcome {
            dim,
            stored: q.patterns.len(),
            beta: self.beta,
            window_ms,
            presentations: phase.presentations,
            readout_cosine_mean: cos_sum / k,
            readout_max_abs_error: max_err,
            setpoint_max_abs_error: self.set_point_hz.map(|_| sp_err),
            setpoint_scale_mean: self.set_point_hz.map(|_| scales.iter().sum::<f64>() / k),
            rate_cv: cv(&rates.iter().map(|r| r.1).collect::<Vec<_>>()),
            drive_cv: cv(&rates.iter().map(|r| r.0).collect::<Vec<_>>()),
            rate_over_prediction,
            accuracy_circuit: frac(&ok_c),
            accuracy_math: frac(&ok_m),
            accuracy_circuit_iterated: frac(&ok_ci),
            accuracy_math_iterated: frac(&ok_mi),
            levels,
            pairs,
            rates,
        }))
    }
}

impl ModernOutcome {
    fn rate_over_prediction_mean(&self) -> Option<f64> {
        (!self.rate_over_prediction.is_empty())
            .then(|| self.rate_over_prediction.iter().sum::<f64>() / self.rate_over_prediction.len() as f64)
    }
}

impl Outcome for ModernOutcome {
    fn metrics(&self) -> Value {
        json!({
            "readout_cosine_mean": self.readout_cosine_mean,
            "readout_max_abs_error": self.readout_max_abs_error,
            "readout_setpoint_max_abs_error": self.setpoint_max_abs_error,
            "setpoint_scale_mean": self.setpoint_scale_mean,
            "total_rate_cv": self.rate_cv,
            "drive_cv": self.drive_cv,
            "rate_over_no_pool_prediction_mean": self.rate_over_prediction_mean(),
            "retrieval_accuracy_circuit": self.accuracy_circuit,
            "retrieval_accuracy_math": self.accuracy_math,
            "retrieval_accuracy_circuit_iterated": self.accuracy_circuit_iterated,
            "retrieval_accuracy_math_iterated": self.accuracy_math_iterated,
            "presentations": self.presentations,
            "rates": self.rates.iter().map(|r| json!({ "drive": r.0, "total_rate_hz": r.1 })).collect::<Vec<_>>(),
            "rate_over_no_pool_prediction": self.rate_over_prediction,
            "accuracy_by_flip": self.levels.iter().map(|l| json!({
                "flip": l.0, "queries": l.1, "circuit": l.2, "modern": l.3, "circuit_iterated": l.4, "modern_iterated": l.5,
            })).collect::<Vec<_>>(),
        })
    }

    fn scalars(&self) -> Vec<(String, f64)> {
        let mut out = vec![
            ("readout_cosine_mean".to_string(), self.readout_cosine_mean),
            ("readout_max_abs_error".into(), self.readout_max_abs_error),
            ("accuracy_circuit".into(), self.accuracy_circuit),
            ("accuracy_math".into(), self.accuracy_math),
            ("accuracy_circuit_iterated".into(), self.accuracy_circuit_iterated),
            ("accuracy_math_iterated".into(), self.accuracy_math_iterated),
            ("total_rate_cv".into(), self.rate_cv),
            ("drive_cv".into(), self.drive_cv),
        ];
        for l in &self.levels {
            out.push((format!("accuracy_circuit_at_{}", l.0), l.2));
            out.push((format!("accuracy_math_at_{}", l.0), l.3));
        }
        if let Some(e) = self.setpoint_max_abs_error {
            out.push(("readout_setpoint_max_abs_error".into(), e));
        }
        if let Some(s) = self.setpoint_scale_mean {
            out.push(("setpoint_scale_mean".into(), s));
        }
        if let Some(r) = self.rate_over_prediction_mean() {
            out.push(("rate_over_no_pool_prediction_mean".into(), r));
        }
        out
    }

    fn headline(&self) -> String {
        format!(
            "vs modern Hopfield: readout cosine {:.4}, accuracy circuit {:.3} vs math {:.3} (iterated {:.3} vs {:.3}), rate CV {:.2} vs drive CV {:.2}",
            self.readout_cosine_mean,
            self.accuracy_circuit,
            self.accuracy_math,
            self.accuracy_circuit_iterated,
            self.accuracy_math_iterated,
            self.rate_cv,
            self.drive_cv
        )
    }

    fn report(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "## Comparison with the modern Hopfield network\n\nD = {}, {} stored patterns, β = {}, readout window {} ms, {} presentation(s) per query.\n",
            self.dim, self.stored, self.beta, self.window_ms, self.presentations
        );
        let _ = writeln!(s, "| measure | value | what it means |\n|---|---|---|");
        let _ = writeln!(
            s,
            "| readout cosine (mean) | {:.4} | readout vs X softmax(β Xᵀξ), scale-free |",
            self.readout_cosine_mean
        );
        if let (Some(e), Some(sc)) = (self.setpoint_max_abs_error, self.setpoint_scale_mean) {
            let _ = writeln!(
                s,
                "| readout ÷ (set point · window): max abs error | {e:.4} | the circuit's own normalisation; measured rate ÷ set point {sc:.3} on average |"
            );
        }
        let _ = writeln!(
            s,
            "| readout ÷ measured spike count: max abs error | {:.4} | ideal divisive normalisation (computed here, for reference) |",
            self.readout_max_abs_error
        );
        let _ = writeln!(
            s,
            "| total memory rate CV / drive CV | {:.3} / {:.3} | across queries; a pool that normalises makes the first smaller |",
            self.rate_cv, self.drive_cv
        );
        if let Some(r) = self.rate_over_prediction_mean() {
            let _ = writeln!(
                s,
                "| observed rate ÷ ρ₀Σexp(β_n(A_μ − u₀)) | {r:.3} | 1 without inhibition (the escape-noise rate law) |"
            );
        }
        let _ = writeln!(
            s,
            "| retrieval accuracy circuit / math | {:.3} / {:.3} | sign(readout) equals the stored pattern |",
            self.accuracy_circuit, self.accuracy_math
        );
        if self.presentations > 1 {
            let _ = writeln!(
                s,
                "| iterated ({} presentations) circuit / math | {:.3} / {:.3} | the readout's sign fed back as the next query |",
                self.presentations, self.accuracy_circuit_iterated, self.accuracy_math_iterated
            );
        }
        let _ = writeln!(
            s,
            "\n| flip | queries | circuit | modern | circuit iterated | modern iterated |\n|---|---|---|---|---|---|"
        );
        for l in &self.levels {
            let _ = writeln!(
                s,
                "| {:.2} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
                l.0, l.1, l.2, l.3, l.4, l.5
            );
        }
        let _ = writeln!(
            s,
            "\n![readout vs math](readout_vs_math.png)\n\n![accuracy](accuracy_vs_flip.png)\n\n![rate vs drive](rate_vs_drive.png)\n"
        );
        s
    }

    fn figures(&self, dir: &Path, _run: &RunResult) -> Result<(), String> {
        let mut series = vec![Series {
            name: "readout ÷ measured spike count".into(),
            points: self.pairs.iter().map(|p| (p.0, p.1)).collect(),
            style: Style::Dots,
        }];
        if self.setpoint_max_abs_error.is_some() {
            series.push(Series {
                name: "readout ÷ (set point · window)".into(),
                points: self.pairs.iter().filter_map(|p| p.2.map(|y| (p.0, y))).collect(),
                style: Style::Dots,
            });
        }
        series.push(Series {
            name: "identity".into(),
            points: vec![(-1.0, -1.0), (1.0, 1.0)],
            style: Style::Dashed,
        });
        plot::chart(
            &dir.join("readout_vs_math.png"),
            "Readout vs the modern Hopfield update X softmax(β Xᵀξ)",
            "modern Hopfield update, component",
            "circuit readout, component",
            &series,
            false,
        )?;
        let col = |f: fn(&LevelRow) -> f64| self.levels.iter().map(|l| (l.0, f(l))).collect::<Vec<_>>();
        let mut acc = vec![
            Series {
                name: "circuit (spikes)".into(),
                points: col(|l| l.2),
                style: Style::Line,
            },
            Series {
                name: "modern Hopfield".into(),
                points: col(|l| l.3),
                style: Style::Dashed,
            },
        ];
        if self.presentations > 1 {
            acc.push(Series {
                name: format!("circuit, {} presentations", self.presentations),
                points: col(|l| l.4),
                style: Style::Dots,
            });
            acc.push(Series {
                name: format!("modern Hopfield, {} updates", self.presentations),
                points: col(|l| l.5),
                style: Style::Dots,
            });
        }
        plot::chart(
            &dir.join("accuracy_vs_flip.png"),
            &format!(
                "Retrieval vs query noise (D = {}, {} patterns)",
                self.dim, self.stored
            ),
            "fraction of bits flipped",
            "fraction retrieved exactly",
            &acc,
            false,
        )?;
        plot::chart(
            &dir.join("rate_vs_drive.png"),
            "Total memory rate vs drive Σ exp(β Xᵀξ)",
            "log10 drive",
            "total memory rate (Hz)",
            &[Series {
                name: "queries".into(),
                points: self.rates.iter().map(|r| (r.0.log10(), r.1)).collect(),
                style: Style::Dots,
            }],
            true,
        )
    }

    fn curves(&self) -> Vec<Curve> {
        vec![Curve {
            id: "rate_vs_drive",
            title: "Total memory rate vs drive Σ exp(β Xᵀξ)".into(),
            x_label: "log10 drive".into(),
            y_label: "total memory rate (Hz)".into(),
            log_y: true,
            points: self.rates.iter().map(|r| (r.0.log10(), r.1)).collect(),
        }]
    }
}
