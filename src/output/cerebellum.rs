//! The cerebellar circuit's plots, tables and report section.

use std::fmt::Write as _;
use std::path::Path;

use super::plot::{self, Series, Style};
use crate::circuits::cerebellum::{self as cb, Cerebellum, protocol};
use crate::circuits::generic::RunResult;
use crate::compare::cerebellum::{Comparison, OverlapPoint};
use crate::math::sdm::{HammingSpace, cosine_of_distance};

fn raster_window(
    path: &Path,
    title: &str,
    c: &Cerebellum,
    run: &RunResult,
    t0: f64,
    t1: f64,
) -> Result<(), String> {
    let n = c.spec.sdm.n;
    let granule = run.spikes_of(cb::GRANULE, t0, t1);
    // Granule cells: only those that fired in the window, renumbered.
    let mut ids: Vec<usize> = granule.iter().map(|s| s.1).collect();
    ids.sort_unstable();
    ids.dedup();
    let granule: Vec<(f64, usize)> = granule
        .iter()
        .map(|&(t, i)| (t, ids.binary_search(&i).unwrap_or(0)))
        .collect();
    let groups = vec![
        (
            "mossy fibres".to_string(),
            2 * n,
            run.spikes_of(cb::MOSSY, t0, t1),
        ),
        ("Golgi".to_string(), 1, run.spikes_of(cb::GOLGI, t0, t1)),
        (
            format!("granule cells (the {} that fired)", ids.len()),
            ids.len().max(1),
            granule,
        ),
        (
            "Purkinje cells".to_string(),
            n,
            run.spikes_of(cb::PURKINJE, t0, t1),
        ),
        (
            "climbing fibres".to_string(),
            n,
            run.spikes_of(cb::CLIMBING, t0, t1),
        ),
    ];
    plot::raster(path, title, t0, t1, &groups)
}

