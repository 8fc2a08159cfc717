//! The SDM comparison's plots, tables and report section.

use std::fmt::Write as _;
use std::path::Path;

use super::SdmOutcome;
use crate::experiment::simulate::RunResult;
use crate::math::binomial::LnFactorial;
use crate::math::sdm::cosine_of_distance;
use crate::math::sdm_sparse;
use crate::output::plot::{self, Series, Style};

pub fn files(o: &SdmOutcome, _run: &RunResult, dir: &Path) -> Result<(), String> {
    let (n, d) = (o.n, o.radius);
    let max_dv = o
        .overlaps
        .iter()
        .map(|p| p.d_v)
        .max()
        .unwrap_or(n / 2)
        .max(d)
        .min(n);
    let lf = LnFactorial::new(n);
    let p0 = sdm_sparse::overlap_probability(&lf, n, o.dims, d, 0);
    let mut series = vec![
        Series {
            name: format!("theory P(d_v)/P(0), {} of {n} dimensions, radius {d}", o.dims),
            points: (0..=max_dv)
                .map(|dv| {
                    (
                        dv as f64,
                        sdm_sparse::overlap_probability(&lf, n, o.dims, d, dv) / p0,
                    )
                })
                .collect(),
            style: Style::Line,
        },
        Series {
            name: format!("exp(β(cos−1)), β = {:.2}", o.beta_used),
            points: (0..=max_dv)
                .map(|dv| (dv as f64, (o.beta_used * (cosine_of_distance(n, dv) - 1.0)).exp()))
                .collect(),
            style: Style::Dashed,
        },
    ];
    if let Some(e0) = o.overlaps.iter().find(|p| p.d_v == 0).map(|p| p.expected) {
        series.push(Series {
            name: "circuit: mean overlap / E[overlap at 0]".into(),
            points: o
                .overlaps
                .iter()
                .map(|p| (p.d_v as f64, p.observed_mean / e0))
                .collect(),
            style: Style::Dots,
        });
    }
    plot::chart(
        &dir.join("intersection.png"),
        &format!(
            "Overlap vs distance: n = {n}, {} dimensions per location, d = {d}",
            o.dims
        ),
        "d_v (Hamming distance)",
        "normalised weight",
        &series,
        true,
    )?;
    plot::chart(
        &dir.join("weights_vs_softmax.png"),
        "SDM weights (overlaps, normalised) vs softmax",
        "softmax(β cos) weight",
        "circuit weight c_μ / Σ c",
        &[
            Series {
                name: "query–pattern pairs".into(),
                points: o.weight_pairs.clone(),
                style: Style::Dots,
            },
            Series {
                name: "identity".into(),
                points: vec![(0.0, 0.0), (1.0, 1.0)],
                style: Style::Dashed,
            },
        ],
        false,
    )?;
    let mut recall = Vec::new();
    if o.recall.iter().all(|r| r.circuit.is_some()) {
        recall.push(Series {
            name: "circuit (spikes)".into(),
            points: o
                .recall
                .iter()
                .map(|r| (r.noise, r.circuit.unwrap_or(f64::NAN)))
                .collect(),
            style: Style::Line,
        });
    }
    recall.push(Series {
        name: "SDM (algorithm)".into(),
        points: o.recall.iter().map(|r| (r.noise, r.sdm)).collect(),
        style: Style::Dashed,
    });
    recall.push(Series {
        name: "softmax attention".into(),
        points: o.recall.iter().map(|r| (r.noise, r.attention)).collect(),
        style: Style::Dots,
    });
    plot::chart(
        &dir.join("recall.png"),
        "Exact recall vs query noise",
        "fraction of key bits flipped",
        "fraction of queries recalled exactly",
        &recall,
        false,
    )?;
    if !o.weights.is_empty() {
        plot::histogram(
            &dir.join("weights.png"),
            &format!(
                "{} weights (÷ scale)",
                o.weights_projection.as_deref().unwrap_or("output")
            ),
            "weight / scale",
            &o.weights,
            60,
        )?;
    }
    let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
    let mut csv = String::from(
        "noise,queries,circuit_exact,sdm_exact,attention_exact,circuit_bits,sdm_bits,attention_bits\n",
    );
    for r in &o.recall {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            r.noise,
            r.queries,
            opt(r.circuit),
            r.sdm,
            r.attention,
            opt(r.circuit_bits),
            r.sdm_bits,
            r.attention_bits
        );
    }
    std::fs::write(dir.join("recall.csv"), csv).map_err(|e| e.to_string())?;
    let mut csv = String::from("d_v,pairs,observed_mean,expected\n");
    for p in &o.overlaps {
        let _ = writeln!(csv, "{},{},{},{}", p.d_v, p.pairs, p.observed_mean, p.expected);
    }
    std::fs::write(dir.join("overlaps.csv"), csv).map_err(|e| e.to_string())
}

