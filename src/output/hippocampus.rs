//! The hippocampal circuit's plots and report section.

use std::fmt::Write as _;
use std::path::Path;

use super::plot::{self, RasterGroup, Series, Style};
use crate::circuits::generic::RunResult;
use crate::circuits::hippocampus::{self as hc, Hippocampus};
use crate::compare::hippocampus::Metrics;

/// Everything the hippocampal experiment measured.
pub struct Experiment {
    pub main: Metrics,
    /// The same queries with the inhibitory pool switched the other way.
    pub other: Option<Metrics>,
    /// (β, circuit 1/Σf², math 1/Σp²), means over the sweep's queries.
    pub beta_sweep: Vec<(f64, f64, f64)>,
    /// (stored patterns, circuit, modern, classical accuracy).
    pub capacity: Vec<(usize, f64, f64, f64)>,
}

fn pool_label(pool: bool) -> &'static str {
    if pool {
        "with inhibitory pool"
    } else {
        "without inhibitory pool"
    }
}

pub fn files(h: &Hippocampus, run: &RunResult, x: &Experiment, dir: &Path) -> Result<(), String> {
    let m = &x.main;
    let pts = |f: &dyn Fn(&crate::compare::hippocampus::WindowError) -> f64| {
        m.windows
            .iter()
            .filter(|w| w.mean_spikes > 0.0)
            .map(|w| (w.mean_spikes, f(w)))
            .collect::<Vec<_>>()
    };
    plot::chart(
        &dir.join("softmax_error_vs_window.png"),
        "Spike fractions vs softmax: error of the top pattern as the window grows",
        "mean memory spikes in the window",
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
        &dir.join("readout_vs_math.png"),
        "Readout (output integrals ÷ memory spikes) vs X softmax(β Xᵀξ)",
        "modern Hopfield update, component",
        "circuit readout, component",
        &[
            Series {
                name: "components".into(),
                points: m.readout_pairs.clone(),
                style: Style::Dots,
            },
            Series {
                name: "identity".into(),
                points: vec![(-1.0, -1.0), (1.0, 1.0)],
                style: Style::Dashed,
            },
        ],
        false,
    )?;
    let acc = |f: fn(&crate::compare::hippocampus::LevelAccuracy) -> f64| {
        m.levels.iter().map(|l| (l.flip, f(l))).collect::<Vec<_>>()
    };
    plot::chart(
        &dir.join("accuracy_vs_flip.png"),
        &format!(
            "Retrieval accuracy vs query noise (D = {}, N = {})",
            h.dim,
            h.patterns.len()
        ),
        "fraction of bits flipped",
        "fraction retrieved exactly",
        &[
            Series {
                name: "circuit (spikes)".into(),
                points: acc(|l| l.circuit),
                style: Style::Line,
            },
            Series {
                name: "modern Hopfield".into(),
                points: acc(|l| l.modern),
                style: Style::Dashed,
            },
            Series {
                name: "classical Hopfield".into(),
                points: acc(|l| l.classical),
                style: Style::Dots,
            },
        ],
        false,
    )?;
    if !x.capacity.is_empty() {
        let cap = |k: usize| {
            x.capacity
                .iter()
                .map(|c| (c.0 as f64, [c.1, c.2, c.3][k]))
                .collect::<Vec<_>>()
        };
        let limit = 0.138 * h.dim as f64;
        plot::chart(
            &dir.join("capacity.png"),
            &format!(
                "Retrieval vs stored patterns (D = {}; classical capacity 0.138·D = {limit:.1})",
                h.dim
            ),
            "stored patterns N",
            "fraction retrieved exactly",
            &[
                Series {
                    name: "circuit".into(),
                    points: cap(0),
                    style: Style::Line,
                },
                Series {
                    name: "modern Hopfield".into(),
                    points: cap(1),
                    style: Style::Dashed,
                },
                Series {
                    name: "classical Hopfield".into(),
                    points: cap(2),
                    style: Style::Dots,
                },
                Series {
                    name: "0.138·D".into(),
                    points: vec![(limit, 0.0), (limit, 1.0)],
                    style: Style::Dashed,
                },
            ],
            false,
        )?;
    }
    if !x.beta_sweep.is_empty() {
        plot::chart(
            &dir.join("beta_regimes.png"),
            "Patterns mixed (1/Σp²) as β sweeps: average, metastable mixtures, single pattern",
            "β",
            "1 / Σ p²",
            &[
                Series {
                    name: "circuit (spike fractions)".into(),
                    points: x.beta_sweep.iter().map(|b| (b.0, b.1)).collect(),
                    style: Style::Dots,
                },
                Series {
                    name: "math (softmax)".into(),
                    points: x.beta_sweep.iter().map(|b| (b.0, b.2)).collect(),
                    style: Style::Line,
                },
            ],
            true,
        )?;
    }
    let mut series = vec![Series {
        name: format!("{} (this run)", pool_label(h.pool)),
        points: m.rates.iter().map(|r| (r.0, r.1)).collect(),
        style: Style::Dots,
    }];
    if let Some(o) = &x.other {
        series.push(Series {
            name: pool_label(!h.pool).into(),
            points: o.rates.iter().map(|r| (r.0, r.1)).collect(),
            style: Style::Dots,
        });
    }
    let lo = m.rates.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
    let hi = m.rates.iter().map(|r| r.0).fold(0.0, f64::max);
    series.push(Series {
        name: "rate = ρ₀ Σ exp(β u)".into(),
        points: vec![(lo, lo), (hi, hi)],
        style: Style::Dashed,
    });
    plot::chart(
        &dir.join("normalisation.png"),
        "Total memory rate per query vs the unnormalised Σ exp term",
        "ρ₀ Σ_μ exp(2β(A_μ − offset·D))  (Hz)",
        "memory population rate (Hz)",
        &series,
        true,
    )?;
    if let Some(q) = h.queries.first() {
        let (t0, t1) = (q.time - 2.0, q.time + h.window_ms.min(200.0));
        let mut groups: Vec<RasterGroup> = vec![
            ("features (+)".into(), h.dim, run.spikes_of(hc::PLUS, t0, t1)),
            ("features (−)".into(), h.dim, run.spikes_of(hc::MINUS, t0, t1)),
            (
                "memory".into(),
                h.patterns.len(),
                run.spikes_of(hc::MEMORY, t0, t1),
            ),
        ];
        if h.pool {
            groups.push(("inhibitory pool".into(), 1, run.spikes_of(hc::POOL, t0, t1)));
        }
        plot::raster(&dir.join("raster_query.png"), "One query", t0, t1, &groups)?;
    }
    Ok(())
}

