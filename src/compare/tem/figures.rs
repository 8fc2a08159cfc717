//! The TEM comparison's report section and plots: accuracy against step for the circuit, TEM-t
//! attention and the two agents; grid-cell and memory-neuron rate maps; a raster of a walk.

use std::fmt::Write as _;
use std::path::Path;

use super::{Rate, TemOutcome};
use crate::experiment::simulate::RunResult;
use crate::output::plot::{self, Series, Style};

fn pct(r: Rate) -> String {
    format!("{:.3} ({}/{})", r.value(), r.hits, r.steps)
}

pub fn report(o: &TemOutcome) -> String {
    let mut s = String::new();
    let [zc, za, zj, zn, ze] = o.rates(&|s| s.kind.zero_shot());
    let [ac, aa, aj, an, ae] = o.rates(&|_| true);
    let [nc, na, nj, nn, ne] = o.rates(&|s| !s.kind.node_known);
    let [kc, ka, kj, kn, ke] = o.rates(&|s| s.kind.edge_known);
    let (chance, lo, hi) = o.chance_range(zc.steps);
    let agree = o.agreement();
    let silent = o.steps.iter().filter(|s| s.circuit.is_none()).count();
    let (track_mean, track_max) = o.tracking();
    let _ = writeln!(
        s,
        "## Predicting the next observation (TEM)\n\nAt every step after the first the agent predicts what it will see; {} steps over {} walks. Zero-shot steps reach a node visited before by a move never made from there: a lookup table of moves cannot know them, a map can. Chance is 1/{} = {chance:.3} (99 % range of guesses on the zero-shot steps: {lo:.3}–{hi:.3}).\n",
        ac.steps,
        o.cover_nodes.len(),
        o.categories
    );
    let _ = writeln!(
        s,
        "| steps | circuit | TEM-t attention | TEM conjunctive | node agent | edge agent |\n|---|---|---|---|---|---|"
    );
    for (name, r) in [
        ("zero-shot", [zc, za, zj, zn, ze]),
        ("all", [ac, aa, aj, an, ae]),
        ("new node", [nc, na, nj, nn, ne]),
        ("move made before", [kc, ka, kj, kn, ke]),
    ] {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} | {} |",
            pct(r[0]),
            pct(r[1]),
            pct(r[2]),
            pct(r[3]),
            pct(r[4])
        );
    }
    let _ = writeln!(
        s,
        "\nThe circuit's prediction agrees with TEM-t attention (the same category, or one of the categories attention ties) on **{}** of the steps; on new nodes, where attention can only point at the most similar stored place, {}. The circuit made no prediction (no integrator rose, or two tied) on {silent} steps. Accuracy against step, circuit minus node agent: mean |Δ| {track_mean:.3}, largest {track_max:.3} over bins of {} steps.\n",
        pct(agree),
        pct(Rate::of(
            o.steps.iter().filter(|s| !s.kind.node_known),
            super::StepResult::agrees
        )),
        o.bin_steps
    );
    let _ = writeln!(s, "![accuracy against step](tem_accuracy.png)\n");
    let fmt_cover = |v: &[Option<usize>]| {
        v.iter()
            .map(|x| x.map_or("not reached".to_string(), |n| n.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(
        s,
        "**Covering the world** ({} × {} nodes, walks continued past the recorded steps until every directed edge was taken): steps to visit every node {}; to take every edge {}; mean {} vs {}.\n",
        o.size,
        o.size,
        fmt_cover(&o.cover_nodes),
        fmt_cover(&o.cover_edges),
        super::mean(&o.cover_nodes).map_or("—".into(), |m| format!("{m:.0}")),
        super::mean(&o.cover_edges).map_or("—".into(), |m| format!("{m:.0}")),
    );
    let _ = writeln!(
        s,
        "**Path integration**: after {} random moves and their retrace (inverse actions, reverse order) the code differs from where it started by at most {:.2e} (f64); after the outward leg, from the code rotated directly to the end position by {:.2e}.\n",
        o.closure_steps, o.closure_error, o.closure_drift
    );
    if !o.grid_maps.is_empty() {
        let _ = writeln!(
            s,
            "**Grid cells**: field spacing measured from the grid cells' spikes (the wave number with the most power in their rate maps over every walk) against the configured module spacing:\n\n| module | configured | measured |\n|---|---|---|"
        );
        for (m, (want, got)) in o.spacings.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {want:.3} | {} |",
                m + 1,
                got.map_or("—".into(), |g| format!("{g:.3}"))
            );
        }
        let _ = writeln!(s, "\n![grid cells](tem_grid_cells.png)\n");
    }
    if o.place_cells.0 > 0 {
        let (n, one, here) = o.place_cells;
        let _ = writeln!(
            s,
            "**Memory neurons**: of {n} memory neurons with at least 5 spikes in their walk, {one} ({:.3}) have a single place field (neighbouring nodes at ≥ half the peak rate) and {here} ({:.3}) fire most at the node where they were stored.\n\n![place fields](tem_place_fields.png)\n",
            one as f64 / n as f64,
            here as f64 / n as f64
        );
    }
    let _ = writeln!(s, "![the first steps of a walk](tem_raster.png)\n");
    s
}

pub fn draw(o: &TemOutcome, dir: &Path, run: &RunResult) -> Result<(), String> {
    let curves = o.curves();
    let names = ["circuit", "TEM-t attention", "node agent", "edge agent"];
    let styles = [Style::Line, Style::Dashed, Style::Line, Style::Line];
    let series: Vec<Series> = (0..4)
        .map(|k| Series {
            name: names[k].into(),
            points: curves.iter().map(|(x, v)| (*x, v[k])).collect(),
            style: styles[k],
        })
        .chain(std::iter::once(Series {
            name: "chance".into(),
            points: curves
                .iter()
                .map(|(x, _)| (*x, 1.0 / o.categories as f64))
                .collect(),
            style: Style::Dashed,
        }))
        .collect();
    plot::chart(
        &dir.join("tem_accuracy.png"),
        &format!(
            "Next-observation accuracy against step (mean of {} walks)",
            o.cover_nodes.len()
        ),
        "step",
        "accuracy",
        &series,
        false,
    )?;
    let maps = |v: &[super::RateMap]| -> Vec<plot::Heatmap> {
        v.iter()
            .map(|m| (m.label.clone(), m.side, m.values.clone()))
            .collect()
    };
    if !o.grid_maps.is_empty() {
        plot::heatmaps(
            &dir.join("tem_grid_cells.png"),
            "Grid cells: spikes per visit, first walk (grey: not visited)",
            &maps(&o.grid_maps),
        )?;
    }
    if !o.place_maps.is_empty() {
        plot::heatmaps(
            &dir.join("tem_place_fields.png"),
            "Memory neurons: spikes per visit, first walk",
            &maps(&o.place_maps),
        )?;
    }
    let (t0, t1) = o.raster_window;
    let groups: Vec<plot::RasterGroup> = run
        .net()
        .populations
        .iter()
        .enumerate()
        .map(|(k, p)| (p.name.clone(), p.size, run.spikes_of(k, t0, t1)))
        .filter(|g| !g.2.is_empty())
        .collect();
    plot::raster(
        &dir.join("tem_raster.png"),
        "The first steps of the first walk",
        t0,
        t1,
        &groups,
    )
}
