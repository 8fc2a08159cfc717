//! `sweep.csv` (one row per sweep point: the sweep, its swept values, every comparison's
//! scalars) and one plot per sweep that asks for it.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::plot::{self, Series, Style};
use crate::experiment::SweepResult;

fn columns(sweeps: &[SweepResult]) -> (Vec<String>, Vec<String>) {
    let mut lets: Vec<String> = Vec::new();
    let mut metrics: Vec<String> = Vec::new();
    for s in sweeps {
        for p in &s.points {
            for (k, _) in &p.values {
                if !lets.contains(k) {
                    lets.push(k.clone());
                }
            }
            for (k, _) in &p.scalars {
                if !metrics.contains(k) {
                    metrics.push(k.clone());
                }
            }
        }
    }
    (lets, metrics)
}

/// Writes `sweep.csv` and the plots; returns the sweeps for `summary.json`.
pub fn write(dir: &Path, sweeps: &[SweepResult]) -> Result<Value, String> {
    let (lets, metrics) = columns(sweeps);
    let mut csv = String::from("sweep");
    for c in lets.iter().chain(&metrics) {
        csv.push(',');
        csv.push_str(c);
    }
    csv.push_str(",simulate_seconds\n");
    let mut out = serde_json::Map::new();
    for s in sweeps {
        let mut rows = Vec::new();
        for p in &s.points {
            let mut line = s.sweep.name.clone();
            let get = |list: &[(String, f64)], k: &str| list.iter().find(|x| x.0 == k).map(|x| x.1);
            for k in &lets {
                line.push(',');
                if let Some(v) = get(&p.values, k) {
                    line.push_str(&v.to_string());
                }
            }
            for k in &metrics {
                line.push(',');
                if let Some(v) = get(&p.scalars, k) {
                    line.push_str(&v.to_string());
                }
            }
            let _ = writeln!(csv, "{line},{}", p.simulate_seconds);
            let mut row = serde_json::Map::new();
            for (k, v) in p.values.iter().chain(&p.scalars) {
                row.insert(k.clone(), json!(v));
            }
            rows.push(Value::Object(row));
        }
        out.insert(s.sweep.name.clone(), Value::Array(rows));
        if let Some(pl) = &s.sweep.plot {
            let series: Vec<Series> =
                pl.y.iter()
                    .enumerate()
                    .map(|(i, metric)| Series {
                        name: metric.clone(),
                        points: s
                            .points
                            .iter()
                            .filter_map(|p| {
                                let x = p.values.iter().find(|v| v.0 == pl.x)?.1;
                                let y = p.scalars.iter().find(|v| &v.0 == metric)?.1;
                                Some((if pl.log_x { x.log10() } else { x }, y))
                            })
                            .collect(),
                        style: [Style::Line, Style::Dashed, Style::Dots][i % 3],
                    })
                    .collect();
            let title = if pl.title.is_empty() {
                format!("Sweep `{}`", s.sweep.name)
            } else {
                pl.title.clone()
            };
            let x_label = if pl.log_x {
                format!("log10 {}", pl.x)
            } else {
                pl.x.clone()
            };
            plot::chart(
                &dir.join(format!("sweep_{}.png", s.sweep.name)),
                &title,
                &x_label,
                "",
                &series,
                pl.log_y,
            )?;
        }
    }
    std::fs::write(dir.join("sweep.csv"), csv).map_err(|e| format!("cannot write sweep.csv: {e}"))?;
    Ok(Value::Object(out))
}

/// The report section: one table per sweep (swept values and the plotted metrics, or all).
pub fn section(_dir: &Path, sweeps: &[SweepResult]) -> Result<String, String> {
    let mut s = String::from(
        "\n## Sweeps\n\nEvery point is a run of this file with the `[let]` values shown; all scalars are in `sweep.csv`.\n",
    );
    for sw in sweeps {
        let metrics: Vec<String> = match &sw.sweep.plot {
            Some(p) => p.y.clone(),
            None => sw.points.first().map_or(Vec::new(), |p| {
                p.scalars.iter().map(|x| x.0.clone()).take(6).collect()
            }),
        };
        let lets: Vec<String> = sw.sweep.over.iter().map(|x| x.0.clone()).collect();
        let _ = writeln!(s, "\n### `{}`\n", sw.sweep.name);
        let _ = writeln!(s, "| {} | {} |", lets.join(" | "), metrics.join(" | "));
        let _ = writeln!(s, "|{}", "---|".repeat(lets.len() + metrics.len()));
        for p in &sw.points {
            let cells: Vec<String> = lets
                .iter()
                .map(|k| {
                    p.values
                        .iter()
                        .find(|v| &v.0 == k)
                        .map_or(String::new(), |v| v.1.to_string())
                })
                .chain(metrics.iter().map(|k| {
                    p.scalars
                        .iter()
                        .find(|v| &v.0 == k)
                        .map_or("—".into(), |v| format!("{:.4}", v.1))
                }))
                .collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        if sw.sweep.plot.is_some() {
            let _ = writeln!(s, "\n![sweep {}](sweep_{}.png)", sw.sweep.name, sw.sweep.name);
        }
    }
    Ok(s)
}