pub fn report(h: &Hippocampus, x: &Experiment) -> String {
    let m = &x.main;
    let mut s = String::new();
    let _ = writeln!(s, "## Hippocampal memory neurons as a modern Hopfield network\n");
    let _ = writeln!(
        s,
        "D = {} features (dual-rail spike code), N = {} memory neurons (escape noise), β = {}, {}, readout window {} ms, {} queries.\n",
        h.dim,
        h.patterns.len(),
        h.beta,
        pool_label(h.pool),
        h.window_ms,
        h.queries.len()
    );
    let _ = writeln!(s, "| measure | value |\n|---|---|");
    let _ = writeln!(
        s,
        "| spike-fraction error ÷ Poisson bound (max over windows) | {:.3} |",
        m.softmax_error_over_bound_max
    );
    let _ = writeln!(
        s,
        "| readout cosine with X softmax(β Xᵀξ) (mean) | {:.4} |",
        m.readout_cosine_mean
    );
    let _ = writeln!(s, "| readout max abs error | {:.4} |", m.readout_max_abs_error);
    let _ = writeln!(
        s,
        "| retrieval accuracy: circuit / modern math | {:.3} / {:.3} |",
        m.retrieval_accuracy_circuit, m.retrieval_accuracy_math
    );
    let _ = writeln!(
        s,
        "\n### Spike fractions vs softmax as the window grows\n\n| window (ms) | mean spikes | RMS relative error | RMS Poisson bound | ratio |\n|---|---|---|---|---|"
    );
    for w in &m.windows {
        let _ = writeln!(
            s,
            "| {} | {:.1} | {:.4} | {:.4} | {:.2} |",
            w.window_ms,
            w.mean_spikes,
            w.rms_relative_error,
            w.rms_bound,
            w.rms_relative_error / w.rms_bound
        );
    }
    let _ = writeln!(
        s,
        "\n### Retrieval vs query noise\n\nExact retrieval after one update, and after {} presentations with the readout's sign fed \
         back (circuit: the output neurons' readout drives the next feature volley; math: \
         ξ ← sgn(X softmax(β Xᵀξ))).\n\n| flip | queries | circuit | modern | classical | circuit iterated | modern iterated |\n\
         |---|---|---|---|---|---|---|",
        h.iterations
    );
    for l in &m.levels {
        let _ = writeln!(
            s,
            "| {:.2} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |",
            l.flip, l.queries, l.circuit, l.modern, l.classical, l.circuit_iterated, l.modern_iterated
        );
    }
    let cv = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt() / mean
    };
    let z: Vec<f64> = m.rates.iter().map(|r| r.0).collect();
    let rate: Vec<f64> = m.rates.iter().map(|r| r.1).collect();
    let _ = writeln!(s, "\n### What the normalisation does\n");
    let _ = writeln!(
        s,
        "Across queries the unnormalised drive ρ₀Σexp varies with coefficient of variation {:.2}.",
        cv(&z)
    );
    let _ = writeln!(
        s,
        "- {}: total memory rate CV {:.2}, mean {:.1} Hz.",
        pool_label(h.pool),
        cv(&rate),
        rate.iter().sum::<f64>() / rate.len().max(1) as f64
    );
    if let Some(o) = &x.other {
        let r2: Vec<f64> = o.rates.iter().map(|r| r.1).collect();
        let ratio: Vec<f64> = o.rates.iter().map(|r| r.1 / r.0).collect();
        let _ = writeln!(
            s,
            "- {}: total memory rate CV {:.2}, mean {:.1} Hz; observed ÷ ρ₀Σexp = {:.3} on average. Spike-fraction error ÷ bound there: {:.3}.",
            pool_label(!h.pool),
            cv(&r2),
            r2.iter().sum::<f64>() / r2.len().max(1) as f64,
            ratio.iter().sum::<f64>() / ratio.len().max(1) as f64,
            o.softmax_error_over_bound_max
        );
    }
    if !x.capacity.is_empty() {
        let _ = writeln!(
            s,
            "\n### Capacity (flip as in the sweep)\n\n| stored N | circuit | modern | classical |\n|---|---|---|---|"
        );
        for c in &x.capacity {
            let _ = writeln!(s, "| {} | {:.3} | {:.3} | {:.3} |", c.0, c.1, c.2, c.3);
        }
        let _ = writeln!(
            s,
            "\nThe classical network of the same dimension stores about 0.138·D = {:.1} patterns.",
            0.138 * h.dim as f64
        );
    }
    if !x.beta_sweep.is_empty() {
        let _ = writeln!(
            s,
            "\n### β regimes (1/Σp²: patterns mixed)\n\n| β | circuit | math |\n|---|---|---|"
        );
        for b in &x.beta_sweep {
            let _ = writeln!(s, "| {} | {:.2} | {:.2} |", b.0, b.1, b.2);
        }
    }
    let _ = writeln!(
        s,
        "\n![error vs window](softmax_error_vs_window.png)\n\n![readout](readout_vs_math.png)\n\n![accuracy](accuracy_vs_flip.png)\n\n![capacity](capacity.png)\n\n![beta regimes](beta_regimes.png)\n\n![normalisation](normalisation.png)\n\n![raster](raster_query.png)"
    );
    s
}
