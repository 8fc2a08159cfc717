//! `weight_traces.png`: the traced synapses' weights against time (a step after each change).

use std::path::Path;

use super::plot::{self, Series, Style};
use crate::experiment::simulate::RunResult;

pub fn plot(dir: &Path, run: &RunResult) -> Result<(), String> {
    let mut keys: Vec<(usize, u32, u32)> = Vec::new();
    for c in &run.sim.weight_changes {
        if !keys.contains(&(c.projection, c.pre, c.post)) {
            keys.push((c.projection, c.pre, c.post));
        }
    }
    let end = run.circuit.duration_ms;
    let series: Vec<Series> = keys
        .iter()
        .take(20)
        .map(|&(k, pre, post)| {
            let mut points = Vec::new();
            let mut changes: Vec<_> = run
                .sim
                .weight_changes
                .iter()
                .filter(|c| (c.projection, c.pre, c.post) == (k, pre, post))
                .collect();
            changes.sort_by(|a, b| a.time.total_cmp(&b.time));
            for c in &changes {
                if let Some(&(_, last)) = points.last() {
                    points.push((c.time, last));
                }
                points.push((c.time, c.weight));
            }
            if let Some(&(_, last)) = points.last() {
                points.push((end, last));
            }
            Series {
                name: format!("{} ({pre} → {post})", run.net().projections[k].name),
                points,
                style: Style::Line,
            }
        })
        .collect();
    plot::chart(
        &dir.join("weight_traces.png"),
        "Traced weights",
        "time (ms)",
        "weight",
        &series,
        false,
    )
}