pub fn files(c: &Cerebellum, run: &RunResult, cmp: &Comparison, dir: &Path) -> Result<(), String> {
    let n = c.spec.sdm.n;
    let d = c.layer.radius;
    let space = HammingSpace::new(n);
    let max_dv = cmp
        .overlaps
        .iter()
        .map(|p| p.d_v)
        .max()
        .unwrap_or(n / 2)
        .max(d)
        .min(n);
    let ln0 = space.ln_intersection(d, 0);
    let mut series = vec![
        Series {
            name: "I(n,d,d_v) / I(n,d,0)  (math)".into(),
            points: (0..=max_dv)
                .map(|dv| (dv as f64, (space.ln_intersection(d, dv) - ln0).exp()))
                .collect(),
            style: Style::Line,
        },
        Series {
            name: format!("exp(β(cos−1)), β = {:.2} (least squares)", cmp.beta_ols),
            points: (0..=max_dv)
                .map(|dv| {
                    (
                        dv as f64,
                        (cmp.beta_ols * (cosine_of_distance(n, dv) - 1.0)).exp(),
                    )
                })
                .collect(),
            style: Style::Dashed,
        },
    ];
    if let Some(p0) = cmp.overlaps.iter().find(|p| p.d_v == 0).map(|p| p.expected) {
        series.push(Series {
            name: "circuit: mean granule overlap / E[overlap at 0]".into(),
            points: cmp
                .overlaps
                .iter()
                .map(|p| (p.d_v as f64, p.observed_mean / p0))
                .collect(),
            style: Style::Dots,
        });
    }
    if c.layer.masks.is_empty() {
        plot::chart(
            &dir.join("intersection.png"),
            &format!("Circle intersection, n = {n}, d = {d}"),
            "d_v (Hamming distance)",
            "normalised weight",
            &series,
            true,
        )?;
    }
    plot::chart(
        &dir.join("weights_vs_softmax.png"),
        "SDM weights (granule overlaps, normalised) vs softmax",
        "softmax(β cos) weight",
        "circuit weight c_μ / Σ c",
        &[
            Series {
                name: "query–pattern pairs".into(),
                points: cmp.weight_pairs.clone(),
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
    let recall = |f: fn(&crate::compare::cerebellum::RecallRow) -> f64| {
        cmp.recall.iter().map(|r| (r.noise, f(r))).collect::<Vec<_>>()
    };
    plot::chart(
        &dir.join("recall.png"),
        "Exact recall vs query noise",
        "fraction of key bits flipped",
        "fraction of queries recalled exactly",
        &[
            Series {
                name: "circuit (spikes)".into(),
                points: recall(|r| r.circuit),
                style: Style::Line,
            },
            Series {
                name: "SDM (algorithm)".into(),
                points: recall(|r| r.sdm),
                style: Style::Dashed,
            },
            Series {
                name: "softmax attention".into(),
                points: recall(|r| r.attention),
                style: Style::Dots,
            },
        ],
        false,
    )?;
    let values: Vec<f64> = cmp.pf_weights.iter().map(|w| f64::from(*w)).collect();
    plot::histogram(
        &dir.join("pf_weights.png"),
        "Parallel fibre → Purkinje weights (÷ LTP step)",
        "weight / ltp",
        &values,
        60,
    )?;
    if let Some(&tw) = c.protocol.write_times.first() {
        raster_window(
            &dir.join("raster_write.png"),
            "One write",
            c,
            run,
            tw - 1.0,
            tw + protocol::read_delay() + c.kernel.t_peak() + 3.0,
        )?;
    }
    if let Some(r) = c.protocol.reads.first() {
        raster_window(
            &dir.join("raster_read.png"),
            "One read",
            c,
            run,
            r.time - 1.0,
            r.time + protocol::read_delay() + 3.0,
        )?;
    }
    if let Some(cl) = &cmp.claws {
        let at_zero = |o: &[OverlapPoint]| o.iter().find(|p| p.d_v == 0).map_or(1.0, |p| p.expected);
        let curve = |name: String, o: &[OverlapPoint], observed: bool, style: Style| {
            let scale = at_zero(o);
            let points = o
                .iter()
                .map(|p| {
                    (
                        p.d_v as f64,
                        if observed { p.observed_mean } else { p.expected } / scale,
                    )
                })
                .collect();
            Series { name, points, style }
        };
        plot::chart(
            &dir.join("claws_vs_kanerva.png"),
            &format!(
                "Granule overlap vs distance: Kanerva design vs {} claws",
                cl.claws
            ),
            "d_v (Hamming distance)",
            "mean overlap / expected at d_v = 0",
            &[
                curve(
                    "Kanerva design (circuit)".into(),
                    &cmp.overlaps,
                    true,
                    Style::Dots,
                ),
                curve(
                    "Kanerva design (theory)".into(),
                    &cmp.overlaps,
                    false,
                    Style::Line,
                ),
                curve(
                    format!("{} claws (circuit)", cl.claws),
                    &cl.overlaps,
                    true,
                    Style::Dots,
                ),
                curve(
                    format!("{} claws (theory)", cl.claws),
                    &cl.overlaps,
                    false,
                    Style::Line,
                ),
            ],
            true,
        )?;
    }
    let mut csv = String::from(
        "noise,queries,circuit_exact,sdm_exact,attention_exact,circuit_bits,sdm_bits,attention_bits\n",
    );
    for r in &cmp.recall {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            r.noise, r.queries, r.circuit, r.sdm, r.attention, r.circuit_bits, r.sdm_bits, r.attention_bits
        );
    }
    std::fs::write(dir.join("recall.csv"), csv).map_err(|e| e.to_string())?;
    let mut csv = String::from("d_v,pairs,observed_mean,expected\n");
    for p in &cmp.overlaps {
        let _ = writeln!(csv, "{},{},{},{}", p.d_v, p.pairs, p.observed_mean, p.expected);
    }
    std::fs::write(dir.join("overlaps.csv"), csv).map_err(|e| e.to_string())
}

pub fn report(c: &Cerebellum, cmp: &Comparison) -> String {
    let mut s = String::new();
    let sdm = &c.spec.sdm;
    let _ = writeln!(s, "## Cerebellum as Sparse Distributed Memory\n");
    let _ = writeln!(
        s,
        "n = {} dimensions ({} mossy fibres), {} granule cells ({:?} design, radius {}), {} Purkinje cells, \
         {} patterns ({}), {} reads. LTP {} mV per parallel-fibre spike, LTD window peak {} ms.\n",
        sdm.n,
        2 * sdm.n,
        sdm.granule_cells,
        sdm.design,
        c.layer.radius,
        sdm.n,
        c.spec.protocol.patterns,
        if c.spec.protocol.heteroassociative {
            "heteroassociative"
        } else {
            "autoassociative"
        },
        c.protocol.reads.len(),
        c.kernel.ltp,
        c.spec.plasticity.peak_ms
    );
    let _ = writeln!(s, "| measure | value | what it means |\n|---|---|---|");
    let _ = writeln!(
        s,
        "| granule activation mismatches | {} | granule cells whose spiking differs from `H(a, x) ≤ d` over all presentations |",
        cmp.granule_activation_mismatches
    );
    let _ = writeln!(
        s,
        "| PC input max abs error | {} | Purkinje input sums (÷ ltp) vs SDM counter sums, all reads and cells |",
        cmp.pc_input_max_abs_error
    );
    let _ = writeln!(
        s,
        "| output bit mismatches | {} | Purkinje spikes vs SDM output bits |",
        cmp.output_bit_mismatches
    );
    let _ = writeln!(
        s,
        "| overlap max abs z | {:.2} | exact binomial tails, Binomial(r, I/2^n), over {} query–pattern pairs; Bonferroni 1 % bound for that many: {:.2} |",
        cmp.overlap_max_abs_z, cmp.overlap_pairs, cmp.overlap_z_bound
    );
    let _ = writeln!(
        s,
        "| β (least squares / published convention) | {:.3} / {:.3} | ln I on cos over d_v < d |",
        cmp.beta_ols, cmp.beta_published
    );
    let _ = writeln!(
        s,
        "| β from the circuit's overlaps | {} | same fit on observed mean overlaps |",
        cmp.beta_circuit
            .map_or("n/a (too few distances < d)".into(), |b| format!("{b:.3}"))
    );
    let _ = writeln!(
        s,
        "| softmax weight max abs error | {:.4} | normalised overlaps vs softmax(β cos) |",
        cmp.softmax_weight_max_abs_error
    );
    if let Some(cl) = &cmp.claws {
        let _ = writeln!(
            s,
            "| {}-claw design β (theory / circuit) | {:.3} / {} | vs the Kanerva design's {:.3} |",
            cl.claws,
            cl.beta_theory,
            cl.beta_measured.map_or("n/a".into(), |b| format!("{b:.3}")),
            cmp.beta_ols
        );
    }
    let _ = writeln!(
        s,
        "\n### Recall vs query noise\n\n| noise | queries | circuit | SDM | attention | circuit bits | SDM bits | attention bits |\n|---|---|---|---|---|---|---|---|"
    );
    for r in &cmp.recall {
        let _ = writeln!(
            s,
            "| {:.2} | {} | {:.3} | {:.3} | {:.3} | {:.4} | {:.4} | {:.4} |",
            r.noise, r.queries, r.circuit, r.sdm, r.attention, r.circuit_bits, r.sdm_bits, r.attention_bits
        );
    }
    let _ = writeln!(
        s,
        "\n![recall](recall.png)\n\n![weights vs softmax](weights_vs_softmax.png)\n"
    );
    if c.layer.masks.is_empty() {
        let _ = writeln!(s, "![circle intersection](intersection.png)\n");
    }
    if cmp.claws.is_some() {
        let _ = writeln!(s, "![claws vs Kanerva](claws_vs_kanerva.png)\n");
    }
    let _ = writeln!(
        s,
        "![one write](raster_write.png)\n\n![one read](raster_read.png)\n\n![PF weights](pf_weights.png)"
    );
    s
}