pub fn report(o: &SdmOutcome) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## Comparison with Sparse Distributed Memory\n");
    let _ = writeln!(
        s,
        "n = {} dimensions, {} hard locations looking at {} dimensions each (radius {}), {} output bits, {} writes, {} reads.\n",
        o.n, o.locations, o.dims, o.radius, o.n_out, o.writes, o.reads
    );
    let _ = writeln!(s, "| measure | value | what it means |\n|---|---|---|");
    let _ = writeln!(
        s,
        "| granule activation mismatches | {} | locations whose spiking differs from `H(a, x) ≤ d` over all presentations |",
        o.granule_activation_mismatches
    );
    if let Some(e) = o.pc_input_max_abs_error {
        let _ = writeln!(
            s,
            "| PC input max abs error | {e} | output-cell input sums (÷ scale) vs SDM counter sums, all reads and cells |"
        );
    }
    if let Some(m) = o.output_bit_mismatches {
        let _ = writeln!(
            s,
            "| output bit mismatches | {m} | output-cell spikes vs SDM output bits |"
        );
    }
    let _ = writeln!(
        s,
        "| overlap max abs z | {:.2} | exact binomial tails, Binomial(r, P(d_v)), over {} query–pattern pairs; Bonferroni 1 % bound for that many: {:.2} |",
        o.overlap_max_abs_z, o.overlap_pairs, o.overlap_z_bound
    );
    let b = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    if o.beta_fitted.is_some() {
        let _ = writeln!(
            s,
            "| β least squares / published convention (Kanerva design) | {} / {} | ln I(n, d, d_v) on cos over d_v < d |",
            b(o.beta_fitted),
            b(o.beta_published)
        );
    }
    let _ = writeln!(
        s,
        "| β of this design (theory / circuit) | {} / {} | least squares of ln P(d_v) and of ln(mean overlap) on cos, over d_v < {} |",
        b(o.beta_theory),
        b(o.beta_circuit),
        o.fit_below
    );
    let _ = writeln!(
        s,
        "| softmax weight max abs error | {:.4} | normalised overlaps vs softmax(β cos), β = {:.3} |",
        o.softmax_weight_max_abs_error, o.beta_used
    );
    let _ = writeln!(
        s,
        "\n### Recall vs query noise\n\n| noise | queries | circuit | SDM | attention | circuit bits | SDM bits | attention bits |\n|---|---|---|---|---|---|---|---|"
    );
    let f = |x: Option<f64>, p: usize| x.map_or("—".to_string(), |v| format!("{v:.p$}"));
    for r in &o.recall {
        let _ = writeln!(
            s,
            "| {:.2} | {} | {} | {:.3} | {:.3} | {} | {:.4} | {:.4} |",
            r.noise,
            r.queries,
            f(r.circuit, 3),
            r.sdm,
            r.attention,
            f(r.circuit_bits, 4),
            r.sdm_bits,
            r.attention_bits
        );
    }
    let _ = writeln!(
        s,
        "\n![recall](recall.png)\n\n![weights vs softmax](weights_vs_softmax.png)\n\n![overlap vs distance](intersection.png)\n"
    );
    if !o.weights.is_empty() {
        let _ = writeln!(s, "![weights](weights.png)\n");
    }
    s
}
